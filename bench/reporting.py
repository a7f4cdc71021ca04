"""Reporting: 100,000 completed claims transmitted to a stand-in CPE Monitor, then exported to CSV.

Seeds one ended session and N completed claims with their outbox rows (bulk inserts, straight into the tables),
starts the stand-in CPE Monitor (tests/reporting/standin.py) as its own process, then runs `flask reporting worker
--once` as a separate process, exactly as the Procfile's worker runs. Prints claims per second and the worker
process's peak memory (RSS high-water mark from wait4's rusage), and checks at the stand-in that every claim was
credited exactly once. Then exports every claim to CSV through `reporting.exports.stream_claims_csv` in a process of
its own, with its rows per second and peak memory (skipped when that module is not present).

    .venv/bin/python bench/reporting.py                              # SQLite, 100,000 claims, one worker
    .venv/bin/python bench/reporting.py --claims 10000
    .venv/bin/python bench/reporting.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --workers 2
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402
BIN = Path(sys.executable).parent
SECRET = "bench-reporting"


def app_for(db_url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": SECRET, "BACKGROUND_TASKS": False,
                       "SOCKETIO_ASYNC_MODE": "threading"})


def seed(db_url: str, count: int) -> int:
    from flask_migrate import upgrade

    from accounts.models import User
    from core import clock
    from core.db import db
    from events.models import EventSession
    from events.setup import create_event
    from tests.reporting.bulk import bulk_claims

    app = app_for(db_url)
    with app.app_context():
        upgrade()
        now = clock.now()
        host = User(email="host@bench.example.org", name="Bench Host", is_organiser=True)
        db.session.add(host)
        db.session.commit()
        event = create_event(host, title="Bench meeting", venue="Hall", timezone="America/New_York")
        start = now.replace(second=0, microsecond=0) - dt.timedelta(hours=2)
        session = EventSession(title="Bench session", kind="live", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                               credit_quarter_hours=6, uan_pharmacist="0205-0000-26-014-L05-P")
        event.sessions.append(session)
        session.refresh_window()
        db.session.commit()
        bulk_claims(session, count, now)
        session_id = session.id
        db.session.remove()
        db.engine.dispose()
    return session_id


def states(db_url: str) -> dict[str, int]:
    import sqlalchemy as sa

    from claims.models import OutboxEntry
    from core.db import db

    app = app_for(db_url)
    with app.app_context():
        found = dict(db.session.execute(sa.select(OutboxEntry.state, sa.func.count()).group_by(OutboxEntry.state)).all())
        db.engine.dispose()
    return found


def start_standin() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "reporting" / "standin.py"), "0"],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    port = int(re.search(r"listening on (\d+)", line).group(1))
    return process, f"http://127.0.0.1:{port}"


def wait_measured(process: subprocess.Popen) -> tuple[int, float]:
    """Wait for a child; its exit status and its own peak RSS in MiB (Linux reports ru_maxrss in KiB)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024


def export_only(db_url: str, out: str) -> None:
    """Child-process entry: stream every claim to CSV and print rows, bytes and seconds."""
    from reporting.exports import stream_claims_csv

    app = app_for(db_url)
    started = time.perf_counter()
    size = rows = 0
    with app.app_context(), open(out, "w", encoding="utf-8", newline="") as fh:
        for chunk in stream_claims_csv(event_id=None):
            fh.write(chunk)
            size += len(chunk)
            rows += chunk.count("\n")
    print(json.dumps({"rows": rows - 1, "bytes": size, "seconds": time.perf_counter() - started}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes at once (PostgreSQL)")
    parser.add_argument("--batch", type=int, default=200, help="REPORTING_BATCH_SIZE")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a database is created on it for the run")
    parser.add_argument("--export-only", nargs=2, metavar=("DB_URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export_only(*args.export_only)
        return 0

    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-") as folder, contextlib.ExitStack() as cleanup:
        _, db_url = cleanup.enter_context(scratch_database(args.database_url, Path(folder), "reporting"))
        print(f"database: {db_url.split('@')[-1]}")

        started = time.perf_counter()
        seed(db_url, args.claims)
        print(f"seeded {args.claims:,} completed claims with outbox rows in {time.perf_counter() - started:.1f} s")

        standin, url = start_standin()
        cleanup.callback(standin.kill)
        from tests.reporting.standin import PASSWORD, USER

        env = {**os.environ, "DATABASE_URL": db_url, "FLASK_APP": "app", "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING",
               "REPORTING_METHOD": "service", "CPE_MONITOR_URL": f"{url}/cpe-monitor", "CPE_MONITOR_USER": USER,
               "CPE_MONITOR_PASSWORD": PASSWORD, "REPORTING_BATCH_SIZE": str(args.batch)}
        started = time.perf_counter()
        workers = [subprocess.Popen([BIN / "flask", "reporting", "worker", "--once"], cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL) for _ in range(args.workers)]
        results = [wait_measured(w) for w in workers]
        elapsed = time.perf_counter() - started
        with urllib.request.urlopen(f"{url}/counts") as response:
            counts = json.load(response)
        found = states(db_url)
        print(f"transmitted: {args.claims:,} claims in {elapsed:.1f} s with {args.workers} worker process(es), "
              f"batch {args.batch} → {args.claims / elapsed:,.0f} claims/s (including each worker's start-up)")
        print("worker peak RSS: " + ", ".join(f"{rss:.0f} MiB" for _, rss in results)
              + f"; exit codes {[code for code, _ in results]}")
        print(f"stand-in: {counts['credits']:,} credits from {counts['receipts']:,} requests, "
              f"{counts['duplicate_credits']} duplicate credits; outbox states: {found}")
        ok = counts["credits"] == args.claims and counts["duplicate_credits"] == 0 and found == {"accepted": args.claims}
        print("check: every claim credited exactly once" if ok else "CHECK FAILED")

        out = Path(folder) / "claims.csv"
        child = subprocess.Popen([sys.executable, __file__, "--export-only", db_url, str(out)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        report = json.loads(child.stdout.read())
        code, rss = wait_measured(child)
        print(f"export: {report['rows']:,} rows, {report['bytes'] / 2**20:.1f} MiB of CSV in {report['seconds']:.1f} s "
              f"→ {report['rows'] / report['seconds']:,.0f} rows/s; export process peak RSS {rss:.0f} MiB (exit {code})")
        return 0 if ok and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
