from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from core import clock
from core.db import UTCDateTime, db
from events.models import EventSession


class SessionCode(db.Model):
    """The code of one session, whether it has been shown yet, and its QR image."""

    __tablename__ = "session_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    # Normalised (upper case, no spaces or dashes). Unique only among sessions
    # whose window has not closed, which a constraint cannot say: see codes.setup.
    code: so.Mapped[str] = so.mapped_column(sa.String(13), index=True)
    revealed_at: so.Mapped[Optional[dt.datetime]] = so.mapped_column(UTCDateTime())
    revealed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The QR image, made once; `qr_url` is the address it encodes, so a new
    # code or a new host name makes a new image.
    qr_svg: so.Mapped[Optional[str]] = so.mapped_column(sa.Text())
    qr_url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)

    session: so.Mapped[EventSession] = so.relationship()

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None


class Redemption(db.Model):
    """An attendee entered a session's code: who, which session, when."""

    __tablename__ = "redemptions"
    __table_args__ = (sa.UniqueConstraint("user_id", "session_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The unique constraint's index serves look-ups by user; counts go by session.
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    redeemed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)

    session: so.Mapped[EventSession] = so.relationship()
