"""The evaluation questions of an event: the ACPE-style defaults and the host's edits.

An event starts with the defaults below. They are copied into the event's own
rows the first time the event's questions are needed (an attendee opens an
evaluation, or the host opens the set-up page), so changing the defaults
later never changes what a past event asked.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core import audit
from core.db import db
from evaluations.models import KINDS, QUESTION_TYPES, EvaluationAnswer, EvaluationQuestion, EvaluationSetup
from events.models import Event


@dataclass(frozen=True)
class DefaultQuestion:
    text: str
    type: str = "scale"
    required: bool = True


DEFAULT_QUESTIONS: dict[str, tuple[DefaultQuestion, ...]] = {
    "course": (
        DefaultQuestion("The learning objectives were met"),
        DefaultQuestion("The content is relevant to my practice"),
        DefaultQuestion("The activity was free of commercial bias"),
        DefaultQuestion("Comments", "text", required=False),
    ),
    "speaker": (
        DefaultQuestion("The speaker was effective"),
        DefaultQuestion("The speaker was knowledgeable"),
        DefaultQuestion("Comments", "text", required=False),
    ),
}


class QuestionError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def ensure_event_questions(event: Event) -> bool:
    """Give the event (anything with its `id`) its own copy of the default questions, once; True if copied now."""
    if db.session.get(EvaluationSetup, event.id) is not None:
        return False
    db.session.add(EvaluationSetup(event_id=event.id))
    for kind, defaults in DEFAULT_QUESTIONS.items():
        for position, default in enumerate(defaults, start=1):
            db.session.add(EvaluationQuestion(
                event_id=event.id, kind=kind, position=position,
                text=default.text, type=default.type, required=default.required,
            ))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another request copied them first
        db.session.rollback()
        return False
    return True


def active_questions(event: Event, kind: str) -> list[EvaluationQuestion]:
    """The questions attendees are asked now, in order (`event`: anything with its `id`)."""
    ensure_event_questions(event)
    return list(db.session.scalars(
        sa.select(EvaluationQuestion)
        .where(EvaluationQuestion.event_id == event.id, EvaluationQuestion.kind == kind,
               EvaluationQuestion.retired.is_(False))
        .order_by(EvaluationQuestion.position, EvaluationQuestion.id)
    ))


def has_answers(question: EvaluationQuestion) -> bool:
    return db.session.scalar(
        sa.select(sa.exists().where(EvaluationAnswer.question_id == question.id))
    )


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise QuestionError("Write the question.", "text")
    if len(text) > 500:
        raise QuestionError("Keep the question under 500 characters.", "text")
    return text


def _renumber(event_id: int, kind: str, moved: EvaluationQuestion | None = None, to: int | None = None) -> None:
    """Number the active questions 1, 2, 3 … in order, putting `moved` at position `to`."""
    questions = [
        q for q in db.session.scalars(
            sa.select(EvaluationQuestion)
            .where(EvaluationQuestion.event_id == event_id, EvaluationQuestion.kind == kind,
                   EvaluationQuestion.retired.is_(False))
            .order_by(EvaluationQuestion.position, EvaluationQuestion.id)
        )
        if q is not moved
    ]
    if moved is not None:
        index = min(max((to or 1) - 1, 0), len(questions))
        questions.insert(index, moved)
    for position, question in enumerate(questions, start=1):
        question.position = position


def add_question(event: Event, kind: str, text: str, type_: str, required: bool, actor_id: int) -> EvaluationQuestion:
    if kind not in KINDS:
        raise QuestionError("Choose the course or the speaker evaluation.")
    if type_ not in QUESTION_TYPES:
        raise QuestionError("Choose a 1 to 5 scale or free text.", "type")
    ensure_event_questions(event)
    question = EvaluationQuestion(
        event_id=event.id, kind=kind, text=_check_text(text), type=type_, required=required, position=10**6,
    )
    db.session.add(question)
    db.session.flush()
    _renumber(event.id, kind)
    audit.record(actor_id, "evaluation.question_added", f"event:{event.id}", f"question:{question.id}")
    db.session.commit()
    return question


def edit_question(question: EvaluationQuestion, text: str, required: bool, position: int | None,
                  actor_id: int) -> EvaluationQuestion:
    """Change a question's words, whether it must be answered, and its place.

    Rewording a question that already has answers retires it and puts a new
    question in its place, so every stored answer keeps the words it answered.
    Returns the question as it now stands (the new one when reworded).
    """
    if question.retired:
        raise QuestionError("This question was removed; add a new one instead.")
    text = _check_text(text)
    current = question
    if text != question.text and has_answers(question):
        current = EvaluationQuestion(
            event_id=question.event_id, kind=question.kind, position=question.position, text=text,
            type=question.type, required=required, replaces_id=question.id,
        )
        question.retired = True
        db.session.add(current)
        db.session.flush()
        detail = f"question:{question.id} reworded as question:{current.id}"
    else:
        detail = f"question:{question.id}"
    current.text, current.required = text, required
    _renumber(question.event_id, question.kind, current, position or current.position)
    audit.record(actor_id, "evaluation.question_edited", f"event:{question.event_id}", detail)
    db.session.commit()
    return current


def remove_question(question: EvaluationQuestion, actor_id: int) -> None:
    """Remove a question from the evaluation; one with answers is retired, not deleted."""
    event_id, kind = question.event_id, question.kind
    if has_answers(question):
        question.retired = True
        detail = f"question:{question.id} retired"
    else:
        detail = f"question:{question.id} deleted"
        db.session.delete(question)
    db.session.flush()
    _renumber(event_id, kind)
    audit.record(actor_id, "evaluation.question_removed", f"event:{event_id}", detail)
    db.session.commit()
