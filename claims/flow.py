"""The attendee's journey as domain operations: enter a code, see progress, claim."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa

from accounts.models import User
from accounts.profile import PROFESSIONS
from checkin.attendance import attended_on
from claims import facts, guessing
from claims.facts import Record
from claims.journey import Facts, Progress, progress
from claims.models import Claim, OutboxEntry
from claims.rules import TARGETS, ClaimRefused, check_identity, claim_options
from codes.models import Redemption
from codes.redeem import redeem, redeemed_sessions
from codes.resolve import CodeRefused, is_a_slip, resolve
from core.db import db
from core.realtime import push
from evaluations.catalogue import posttest_sheet
from evaluations.progress import evaluation_standing, posttest_standing
from events import catalogue
from events.catalogue import SessionSheet
from events.localtime import format_local
from events.models import EventSession


def enter_code(user: User, typed: str, page: str, address: str, now: dt.datetime) -> tuple[SessionSheet, bool]:
    """Accept a typed code for this attendee; returns the session and whether it is new to them.

    Raises guessing.Throttled, or codes.resolve.CodeRefused with the reason.
    """
    user_id = user.id  # read before the commit below expires the user
    guessing.check(user_id, address)
    try:
        session = resolve(typed, page, now)
    except CodeRefused as refused:
        if refused.reason == "unknown":
            guessing.wrong_guess(user_id, address, slip=is_a_slip(typed, now))
        raise
    created = redeem(user_id, session)
    if created:
        push(f"user:{user_id}", "step", {"session_id": session.id, "step": "code"})
    return session, created


@dataclass
class Journey:
    """One attendee's way to credit for one session, computed once per request from its `Record`."""

    session: SessionSheet
    progress: Progress
    record: Record
    window_state: str

    @property
    def entered(self) -> bool:
        return self.record.entered_at is not None

    @property
    def entered_at(self) -> dt.datetime | None:
        return self.record.entered_at

    @cached_property
    def claim(self) -> Claim | None:
        """The claim itself, read only by the pages that show it."""
        return db.session.get(Claim, self.record.claim_id) if self.record.claim_id else None

    @property
    def closes_at(self) -> dt.datetime:
        return self.session.closes_at

    @property
    def step_now(self):
        """The next step the attendee can take now: none while the claim is all that is left and the window
        has not opened (a code revealed early: the claim waits for the window, NABP's rule)."""
        step = self.progress.next_step
        if step and step.key == "claim" and self.window_state == "not_open":
            return None
        return step

    @property
    def status(self) -> str:
        if self.record.claim_id is not None:
            return "complete"
        if self.progress.no_credit:
            return "no credit"
        if self.window_state == "closed":
            return "closed"
        return "incomplete"

    def after(self, target: str) -> "Journey":
        """The journey once `target` ('course', 'speaker:<id>') is completed too: for the redirect after it."""
        return journey_of(self.session, self.record.with_completed(target), self.window_state)


def find_claim(user_id: int, session_id: int) -> Claim | None:
    return db.session.scalar(sa.select(Claim).where(Claim.user_id == user_id, Claim.session_id == session_id))


def standing(user_id: int, session_id: int, now: dt.datetime) -> Journey | None:
    """The attendee's journey for the session, from one statement (and the cache); None if there is no such session."""
    record = facts.read(user_id, session_id)
    session = catalogue.sheet(session_id, record.version) if record.version is not None else None
    if session is None:
        return None
    return journey_of(session, record, session.window.state(now))


def journey_of(session: SessionSheet, record: Record, window_state: str) -> Journey:
    evaluations = evaluation_standing(session, record.completed)
    posttest = posttest_standing(posttest_sheet(session), list(record.attempts))
    checkin_required = session.event.checkin_required
    progress_facts = Facts(
        checkin_required=checkin_required,
        attended=checkin_required and attended_on(record.checked_in, session),
        course_done=evaluations.course_done,
        speakers=tuple((speaker.id, speaker.name, done) for speaker, done in evaluations.speakers),
        posttest_required=posttest.required,
        posttest_passed=posttest.passed,
        posttest_locked_out=posttest.locked_out,
        posttest_attempts_left=posttest.attempts_left,
        claimed=record.claim_id is not None,
        webinar=record.webinar,
    )
    return Journey(session, progress(progress_facts), record, window_state)


def journey(user: User, session, now: dt.datetime) -> Journey:
    """The journey of `user` for `session` (an EventSession or its cached sheet)."""
    found = standing(user.id, session.id, now)
    if found is None:
        raise LookupError(f"no session {session.id}")
    return found


def my_training(user: User, now: dt.datetime) -> list[Journey]:
    """Every session the attendee entered a code for, newest first."""
    found = (standing(user.id, r.session_id, now) for r in redeemed_sessions(user.id))
    return [j for j in found if j is not None]


def session_attendees(session: EventSession, search: str = "", limit: int = 500) -> list[tuple[User, dt.datetime]]:
    """Who entered the session's code, and when, by name; optionally only names or emails containing `search`."""
    stmt = (sa.select(User, Redemption.redeemed_at).join(Redemption, Redemption.user_id == User.id)
            .where(Redemption.session_id == session.id).order_by(User.name).limit(limit))
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    return list(db.session.execute(stmt).all())


def claimed_users(session: EventSession) -> set[int]:
    return set(db.session.scalars(sa.select(Claim.user_id).where(Claim.session_id == session.id)))


def _participation_date(session, now: dt.datetime) -> dt.date:
    """Live: the session's local date. Home study: the day the attendee completed it."""
    moment = session.starts_at if session.live else now
    return moment.astimezone(session.event.zone).date()


def claim_credit(user: User, session, now: dt.datetime, *, profession: str, eprofile_id: str = "",
                 birth_mmdd: str = "", npi: str = "", state_licence: str = "", current: Journey | None = None) -> Claim:
    """Record the claim and its outbox entry in one transaction; raises ClaimRefused.

    `current` is the attendee's journey when the caller has just read it (the claim page), so it is not read twice.
    """
    current = current or journey(user, session, now)
    session, user_id = current.session, user.id
    zone = session.event.zone
    if current.record.claim_id is not None:
        raise already_claimed(current.claim)
    state = current.window_state
    if state == "not_open":
        raise ClaimRefused("not_open", f"Claims for this session open at {format_local(session.opens_at, zone)}.")
    if state == "closed":
        raise ClaimRefused("closed", f"Claims for this session closed on {format_local(session.closes_at, zone)}. ACPE allows no extensions.")
    if current.progress.no_credit:
        raise ClaimRefused("no_credit", current.progress.no_credit)
    missing = [step.todo for step in current.progress.steps if not step.done and step.key != "claim"]
    if missing:
        raise ClaimRefused("steps", "Finish these steps first. " + " ".join(missing))
    options = claim_options(session.uan_pharmacist, session.uan_technician)
    if profession not in options:
        raise ClaimRefused("profession", "Choose one of the professions this session offers credit for.", "profession")
    identity = check_identity(profession, eprofile_id, birth_mmdd, npi, state_licence)
    uan = {"pharmacist": session.uan_pharmacist, "technician": session.uan_technician}.get(profession)
    claim = Claim(user_id=user_id, session_id=session.id, profession=profession, uan=uan,
                  credit_quarter_hours=session.credit_quarter_hours, learner_name=user.name,
                  participation_date=_participation_date(session, now), claimed_at=now, **identity)
    db.session.add(claim)
    # The attendee just confirmed these: keep the profile in step with them (an UPDATE only when they differ).
    if user.profession != profession:
        user.profession = profession
    for key, value in identity.items():
        if value and getattr(user, key) != value:
            setattr(user, key, value)
    try:
        db.session.flush()
        if TARGETS[profession]:
            db.session.add(OutboxEntry(claim_id=claim.id, target=TARGETS[profession], created_at=now))
        db.session.commit()
    except sa.exc.IntegrityError:  # a double tap, or another device, got there first
        db.session.rollback()
        existing = find_claim(user_id, session.id)
        raise already_claimed(existing) from None
    push(f"user:{user_id}", "step", {"session_id": session.id, "step": "claim"})
    return claim


def already_claimed(claim: Claim | None) -> ClaimRefused:
    """The refusal, in the claim rule's words, for a session claimed already (`claim`, when it is known)."""
    if claim is None:
        return ClaimRefused("already_claimed", "Credit for this session has already been claimed.")
    zone = claim.session.event.zone
    return ClaimRefused(
        "already_claimed",
        f"You claimed credit for this session on {format_local(claim.claimed_at, zone)} "
        f"({PROFESSIONS[claim.profession].lower()}). Credit is claimed once, for one profession, and cannot be changed.",
    )
