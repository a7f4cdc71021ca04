"""A stand-in for the journey the app wires into evaluations (claims), for the tests of evaluations alone."""
from __future__ import annotations

from evaluations.access import OpenStanding
from events import catalogue


class Standing(OpenStanding):
    """Evaluations' own default standing, with the gate and the next page a test chooses."""

    def __init__(self, user_id: int, session_id: int, entered: bool = True, next_url: str | None = None):
        super().__init__(user_id, catalogue.sheet(session_id))
        self.entered = entered
        self._next_url = next_url

    def next_url(self, after: str | None = None) -> str:
        return self._next_url or super().next_url(after)
