"""Who attended what: recorded by staff, read by the claim flow."""
from __future__ import annotations

import sqlalchemy as sa

from checkin.models import ENTRANCE, Checkin, session_list
from core import audit, clock
from core.db import db
from events.models import EventSession


def attended(user_id: int, session: EventSession) -> bool:
    """A check-in on the session's door, or at the event's entrance, counts as attendance."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Checkin).where(
            Checkin.user_id == user_id,
            Checkin.event_id == session.event_id,
            Checkin.list_key.in_([ENTRANCE, session_list(session.id)]),
        )
    ) > 0


def attended_users(session: EventSession) -> set[int]:
    return set(db.session.scalars(
        sa.select(Checkin.user_id).where(
            Checkin.event_id == session.event_id, Checkin.list_key.in_([ENTRANCE, session_list(session.id)])
        )
    ))


def mark_attended(user_id: int, session: EventSession, staff_id: int) -> bool:
    """Record by hand that a person attended the session; True when newly recorded."""
    if attended(user_id, session):
        return False
    db.session.add(Checkin(event_id=session.event_id, list_key=session_list(session.id), user_id=user_id,
                           checked_in_at=clock.now(), checked_in_by_id=staff_id, method="by_hand"))
    audit.record(staff_id, "attendance.marked", f"session:{session.id}", f"user:{user_id}")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # marked at the same moment elsewhere
        db.session.rollback()
        return False
    return True
