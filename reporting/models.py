"""What reporting stores beside the outbox row: every transmission attempt."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from core.db import UTCDateTime, db

# The outbox states (claims.models.OutboxEntry.state), in the order a row goes through them.
STATES = ("pending", "sending", "accepted", "rejected_fixable", "rejected", "expired", "cancelled")
TARGET_NAMES = {"cpe_monitor": "CPE Monitor", "pars": "ACCME PARS"}


class TransmissionAttempt(db.Model):
    """One try at handing a claim to its receiver: what was asked (no credentials) and what came back."""

    __tablename__ = "transmission_attempts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    outbox_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("claim_outbox.id", ondelete="CASCADE"), index=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime())
    target: so.Mapped[str] = so.mapped_column(sa.String(20))
    method: so.Mapped[str] = so.mapped_column(sa.String(20))
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(80))
    request_summary: so.Mapped[str] = so.mapped_column(sa.String(300))
    outcome: so.Mapped[str] = so.mapped_column(sa.String(20))  # accepted, rejected, temporary
    error: so.Mapped[Optional[str]] = so.mapped_column(sa.Text())
    duration_ms: so.Mapped[int] = so.mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<TransmissionAttempt {self.id} outbox={self.outbox_id} {self.outcome}>"
