"""A stand-in for the journey the app wires into evaluations (claims), for the tests of evaluations alone."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from core.db import db
from evaluations.models import EvaluationCompletion
from events import catalogue


class Standing:
    def __init__(self, user_id: int, session_id: int, entered: bool = True, next_url: str | None = None):
        self.session = catalogue.sheet(session_id)
        self.entered = entered
        self._next_url = next_url
        self._done = set(db.session.scalars(sa.select(EvaluationCompletion.target).where(
            EvaluationCompletion.user_id == user_id, EvaluationCompletion.session_id == session_id)))

    def done(self, target: str) -> bool:
        return target in self._done

    def next_url(self, after: str | None = None) -> str:
        return self._next_url or url_for("events.session_page", session_id=self.session.id)
