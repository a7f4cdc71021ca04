from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from core import clock
from core.db import UTCDateTime, db

ENTRANCE = "entrance"


def session_list(session_id: int) -> str:
    return f"session:{session_id}"


class Checkin(db.Model):
    """A person checked in on one list of an event: its entrance or a session's door."""

    __tablename__ = "checkins"
    __table_args__ = (sa.UniqueConstraint("event_id", "list_key", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    list_key: so.Mapped[str] = so.mapped_column(sa.String(32))  # "entrance" or "session:<id>"
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    checked_in_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)
    checked_in_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    method: so.Mapped[str] = so.mapped_column(sa.String(16), default="by_hand")
