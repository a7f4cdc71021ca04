"""The record of who entered which session's code, and when.

`redeem` is safe to call twice, from two devices at once, or from a
double-tapped button: the unique constraint on (user, session) keeps one row.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from codes.models import Redemption
from core import clock
from core.db import db
from core.realtime import push
from events.models import EventSession


def _find(user_id: int, session_id: int) -> Redemption | None:
    return db.session.scalar(
        sa.select(Redemption).where(Redemption.user_id == user_id, Redemption.session_id == session_id)
    )


def redeem(user_id: int, session: EventSession) -> tuple[Redemption, bool]:
    """Record that the user entered the session's code; return the row and whether it is new.

    Commits. A new redemption pushes the session's new count to its presenter views.
    """
    session_id = session.id
    existing = _find(user_id, session_id)
    if existing is not None:
        return existing, False
    row = Redemption(user_id=user_id, session_id=session_id, redeemed_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # The same attendee, a moment earlier, on another device or request.
        db.session.commit()
        return _find(user_id, session_id), False
    db.session.commit()
    push(f"presenter:{session_id}", "count", {"session_id": session_id, "count": redemption_count(session_id)})
    return row, True


def redemption_count(session_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Redemption).where(Redemption.session_id == session_id)
    )


def has_redeemed(user_id: int, session_id: int) -> bool:
    return _find(user_id, session_id) is not None


def redeemed_sessions(user_id: int) -> list[Redemption]:
    """The user's redemptions, newest first."""
    return list(
        db.session.scalars(
            sa.select(Redemption)
            .where(Redemption.user_id == user_id)
            .options(so.selectinload(Redemption.session))
            .order_by(Redemption.redeemed_at.desc(), Redemption.id.desc())
        )
    )
