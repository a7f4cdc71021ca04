"""Filling an evaluation: anonymous answers plus a separate record that the attendee completed it."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core import clock
from core.db import db
from core.realtime import push
from evaluations.models import EvaluationAnswer, EvaluationCompletion, EvaluationQuestion, EvaluationResponse
from events.models import EventSession, Speaker


@dataclass(frozen=True)
class Answer:
    question_id: int
    scale_value: int | None = None
    text_value: str | None = None


def target_name(speaker: Speaker | None) -> str:
    """How a completion names what was evaluated: 'course' or 'speaker:<id>'."""
    return "course" if speaker is None else f"speaker:{speaker.id}"


def is_completed(user_id: int, session_id: int, target: str) -> bool:
    return db.session.scalar(
        sa.select(sa.exists().where(
            EvaluationCompletion.user_id == user_id,
            EvaluationCompletion.session_id == session_id,
            EvaluationCompletion.target == target,
        ))
    )


def submit_evaluation(user_id: int, session: EventSession, speaker: Speaker | None,
                      questions: list[EvaluationQuestion], answers: list[Answer]) -> bool:
    """Store the answers without the attendee's identity, and that the attendee completed it.

    Both in one transaction. Returns False, storing nothing, when this
    attendee had already completed it (a double tap, a second device): the
    unique completion is the guard, so exactly one response is ever kept.
    """
    target = target_name(speaker)
    if is_completed(user_id, session.id, target):
        return False
    asked = {q.id: q for q in questions}
    now = clock.now()
    response = EvaluationResponse(
        session_id=session.id,
        speaker_id=speaker.id if speaker else None,
        kind="course" if speaker is None else "speaker",
        # The date alone, in the event's zone: a time of day could be matched
        # against the completion's and so name the attendee.
        submitted_on=now.astimezone(session.event.zone).date(),
    )
    for answer in answers:
        question = asked.get(answer.question_id)
        if question is None:
            continue
        if question.scale and answer.scale_value is not None:
            response.answers.append(EvaluationAnswer(question_id=question.id, scale_value=answer.scale_value))
        elif not question.scale and answer.text_value:
            response.answers.append(EvaluationAnswer(question_id=question.id, text_value=answer.text_value))
    db.session.add(EvaluationCompletion(user_id=user_id, session_id=session.id, target=target, completed_at=now))
    db.session.add(response)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    push(f"user:{user_id}", "step", {"session_id": session.id, "step": target})
    return True
