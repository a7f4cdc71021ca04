"""Where an attendee stands with a session's evaluations and posttest (read by claims).

The attendee's rows come as parts of the journey's one facts query
(`completion_facts`, `attempt_facts`); what the host set up comes from the
per-process cache (`evaluations.catalogue`). `evaluation_standing` and
`posttest_standing` are plain functions of the two.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.db import SESSION_ID, USER_ID, db, fact_columns
from evaluations import catalogue
from evaluations.models import EvaluationCompletion, PosttestAttempt
from evaluations.responses import target_name
from events import catalogue as events_catalogue


@dataclass(frozen=True)
class EvaluationStatus:
    course_done: bool
    speakers: list[tuple[object, bool]]  # each speaker of the session (id, name), and whether evaluated
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


@dataclass(frozen=True)
class AttemptFact:
    number: int
    state: str  # "open", "passed", "failed"
    score: int | None


# --- the attendee's rows, as parts of the journey's facts query ------------------

def completed_targets(user_id: int, session_id: int) -> set[str]:
    """What the attendee has evaluated for the session, on its own ('course', 'speaker:<id>')."""
    return set(db.session.scalars(sa.select(EvaluationCompletion.target).where(
        EvaluationCompletion.user_id == user_id, EvaluationCompletion.session_id == session_id)))


def completion_facts() -> sa.Select:
    return sa.select(*fact_columns("completed", key=EvaluationCompletion.target)).where(
        EvaluationCompletion.user_id == USER_ID, EvaluationCompletion.session_id == SESSION_ID)


def attempt_facts() -> sa.Select:
    """Each posttest attempt: its number, and in `key` its state and score ("passed:80", "open:")."""
    state = sa.case((PosttestAttempt.submitted_at.is_(None), "open"), (PosttestAttempt.passed.is_(True), "passed"),
                    else_="failed")
    score = sa.func.coalesce(sa.cast(PosttestAttempt.score_percent, sa.String), "")
    return sa.select(*fact_columns("attempt", key=state + sa.literal(":") + score, number=PosttestAttempt.number)).where(
        PosttestAttempt.user_id == USER_ID, PosttestAttempt.session_id == SESSION_ID)


def attempt_from_fact(key: str, number: int) -> AttemptFact:
    state, _, score = key.partition(":")
    return AttemptFact(number, state, int(score) if score else None)


# --- standing: plain functions of the facts and the set-up -----------------------

def evaluation_standing(session, completed: frozenset[str] | set[str]) -> EvaluationStatus:
    course_done = target_name(None) in completed
    speakers = [(speaker, target_name(speaker) in completed) for speaker in session.speakers]
    return EvaluationStatus(course_done=course_done, speakers=speakers,
                            all_done=course_done and all(done for _, done in speakers))


def posttest_standing(setup: catalogue.PosttestSheet, attempts: list[AttemptFact]) -> PosttestStatus:
    submitted = [a for a in attempts if a.state != "open"]
    passed = any(a.state == "passed" for a in submitted)
    scores = [a.score for a in submitted if a.score is not None]
    return PosttestStatus(
        required=setup.required,
        passed=passed,
        attempts_used=len(submitted),
        attempts_left=0 if passed else max(0, setup.max_attempts - len(submitted)),
        locked_out=not passed and len(submitted) >= setup.max_attempts,
        best_score=max(scores) if scores else None,
        pass_mark=setup.pass_mark,
    )


# --- one attendee and one session, read on their own (tests, host pages) ---------

def evaluation_status(user_id: int, session) -> EvaluationStatus:
    return evaluation_standing(events_catalogue.sheet(session.id), completed_targets(user_id, session.id))


def posttest_status(user_id: int, session) -> PosttestStatus:
    rows = db.session.execute(attempt_facts(), {"user_id": user_id, "session_id": session.id})
    attempts = [attempt_from_fact(row.key, row.number) for row in rows]
    return posttest_standing(catalogue.posttest_sheet(events_catalogue.sheet(session.id)), attempts)
