"""Who may fill a session's evaluations and posttest, and where they go next.

The attendee's journey is the claims package's, to the right of this one, so
`app.py` hands it in with `set_standing` (an extension point, see README
"Extension points"): one call per request answers whether the attendee
entered the session's code, what they have completed and where to go after
a step, from a single statement. Until set (this package's own tests),
everyone logged in may fill, and the next step is the session page.
"""
from __future__ import annotations

from typing import Callable, Protocol

from flask import url_for

from evaluations.progress import completed_targets
from events import catalogue


class Standing(Protocol):
    session: catalogue.SessionSheet  # the session as attendees see it (cached)
    entered: bool  # the attendee entered the session's code

    def done(self, target: str) -> bool:
        """Has the attendee completed 'course' or 'speaker:<id>'?"""

    def next_url(self, after: str | None = None) -> str:
        """Where to go next (once `after` is completed, when given)."""

    def place(self, target: str):
        """Where the step `target` ('course', 'speaker:<id>', 'posttest') stands in the attendee's journey, or None.
        Has `number`, `total`, `name` and `left` (names of the steps still to do besides it)."""


StandingOf = Callable[[int, int], "Standing | None"]
_standing_of: StandingOf | None = None


def set_standing(fn: StandingOf | None) -> None:
    """`fn(user_id, session_id) -> Standing | None` (None: no such session). None: the default below."""
    global _standing_of
    _standing_of = fn


def standing(user_id: int, session_id: int) -> Standing | None:
    if _standing_of is not None:
        return _standing_of(user_id, session_id)
    session = catalogue.sheet(session_id)
    return OpenStanding(user_id, session) if session else None


class OpenStanding:
    """Without a journey wired in: everyone may fill; afterwards, back to the session page."""

    entered = True

    def __init__(self, user_id: int, session: catalogue.SessionSheet):
        self.session = session
        self._done = completed_targets(user_id, session.id)

    def done(self, target: str) -> bool:
        return target in self._done

    def next_url(self, after: str | None = None) -> str:
        return url_for("events.session_page", session_id=self.session.id)

    def place(self, target: str) -> None:
        return None  # no journey: no steps to count
