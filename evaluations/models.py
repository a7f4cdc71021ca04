"""Evaluation questions and anonymous answers; who completed what; the posttest.

Anonymity: an `EvaluationResponse` carries no user, no time of day (only the
date) and a random id, and its answers are keyed by (response, question), so
nothing in the stored rows orders or links a response to the
`EvaluationCompletion` that says who filled it.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from core import clock
from core.db import UTCDateTime, db

KINDS = {"course": "Course evaluation", "speaker": "Speaker evaluation"}
QUESTION_TYPES = {"scale": "1 to 5 scale", "text": "Free text"}
# ACPE-style: at most three posttest attempts per session.
MAX_ATTEMPTS = 3
DEFAULT_PASS_MARK = 70


class EvaluationSetup(db.Model):
    """Says that the event's questions were copied from the defaults: one row per event.

    Its primary key is the guard that makes the copy happen once, even when
    the first attendees open their evaluations at the same moment.
    """

    __tablename__ = "evaluation_setups"

    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)


class EvaluationQuestion(db.Model):
    __tablename__ = "evaluation_questions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('course', 'speaker')", name="kind"),
        sa.CheckConstraint("type IN ('scale', 'text')", name="type"),
        sa.Index("ix_evaluation_questions_event_kind", "event_id", "kind"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    position: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.String(500))
    type: so.Mapped[str] = so.mapped_column(sa.String(10), default="scale")
    required: so.Mapped[bool] = so.mapped_column(default=True)
    # A question that was answered is never deleted or reworded: it is
    # retired, so every stored answer keeps the words it answered.
    retired: so.Mapped[bool] = so.mapped_column(default=False)
    replaces_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("evaluation_questions.id", ondelete="SET NULL")
    )

    @property
    def scale(self) -> bool:
        return self.type == "scale"


def new_response_id() -> str:
    return secrets.token_hex(16)


class EvaluationResponse(db.Model):
    """One filled evaluation, anonymous: no user, no time, an unordered id."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('course', 'speaker')", name="kind"),
        sa.Index("ix_evaluation_responses_session_kind", "session_id", "kind"),
    )

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True, default=new_response_id)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    speaker_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("speakers.id", ondelete="SET NULL"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    submitted_on: so.Mapped[dt.date] = so.mapped_column(sa.Date())

    answers: so.Mapped[list["EvaluationAnswer"]] = so.relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class EvaluationAnswer(db.Model):
    __tablename__ = "evaluation_answers"

    response_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("evaluation_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("evaluation_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    scale_value: so.Mapped[Optional[int]] = so.mapped_column()
    text_value: so.Mapped[Optional[str]] = so.mapped_column(sa.Text())

    response: so.Mapped[EvaluationResponse] = so.relationship(back_populates="answers")


class EvaluationCompletion(db.Model):
    """That an attendee filled an evaluation (`target` is 'course' or 'speaker:<id>'), not what they said."""

    __tablename__ = "evaluation_completions"
    __table_args__ = (sa.UniqueConstraint("user_id", "session_id", "target"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    target: so.Mapped[str] = so.mapped_column(sa.String(40))
    completed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime())


class Posttest(db.Model):
    __tablename__ = "posttests"
    __table_args__ = (
        sa.CheckConstraint("pass_mark_percent BETWEEN 1 AND 100", name="pass_mark"),
        sa.CheckConstraint(f"max_attempts BETWEEN 1 AND {MAX_ATTEMPTS}", name="max_attempts"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    pass_mark_percent: so.Mapped[int] = so.mapped_column(default=DEFAULT_PASS_MARK)
    max_attempts: so.Mapped[int] = so.mapped_column(default=MAX_ATTEMPTS)

    questions: so.Mapped[list["PosttestQuestion"]] = so.relationship(
        back_populates="posttest", order_by=lambda: (PosttestQuestion.position, PosttestQuestion.id),
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
    )


class PosttestQuestion(db.Model):
    __tablename__ = "posttest_questions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    posttest_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posttests.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.Text())

    posttest: so.Mapped[Posttest] = so.relationship(back_populates="questions")
    choices: so.Mapped[list["PosttestChoice"]] = so.relationship(
        back_populates="question", order_by=lambda: (PosttestChoice.position, PosttestChoice.id),
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
    )


class PosttestChoice(db.Model):
    __tablename__ = "posttest_choices"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posttest_questions.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.String(500))
    correct: so.Mapped[bool] = so.mapped_column(default=False)

    question: so.Mapped[PosttestQuestion] = so.relationship(back_populates="choices")


class PosttestAttempt(db.Model):
    __tablename__ = "posttest_attempts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "session_id", "number"),
        sa.CheckConstraint(f"number BETWEEN 1 AND {MAX_ATTEMPTS}", name="number"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int] = so.mapped_column()
    started_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime())
    submitted_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    score_percent: so.Mapped[Optional[int]] = so.mapped_column()
    passed: so.Mapped[Optional[bool]] = so.mapped_column()

    @property
    def open(self) -> bool:
        return self.submitted_at is None


class PosttestAnswer(db.Model):
    __tablename__ = "posttest_answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posttest_attempts.id", ondelete="CASCADE"))
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("posttest_questions.id", ondelete="CASCADE"), index=True
    )
    choice_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posttest_choices.id", ondelete="CASCADE"), index=True)
