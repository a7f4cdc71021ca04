from __future__ import annotations

import datetime as dt
import secrets
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from accounts.models import User
from core import clock
from core.db import UTCDateTime, db
from events import credit, uan
from events.window import SubmissionWindow, submission_window

ROLES = {"host": "Host", "checkin": "Check-in staff"}
KINDS = {"live": "Live meeting or conference", "home_study": "Home study or on-demand"}


class Event(db.Model):
    __tablename__ = "events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    venue: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    checkin_required: so.Mapped[bool] = so.mapped_column(default=False)
    # When check-in is required: does a check-in at the event's entrance count
    # for every session, or must each session's door be scanned?
    entrance_counts_for_sessions: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    # Set for the demo event so `flask demo load` can find it again.
    demo_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40), unique=True)
    # Counts up with every change to the event, its sessions, speakers and questions
    # (events.catalogue): what each server process caches of it is good while this is.
    # It starts at a random number, so an id that SQLite hands out again after a
    # delete never meets a cached copy of the old row with the same version.
    version: so.Mapped[int] = so.mapped_column(default=lambda: secrets.randbelow(2**30) + 1, server_default="1")

    sessions: so.Mapped[list["EventSession"]] = so.relationship(
        back_populates="event", order_by="EventSession.starts_at", cascade="all, delete-orphan"
    )
    roles: so.Mapped[list["EventRole"]] = so.relationship(back_populates="event", cascade="all, delete-orphan")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class EventSession(db.Model):
    """One session of an event: the unit credit is claimed for."""

    __tablename__ = "sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(12), default="live")
    starts_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime())
    ends_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime())
    credit_quarter_hours: so.Mapped[int] = so.mapped_column()
    uan_pharmacist: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32))
    uan_technician: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32))
    opened_early_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    opened_early_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Derived from the schedule by `events.window`; stored so that "whose
    # window changes now" is one indexed query.
    opens_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), index=True)
    closes_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), index=True)

    event: so.Mapped[Event] = so.relationship(back_populates="sessions")
    speakers: so.Mapped[list["Speaker"]] = so.relationship(
        back_populates="session", order_by="Speaker.position", cascade="all, delete-orphan"
    )
    opened_early_by: so.Mapped[Optional[User]] = so.relationship()

    @property
    def live(self) -> bool:
        return self.kind == "live"

    @property
    def window(self) -> SubmissionWindow:
        if not self.live:
            # Home study: claims are taken while the activity is offered.
            return SubmissionWindow(opens_at=self.starts_at, closes_at=self.ends_at, opened_early=False)
        return submission_window(self.starts_at, self.ends_at, self.event.zone, self.opened_early_at)

    def refresh_window(self) -> None:
        """Recompute the stored opening and closing moments from the schedule."""
        window = self.window
        self.opens_at, self.closes_at = window.opens_at, window.closes_at

    @property
    def uans(self) -> list[uan.Uan]:
        return [uan.parse_uan(text) for text in (self.uan_pharmacist, self.uan_technician) if text]

    @property
    def credit_hours_text(self) -> str:
        return credit.format_hours(self.credit_quarter_hours)

    @property
    def ceus_text(self) -> str:
        return credit.format_ceus(self.credit_quarter_hours)


class Speaker(db.Model):
    __tablename__ = "speakers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))

    session: so.Mapped[EventSession] = so.relationship(back_populates="speakers")


class EventRole(db.Model):
    """A user's role on one event: host (manages it) or check-in staff (the desk only)."""

    __tablename__ = "event_roles"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(12))
    granted_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)

    event: so.Mapped[Event] = so.relationship(back_populates="roles")
    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])


def has_role(user, event_id: int, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(EventRole).where(
            EventRole.event_id == event_id, EventRole.user_id == user.id, EventRole.role == role
        )
    ) > 0


def can_manage(user, event: Event) -> bool:
    """Hosts manage their own events; administrators manage all."""
    return user.is_authenticated and (user.is_admin or has_role(user, event.id, "host"))


def hosted_events(user) -> list[Event]:
    stmt = sa.select(Event).order_by(Event.created_at.desc())
    if not user.is_admin:
        stmt = stmt.join(EventRole).where(EventRole.user_id == user.id, EventRole.role == "host")
    return list(db.session.scalars(stmt))
