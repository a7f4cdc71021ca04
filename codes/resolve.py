"""From what an attendee typed in the code box to a session, or to why not.

No Flask; reads the database. The claims pages call `resolve` and turn a
`CodeRefused` into words with `message_for`.
"""
from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from codes import code as rules
from codes.models import SessionCode
from core import clock
from core.db import db
from events.localtime import describe_duration, format_local
from events import catalogue
from events.catalogue import SessionSheet
from events.models import Event, EventSession
from events.uan import looks_like_uan

PAGES = ("live", "home_study")  # each code-entry page takes the sessions of its own kind
PAGE_NAMES = {"live": "Live meetings and conferences", "home_study": "Home study and on-demand"}
REASONS = ("empty", "uan", "malformed", "unknown", "wrong_page", "not_open", "closed")


class CodeRefused(Exception):
    """A typed code that gives no session now; `reason` is one of REASONS.

    `session` is the session the code belongs to when there is one (its cached sheet); `info`
    holds what the message needs: `right_page`, `opens_at`, `closed_at`, `now`.
    """

    def __init__(self, reason: str, session: SessionSheet | None = None, **info):
        super().__init__(reason)
        self.reason = reason
        self.session = session
        self.info = info


def resolve(typed: str, page: str, now: dt.datetime) -> SessionSheet:
    """The session whose code was typed on `page` ('live' or 'home_study'), if claims are open for it, or will
    open and the host has revealed the code already.

    One statement: the code's session and its event's version; the session itself comes from the
    process's cache (events.catalogue).
    """
    if page not in PAGES:
        raise ValueError(f"unknown code-entry page {page!r}")
    code = rules.normalise(typed)
    if not code:
        raise CodeRefused("empty")
    # Before the shape: a UAN is too long to be a code, but deserves its own answer.
    if looks_like_uan(code):
        raise CodeRefused("uan")
    if not rules.is_well_formed(code):
        raise CodeRefused("malformed")
    found = _session_with_code(code, now)
    if found is None:
        raise CodeRefused("unknown")
    session, revealed = found
    if session.kind != page:
        right_page = "live" if session.live else "home_study"
        raise CodeRefused("wrong_page", session, right_page=right_page, code=code)
    window = session.window
    state = window.state(now)
    if state == "not_open" and not revealed:
        # Revealed early by the host, the code is kept: the evaluations may be filled, the claim waits for the window.
        raise CodeRefused("not_open", session, opens_at=window.opens_at, now=now)
    if state == "closed":
        raise CodeRefused("closed", session, closed_at=window.closes_at, now=now)
    return session


@functools.cache
def _code_query() -> sa.Select:
    """The session with the code `code` and its event's version: one still open at `now` first, else the one
    that closed last. Built once (every code typed at the end of a session runs it)."""
    still_open = sa.case((EventSession.closes_at > sa.bindparam("now", type_=EventSession.closes_at.type), 0), else_=1)
    return (sa.select(EventSession.id, Event.version, SessionCode.revealed_at)
            .join(SessionCode, SessionCode.session_id == EventSession.id)
            .join(Event, Event.id == EventSession.event_id)
            .where(SessionCode.code == sa.bindparam("code", type_=sa.String))
            .order_by(still_open, EventSession.closes_at.desc(), EventSession.id.desc())
            .limit(1))


def _session_with_code(code: str, now: dt.datetime) -> tuple[SessionSheet, bool] | None:
    """The session with this code (one still open first, else the one that closed last) and whether the host
    has revealed the code."""
    found = db.session.execute(_code_query(), {"code": code, "now": now}).first()
    return (catalogue.sheet(found.id, found.version), found.revealed_at is not None) if found else None


NEAR_HORIZON = dt.timedelta(days=1)  # codes of sessions whose claims open within a day count for typos


def is_a_slip(typed: str, now: dt.datetime) -> bool:
    """True when an unknown code is a slip of the code of a session open for claims now, or opening
    within a day: an attendee's typo, not a guess (claims.guessing charges the two differently).

    One statement, only for codes no session has; the codes compared are few (today's sessions).
    """
    code = rules.normalise(typed)
    codes = db.session.scalars(
        sa.select(SessionCode.code).join(EventSession, EventSession.id == SessionCode.session_id)
        .where(EventSession.closes_at > now, EventSession.opens_at <= now + NEAR_HORIZON))
    return rules.is_near(code, codes)


def message_for(refused: CodeRefused, typed: str) -> str:
    """What to tell the attendee, in plain words, about a refused code."""
    reason, session, info = refused.reason, refused.session, refused.info
    shape = f"A session code has {rules.MIN_LENGTH}–{rules.MAX_LENGTH} letters and numbers"
    if reason == "empty":
        return f"Type the session code announced at the end of the session. {shape}, like {rules.EXAMPLE}."
    if reason == "uan":
        return (
            "That is the activity's UAN, not the session code. The code has 4–13 letters and numbers "
            "and is announced at the end of the session."
        )
    if reason == "malformed":
        code = rules.normalise(typed)
        if not code.isascii() or not code.isalnum():
            problem = "only letters and numbers; spaces and dashes do not matter"
        elif len(code) < rules.MIN_LENGTH:
            problem = f"at least {rules.MIN_LENGTH}; you typed {len(code)}"
        else:
            problem = f"at most {rules.MAX_LENGTH}; you typed {len(code)}"
        return (
            f"That is not a session code. {shape} ({problem}), like {rules.EXAMPLE}. "
            "Check it against the screen at the end of the session."
        )
    if reason == "unknown":
        return (
            "No session has that code. Check it against the screen or ask the host; "
            "capitals, spaces and dashes do not matter."
        )
    if reason == "wrong_page":
        here = "a live meeting or conference" if info["right_page"] == "live" else "a home-study or on-demand activity"
        return f"That code is for {here}: enter it on the “{PAGE_NAMES[info['right_page']]}” page."
    zone = session.event.zone
    now = info.get("now") or clock.now()
    if reason == "not_open":
        opens_at = info["opens_at"]
        return (
            f"Claims for “{session.title}” open at {format_local(opens_at, zone)}, "
            f"in {describe_duration(opens_at - now)}. Come back then with the same code."
        )
    if reason == "closed":
        return (
            f"Claims for “{session.title}” closed on {format_local(info['closed_at'], zone)}. "
            "ACPE allows no extensions, so credit can no longer be claimed for this session."
        )
    raise ValueError(f"no message for {reason!r}")
