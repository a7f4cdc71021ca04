"""What people do with transmissions: the attendee resubmits after fixing their profile; the administrator retries
now or cancels. Each returns the row or raises `ReportingRefused` with the reason in words."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from accounts.models import User
from claims.models import Claim, OutboxEntry
from claims.rules import ClaimRefused, check_identity
from core import audit
from core.db import db
from core.realtime import push
from events.models import Event, EventSession
from reporting.models import STATES, TransmissionAttempt
from reporting.records import idempotency_key


class ReportingRefused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


# The identifiers each receiver is sent, as named on the claim and on the profile.
SENT_IDENTIFIERS = {"cpe_monitor": ("eprofile_id", "birth_mmdd"), "pars": ("npi", "state_licence", "birth_mmdd")}


def entry_for_claim(claim_id: int) -> OutboxEntry | None:
    return db.session.scalar(sa.select(OutboxEntry).where(OutboxEntry.claim_id == claim_id))


def resubmit(user: User, claim_id: int, now: dt.datetime) -> OutboxEntry:
    """Send a fixably-rejected claim again with the identifiers now in the attendee's profile.

    The claim's copied identifiers are replaced by the profile's (profession, session and credit stay as claimed);
    the audit log names which fields changed, never their values. A resubmission is a new request to the receiver,
    so it gets a new idempotency key.
    """
    entry = entry_for_claim(claim_id)
    claim = entry.claim if entry else None
    if entry is None or claim.user_id != user.id:
        raise ReportingRefused("not_found", "There is no report of yours to resubmit here.")
    if entry.state != "rejected_fixable":
        raise ReportingRefused("not_rejected", "This credit is not waiting for a fix; nothing to resubmit.")
    if entry.deadline_at is not None and now >= entry.deadline_at:
        raise ReportingRefused("too_late", "The 60-day reporting deadline has passed; it can no longer be reported.")
    try:
        identity = check_identity(claim.profession, user.eprofile_id or "", user.birth_mmdd or "", user.npi or "",
                                  user.state_licence or "")
    except ClaimRefused as refused:
        raise ReportingRefused("profile", f"Your profile needs a fix first: {refused.message}") from None
    changed = [name for name in SENT_IDENTIFIERS[entry.target] if identity.get(name) != getattr(claim, name)]
    if entry.target == "pars" and user.name != claim.learner_name:
        changed.append("learner_name")
        claim.learner_name = user.name
    if not changed:
        raise ReportingRefused("unchanged", "Your profile still has the details that were rejected. Correct them in "
                                            "your profile, then resubmit.")
    for name in SENT_IDENTIFIERS[entry.target]:
        setattr(claim, name, identity.get(name))
    entry.submission += 1
    entry.idempotency_key = idempotency_key(claim.id, entry.target, entry.submission)
    _queue_again(entry, now)
    audit.record(user.id, "report.resubmitted", f"claim:{claim.id}", "changed: " + ", ".join(changed))
    db.session.commit()
    push(f"user:{user.id}", "report", {"session_id": claim.session_id, "state": "pending"})
    return entry


def retry_now(actor_id: int, entry_id: int, now: dt.datetime) -> OutboxEntry:
    """Make a row due now. A rejected or cancelled one is sent as a new request (new key); never past the deadline."""
    entry = db.get_or_404(OutboxEntry, entry_id)
    if entry.state in ("accepted", "sending"):
        raise ReportingRefused(entry.state, "This transmission is being sent or was accepted; there is nothing to retry.")
    if entry.state == "expired" or (entry.deadline_at is not None and now >= entry.deadline_at):
        raise ReportingRefused("too_late", "The reporting deadline has passed: ACPE and PARS take nothing after 60 days.")
    if entry.state in ("rejected", "rejected_fixable", "cancelled"):
        entry.submission += 1
        entry.idempotency_key = idempotency_key(entry.claim_id, entry.target, entry.submission)
    _queue_again(entry, now)
    audit.record(actor_id, "report.retried", f"claim:{entry.claim_id}", f"transmission {entry.id}")
    db.session.commit()
    return entry


def cancel(actor_id: int, entry_id: int, now: dt.datetime) -> OutboxEntry:
    entry = db.get_or_404(OutboxEntry, entry_id)
    if entry.state not in ("pending", "rejected_fixable", "rejected"):
        raise ReportingRefused(entry.state, f"A transmission that is {state_words(entry.state)} cannot be cancelled.")
    entry.state = "cancelled"
    entry.state_changed_at = now
    audit.record(actor_id, "report.cancelled", f"claim:{entry.claim_id}", f"transmission {entry.id}")
    db.session.commit()
    push(f"user:{entry.claim.user_id}", "report", {"session_id": entry.claim.session_id, "state": "cancelled"})
    return entry


def _queue_again(entry: OutboxEntry, now: dt.datetime) -> None:
    entry.state = "pending"
    entry.next_attempt_at = now
    entry.state_changed_at = now
    entry.rejection_code = entry.rejection_message = None
    entry.fixable = False


STATE_WORDS = {"pending": "waiting to be sent", "sending": "being sent", "accepted": "accepted",
               "rejected_fixable": "rejected (the attendee can fix it)", "rejected": "rejected",
               "expired": "expired (not sent in time)", "cancelled": "cancelled"}


def state_words(state: str) -> str:
    return STATE_WORDS.get(state, state)


# --- what administrators and hosts see ---------------------------------------

def counts_by_state(event_id: int | None = None) -> dict[str, int]:
    stmt = sa.select(OutboxEntry.state, sa.func.count()).group_by(OutboxEntry.state)
    if event_id is not None:
        stmt = (stmt.join(Claim, Claim.id == OutboxEntry.claim_id).join(EventSession, EventSession.id == Claim.session_id)
                .where(EventSession.event_id == event_id))
    found = dict(db.session.execute(stmt).all())
    return {state: found.get(state, 0) for state in STATES}


def transmissions(event_id: int | None = None, states: tuple[str, ...] = (), limit: int = 200):
    """Rows with their claim, attendee, session and event, newest first."""
    stmt = (sa.select(OutboxEntry, Claim, User, EventSession, Event)
            .join(Claim, Claim.id == OutboxEntry.claim_id).join(User, User.id == Claim.user_id)
            .join(EventSession, EventSession.id == Claim.session_id).join(Event, Event.id == EventSession.event_id)
            .order_by(OutboxEntry.id.desc()).limit(limit))
    if event_id is not None:
        stmt = stmt.where(EventSession.event_id == event_id)
    if states:
        stmt = stmt.where(OutboxEntry.state.in_(states))
    return db.session.execute(stmt).all()


def attempts_for(entry_ids: list[int]) -> dict[int, list[TransmissionAttempt]]:
    found: dict[int, list[TransmissionAttempt]] = {i: [] for i in entry_ids}
    if entry_ids:
        for attempt in db.session.scalars(sa.select(TransmissionAttempt).where(
                TransmissionAttempt.outbox_id.in_(entry_ids)).order_by(TransmissionAttempt.id)):
            found[attempt.outbox_id].append(attempt)
    return found
