from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from accounts.models import User
from checkin import badge
from core import clock
from core.db import UTCDateTime, db
from events.models import Event

ENTRANCE = "entrance"

# Where a registration came from.
SELF, IMPORT, WALK_IN = "self", "import", "walk_in"

# What a scan came to: the reasons a desk shows in words (checkin.desk).
CHECKED_IN = "checked_in"
ALREADY_CHECKED_IN = "already_checked_in"
NOT_REGISTERED = "not_registered"
REVOKED = "revoked"
UNKNOWN = "unknown"
UNDONE = "undone"
SCAN_RESULTS = (CHECKED_IN, ALREADY_CHECKED_IN, NOT_REGISTERED, REVOKED, UNKNOWN, UNDONE)


def session_list(session_id: int) -> str:
    return f"session:{session_id}"


class Registration(db.Model):
    """A person registered for an event, with the badge token their QR code carries."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id"),
        # The desk's "registered" counter, counted from the index alone.
        sa.Index("ix_registrations_event_id_revoked_at", "event_id", "revoked_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    badge_token: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True, default=badge.new_token)
    source: so.Mapped[str] = so.mapped_column(sa.String(12), default=SELF)
    registered_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    revoked_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))

    event: so.Mapped[Event] = so.relationship()
    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:  # never the token: reprs end up in logs
        return f"<Registration {self.id}>"


# The desk's name search: "starts with" on the lower-case name is an index range on
# SQLite and PostgreSQL alike (emails are stored in lower case and have their own index).
sa.Index("ix_users_name_lower", sa.func.lower(User.name))


class DeskDevice(db.Model):
    """A scanner app or tablet that a host let use one event's desk API with a token of its own.

    Only the token's SHA-256 is kept: the token itself is shown once, when it is issued.
    The device's name ("Desk 2 - east entrance") is the desk name its scans are logged under.
    """

    __tablename__ = "desk_devices"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    token_sha256: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    issued_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    issued_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    revoked_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    issued_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[issued_by_id])
    revoked_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:  # never the token's hash either: reprs end up in logs
        return f"<DeskDevice {self.id}>"


class Checkin(db.Model):
    """A person checked in on one list of an event: its entrance or a session's door."""

    __tablename__ = "checkins"
    __table_args__ = (sa.UniqueConstraint("event_id", "list_key", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    list_key: so.Mapped[str] = so.mapped_column(sa.String(32))  # "entrance" or "session:<id>"
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Empty for attendance marked by hand or from a webinar report without a registration.
    registration_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    checked_in_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    checked_in_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Empty when a desk device checked them in: `desk` is then the device's name, and the scan
    # log row that made this check-in names the device (CheckinScan.device_id).
    # "scan", "search", "walk_in", "by_hand", "webinar"
    method: so.Mapped[str] = so.mapped_column(sa.String(16), default="by_hand")
    desk: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")

    checked_in_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[checked_in_by_id])


class CheckinScan(db.Model):
    """Every scan a desk made, failed ones too, with the answer it got.

    A desk makes a nonce for each scan; the same nonce sent again (a retried
    upload on bad Wi-Fi) finds this row and answers as the first time did.
    """

    __tablename__ = "checkin_scans"
    __table_args__ = (sa.UniqueConstraint("event_id", "nonce"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    list_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    nonce: so.Mapped[str] = so.mapped_column(sa.String(64))
    scanned_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    desk: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    staff_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # A scan made by a desk device instead of a logged-in person (staff_id is empty then).
    device_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("desk_devices.id", ondelete="SET NULL"))
    method: so.Mapped[str] = so.mapped_column(sa.String(16), default="scan")
    raw_input: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    result: so.Mapped[str] = so.mapped_column(sa.String(24))
    reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    registration_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"))
    # The check-in this scan made, or the earlier one it found.
    checkin_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("checkins.id", ondelete="SET NULL"))

    registration: so.Mapped[Optional[Registration]] = so.relationship()
    staff: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[staff_id])

    def __repr__(self) -> str:  # the raw input may be a badge token
        return f"<CheckinScan {self.id} {self.result}>"


class WebinarImport(db.Model):
    """A webinar tool's participant report uploaded by a host for one session.

    The file's SHA-256 is kept so the same report uploaded again is recognised
    and changes nothing.
    """

    __tablename__ = "webinar_imports"
    __table_args__ = (sa.UniqueConstraint("session_id", "file_sha256"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    file_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    minimum_minutes: so.Mapped[int] = so.mapped_column()
    uploaded_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    uploaded_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    participants: so.Mapped[list["WebinarParticipant"]] = so.relationship(
        back_populates="webinar_import", order_by="WebinarParticipant.name", cascade="all, delete-orphan")


class WebinarParticipant(db.Model):
    """One person in a webinar report, their rows (reconnections) merged into minutes."""

    __tablename__ = "webinar_participants"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    import_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("webinar_imports.id", ondelete="CASCADE"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")  # lower case; empty for guests without one
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    minutes: so.Mapped[int] = so.mapped_column()
    # The account the report's email belongs to, or the one a host chose by hand.
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    matched_by_hand: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    webinar_import: so.Mapped[WebinarImport] = so.relationship(back_populates="participants")
    user: so.Mapped[Optional[User]] = so.relationship()

    def __repr__(self) -> str:
        return f"<WebinarParticipant {self.id}>"
