"""The check-in desk: scanning badges, checking in found people and walk-ins,
undoing a wrong check-in, and what a desk shows (counters, last scans).

Like pretix's `perform_checkin`: every operation is a function that returns an
answer or raises `DeskError` carrying a reason code; the API and the pages turn
reasons into words and status codes. Every scan is logged in `CheckinScan`,
failed ones too, and a scan's client-made nonce makes a retried upload answer
as the first one did without writing anything.

Transactions are short and hold no network I/O: on SQLite under gevent a
write transaction blocks every other request of the process.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import re
import threading
import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from accounts.models import NameWord, User, find_by_email, search_words
from accounts.profile import PROFESSIONS
from checkin import badge
from checkin.models import (ALREADY_CHECKED_IN, CHECKED_IN, ENTRANCE, NOT_REGISTERED, REVOKED, UNDONE, UNKNOWN,
                            WALK_IN, Checkin, CheckinScan, DeskDevice, Registration, session_list)
from checkin.registration import AccountExists, RegistrationError, register_person, registration_for
from core import audit, clock
from core.realtime import push, socketio
from core.db import db
from core.edge import whole_number
from events.localtime import format_local_time
from events.models import Event, EventRole, EventSession

logger = logging.getLogger(__name__)
SEARCH_MIN = 3
SEARCH_LIMIT = 10
LAST_SCANS = 10
DESK_MAX = 40
NONCE_SHAPE = re.compile(r"[A-Za-z0-9_.:-]{8,64}")


class DeskError(Exception):
    """A desk request that cannot be done; `reason` is a machine code, the message plain words."""

    def __init__(self, reason: str, message: str, field: str = ""):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field


# --- who may use the desk -------------------------------------------------------

def _has_role(user, event_id: int, roles: tuple[str, ...]) -> bool:
    """An administrator, or someone with one of `roles` for the event."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(EventRole).where(
            EventRole.event_id == event_id, EventRole.user_id == user.id, EventRole.role.in_(roles))
    ) > 0


def _who(staff: User | DeskDevice | None) -> tuple[int | None, int | None]:
    """(user id, device id) of whoever works the desk: a logged-in person or a desk device."""
    if isinstance(staff, DeskDevice):
        return None, staff.id
    return getattr(staff, "id", None), None


def may_use_desk(user, event_id: int) -> bool:
    """Check-in staff of the event, its hosts, and administrators."""
    return _has_role(user, event_id, ("host", "checkin"))


def event_for_desk(user, event_id: int) -> tuple[Event | None, bool]:
    """The event, and whether `user` may use its desk: one query for every API request."""
    if not getattr(user, "is_authenticated", False):
        return db.session.get(Event, event_id), False
    row = db.session.execute(_event_for_desk_query(), {"event_id": event_id, "user_id": user.id}).first()
    if row is None:
        return None, False
    return row[0], bool(user.is_admin or row[1])


@functools.cache
def _event_for_desk_query() -> sa.Select:
    staff = sa.select(EventRole.id).where(EventRole.event_id == Event.id, EventRole.user_id == sa.bindparam("user_id"),
                                          EventRole.role.in_(("host", "checkin"))).exists()
    return sa.select(Event, staff).where(Event.id == sa.bindparam("event_id"))


def may_undo(user, event_id: int) -> bool:
    """Only hosts (and administrators) may take a check-in back."""
    return _has_role(user, event_id, ("host",))


def staffs_a_desk():
    """SQL: may the user (`users` row) open some event's desk? Read with the user at login (app.py), for the nav."""
    # Literal roles, not an IN list: an expanding IN is re-rendered into the SQL at every execution.
    desk_role = sa.or_(EventRole.role == sa.literal_column("'host'"), EventRole.role == sa.literal_column("'checkin'"))
    return sa.or_(User.is_admin, sa.exists().where(EventRole.user_id == User.id, desk_role))


def may_use_a_desk(user) -> bool:
    """Does the nav offer this user the check-in desk? Read with the user when it was loaded, else asked now."""
    known = getattr(user, "staffs_a_desk", None)
    return bool(desk_events(user)) if known is None else bool(known)


def desk_events(user) -> list[Event]:
    """The events whose desk this user may open, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    stmt = sa.select(Event).order_by(Event.id.desc())
    if not user.is_admin:
        stmt = stmt.where(Event.id.in_(sa.select(EventRole.event_id).where(
            EventRole.user_id == user.id, EventRole.role.in_(("host", "checkin")))))
    return list(db.session.scalars(stmt.limit(200)))


# --- lists ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CheckinList:
    key: str
    title: str


def lists_of(event: Event) -> list[CheckinList]:
    """The event's entrance, then each session's door, in schedule order."""
    return [CheckinList(ENTRANCE, "Event entrance")] + [
        CheckinList(session_list(s.id), f"Session door: {s.title}") for s in event.sessions]


def check_list(event: Event, list_key: str) -> CheckinList:
    """The list named `list_key` if it belongs to `event`; DeskError("unknown_list") otherwise."""
    list_key = (list_key or "").strip()
    if list_key == ENTRANCE:
        return CheckinList(ENTRANCE, "Event entrance")
    kind, _, ident = list_key.partition(":")
    session_id = whole_number(ident) if kind == "session" else None
    if session_id is not None:
        title = db.session.scalar(sa.select(EventSession.title).where(
            EventSession.id == session_id, EventSession.event_id == event.id))
        if title is not None:
            return CheckinList(list_key, f"Session door: {title}")
    raise DeskError("unknown_list", "That check-in list is not one of this event's lists.", "list")


# --- answers --------------------------------------------------------------------

MESSAGES = {
    CHECKED_IN: "Checked in",
    ALREADY_CHECKED_IN: "Already checked in",
    NOT_REGISTERED: "Not registered for this event",
    REVOKED: "This badge was revoked",
    UNKNOWN: "Unknown code",
    UNDONE: "Check-in undone",
}


@dataclasses.dataclass(frozen=True)
class Earlier:
    """When, where and by whom a person was checked in before."""

    at: dt.datetime
    at_text: str
    desk: str
    by: str

    def as_dict(self) -> dict:
        return {"at": self.at.isoformat(), "at_text": self.at_text, "desk": self.desk, "by": self.by}


@dataclasses.dataclass(frozen=True)
class ScanAnswer:
    """What a desk shows after a scan, search check-in or walk-in."""

    result: str
    message: str
    list_key: str
    scan_id: int
    nonce: str
    name: str = ""
    profession: str = ""
    registration_id: int | None = None
    checkin_id: int | None = None
    earlier: Earlier | None = None
    replayed: bool = False
    # The last-scans line desks show for this scan (not for a replay: nothing new happened).
    line: dict | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.result == CHECKED_IN

    def as_dict(self) -> dict:
        return {
            "result": self.result, "message": self.message, "list": self.list_key, "scan_id": self.scan_id,
            "nonce": self.nonce, "name": self.name, "profession": self.profession,
            "registration_id": self.registration_id, "checkin_id": self.checkin_id,
            "earlier": self.earlier.as_dict() if self.earlier else None, "replayed": self.replayed,
        }


def _profession_label(code: str | None) -> str:
    return PROFESSIONS.get(code or "", "")


def _earlier(event: Event, checkin_at: dt.datetime, desk: str, by: str | None) -> Earlier:
    return Earlier(at=checkin_at, at_text=format_local_time(checkin_at, event.zone), desk=desk or "", by=by or "")


def _message(result: str, earlier: Earlier | None) -> str:
    if result == ALREADY_CHECKED_IN and earlier:
        where = f" at {earlier.desk}" if earlier.desk else ""
        by = f" by {earlier.by}" if earlier.by and earlier.by != earlier.desk else ""
        return f"Already checked in at {earlier.at_text}{where}{by}"
    return MESSAGES[result]


def _answer_from_log(event: Event, scan: CheckinScan, replayed: bool) -> ScanAnswer:
    """The answer a logged scan gave, rebuilt from the log (for a retried nonce)."""
    name = profession = ""
    if scan.registration_id:
        row = db.session.execute(
            sa.select(User.name, User.profession).join(Registration, Registration.user_id == User.id)
            .where(Registration.id == scan.registration_id, Registration.event_id == scan.event_id)).first()
        if row:
            name, profession = row.name, _profession_label(row.profession)
    earlier = None
    if scan.result == ALREADY_CHECKED_IN and scan.checkin_id:
        row = db.session.execute(
            sa.select(Checkin.checked_in_at, Checkin.desk, User.name)
            .outerjoin(User, User.id == Checkin.checked_in_by_id).where(Checkin.id == scan.checkin_id)).first()
        if row:
            earlier = _earlier(event, row.checked_in_at, row.desk, row.name)
    return ScanAnswer(result=scan.result, message=_message(scan.result, earlier), list_key=scan.list_key,
                      scan_id=scan.id, nonce=scan.nonce, name=name, profession=profession,
                      registration_id=scan.registration_id, checkin_id=scan.checkin_id, earlier=earlier,
                      replayed=replayed)


# --- input checks ---------------------------------------------------------------

def check_nonce(nonce) -> str:
    if not isinstance(nonce, str) or not NONCE_SHAPE.fullmatch(nonce):
        raise DeskError("bad_nonce", "Each scan needs a nonce: 8 to 64 letters, digits or - _ . :", "nonce")
    return nonce


def check_desk_name(desk) -> str:
    desk = " ".join(str(desk or "").split())
    if not desk:
        raise DeskError("desk_required", "Give this desk a name (for example Desk 2) before scanning.", "desk")
    if len(desk) > DESK_MAX:
        raise DeskError("desk_too_long", f"The desk name is too long ({DESK_MAX} characters at most).", "desk")
    return desk


def _token_in(raw: str) -> str:
    """The badge token in what a scanner sent: the token itself, or a URL/text ending in it."""
    token = badge.normalise(raw)
    if badge.is_well_formed(token):
        return token
    tail = re.split(r"[/=#?]", token)[-1] if token else ""
    return tail if badge.is_well_formed(tail) else ""


# --- the check-in itself --------------------------------------------------------

@dataclasses.dataclass
class _Target:
    """Who a scan points at, as far as the scan could tell."""

    result: str | None  # UNKNOWN, NOT_REGISTERED, REVOKED, or None: try to check in
    registration_id: int | None = None
    user_id: int | None = None
    name: str = ""
    profession: str = ""
    earlier: tuple | None = None  # (check-in id, at, desk, by whom) on the scanned list



# Built once: building a statement (aliases, joins, cache key) costs more than running it.
@functools.cache
def _registration_query(by: str, lock: bool) -> sa.Select:
    """The registration (by badge token or by id), its person, and their check-in on a list, if any."""
    staff = so.aliased(User)
    key = Registration.badge_token if by == "token" else Registration.id
    # By id, only this event's registrations: an id is easily guessed (1, 2, 3…), so another
    # event's answers exactly as an id that does not exist. A badge token cannot be guessed; the
    # scan of another event's badge is told apart (not registered here), and shows nothing of it.
    where = [key == sa.bindparam("key")]
    if by == "id":
        where.append(Registration.event_id == sa.bindparam("event_id"))
    stmt = (sa.select(Registration.id, Registration.event_id, Registration.user_id, Registration.revoked_at,
                      User.name, User.profession, Checkin.id.label("checkin_id"), Checkin.checked_in_at,
                      Checkin.desk, staff.name.label("checked_in_by"))
            .join(User, User.id == Registration.user_id)
            .outerjoin(Checkin, sa.and_(Checkin.event_id == sa.bindparam("event_id"),
                                        Checkin.list_key == sa.bindparam("list_key"),
                                        Checkin.user_id == Registration.user_id))
            .outerjoin(staff, staff.id == Checkin.checked_in_by_id)
            .where(*where))
    if lock:
        # Two desks scanning one badge at once: the second waits here for the first to commit. (If it
        # then still misses the first's check-in, the unique constraint refuses its own and the retry
        # in _check_in answers "already checked in".)
        stmt = stmt.with_for_update(of=Registration)
    return stmt


def _registration_row(event: Event, list_key: str, by: str, key):
    """The registration whose badge token (by="token") or id (by="id") is `key`: one round trip."""
    lock = db.session.get_bind().dialect.name == "postgresql"
    return db.session.execute(_registration_query(by, lock),
                              {"event_id": event.id, "list_key": list_key, "key": key}).first()


def _target(event: Event, row, missing: str = UNKNOWN) -> _Target:
    if row is None:
        return _Target(missing)
    if row.event_id != event.id:
        # Another event's badge: nothing of it (its person's name or profession, its registration)
        # reaches this desk, its answer, its log or its last scans.
        return _Target(NOT_REGISTERED)
    target = _Target(None, row.id, row.user_id, row.name, _profession_label(row.profession))
    if row.checkin_id is not None:
        target.earlier = (row.checkin_id, row.checked_in_at, row.desk, row.checked_in_by)
    if row.revoked_at is not None:
        target.result = REVOKED
    return target


def _check_in(event: Event, checkin_list: CheckinList, *, nonce: str, desk: str, staff: User | DeskDevice | None,
              method: str, raw_input: str, find, missing: str = UNKNOWN) -> ScanAnswer:
    """One scan in one short transaction; `find()` returns the registration row or None (answered `missing`)."""
    for attempt in range(3):
        try:
            # A nonce is new nearly always: the first attempt does not look it up, and a retried
            # upload is caught by the unique (event, nonce) key on the log and answered on the next.
            answer = _check_in_once(event, checkin_list, nonce=nonce, desk=desk, staff=staff, method=method,
                                    raw_input=raw_input, find=find, missing=missing, seen_before=attempt > 0)
            db.session.commit()
            return answer
        except sa.exc.IntegrityError:
            # This nonce is logged already, or another request checked this person in between our
            # read and our write; the next attempt finds its row and answers from it.
            db.session.rollback()
        except sa.exc.DBAPIError as error:
            # The connection was lost under the scan (the database restarted, its backend was ended):
            # the transaction went with it, or was committed just before. Like a conflict: the next
            # attempt, on a new connection, looks the nonce up and answers from the log or checks in.
            db.session.rollback()
            if not error.connection_invalidated:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise DeskError("busy", "The desk is very busy; please scan again.")


def _logged_scan(event: Event, nonce: str) -> CheckinScan | None:
    return db.session.scalar(sa.select(CheckinScan).where(CheckinScan.event_id == event.id,
                                                          CheckinScan.nonce == nonce))


def _check_in_once(event: Event, checkin_list: CheckinList, *, nonce, desk, staff, method, raw_input,
                   find, missing: str, seen_before: bool) -> ScanAnswer:
    if seen_before:
        logged = _logged_scan(event, nonce)
        if logged is not None:
            return _answer_from_log(event, logged, replayed=True)
    target = _target(event, find(checkin_list.key), missing)
    staff_id, device_id = _who(staff)
    now = clock.now()
    earlier = None
    checkin_id = None
    result = target.result
    if result is None:
        if target.earlier:
            checkin_id, at, earlier_desk, by = target.earlier
            result = ALREADY_CHECKED_IN
            earlier = _earlier(event, at, earlier_desk, by)
        else:
            checkin_id = db.session.execute(_insert(Checkin), {
                "event_id": event.id, "list_key": checkin_list.key, "user_id": target.user_id,
                "registration_id": target.registration_id, "checked_in_at": now, "checked_in_by_id": staff_id,
                "method": method, "desk": desk}).scalar_one()
            result = CHECKED_IN
    message = _message(result, earlier)
    scan_id = db.session.execute(_insert(CheckinScan), {
        "event_id": event.id, "list_key": checkin_list.key, "nonce": nonce, "scanned_at": now, "desk": desk,
        "staff_id": staff_id, "device_id": device_id, "method": method, "raw_input": raw_input[:200],
        "result": result, "reason": message[:300], "registration_id": target.registration_id,
        "checkin_id": checkin_id}).scalar_one()
    line = _line(event, scan_id=scan_id, at=now, result=result, message=message[:300], name=target.name, desk=desk,
                 by=getattr(staff, "name", ""), method=method, list_key=checkin_list.key,
                 checkin_id=checkin_id if result == CHECKED_IN else None)
    return ScanAnswer(result=result, message=message, list_key=checkin_list.key, scan_id=scan_id,
                      nonce=nonce, name=target.name, profession=target.profession,
                      registration_id=target.registration_id, checkin_id=checkin_id, earlier=earlier, line=line)


@functools.cache
def _insert(model) -> sa.Insert:
    """INSERT … RETURNING id of a row given in full, built once: a Core insert skips the ORM's
    unit of work (which cost a scan more than its two inserts themselves)."""
    table = model.__table__
    return sa.insert(table).returning(table.c.id)


def scan(event: Event, list_key: str, raw_input: str, nonce: str, desk: str, staff: User | DeskDevice | None,
         method: str = "scan") -> ScanAnswer:
    """Check in the person whose badge was scanned (or typed) at `desk` on `list_key`.

    Answers checked_in, already_checked_in (with when, where, by whom), not_registered (a badge of
    another event), revoked or unknown; each is logged. The same nonce again answers as the first
    time and writes nothing. Raises DeskError for a list of another event or a malformed request.
    """
    checkin_list = check_list(event, list_key)
    nonce, desk = check_nonce(nonce), check_desk_name(desk)
    raw_input = str(raw_input or "")
    token = _token_in(raw_input)

    def find(list_key):
        return _registration_row(event, list_key, "token", token) if token else None

    return _check_in(event, checkin_list, nonce=nonce, desk=desk, staff=staff,
                     method=method, raw_input=raw_input, find=find)


def check_in_registration(event: Event, list_key: str, registration_id, nonce: str, desk: str,
                          staff: User | DeskDevice | None, method: str = "search") -> ScanAnswer:
    """Check in a person found by name search (by their registration id); logged like a scan.

    An id that is not one of this event's registrations, whether another event's or none at all,
    answers "not registered for this event" and nothing else: stepping through ids learns nothing.
    """
    checkin_list = check_list(event, list_key)
    nonce, desk = check_nonce(nonce), check_desk_name(desk)
    if isinstance(registration_id, bool) or not isinstance(registration_id, int) or not 0 < registration_id < 2**62:
        raise DeskError("bad_registration", "Choose a person from the search results.", "registration_id")

    def find(list_key):
        return _registration_row(event, list_key, "id", registration_id)

    return _check_in(event, checkin_list, nonce=nonce, desk=desk, staff=staff,
                     method=method, raw_input=f"registration:{registration_id}", find=find, missing=NOT_REGISTERED)


def walk_in(event: Event, list_key: str, *, name: str, email: str, profession: str, nonce: str, desk: str,
            staff: User | DeskDevice) -> ScanAnswer:
    """Register a person who walks up to the desk, and check them in.

    Registration and check-in are two short transactions (registering is
    `checkin.registration.register_person`'s); a retry with the same nonce
    registers nobody twice and answers as the first time.

    Only a new email is registered here. An email with an account already is refused
    (DeskError "account_exists", or "already_registered" when that account is registered for
    this event), naming nobody: whoever stands at the desk may not be that account's owner, so
    the desk neither learns the account's name nor registers it on their word. The owner shows
    their badge or logs in and registers; see README "Walk-ins with an existing account".
    """
    checkin_list = check_list(event, list_key)
    nonce, desk = check_nonce(nonce), check_desk_name(desk)
    logged = _logged_scan(event, nonce)
    if logged is not None:
        return _answer_from_log(event, logged, replayed=True)
    if profession and profession not in PROFESSIONS:
        raise DeskError("bad_profession", f"Profession must be one of: {', '.join(PROFESSIONS.values())}.",
                        "profession")
    staff_id, device_id = _who(staff)
    registration = None
    for attempt in range(2):
        try:
            registration, _new = register_person(event, email=email, name=name, profession=profession,
                                                 source=WALK_IN, actor_id=staff_id,
                                                 by_device=f"device:{device_id}" if device_id else "",
                                                 new_accounts_only=True)
            break
        except AccountExists as exists:
            if attempt and exists.registered:
                # The first try was committed just before its connection was lost: this walk-in is registered.
                registration = registration_for(event, find_by_email(email).id)
                break
            raise DeskError("already_registered" if exists.registered else "account_exists", str(exists),
                            exists.field) from exists
        except RegistrationError as error:
            raise DeskError("bad_walk_in", str(error), error.field) from error
        except sa.exc.DBAPIError as error:
            # The connection was lost while registering (the database restarted, its backend was ended):
            # once more on a new connection, as a scan is (`_check_in`).
            db.session.rollback()
            if attempt or not error.connection_invalidated:
                raise
    _registered.pop(event.id, None)
    return check_in_registration(event, checkin_list.key, registration.id, nonce, desk, staff, method="walk_in")


def undo(event: Event, checkin_id, reason: str, desk: str, staff: User) -> ScanAnswer:
    """Take back a wrong check-in (hosts only, with a reason): logged, audited, and the person
    can be checked in again."""
    if not may_undo(staff, event.id):
        raise DeskError("hosts_only", "Only the event's hosts can undo a check-in.")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DeskError("reason_required", "Say why this check-in is being undone.", "reason")
    if isinstance(checkin_id, bool) or not isinstance(checkin_id, int) or not 0 < checkin_id < 2**62:
        raise DeskError("bad_checkin", "Choose a check-in to undo.", "checkin_id")
    desk = check_desk_name(desk)
    checkin = db.session.scalar(sa.select(Checkin).where(Checkin.id == checkin_id, Checkin.event_id == event.id))
    if checkin is None:
        raise DeskError("not_checked_in", "That check-in does not exist (perhaps it was already undone).",
                        "checkin_id")
    person = db.session.get(User, checkin.user_id)
    list_key, registration_id = checkin.list_key, checkin.registration_id
    # The log rows keep pointing at a check-in that no longer exists: clear them first.
    db.session.execute(sa.update(CheckinScan).where(CheckinScan.checkin_id == checkin.id).values(checkin_id=None))
    db.session.delete(checkin)
    now = clock.now()
    scan_row = CheckinScan(event_id=event.id, list_key=list_key, nonce=f"undo:{checkin_id}:{now.timestamp():.6f}",
                           scanned_at=now, desk=desk, staff_id=staff.id, method="undo",
                           raw_input=f"checkin:{checkin_id}", result=UNDONE, reason=reason[:300],
                           registration_id=registration_id)
    db.session.add(scan_row)
    audit.record(staff.id, "checkin.undone", f"event:{event.id}", f"checkin:{checkin_id} list:{list_key} "
                 f"user:{checkin.user_id} reason:{reason[:200]}")
    try:
        db.session.flush()
        line = scan_line(event, scan_row, person.name if person else "", staff.name, False)
        db.session.commit()
    except sa.exc.IntegrityError as error:  # undone at the same moment elsewhere
        db.session.rollback()
        raise DeskError("not_checked_in", "That check-in was just undone elsewhere.", "checkin_id") from error
    return ScanAnswer(result=UNDONE, message=f"Check-in undone: {reason}", list_key=list_key, scan_id=scan_row.id,
                      nonce=scan_row.nonce, name=person.name if person else "",
                      profession=_profession_label(person.profession if person else None),
                      registration_id=registration_id, line=line)


# --- what a desk shows ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Counters:
    list_key: str
    checked_in: int
    registered: int

    def as_dict(self) -> dict:
        return {"list": self.list_key, "checked_in": self.checked_in, "registered": self.registered}


def counters(event: Event, list_key: str) -> Counters:
    """Checked in on this list, and registered for the event (revoked badges left out)."""
    checkin_list = check_list(event, list_key)
    checked_in = db.session.scalar(sa.select(sa.func.count()).select_from(Checkin).where(
        Checkin.event_id == event.id, Checkin.list_key == checkin_list.key))
    return Counters(checkin_list.key, checked_in, registered_count(event.id))


# Registrations change rarely during check-in, but counting 50,000 of them takes
# longer than a scan: the count is reused for DESK_REGISTERED_FOR seconds (walk-ins reset it).
_registered: dict[int, tuple[float, int]] = {}


def registered_count(event_id: int) -> int:
    keep_for = current_app.config.get("DESK_REGISTERED_FOR", 0 if current_app.testing else 1.0)
    now = time.monotonic()
    cached = _registered.get(event_id)
    if keep_for and cached and cached[0] > now:
        return cached[1]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.revoked_at.is_(None)))
    _registered[event_id] = (now + keep_for, count)
    return count


def scan_line(event: Event, scan: CheckinScan, name: str, staff_name: str, checkin_exists: bool) -> dict:
    """One line of 'last scans' as desks show it."""
    return _line(event, scan_id=scan.id, at=scan.scanned_at, result=scan.result, message=scan.reason, name=name,
                 desk=scan.desk, by=staff_name, method=scan.method, list_key=scan.list_key,
                 checkin_id=scan.checkin_id if scan.result == CHECKED_IN and checkin_exists else None)


def _line(event: Event, *, scan_id: int, at: dt.datetime, result: str, message: str, name: str, desk: str, by: str,
          method: str, list_key: str, checkin_id: int | None) -> dict:
    return {"scan_id": scan_id, "at": at.isoformat(), "at_text": format_local_time(at, event.zone), "result": result,
            "message": message, "name": name, "desk": desk, "by": by, "method": method, "list": list_key,
            "checkin_id": checkin_id}


def last_scans(event: Event, list_key: str, limit: int = LAST_SCANS) -> list[dict]:
    checkin_list = check_list(event, list_key)
    person, staff = so.aliased(User), so.aliased(User)
    rows = db.session.execute(
        sa.select(CheckinScan, person.name, sa.func.coalesce(staff.name, DeskDevice.name), Checkin.id)
        .outerjoin(Registration, sa.and_(Registration.id == CheckinScan.registration_id,
                                         Registration.event_id == CheckinScan.event_id))
        .outerjoin(person, person.id == Registration.user_id)
        .outerjoin(staff, staff.id == CheckinScan.staff_id)
        .outerjoin(DeskDevice, DeskDevice.id == CheckinScan.device_id)
        .outerjoin(Checkin, Checkin.id == CheckinScan.checkin_id)
        .where(CheckinScan.event_id == event.id, CheckinScan.list_key == checkin_list.key)
        .order_by(CheckinScan.id.desc()).limit(max(1, min(limit, 50)))).all()
    return [scan_line(event, scan, name or "", staff_name or "", checkin_id is not None)
            for scan, name, staff_name, checkin_id in rows]


def announce(event_id: int, answer: ScanAnswer) -> None:
    """Tell every desk of the event (room desk:<id>) about a scan, after its transaction.

    Takes the event's id, not the event: after the commit the event would be loaded again.

    The last-scans line goes at once (event desk.scan). The list's counters
    (desk.counters) are counted at most every DESK_COUNTERS_EVERY seconds per
    list, however many desks scan: counting 50,000 rows on every scan would
    cost more than the scan itself.
    """
    if answer.replayed or answer.line is None:
        return
    push(f"desk:{event_id}", "desk.scan", answer.line)
    if answer.result in (CHECKED_IN, UNDONE):
        _count_soon(event_id, answer.list_key)


_counting: set[tuple[int, str]] = set()
_counting_lock = threading.Lock()


def _count_soon(event_id: int, list_key: str) -> None:
    app = current_app._get_current_object()
    every = app.config.get("DESK_COUNTERS_EVERY", 0 if app.testing else 0.25)
    if not every:
        _push_counters(event_id, list_key)
        return
    with _counting_lock:
        if (event_id, list_key) in _counting:
            return  # a count is on its way and will include this scan
        _counting.add((event_id, list_key))
    socketio.start_background_task(_count_later, app, event_id, list_key, every)


def _count_later(app, event_id: int, list_key: str, delay: float) -> None:
    socketio.sleep(delay)
    with _counting_lock:
        # Before counting: a scan committed from now on schedules another count.
        _counting.discard((event_id, list_key))
    with app.app_context():
        try:
            _push_counters(event_id, list_key)
        except Exception:  # a lost count is fixed by the next one or a desk's re-fetch
            logger.exception("counting check-ins for desks failed")
        finally:
            db.session.remove()


def _push_counters(event_id: int, list_key: str) -> None:
    event = db.session.get(Event, event_id)
    if event is not None:
        push(f"desk:{event_id}", "desk.counters", counters(event, list_key).as_dict())


def list_state(event: Event, list_key: str, limit: int = LAST_SCANS) -> dict:
    return {"counters": counters(event, list_key).as_dict(), "last_scans": last_scans(event, list_key, limit)}


# --- name search ----------------------------------------------------------------

def _prefix_range(column, text: str):
    """`column` starts with `text`, as a range an index serves on SQLite and PostgreSQL alike,
    plus a LIKE that keeps the answer exact under any collation."""
    upper = text[:-1] + chr(ord(text[-1]) + 1)
    return sa.and_(column >= text, column < upper, column.startswith(text, autoescape=True))


def _registered_first(candidates: sa.Select, user_id, event_id: int, limit: int):
    """The first `limit` people of `candidates` registered for the event.

    Registration is an EXISTS, not a join, so the database walks the candidates' index and
    stops at `limit`, instead of walking all of the event's registrations (which an index
    on registrations.event_id tempts it to do while it has no statistics).
    """
    registered = sa.select(Registration.id).where(Registration.user_id == user_id,
                                                  Registration.event_id == event_id).exists()
    return candidates.where(registered).limit(limit).scalar_subquery()


def search(event: Event, list_key: str, query: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Registrants with a word of their name starting with `query`, or an email starting with it
    (at least 3 characters, any case, accents or not). Several words narrow it down: "maya ch"
    finds Maya Chen.

    Never the whole list: a short query is refused and answers are capped at `limit`.
    Served by the (word, user) key of name_words, the index on users.email, then the
    (event, user) key of registrations, so it stays fast with tens of thousands of registrants.
    """
    checkin_list = check_list(event, list_key)
    text = " ".join(str(query or "").split()).lower()
    if len(text) < SEARCH_MIN:
        raise DeskError("query_too_short", f"Type at least {SEARCH_MIN} letters of the name or email.", "q")
    if len(text) > 120:
        raise DeskError("query_too_long", "That search is too long.", "q")
    limit = max(1, min(limit, 25))
    words = sorted(search_words(text), key=len, reverse=True)[:4] or [text]
    # The longest word picks the candidates from the index; the others must start a word of the name too.
    # No ORDER BY: the first `limit` found will do (the desk sorts them by name; typing more narrows
    # them), and without it PostgreSQL stops at `limit` instead of sorting every "maya…" first.
    other = so.aliased(NameWord)
    by_name = sa.select(NameWord.user_id).where(_prefix_range(NameWord.word, words[0]), *(
        sa.select(other.user_id).where(other.user_id == NameWord.user_id, _prefix_range(other.word, word)).exists()
        for word in words[1:]))
    by_email = sa.select(User.id).where(_prefix_range(User.email, text)).order_by(User.email)
    found: dict[int, sa.Row] = {}
    for candidates, user_id in ((by_name, NameWord.user_id), (by_email, User.id)):
        rows = db.session.execute(
            sa.select(Registration.id, Registration.revoked_at, User.name, User.email, User.profession,
                      Checkin.id.label("checkin_id"), Checkin.checked_in_at, Checkin.desk)
            .select_from(User)
            .join(Registration, sa.and_(Registration.user_id == User.id, Registration.event_id == event.id))
            .outerjoin(Checkin, sa.and_(Checkin.event_id == event.id, Checkin.list_key == checkin_list.key,
                                        Checkin.user_id == User.id))
            .where(User.id.in_(_registered_first(candidates, user_id, event.id, limit)))).all()
        for row in rows:
            found.setdefault(row.id, row)
    rows = sorted(found.values(), key=lambda row: (row.name.lower(), row.id))[:limit]
    return [{
        "registration_id": row.id, "name": row.name, "email": row.email,
        "profession": _profession_label(row.profession), "revoked": row.revoked_at is not None,
        "checked_in": row.checkin_id is not None,
        "checked_in_text": (f"{format_local_time(row.checked_in_at, event.zone)}"
                            f"{' at ' + row.desk if row.desk else ''}") if row.checkin_id else "",
    } for row in rows]
