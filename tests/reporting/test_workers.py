"""Worker processes that die and restart, and several at once: never a lost claim, never a second credit."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from claims.models import OutboxEntry
from core import clock
from core.db import db
from tests.reporting.bulk import bulk_claims

class Env(dict):
    """Environment variables, and `set_clock(moment)` for the worker processes' clock."""


ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"


@pytest.fixture
def worker_env(database_url, service_config, tmp_path, now):
    """Environment for `flask reporting worker` processes on the test's database, with the test's clock."""
    clock_file = tmp_path / "clock"

    def set_clock(moment: dt.datetime) -> None:
        clock_file.write_text(str((moment - dt.datetime.now(dt.timezone.utc)).total_seconds()))

    set_clock(now)
    env = Env({**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "app", "SECRET_KEY": "worker-test",
           "LOG_LEVEL": "WARNING", "CLAIMDESK_CLOCK_FILE": str(clock_file),
           **{key: str(value) for key, value in service_config.items()}})
    env.pop("CLAIMDESK_TEST_KILL_AFTER_SEND", None)
    env.set_clock = set_clock
    return env


def start_worker(env, **extra):
    return subprocess.Popen([FLASK, "reporting", "worker", "--once"], cwd=ROOT, env={**env, **extra},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def states():
    db.session.expire_all()
    return dict(db.session.execute(sa.select(OutboxEntry.claim_id, OutboxEntry.state)).all())


def test_a_worker_killed_between_send_and_record_resends_with_the_same_key_for_one_credit(
        app, now, standin, worker_env, attendees, ended_session, claimed):
    claims = [claimed(user, ended_session) for user in attendees(3)]

    killed = start_worker(worker_env, CLAIMDESK_TEST_KILL_AFTER_SEND="1")
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert len(standin.stats()["credits"]) == 3  # sent, then the worker died before recording
    assert set(states().values()) == {"sending"}

    # Restarted at once: the dead worker's lease still holds the rows, so nothing is sent again yet.
    again = start_worker(worker_env)
    assert again.communicate(timeout=60)[1] == "" and again.returncode == 0
    assert sum(standin.stats()["receipts_by_key"].values()) == 3

    # Once the lease has run out, the next worker sends them again with the same keys.
    worker_env.set_clock(now + dt.timedelta(hours=1))
    restarted = start_worker(worker_env)
    out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err
    assert set(states().values()) == {"accepted"}
    stats = standin.stats()
    assert stats["receipts_by_key"] == {f"claimdesk-cpe_monitor-{c.id}-1": 2 for c in claims}
    assert sorted(c["key"] for c in stats["credits"]) == sorted(f"claimdesk-cpe_monitor-{c.id}-1" for c in claims)


def test_two_workers_at_once_never_send_one_claim_twice(app, now, standin, worker_env, ended_session):
    count = 300
    bulk_claims(ended_session, count, now)
    standin.tell(delay=0.01)
    env = {**worker_env, "REPORTING_BATCH_SIZE": "5"}
    workers = [start_worker(env) for _ in range(2)]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    handled = [int(out.split(":")[1].split()[0]) for out, _ in outputs]
    assert sum(handled) == count and min(handled) > 0  # both took part
    stats = standin.stats()
    assert len(stats["receipts_by_key"]) == count and set(stats["receipts_by_key"].values()) == {1}
    assert len(stats["credits"]) == count
    assert set(states().values()) == {"accepted"}


def test_a_worker_takes_at_most_its_batch_and_never_a_row_another_holds(app, now, ended_session):
    from reporting.worker import prepare, take_due

    bulk_claims(ended_session, 12, now)
    prepare(now)
    _, first = take_due(now, 5, dt.timedelta(minutes=5))
    _, second = take_due(now, 5, dt.timedelta(minutes=5))
    _, third = take_due(now, 5, dt.timedelta(minutes=5))
    assert (len(first), len(second), len(third)) == (5, 5, 2)
    assert not set(first) & set(second) and not set(second) & set(third)
    assert take_due(now + dt.timedelta(minutes=4), 5, dt.timedelta(minutes=5))[1] == []
    assert len(take_due(now + dt.timedelta(minutes=6), 50, dt.timedelta(minutes=5))[1]) == 12  # leases ran out
