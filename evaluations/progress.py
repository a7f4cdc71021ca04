"""Where an attendee stands with a session's evaluations and posttest (read by claims)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.db import db
from evaluations.models import DEFAULT_PASS_MARK, MAX_ATTEMPTS, EvaluationCompletion, Posttest, PosttestQuestion
from evaluations.posttest import attempts_of, posttest_of
from evaluations.responses import target_name
from events.models import EventSession, Speaker


@dataclass(frozen=True)
class EvaluationStatus:
    course_done: bool
    speakers: list[tuple[Speaker, bool]]  # each speaker of the session, and whether evaluated
    all_done: bool


@dataclass(frozen=True)
class PosttestStatus:
    required: bool  # the session has a posttest with at least one question
    passed: bool
    attempts_used: int  # submitted attempts
    attempts_left: int
    locked_out: bool  # every allowed attempt failed: no credit for this session
    best_score: int | None
    pass_mark: int


def evaluation_status(user_id: int, session: EventSession) -> EvaluationStatus:
    done = set(db.session.scalars(
        sa.select(EvaluationCompletion.target).where(
            EvaluationCompletion.user_id == user_id, EvaluationCompletion.session_id == session.id
        )
    ))
    course_done = target_name(None) in done
    speakers = [(speaker, target_name(speaker) in done) for speaker in session.speakers]
    return EvaluationStatus(
        course_done=course_done,
        speakers=speakers,
        all_done=course_done and all(finished for _, finished in speakers),
    )


def posttest_status(user_id: int, session: EventSession) -> PosttestStatus:
    posttest: Posttest | None = posttest_of(session)
    has_questions = posttest is not None and db.session.scalar(
        sa.select(sa.exists().where(PosttestQuestion.posttest_id == posttest.id))
    )
    pass_mark = posttest.pass_mark_percent if posttest else DEFAULT_PASS_MARK
    max_attempts = posttest.max_attempts if posttest else MAX_ATTEMPTS
    submitted = [a for a in attempts_of(user_id, session.id) if not a.open]
    passed = any(a.passed for a in submitted)
    scores = [a.score_percent for a in submitted if a.score_percent is not None]
    return PosttestStatus(
        required=bool(has_questions),
        passed=passed,
        attempts_used=len(submitted),
        attempts_left=0 if passed else max(0, max_attempts - len(submitted)),
        locked_out=not passed and len(submitted) >= max_attempts,
        best_score=max(scores) if scores else None,
        pass_mark=pass_mark,
    )
