"""Who attended what: recorded by staff, read by the claim flow."""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from accounts.models import User
from checkin.models import ENTRANCE, Checkin, Registration, session_list
from core import audit, clock
from core.db import SESSION_ID, USER_ID, db, fact_columns
from events.models import EventSession

# Who entered a session's code is the codes package's to say; app.py hands it in (README "Extension points").
Entrants = Callable[[int], sa.Select]
_entrants: Entrants | None = None


def set_entrants(fn: Entrants | None) -> None:
    """`fn(session_id)` selects the ids of the people who entered the session's code."""
    global _entrants
    _entrants = fn


def belongs(user_id: sa.ColumnElement, session: EventSession) -> sa.ColumnElement[bool]:
    """SQL: does the person in column `user_id` belong to `session`: registered for its event (a
    revoked badge too), or entered its code? Hosts mark attendance for, and match webinar
    participants to, these people only; everyone else is nobody to them."""
    registered = user_id.in_(sa.select(Registration.user_id).where(Registration.event_id == session.event_id))
    if _entrants is None:
        return registered
    return sa.or_(registered, user_id.in_(_entrants(session.id)))


def person_of(session: EventSession, user_id: int) -> User | None:
    """The account `user_id` if that person belongs to `session` (see `belongs`); None otherwise,
    whether the account is someone else's or does not exist."""
    return db.session.scalar(sa.select(User).where(User.id == user_id, belongs(User.id, session)))


def counting_lists(session: EventSession) -> list[str]:
    """The check-in lists whose check-ins count as attending `session`: its own door
    always, the event's entrance only when the host said entrance check-in is enough."""
    lists = [session_list(session.id)]
    if session.event.entrance_counts_for_sessions:
        lists.append(ENTRANCE)
    return lists


def attended(user_id: int, session: EventSession) -> bool:
    """A check-in on the session's door (or at the entrance, when that counts) is attendance."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Checkin).where(
            Checkin.user_id == user_id,
            Checkin.event_id == session.event_id,
            Checkin.list_key.in_(counting_lists(session)),
        )
    ) > 0


def attended_users(session: EventSession) -> set[int]:
    return set(db.session.scalars(
        sa.select(Checkin.user_id).where(
            Checkin.event_id == session.event_id, Checkin.list_key.in_(counting_lists(session))
        )
    ))


def mark_attended(user_id: int, session: EventSession, staff_id: int | None, method: str = "by_hand",
                  registration_id: int | None = None) -> bool:
    """Record that a person attended the session (by hand, or from a webinar report);
    True when newly recorded, False when they already had attendance for it."""
    if attended(user_id, session):
        return False
    db.session.add(Checkin(event_id=session.event_id, list_key=session_list(session.id), user_id=user_id,
                           registration_id=registration_id, checked_in_at=clock.now(), checked_in_by_id=staff_id,
                           method=method))
    audit.record(staff_id, "attendance.marked", f"session:{session.id}", f"user:{user_id} {method}")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # marked at the same moment elsewhere
        db.session.rollback()
        return False
    return True


def attendance_facts() -> sa.Select:
    """The check-in lists the attendee (`user_id`) is checked in on at the session's (`session_id`) event:
    a part of the journey's facts query; `attended_on` says whether they count."""
    event_of_session = sa.select(EventSession.event_id).where(EventSession.id == SESSION_ID).scalar_subquery()
    return sa.select(*fact_columns("checked_in", key=Checkin.list_key)).where(
        Checkin.user_id == USER_ID, Checkin.event_id == event_of_session)


def attended_on(lists: frozenset[str] | set[str], session) -> bool:
    """Is a check-in on these lists attendance at `session` (an EventSession or its cached sheet)?"""
    counting = {session_list(session.id)} | ({ENTRANCE} if session.event.entrance_counts_for_sessions else set())
    return bool(counting & set(lists))
