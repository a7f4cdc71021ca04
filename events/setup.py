"""What hosts and administrators do to events: domain operations, no views."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

import datetime as dt

from accounts.models import User, find_by_email
from core import audit, clock
from core.db import db
from events import credit, uan
from events.localtime import WallClockError, moment_from_local
from events.models import Event, EventRole, EventSession, Speaker
from events.signals import session_created
from events.window import ScheduleError, check_schedule


class SetupError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class SpeakerLine:
    name: str
    email: str | None


_EMAIL_ATTEMPT = re.compile(r"@|\(at\)|\[at\]", re.IGNORECASE)


def parse_speakers(text: str) -> list[SpeakerLine]:
    """One speaker per line: the name with any credentials ("Lee Park, PharmD, BCPS"), then, if there is one,
    a comma and an email. The last part is the email when it is one, or meant to be (it has an @ or "(at)")."""
    speakers = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, comma, last = (part.strip() for part in line.rpartition(","))
        if comma and _EMAIL_ATTEMPT.search(last):
            email = last
        else:
            name, email = line, ""
        if not name:
            raise SetupError(f"Line {number}: write the speaker's name first, then a comma and their email if you have it.", "speakers")
        if email and not re.fullmatch(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+", email):
            raise SetupError(f"Line {number}: “{email}” does not look like an email address.", "speakers")
        if len(name) > 120:
            raise SetupError(f"Line {number}: the name is too long.", "speakers")
        speakers.append(SpeakerLine(name, email or None))
    return speakers


class SessionInputError(ValueError):
    """What is wrong with a session as typed, by form field name."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_session_input(event: Event, *, kind: str, starts_local: dt.datetime, ends_local: dt.datetime,
                        credit_hours: str, uan_pharmacist: str, uan_technician: str,
                        speakers: str) -> tuple[dict, list[SpeakerLine]]:
    """A session's schedule, credit, UANs and speakers as a host typed them, checked against the rules.

    Returns the values to store and the speakers; raises SessionInputError
    naming every wrong field at once.
    """
    errors: dict[str, str] = {}
    moments = {}
    for name, wall in (("starts_at", starts_local), ("ends_at", ends_local)):
        try:
            moments[name] = moment_from_local(wall, event.zone)
        except WallClockError as error:
            errors[name] = str(error)
    if len(moments) == 2:
        try:
            check_schedule(moments["starts_at"], moments["ends_at"])
        except ScheduleError as error:
            errors["ends_at"] = str(error)
    try:
        quarters = credit.parse_hours(credit_hours)
    except credit.CreditError as error:
        errors["credit_hours"] = str(error)
    try:
        p, t = uan.check_session_uans(uan_pharmacist, uan_technician, live=kind == "live")
    except uan.UanError as error:
        errors["uan_technician" if error.box == "technician" else "uan_pharmacist"] = str(error)
    try:
        lines = parse_speakers(speakers)
    except SetupError as error:
        errors["speakers"] = str(error)
    if errors:
        raise SessionInputError(errors)
    values = {"kind": kind, "starts_at": moments["starts_at"], "ends_at": moments["ends_at"],
              "credit_quarter_hours": quarters, "uan_pharmacist": str(p) if p else None,
              "uan_technician": str(t) if t else None}
    return values, lines


def last_zone_of(host: User) -> str | None:
    """The time zone of the last event this host created: the likeliest for their next one."""
    return db.session.scalar(sa.select(Event.timezone).where(Event.created_by_id == host.id)
                             .order_by(Event.created_at.desc(), Event.id.desc()).limit(1))


def create_event(host: User, **fields) -> Event:
    event = Event(created_by_id=host.id, **fields)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventRole(event_id=event.id, user_id=host.id, role="host", granted_by_id=host.id))
    audit.record(host.id, "event.created", f"event:{event.id}")
    db.session.commit()
    return event


def save_session(session: EventSession, speakers: list[SpeakerLine], actor: User | None) -> EventSession:
    """Store a new or edited session with its speakers and derived window."""
    created = session.id is None
    session.refresh_window()
    _replace_speakers(session, speakers)
    db.session.add(session)
    db.session.flush()
    if created:
        session_created.send(session)
    audit.record(actor.id if actor else None, "session.saved", f"session:{session.id}")
    db.session.commit()
    return session


def _replace_speakers(session: EventSession, speakers: list[SpeakerLine]) -> None:
    """Keep existing speakers (and what refers to them) when only their details change."""
    existing = list(session.speakers)
    kept = []
    for position, line in enumerate(speakers):
        speaker = existing[position] if position < len(existing) else Speaker()
        speaker.name, speaker.email, speaker.position = line.name, line.email, position
        kept.append(speaker)
    session.speakers = kept


def open_early(session: EventSession, host: User) -> None:
    """Open claims now, because the session really ended before its scheduled end."""
    now = clock.now()
    if now >= session.ends_at:
        raise SetupError("The scheduled end has passed, so claims are already open.")
    if session.opened_early_at is not None:
        raise SetupError("Claims for this session were already opened early.")
    if now < session.starts_at:
        raise SetupError("This session has not started yet, so it cannot have ended early.")
    session.opened_early_at = now
    session.opened_early_by_id = host.id
    session.refresh_window()
    audit.record(host.id, "session.opened_early", f"session:{session.id}")
    db.session.commit()


def grant_role(event: Event, email: str, role: str, admin: User) -> EventRole:
    user = find_by_email(email)
    if user is None:
        raise SetupError("No account has that email. Ask the person to register first.", "email")
    existing = db.session.scalar(
        sa.select(EventRole).where(EventRole.event_id == event.id, EventRole.user_id == user.id, EventRole.role == role)
    )
    if existing:
        return existing
    grant = EventRole(event_id=event.id, user_id=user.id, role=role, granted_by_id=admin.id)
    db.session.add(grant)
    audit.record(admin.id, f"role.granted.{role}", f"event:{event.id}", f"user:{user.id}")
    db.session.commit()
    return grant


def revoke_role(grant: EventRole, admin: User) -> None:
    audit.record(admin.id, f"role.revoked.{grant.role}", f"event:{grant.event_id}", f"user:{grant.user_id}")
    db.session.delete(grant)
    db.session.commit()
