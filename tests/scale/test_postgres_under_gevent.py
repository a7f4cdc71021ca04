"""Under gevent (as gunicorn's gevent worker runs it), a greenlet waiting on PostgreSQL lets the others run.

psycopg 3 picks its wait function when imported: after gevent's monkey-patching
it sees the patched `select` and waits with `wait_poll`, which yields to the
hub; before patching it would pick `wait_c`, which blocks the whole process.
The proof is deterministic, not timed: greenlet W asks PostgreSQL for a lock
that greenlet H holds, and H releases it only after seeing (through its own
query) that W is waiting. If W's wait blocked the process, H could never run
and W would hit its statement timeout.
"""
from __future__ import annotations

import subprocess
import sys

from tests.scale.servers import ROOT

SCRIPT = r"""
from gevent import monkey
monkey.patch_all()

import sys
import gevent
import gevent.event
import psycopg.waiting
import sqlalchemy as sa

from app import create_app
from core.db import db

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x", "BACKGROUND_TASKS": False})
taken = gevent.event.Event()
seen = []

def holder():
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(4242)"))  # held by the session, across commits
        conn.commit()
        taken.set()
        while True:
            waiting = conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%4242%' "
                "AND pid <> pg_backend_pid()")).scalar()
            conn.commit()  # a new transaction sees fresh activity statistics
            if waiting:
                break
            gevent.sleep(0.01)  # polling PostgreSQL for the other greenlet's wait
        seen.append("W is waiting")
        conn.execute(sa.text("SELECT pg_advisory_unlock(4242)"))
        conn.commit()

def waiter():
    taken.wait()
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(sa.text("SET statement_timeout = 5000"))
        conn.execute(sa.text("SELECT pg_advisory_lock(4242)"))
        seen.append("W got the lock")

gevent.joinall([gevent.spawn(holder), gevent.spawn(waiter)], raise_error=True)
print(psycopg.waiting.wait.__name__, "|", "; ".join(seen))
"""


def test_a_greenlet_waiting_on_postgresql_lets_the_others_run(pg_database):
    url = pg_database.replace("postgresql://", "postgresql+psycopg://", 1)
    done = subprocess.run([sys.executable, "-c", SCRIPT, url], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "wait_poll | W is waiting; W got the lock"
