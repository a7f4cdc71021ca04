"""What happens to a session's code: given at creation, replaced by a host, revealed.

Domain operations, no views. A code is unique among the sessions whose
submission window has not closed yet; once a session closes its code may be
used again (resolving prefers the session that is still open).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core import audit, clock
from core.db import db
from codes import code as rules
from codes.models import SessionCode
from events.models import EventSession
from events.signals import session_created

ATTEMPTS = 50  # 31^8 codes: a clash is rare, fifty in a row means something is wrong


class CodeTaken(rules.CodeError):
    """Another session that is not closed yet already has this code."""


def code_for(session: EventSession) -> SessionCode:
    """The session's code, giving it one now if it has none (sessions made before codes existed)."""
    stmt = sa.select(SessionCode).where(SessionCode.session_id == session.id)
    found = db.session.scalar(stmt)
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(SessionCode(session_id=session.id, code=_unused_code(session)))
        except IntegrityError:
            pass  # another request gave it one at the same moment: use that
        db.session.commit()
        found = db.session.scalar(stmt)
    return found


def in_use(code: str, except_session_id: int | None = None) -> bool:
    """True when a session whose window has not closed has this (normalised) code."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(SessionCode)
        .join(EventSession, EventSession.id == SessionCode.session_id)
        .where(SessionCode.code == code, EventSession.closes_at > clock.now())
    )
    if except_session_id is not None:
        stmt = stmt.where(SessionCode.session_id != except_session_id)
    return db.session.scalar(stmt) > 0


def _unused_code(session: EventSession) -> str:
    for _ in range(ATTEMPTS):
        candidate = rules.generate()
        if not in_use(candidate, session.id):
            return candidate
    raise RuntimeError("could not find an unused session code")


@session_created.connect
def _give_new_session_a_code(session: EventSession, **extra) -> None:
    """Every new session gets a code in the transaction that creates it."""
    db.session.add(SessionCode(session_id=session.id, code=_unused_code(session)))


def set_custom_code(session: EventSession, typed: str, actor: User) -> SessionCode:
    """Replace the session's code by the host's own; raise `CodeError` or `CodeTaken` with a plain message."""
    code = rules.check_custom(typed)
    current = code_for(session)
    if code == current.code:
        return current
    if in_use(code, session.id):
        raise CodeTaken(
            f"Another session that is still open uses {code}. Choose a different code, "
            "or keep the one ClaimDesk made."
        )
    return _replace(current, code, actor, "custom")


def new_random_code(session: EventSession, actor: User) -> SessionCode:
    """Give the session a fresh generated code (for example after the old one was shared too early)."""
    current = code_for(session)
    return _replace(current, _unused_code(session), actor, "generated")


def _replace(current: SessionCode, code: str, actor: User, how: str) -> SessionCode:
    current.code = code
    current.qr_svg = current.qr_url = None
    audit.record(actor.id, "code.changed", f"session:{current.session_id}", how)
    db.session.commit()
    return current


def reveal(session: EventSession, actor: User) -> SessionCode:
    """Show the code in the presenter view from now on; the first reveal is logged."""
    current = code_for(session)
    if current.revealed_at is None:
        current.revealed_at = clock.now()
        current.revealed_by_id = actor.id
        audit.record(actor.id, "code.revealed", f"session:{session.id}")
        db.session.commit()
    return current
