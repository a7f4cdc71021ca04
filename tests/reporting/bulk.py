"""Completed claims in bulk, straight into the tables (for worker tests and the benchmark)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from accounts.models import User
from claims.models import Claim, OutboxEntry
from core.db import db


def bulk_claims(session, count: int, now: dt.datetime, chunk: int = 5000, prefix: str = "bulk") -> None:
    """`count` pharmacists, each with a claim for `session` and its pending outbox row."""
    day = session.starts_at.astimezone(session.event.zone).date()
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        emails = [f"{prefix}{i}@example.org" for i in range(start, start + n)]
        db.session.execute(sa.insert(User), [
            {"email": e, "name": f"Pharmacist {i}", "profession": "pharmacist", "eprofile_id": str(1000000 + i)[-7:],
             "birth_mmdd": "0207", "is_admin": False, "is_organiser": False, "created_at": now}
            for i, e in zip(range(start, start + n), emails)])
        ids = db.session.scalars(sa.select(User.id).where(User.email.in_(emails))).all()
        db.session.execute(sa.insert(Claim), [
            {"user_id": uid, "session_id": session.id, "profession": "pharmacist", "uan": session.uan_pharmacist,
             "credit_quarter_hours": session.credit_quarter_hours, "learner_name": "Bulk Pharmacist",
             "eprofile_id": str(1000000 + uid)[-7:], "birth_mmdd": "0207", "participation_date": day, "claimed_at": now}
            for uid in ids])
        claim_ids = db.session.scalars(sa.select(Claim.id).where(Claim.user_id.in_(ids))).all()
        db.session.execute(sa.insert(OutboxEntry), [
            {"claim_id": cid, "target": "cpe_monitor", "state": "pending", "created_at": now} for cid in claim_ids])
        db.session.commit()
