"""The record of who entered which session's code, and when.

`redeem` is safe to call twice, from two devices at once, or from a
double-tapped button: the unique constraint on (user, session) keeps one row.
"""
from __future__ import annotations

import functools

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from codes.models import Redemption
from core import clock
from core.db import SESSION_ID, USER_ID, db, fact_columns
from core.realtime import push


def _find(user_id: int, session_id: int) -> Redemption | None:
    return db.session.scalar(
        sa.select(Redemption).where(Redemption.user_id == user_id, Redemption.session_id == session_id)
    )


def redeem(user_id: int, session) -> bool:
    """Record that the user entered the session's code; True when it is new to them.

    Commits. One statement: the insert, which a second device or a double tap
    turns into nothing (the unique key), and which tells the session's new count
    for its presenter views (one indexed count, instead of a statement of its own).
    """
    session_id = session.id
    dialect = db.session.get_bind().dialect.name
    count = db.session.scalar(_redeem_statement(dialect),
                              {"user_id": user_id, "session_id": session_id, "redeemed_at": clock.now()})
    db.session.commit()
    if count is None:  # the same attendee, a moment earlier, on another device or request
        return False
    if dialect == "postgresql":
        count += 1  # PostgreSQL's RETURNING sees the rows as they were before this statement
    push(f"presenter:{session_id}", "count", {"session_id": session_id, "count": count})
    return True


@functools.cache
def _redeem_statement(dialect: str):
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    table = Redemption.__table__
    counted = sa.select(sa.func.count()).select_from(table).where(table.c.session_id == sa.bindparam("session_id"))
    return (insert(table).values(user_id=sa.bindparam("user_id"), session_id=sa.bindparam("session_id"),
                                 redeemed_at=sa.bindparam("redeemed_at", type_=table.c.redeemed_at.type))
            .on_conflict_do_nothing(index_elements=["user_id", "session_id"])
            .returning(counted.scalar_subquery()))


def redemption_facts() -> sa.Select:
    """When the attendee (`user_id`) entered the session's (`session_id`) code: a part of the journey's facts."""
    return sa.select(*fact_columns("redeemed", moment=Redemption.redeemed_at)).where(
        Redemption.user_id == USER_ID, Redemption.session_id == SESSION_ID)


def redemption_count(session_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Redemption).where(Redemption.session_id == session_id)
    )


def entrants(session_id: int) -> sa.Select:
    """The ids of the people who entered the session's code (`checkin.attendance.set_entrants`, wired in app.py)."""
    return sa.select(Redemption.user_id).where(Redemption.session_id == session_id)


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
