"""An append-only record of what staff and hosts did, with who and when."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from core import clock
from core.db import UTCDateTime, db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), index=True)
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(64))
    subject: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    detail: so.Mapped[str] = so.mapped_column(sa.Text(), default="")


def record(actor_id: int | None, action: str, subject: str, detail: str = "") -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits).

    `detail` must never hold personal data (e-Profile IDs, birth dates, tokens).
    """
    entry = AuditEntry(at=clock.now(), actor_id=actor_id, action=action, subject=subject, detail=detail)
    db.session.add(entry)
    return entry
