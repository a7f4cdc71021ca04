from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from accounts.models import User
from core import clock
from core.db import UTCDateTime, db
from events.models import EventSession


class Claim(db.Model):
    """Credit claimed by one attendee for one session: once, for one profession, final.

    The identifiers are copied from what the attendee confirmed, so a later
    profile edit never changes what was claimed.
    """

    __tablename__ = "claims"
    __table_args__ = (sa.UniqueConstraint("user_id", "session_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="RESTRICT"), index=True)
    profession: so.Mapped[str] = so.mapped_column(sa.String(20))
    uan: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32))
    credit_quarter_hours: so.Mapped[int] = so.mapped_column()
    learner_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    eprofile_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(7))
    birth_mmdd: so.Mapped[Optional[str]] = so.mapped_column(sa.String(4))
    npi: so.Mapped[Optional[str]] = so.mapped_column(sa.String(10))
    state_licence: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    participation_date: so.Mapped[dt.date] = so.mapped_column(sa.Date())
    claimed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)

    user: so.Mapped[User] = so.relationship()
    session: so.Mapped[EventSession] = so.relationship()

    def __repr__(self) -> str:  # no personal data: reprs end up in logs
        return f"<Claim {self.id} session={self.session_id}>"


class OutboxEntry(db.Model):
    """A completed claim waiting to be transmitted; written in the claim's own transaction."""

    __tablename__ = "claim_outbox"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    claim_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), unique=True)
    target: so.Mapped[str] = so.mapped_column(sa.String(20))  # "cpe_monitor" or "pars"
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default="pending", index=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    # Kept by `reporting` (the claim flow only writes the row above): where the
    # transmission stands. States: pending, sending, accepted, rejected_fixable,
    # rejected, expired, cancelled.
    attempts: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Resubmissions after a fixable rejection count up; part of the idempotency key.
    submission: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    idempotency_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(80))
    next_attempt_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime(), index=True)
    deadline_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    lease_until: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    lease_token: so.Mapped[Optional[str]] = so.mapped_column(sa.String(32))
    method: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))  # "service" or "file"
    state_changed_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    accepted_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    rejection_code: so.Mapped[Optional[str]] = so.mapped_column(sa.String(60))
    rejection_message: so.Mapped[Optional[str]] = so.mapped_column(sa.Text())
    fixable: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    last_error: so.Mapped[Optional[str]] = so.mapped_column(sa.Text())
    note: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    sent_payload: so.Mapped[Optional[str]] = so.mapped_column(sa.Text())  # JSON of the last record sent

    claim: so.Mapped[Claim] = so.relationship()

    def __repr__(self) -> str:
        return f"<OutboxEntry {self.id} claim={self.claim_id} {self.target} {self.state}>"
