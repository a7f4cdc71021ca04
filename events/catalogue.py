"""Sessions as attendees see them, kept in each server process's memory.

At the end of a session the whole room asks for the same session, its event,
speakers and questions hundreds of times a second; hosts change them a few
times a day. So each process keeps a frozen copy (`SessionSheet`) keyed by
the event's `version`, which every change to the event or to anything cached
with it bumps in the same transaction (`bumps_version`). The attendee's pages
read the version in the one query they make anyway (claims.facts), so a
host's edit shows on the very next request in every process, with no
message between processes and nothing to expire.

Measured (issue 11): re-reading the session, event, speakers and questions was
a third of an attendee journey's ~101 statements.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from core.db import SESSION_ID, db, fact_columns
from events.models import Event, EventSession, Speaker
from events.window import SubmissionWindow

# model -> how to find the event a changed row belongs to: an event id, or a
# SELECT of event ids (evaluated after the flush, inside its transaction).
EventOf = Callable[[object], "int | sa.Select | None"]
_tracked: dict[type, EventOf] = {}


def bumps_version(model: type, event_of: EventOf) -> None:
    """Say that a change to a row of `model` changes what is cached of its event."""
    _tracked[model] = event_of


bumps_version(Event, lambda event: event.id)
bumps_version(EventSession, lambda session: session.event_id)
bumps_version(Speaker, lambda speaker: sa.select(EventSession.event_id).where(EventSession.id == speaker.session_id))


@sa.event.listens_for(so.Session, "after_flush")
def _bump_changed_events(session: so.Session, _flush_context) -> None:
    """Count up the version of every event whose cached picture this flush changed."""
    ids: set[int] = set()
    selects = []
    changed = [*session.new, *session.deleted,
               *(obj for obj in session.dirty if session.is_modified(obj, include_collections=False))]
    for obj in changed:
        event_of = _tracked.get(type(obj))
        if event_of is None:
            continue
        found = event_of(obj)
        if isinstance(found, int):
            ids.add(found)
        elif found is not None:
            selects.append(found)
    if not ids and not selects:
        return
    conditions = [Event.id.in_(ids)] if ids else []
    conditions += [Event.id.in_(select.scalar_subquery()) for select in selects]
    session.connection().execute(
        sa.update(Event).where(sa.or_(*conditions)).values(version=Event.version + 1)
        .execution_options(synchronize_session=False))


# --- the cached copies ---------------------------------------------------------

@dataclass(frozen=True)
class EventSheet:
    id: int
    title: str
    timezone: str
    checkin_required: bool
    entrance_counts_for_sessions: bool
    version: int

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SpeakerSheet:
    id: int
    name: str
    session_id: int


@dataclass(frozen=True)
class SessionSheet:
    """A session with what attendees' pages show of it; duck-types `EventSession` for templates."""

    id: int
    event_id: int
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime
    closes_at: dt.datetime
    opened_early_at: dt.datetime | None
    credit_quarter_hours: int
    uan_pharmacist: str | None
    uan_technician: str | None
    credit_hours_text: str
    ceus_text: str
    window: SubmissionWindow
    event: EventSheet
    speakers: tuple[SpeakerSheet, ...]

    @property
    def live(self) -> bool:
        return self.kind == "live"

    @property
    def version(self) -> int:
        return self.event.version

    def speaker(self, speaker_id: int) -> SpeakerSheet | None:
        return next((s for s in self.speakers if s.id == speaker_id), None)


_sheets: dict[int, SessionSheet] = {}
_lock = threading.Lock()
MAX_SHEETS = 10_000  # sessions; far more than any meeting has open at once


def version_of(session_id: int) -> int | None:
    """The session's event version now; None when there is no such session."""
    return db.session.scalar(
        sa.select(Event.version).join(EventSession, EventSession.event_id == Event.id).where(EventSession.id == session_id))


def version_facts() -> sa.Select:
    """The event version of the session (`session_id`): a part of the journey's facts query."""
    return sa.select(*fact_columns("version", number=Event.version)).join(
        EventSession, EventSession.event_id == Event.id).where(EventSession.id == SESSION_ID)


def sheet(session_id: int, version: int | None = None) -> SessionSheet | None:
    """The session as of `version` (read it with `version_of`, or in a query of your own); None if it is gone."""
    if version is None:
        version = version_of(session_id)
        if version is None:
            return None
    cached = _sheets.get(session_id)
    if cached is not None and cached.version == version:
        return cached
    return _load(session_id)


def _load(session_id: int) -> SessionSheet | None:
    row = db.session.execute(
        sa.select(EventSession).where(EventSession.id == session_id)
        .options(so.joinedload(EventSession.event), so.selectinload(EventSession.speakers))
    ).scalar_one_or_none()
    if row is None:
        return None
    event = row.event
    made = SessionSheet(
        id=row.id, event_id=row.event_id, title=row.title, kind=row.kind, starts_at=row.starts_at,
        ends_at=row.ends_at, opens_at=row.opens_at, closes_at=row.closes_at, opened_early_at=row.opened_early_at,
        credit_quarter_hours=row.credit_quarter_hours, uan_pharmacist=row.uan_pharmacist,
        uan_technician=row.uan_technician, credit_hours_text=row.credit_hours_text, ceus_text=row.ceus_text,
        window=row.window,
        event=EventSheet(id=event.id, title=event.title, timezone=event.timezone,
                         checkin_required=event.checkin_required,
                         entrance_counts_for_sessions=event.entrance_counts_for_sessions, version=event.version),
        speakers=tuple(SpeakerSheet(s.id, s.name, s.session_id) for s in row.speakers),
    )
    with _lock:
        if len(_sheets) >= MAX_SHEETS:
            _sheets.clear()
        _sheets[session_id] = made
    return made


def forget_all() -> None:
    """Drop every cached sheet (tests that rebuild the database under the same ids)."""
    _sheets.clear()
