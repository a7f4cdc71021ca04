"""Exports: 100,000 claims of one event to CSV and to XLSX, the way the host's download writes them.

Seeds a fresh database (SQLite in a temporary folder, or PostgreSQL with
--database-url: a database is created for the run and dropped after) with
one event of 10 sessions and N claims, then, for each format:

- times the export alone (rows per second), and
- measures the Python memory it held at its peak (tracemalloc, in a second
  run, since tracing slows the code down).

With --baseline it also measures what reading every row into a list first
would have held, for comparison with the streamed export.

    .venv/bin/python bench/exports.py                      # SQLite, 100,000 claims
    .venv/bin/python bench/exports.py --claims 20000 --baseline
    .venv/bin/python bench/exports.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402


def seed(claims: int) -> int:
    import sqlalchemy as sa

    from accounts.models import User
    from claims.models import Claim, OutboxEntry
    from core.db import db
    from events.models import Event, EventSession

    now = dt.datetime(2026, 11, 21, 19, 0, tzinfo=dt.timezone.utc)
    event = Event(title="Bench Conference", venue="Hall", timezone="America/New_York", created_at=now)
    db.session.add(event)
    db.session.flush()
    sessions = []
    for n in range(10):
        start = now - dt.timedelta(hours=10 - n)
        session = EventSession(event_id=event.id, title=f"Session {n + 1}", kind="live", starts_at=start,
                               ends_at=start + dt.timedelta(hours=1), credit_quarter_hours=6,
                               uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T",
                               opens_at=start + dt.timedelta(hours=1), closes_at=start + dt.timedelta(days=60))
        db.session.add(session)
        sessions.append(session)
    db.session.commit()
    states = ["accepted", "pending", "rejected_fixable", "expired"]
    batch = 5000
    for first in range(0, claims, batch):
        ids = range(first, min(first + batch, claims))
        user_ids = db.session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"email": f"attendee{i}@bench.example", "name": f"Attendee {i:06d}", "profession": "pharmacist",
             "created_at": now, "is_admin": False, "is_organiser": False} for i in ids]).all()
        claim_ids = db.session.scalars(sa.insert(Claim).returning(Claim.id, sort_by_parameter_order=True), [
            {"user_id": user_id, "session_id": sessions[i % 10].id, "profession": "pharmacist",
             "uan": "0205-0000-26-014-L05-P", "credit_quarter_hours": 6, "learner_name": f"Attendee {i:06d}",
             "participation_date": dt.date(2026, 11, 21), "claimed_at": now} for i, user_id in zip(ids, user_ids)]).all()
        db.session.execute(sa.insert(OutboxEntry), [
            {"claim_id": cid, "target": "cpe_monitor", "state": states[cid % 4], "created_at": now} for cid in claim_ids])
        db.session.commit()
    return event.id


def csv_export(event_id: int) -> int:
    from reporting.exports import stream_claims_csv

    size = 0
    for line in stream_claims_csv(event_id):
        size += len(line)
    return size


def xlsx_export(event_id: int) -> int:
    from reporting.exports import FileChunks, claims_table, write_xlsx

    chunks = FileChunks(write_xlsx(claims_table(event_id)))
    try:
        return sum(len(chunk) for chunk in chunks)
    finally:
        chunks.close()


def everything_in_a_list(event_id: int) -> int:
    from reporting.exports import claims_table

    rows = list(claims_table(event_id).rows)
    assert rows
    return 0  # nothing written: this only holds the rows


def measure(name: str, work, event_id: int, claims: int) -> None:
    started = time.perf_counter()
    size = work(event_id)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    tracemalloc.reset_peak()
    work(event_id)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    output = f"output {size / 1e6:7.1f} MB" if size else " " * 17
    print(f"{name:<22} {claims / seconds:>10,.0f} rows/s  {seconds:6.2f} s  {output}  peak Python memory {peak / 1e6:6.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL server; a database is created on it for the run")
    parser.add_argument("--baseline", action="store_true", help="also read every row into a list, for comparison")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="claimdesk-bench-")
    try:
        with scratch_database(args.database_url, Path(folder), "exports") as (_, url):
            measure_exports(args, url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure_exports(args, url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from core.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BACKGROUND_TASKS": False,
                      "SOCKETIO_ASYNC_MODE": "threading", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        event_id = seed(args.claims)
        print(f"{db.engine.dialect.name}: seeded {args.claims:,} claims in {time.perf_counter() - started:.1f} s")
        measure("CSV (streamed)", csv_export, event_id, args.claims)
        measure("XLSX (constant memory)", xlsx_export, event_id, args.claims)
        if args.baseline:
            measure("all rows in a list", everything_in_a_list, event_id, args.claims)
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory of the whole process (seeding included): {peak_rss:.0f} MB")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
