"""The reporting worker: takes due outbox rows, transmits them, records each outcome.

Each pass: (1) give new rows their deadline and idempotency key, (2) expire rows past their deadline, (3) claim a
batch of due rows — mark them "sending" with a lease, in one short transaction (on PostgreSQL `SELECT … FOR UPDATE
SKIP LOCKED` then an UPDATE of those rows, so workers never take the same row; SQLite runs one worker, and its single
conditional UPDATE keeps even two from both taking a row), (4) send outside any transaction, (5) record the outcomes in one short transaction, only
for rows still held under this worker's lease.

A worker that dies between (4) and (5) leaves its rows "sending" with a lease that runs out; the next pass takes them
again and sends them with the same idempotency key, which the receiver uses to answer "already have it".
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import uuid
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from claims.models import Claim, OutboxEntry
from core import clock
from core.db import db
from core.realtime import push
from events.models import Event, EventSession
from reporting.models import TransmissionAttempt
from reporting.records import (Record, cpe_monitor_fields, idempotency_key, next_attempt, pars_fields,
                               reporting_deadline)
from reporting.transmitters import Outcome, method_for, transmitter_for

log = logging.getLogger(__name__)
outbox = OutboxEntry.__table__
# Test-only: a worker with this set kills itself (SIGKILL) right after its first send, before recording it.
KILL_AFTER_SEND = "CLAIMDESK_TEST_KILL_AFTER_SEND"


def _due(now: dt.datetime):
    pending_due = sa.and_(outbox.c.state == "pending",
                          sa.or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
    abandoned = sa.and_(outbox.c.state == "sending", outbox.c.lease_until < now)
    return sa.and_(sa.or_(pending_due, abandoned), outbox.c.deadline_at.is_not(None), outbox.c.deadline_at > now)


def prepare(now: dt.datetime, limit: int = 2000) -> int:
    """New rows get their reporting deadline and idempotency key."""
    rows = db.session.execute(
        sa.select(outbox.c.id, outbox.c.claim_id, outbox.c.target, outbox.c.submission, Claim.participation_date,
                  Event.timezone)
        .join(Claim, Claim.id == outbox.c.claim_id).join(EventSession, EventSession.id == Claim.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(outbox.c.deadline_at.is_(None)).order_by(outbox.c.id).limit(limit)
    ).all()
    if rows:
        from zoneinfo import ZoneInfo

        db.session.execute(
            sa.update(outbox).where(outbox.c.id == sa.bindparam("row_id")),
            [{"row_id": r.id, "deadline_at": reporting_deadline(r.participation_date, ZoneInfo(r.timezone)),
              "idempotency_key": idempotency_key(r.claim_id, r.target, r.submission),
              "next_attempt_at": None} for r in rows],
        )
    db.session.commit()
    return len(rows)


def expire_overdue(now: dt.datetime) -> int:
    """Rows still waiting when their deadline passes are never sent (ACPE: no credit reported after 60 days)."""
    waiting = sa.or_(outbox.c.state == "pending", sa.and_(outbox.c.state == "sending", outbox.c.lease_until < now))
    expired = db.session.execute(
        sa.update(outbox).where(waiting, outbox.c.deadline_at <= now)
        .values(state="expired", state_changed_at=now, lease_token=None, lease_until=None,
                last_error=sa.func.coalesce(outbox.c.last_error, "Not sent before the reporting deadline."))
        .returning(outbox.c.claim_id)
    ).scalars().all()
    db.session.commit()
    _push_states(expired, "expired")
    return len(expired)


def take_due(now: dt.datetime, limit: int, lease: dt.timedelta) -> tuple[str, list[int]]:
    """Mark up to `limit` due rows "sending" under a new lease token; returns the token and the row ids."""
    token = uuid.uuid4().hex
    candidates = sa.select(outbox.c.id).where(_due(now)).order_by(outbox.c.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock first, then update those rows: PostgreSQL may run a LIMIT … SKIP LOCKED subquery inside an UPDATE
        # more than once, each time skipping the rows it just locked, and so take far more than `limit` rows.
        chosen = db.session.execute(candidates.with_for_update(skip_locked=True)).scalars().all()
        where = outbox.c.id.in_(chosen)
    else:
        # SQLite: one statement under the database's write lock; `_due` is checked again as it updates.
        where = outbox.c.id.in_(candidates.scalar_subquery())
    ids = db.session.execute(
        sa.update(outbox).where(where, _due(now))
        .values(state="sending", lease_until=now + lease, lease_token=token, attempts=outbox.c.attempts + 1)
        .returning(outbox.c.id)
    ).scalars().all()
    db.session.commit()
    return token, sorted(ids)


@dataclass
class Taken:
    """A row this worker holds, with what to send for it."""

    outbox_id: int
    claim_id: int
    user_id: int
    session_id: int
    target: str
    method: str
    attempts: int
    deadline_at: dt.datetime
    record: Record | None
    problem: str = ""  # why no record could be built


def load(config, ids: list[int]) -> list[Taken]:
    rows = db.session.execute(
        sa.select(OutboxEntry, Claim, EventSession.event_id)
        .join(Claim, Claim.id == OutboxEntry.claim_id).join(EventSession, EventSession.id == Claim.session_id)
        .where(OutboxEntry.id.in_(ids)).order_by(OutboxEntry.id)
    ).all()
    taken = []
    for entry, claim, event_id in rows:
        record, problem = None, ""
        try:
            record = Record(claim.id, entry.target, entry.idempotency_key, _fields(config, entry.target, claim, event_id))
        except (ValueError, TypeError) as error:
            problem = str(error) or "the claim lacks a field the receiver needs"
        taken.append(Taken(entry.id, claim.id, claim.user_id, claim.session_id, entry.target,
                           method_for(config, event_id), entry.attempts, entry.deadline_at, record, problem))
    db.session.commit()  # end the read before any network wait
    return taken


def _fields(config, target: str, claim: Claim, event_id: int) -> dict:
    if target == "cpe_monitor":
        if not (claim.uan and claim.eprofile_id and claim.birth_mmdd):
            raise ValueError("the claim has no UAN, e-Profile ID or birth date")
        return cpe_monitor_fields(uan=claim.uan, eprofile_id=claim.eprofile_id, birth_mmdd=claim.birth_mmdd,
                                  participation_date=claim.participation_date)
    activity = (config.get("PARS_ACTIVITY_IDS") or {}).get(str(event_id)) or config.get("PARS_ACTIVITY_ID") or ""
    if not claim.birth_mmdd:
        raise ValueError("the claim has no birth date")
    return pars_fields(activity_id=activity, learner_name=claim.learner_name, npi=claim.npi,
                       state_licence=claim.state_licence, birth_mmdd=claim.birth_mmdd,
                       quarter_hours=claim.credit_quarter_hours, completion_date=claim.participation_date)


class Worker:
    """One worker's passes over the outbox, keeping its HTTP connections between passes."""

    def __init__(self, config):
        self.config = config
        self._services: dict[str, object] = {}

    def close(self) -> None:
        for transmitter in self._services.values():
            transmitter.close()
        self._services.clear()

    def _transmitter(self, target: str, method: str, now: dt.datetime):
        if method == "file":
            return transmitter_for(self.config, target, "file", now)
        if target not in self._services:
            self._services[target] = transmitter_for(self.config, target, "service", now)
        return self._services[target]

    @property
    def lease(self) -> dt.timedelta:
        per_request = float(self.config["REPORTING_CONNECT_TIMEOUT"]) + float(self.config["REPORTING_READ_TIMEOUT"])
        return dt.timedelta(seconds=60 + per_request * int(self.config["REPORTING_BATCH_SIZE"]))

    def run_once(self) -> int:
        """One pass; returns how many rows it took (0: nothing was due)."""
        now = clock.now()
        prepare(now)
        expire_overdue(now)
        token, ids = take_due(now, int(self.config["REPORTING_BATCH_SIZE"]), self.lease)
        if not ids:
            return 0
        taken = load(self.config, ids)
        results: list[tuple[Taken, Outcome | None]] = []
        groups: dict[tuple[str, str], list[Taken]] = defaultdict(list)
        for item in taken:
            if item.record is None:
                results.append((item, Outcome.rejected("incomplete", f"Not sent: {item.problem}.", False)))
            elif item.deadline_at <= clock.now():
                results.append((item, None))  # the deadline passed while waiting: never sent
            elif item.method == "service" and item.target == "pars" and not item.record.fields.get("activityId"):
                # Fixed in configuration, not by the attendee: keep it waiting (and the admin page says why).
                results.append((item, Outcome.temporary("not configured: no PARS activity ID for this event "
                                                        "(PARS_ACTIVITY_IDS or PARS_ACTIVITY_ID)")))
            else:
                groups[(item.target, item.method)].append(item)
        for (target, method), items in groups.items():
            try:
                transmitter = self._transmitter(target, method, clock.now())
                outcomes = transmitter.send([item.record for item in items])
            except ValueError as error:  # not configured (no URL)
                outcomes = [Outcome.temporary(f"not configured: {error}") for _ in items]
            if os.environ.get(KILL_AFTER_SEND):
                os.kill(os.getpid(), signal.SIGKILL)
            results.extend(zip(items, outcomes))
        record(token, results)
        return len(ids)


def record(token: str, results: list[tuple[Taken, Outcome | None]]) -> None:
    """Write each outcome, for rows still held under `token`; then tell the attendees' open pages."""
    now = clock.now()
    changed: list[tuple[int, int, str]] = []
    attempts: list[dict] = []
    for item, outcome in results:
        values = {"lease_token": None, "lease_until": None, "state_changed_at": now}
        if outcome is None:
            values.update(state="expired", attempts=outbox.c.attempts - 1,
                          last_error="Not sent before the reporting deadline.")
        else:
            values["method"] = item.method
            if item.record is not None and outcome.summary:
                values["sent_payload"] = json.dumps(item.record.fields, sort_keys=True)
            if outcome.kind == "accepted":
                values.update(state="accepted", accepted_at=now, note=outcome.note[:200] or None, last_error=None,
                              rejection_code=None, rejection_message=None, fixable=False)
            elif outcome.kind == "rejected":
                values.update(state="rejected_fixable" if outcome.fixable else "rejected",
                              rejection_code=outcome.reason_code[:60], rejection_message=outcome.message,
                              fixable=outcome.fixable, last_error=None)
            else:
                retry_at = next_attempt(now, item.attempts, item.deadline_at)
                values.update(last_error=outcome.message)
                if retry_at is None:
                    values.update(state="expired")
                else:
                    values.update(state="pending", next_attempt_at=retry_at)
        held = db.session.execute(
            sa.update(outbox).where(outbox.c.id == item.outbox_id, outbox.c.lease_token == token,
                                    outbox.c.state == "sending").values(**values)
        ).rowcount
        if outcome is not None and outcome.summary:
            attempts.append({"outbox_id": item.outbox_id, "at": now, "target": item.target, "method": item.method,
                             "idempotency_key": item.record.idempotency_key, "request_summary": outcome.summary[:300],
                             "outcome": outcome.kind, "error": outcome.message or None,
                             "duration_ms": outcome.duration_ms})
        if held:
            changed.append((item.user_id, item.session_id, values.get("state", "")))
    if attempts:
        db.session.execute(sa.insert(TransmissionAttempt), attempts)
    db.session.commit()
    for user_id, session_id, state in changed:
        push(f"user:{user_id}", "report", {"session_id": session_id, "state": state})
    log.info("reporting: recorded %d outcomes", len(results))


def _push_states(claim_ids: list[int], state: str) -> None:
    if not claim_ids:
        return
    for user_id, session_id in db.session.execute(
            sa.select(Claim.user_id, Claim.session_id).where(Claim.id.in_(claim_ids))).all():
        push(f"user:{user_id}", "report", {"session_id": session_id, "state": state})


def run(app, sleep) -> None:
    """Pass after pass, forever: straight on while there is work, else wait REPORTING_POLL_SECONDS."""
    worker = Worker(app.config)
    poll = float(app.config["REPORTING_POLL_SECONDS"])
    while True:
        took = 0
        with app.app_context():
            try:
                took = worker.run_once()
            except Exception:  # keep going; rows held by a failed pass come back when their lease runs out
                log.exception("reporting pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
        sleep(0 if took else poll)
