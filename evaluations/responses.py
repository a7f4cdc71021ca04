"""Filling an evaluation: anonymous answers plus a separate record that the attendee completed it."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core import clock
from core.db import db
from core.realtime import push
from evaluations.models import EvaluationAnswer, EvaluationCompletion, EvaluationResponse, new_response_id


@dataclass(frozen=True)
class Answer:
    question_id: int
    scale_value: int | None = None
    text_value: str | None = None


def target_name(speaker) -> str:
    """How a completion names what was evaluated: 'course' or 'speaker:<id>'."""
    return "course" if speaker is None else f"speaker:{speaker.id}"


def submit_evaluation(user_id: int, session, speaker, questions, answers: list[Answer]) -> bool:
    """Store the answers without the attendee's identity, and that the attendee completed it.

    Both in one transaction, as three set-based inserts (the completion, the
    response, its answers). Returns False, storing nothing, when this
    attendee had already completed it (a double tap, a second device): the
    unique completion is the guard, so exactly one response is ever kept.
    """
    target = target_name(speaker)
    asked = {q.id: q for q in questions}
    now = clock.now()
    response_id = new_response_id()
    rows = []
    for answer in answers:
        question = asked.get(answer.question_id)
        if question is None:
            continue
        if question.scale and answer.scale_value is not None:
            rows.append({"response_id": response_id, "question_id": question.id, "scale_value": answer.scale_value,
                         "text_value": None})
        elif not question.scale and answer.text_value:
            rows.append({"response_id": response_id, "question_id": question.id, "scale_value": None,
                         "text_value": answer.text_value})
    try:
        # Core inserts on the tables: no ORM unit of work for rows nobody reads back here.
        db.session.execute(sa.insert(EvaluationCompletion.__table__).values(
            user_id=user_id, session_id=session.id, target=target, completed_at=now))
        db.session.execute(sa.insert(EvaluationResponse.__table__).values(**{
            "id": response_id, "session_id": session.id, "speaker_id": speaker.id if speaker else None,
            "kind": "course" if speaker is None else "speaker",
            # The date alone, in the event's zone: a time of day could be matched
            # against the completion's and so name the attendee.
            "submitted_on": now.astimezone(session.event.zone).date(),
        }))
        if rows:
            db.session.execute(sa.insert(EvaluationAnswer.__table__), rows)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    push(f"user:{user_id}", "step", {"session_id": session.id, "step": target})
    return True
