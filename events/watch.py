"""Pushes the new window state to session pages at the moment it changes.

Pages also keep their own timer and re-fetch on reconnect or wake, so this is
what makes the flip fast, not what makes it right.

With several server processes (REDIS_URL), one of them holds the watcher's
lease and pushes (through Redis, to every process's clients); the others
follow the clock without pushing, ready to take over if the holder stops.
"""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

from core import clock
from core.db import db
from core.lease import Lease
from core.realtime import push, socketio
from events.models import EventSession
from events.status import window_status

log = logging.getLogger(__name__)
TICK_SECONDS = 0.5


def sessions_changing(since: dt.datetime, until: dt.datetime) -> list[EventSession]:
    """Sessions whose window opened or closed in (since, until]."""
    return list(
        db.session.scalars(
            sa.select(EventSession).where(
                sa.or_(
                    sa.and_(EventSession.opens_at > since, EventSession.opens_at <= until),
                    sa.and_(EventSession.closes_at > since, EventSession.closes_at <= until),
                )
            )
        )
    )


def push_changes(since: dt.datetime, until: dt.datetime) -> int:
    changed = sessions_changing(since, until)
    for session in changed:
        push(f"session:{session.id}", "window", window_status(session, until))
    return len(changed)


def run(app) -> None:
    lease = Lease("window-watch", app.config.get("REDIS_URL"), ttl=10 * TICK_SECONDS)
    last = clock.now()
    while True:
        socketio.sleep(TICK_SECONDS)
        with app.app_context():
            try:
                now = clock.now()
                if now < last:  # the clock moved back (tests): start again from here
                    last = now
                    continue
                if lease.hold():
                    push_changes(last, now)
                last = now
            except Exception:  # keep watching; the pages' own timers still cover
                log.exception("window watch failed")
            finally:
                db.session.remove()
