"""Who may fill a session's evaluations and posttest, and where they go next.

Both are set by `app.py` so that this package never imports the ones that
decide them (codes: has the attendee entered the session code? claims: what
is the attendee's next step?). Until set, everyone logged in may fill, and
the next step is the session page.
"""
from __future__ import annotations

from typing import Callable

from flask import url_for

Gate = Callable[[int, int], bool]
NextStep = Callable[[int, object], str]

_gate: Gate | None = None
_next_step: NextStep | None = None


def set_attendee_gate(fn: Gate | None) -> None:
    """`fn(user_id, session_id) -> bool`: may this attendee fill this session's evaluations? None: everyone may."""
    global _gate
    _gate = fn


def set_next_step(fn: NextStep | None) -> None:
    """`fn(user_id, session) -> URL` of the attendee's next step. None: back to the session page."""
    global _next_step
    _next_step = fn


def may_fill(user_id: int, session_id: int) -> bool:
    return True if _gate is None else bool(_gate(user_id, session_id))


def next_step_url(user_id: int, session) -> str:
    if _next_step is None:
        return url_for("events.session_page", session_id=session.id)
    return _next_step(user_id, session)
