"""What hosts set up for evaluations, kept in each server process's memory.

The questions of an event and a session's posttest settings are read by
every attendee at the end of a session and changed by hosts rarely; they are
cached by the event's version (events.catalogue), which every change to the
rows below bumps in its own transaction.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlalchemy as sa

from core.db import db
from evaluations.models import (
    DEFAULT_PASS_MARK, MAX_ATTEMPTS, EvaluationQuestion, EvaluationSetup, Posttest, PosttestChoice, PosttestQuestion,
)
from events import catalogue as events_catalogue
from events.models import EventSession


def _event_of_posttest(posttest_id) -> sa.Select:
    return sa.select(EventSession.event_id).join(Posttest, Posttest.session_id == EventSession.id).where(
        Posttest.id == posttest_id)


events_catalogue.bumps_version(EvaluationSetup, lambda setup: setup.event_id)
events_catalogue.bumps_version(EvaluationQuestion, lambda question: question.event_id)
events_catalogue.bumps_version(
    Posttest, lambda posttest: sa.select(EventSession.event_id).where(EventSession.id == posttest.session_id))
events_catalogue.bumps_version(PosttestQuestion, lambda question: _event_of_posttest(question.posttest_id))
events_catalogue.bumps_version(PosttestChoice, lambda choice: _event_of_posttest(
    sa.select(PosttestQuestion.posttest_id).where(PosttestQuestion.id == choice.question_id).scalar_subquery()))


@dataclass(frozen=True)
class QuestionSheet:
    id: int
    text: str
    type: str
    required: bool

    @property
    def scale(self) -> bool:
        return self.type == "scale"


@dataclass(frozen=True)
class PosttestSheet:
    required: bool  # the session has a posttest with at least one question
    pass_mark: int
    max_attempts: int


class QuestionSet:
    """An event's active questions of one kind, and what is built from them once per version."""

    def __init__(self, version: int, questions: tuple[QuestionSheet, ...]):
        self.version = version
        self.questions = questions
        self.form_class = None  # evaluations.forms builds it on first use
        self.blank_html = None  # the rendered fields of an unanswered form, made on first use


_questions: dict[tuple[int, str], QuestionSet] = {}
_posttests: dict[int, tuple[int, PosttestSheet]] = {}
_lock = threading.Lock()


def question_set(session, kind: str) -> QuestionSet:
    """The questions attendees of `session` (a SessionSheet) are asked now, for 'course' or 'speaker'."""
    key = (session.event_id, kind)
    cached = _questions.get(key)
    if cached is not None and cached.version == session.event.version:
        return cached
    from evaluations.questions import active_questions, ensure_event_questions

    if ensure_event_questions(session.event):
        # The defaults were copied just now, which counted the version up: cache under the new one.
        version = events_catalogue.version_of(session.id)
    else:
        version = session.event.version
    made = QuestionSet(version, tuple(QuestionSheet(q.id, q.text, q.type, q.required)
                                      for q in active_questions(session.event, kind)))
    with _lock:
        _questions[key] = made
    return made


def posttest_sheet(session) -> PosttestSheet:
    """The posttest settings of `session` (a SessionSheet)."""
    cached = _posttests.get(session.id)
    if cached is not None and cached[0] == session.event.version:
        return cached[1]
    posttest = db.session.scalar(sa.select(Posttest).where(Posttest.session_id == session.id))
    made = PosttestSheet(
        required=posttest is not None and bool(db.session.scalar(
            sa.select(sa.exists().where(PosttestQuestion.posttest_id == posttest.id)))),
        pass_mark=posttest.pass_mark_percent if posttest else DEFAULT_PASS_MARK,
        max_attempts=posttest.max_attempts if posttest else MAX_ATTEMPTS,
    )
    with _lock:
        _posttests[session.id] = (session.event.version, made)
    return made


def forget_all() -> None:
    _questions.clear()
    _posttests.clear()
