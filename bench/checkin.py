"""Check-in rush: 20 desks scan badges of an event with 50,000 registrants.

Starts ClaimDesk as users run it (gunicorn + gevent, one worker) on SQLite in a
temporary folder, or on PostgreSQL with --database-url (a database is created
for the run and dropped after). Seeds an event with N registrants by bulk
insert, and one logged-in check-in volunteer per desk. Each desk opens the
desk page once (for its CSRF token, as the browser does), then works through
the API exactly as static/js/desk.js does:

    POST /api/v1/events/<id>/lists/entrance/scans      badges never scanned before (most),
                                                       badges scanned already (--repeat share),
                                                       the same badge at two desks at once, unknown codes
    GET  /api/v1/events/<id>/lists/entrance/search?q=  the start of a name, a family name or an email
                                                       (every --search-every scans)

Desks scan at --rate scans per second each (a fast volunteer with a scanner
does about 1; 0 = as fast as the server answers, to find the ceiling). Prints
scans/s, p50/p95/p99 for scan and for search, and checks the database after:
at most one check-in per person and list, and one scan-log row per scan sent.

    .venv/bin/python bench/checkin.py                           # SQLite, 50,000 registrants, 20 desks
    .venv/bin/python bench/checkin.py --rate 0                  # as fast as it goes
    .venv/bin/python bench/checkin.py --together                # every desk scans at the same moment
    .venv/bin/python bench/checkin.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import free_port, percentile, scratch_database, start_servers, stop  # noqa: E402

FIRST = ["Maya", "Omar", "Lee", "Ruth", "Anil", "Beatriz", "Chen", "Dmitri", "Esther", "Farid", "Grace", "Hiro",
         "Ines", "Jamal", "Keiko", "Luis", "Mina", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Tomas"]
LAST = ["Chen", "Diaz", "Park", "Okafor", "Schmidt", "Rossi", "Nguyen", "Kowalski", "Haddad", "Silva", "Ito",
        "Murphy", "Novak", "Fischer", "Moreau", "Costa", "Yilmaz", "Larsen", "Jensen", "Ahmed"]


def make_app(db_url: str, secret: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "BACKGROUND_TASKS": False,
                       "SOCKETIO_ASYNC_MODE": "threading"})


# --- the world -------------------------------------------------------------

def seed(db_url: str, secret: str, registrants: int, desks: int):
    """An event with N registrants and one volunteer per desk; returns (event id, tokens, names, cookies)."""
    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from accounts.models import NameWord, User, name_word_rows
    from checkin import badge
    from checkin.models import Registration
    from core import clock
    from core.db import db
    from events.models import Event, EventRole

    app = make_app(db_url, secret)
    with app.app_context():
        now = clock.now()
        event = Event(title="Annual Pharmacy Meeting", venue="Hall A", timezone="America/Chicago")
        db.session.add(event)
        db.session.commit()
        password_hash = PasswordHasher().hash("bench password")  # one hash for all: hashing is not the point
        staff = [{"email": f"desk{i}@bench.test", "name": f"Volunteer {i}", "password_hash": password_hash,
                  "is_admin": False, "is_organiser": False, "created_at": now} for i in range(desks)]
        db.session.execute(sa.insert(User), staff)
        staff_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("desk%@bench.test"))))
        db.session.execute(sa.insert(EventRole), [{"event_id": event.id, "user_id": i, "role": "checkin",
                                                   "granted_at": now} for i in staff_ids])
        rng = random.Random(7)
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}" for i in range(registrants)]
        professions = ["pharmacist", "technician", "physician", "other"]
        for start in range(0, registrants, 5000):
            db.session.execute(sa.insert(User), [
                {"email": f"person{i}@bench.test", "name": names[i], "password_hash": None, "is_admin": False,
                 "is_organiser": False, "created_at": now, "profession": professions[i % 4]}
                for i in range(start, min(start + 5000, registrants))])
        user_ids = list(db.session.scalars(
            sa.select(User.id).where(User.email.like("person%@bench.test")).order_by(User.id)))
        for start in range(0, registrants, 5000):  # the words the desk searches, as an import adds them
            db.session.execute(sa.insert(NameWord), [row for uid, name in zip(user_ids[start:start + 5000],
                                                                              names[start:start + 5000])
                                                     for row in name_word_rows(uid, name)])
        tokens = [badge.new_token() for _ in user_ids]
        for start in range(0, len(user_ids), 5000):
            db.session.execute(sa.insert(Registration), [
                {"event_id": event.id, "user_id": uid, "badge_token": token, "source": "import", "registered_at": now}
                for uid, token in zip(user_ids[start:start + 5000], tokens[start:start + 5000])])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"_user_id": str(i), "_fresh": False}) for i in staff_ids]
        return event.id, tokens, names, cookies


def check_database(db_url: str, secret: str, event_id: int) -> tuple[int, int, int]:
    """(scan-log rows, check-ins, people checked in more than once on one list)."""
    import sqlalchemy as sa

    from checkin.models import Checkin, CheckinScan
    from core.db import db

    app = make_app(db_url, secret)
    with app.app_context():
        scans = db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan).where(CheckinScan.event_id == event_id))
        checkins = db.session.scalar(sa.select(sa.func.count()).select_from(Checkin).where(Checkin.event_id == event_id))
        doubled = db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.select(Checkin.user_id).where(Checkin.event_id == event_id)
            .group_by(Checkin.list_key, Checkin.user_id).having(sa.func.count() > 1).subquery()))
        return scans, checkins, doubled


# --- the load ------------------------------------------------------------------

class Results:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.answers: Counter = Counter()
        self.errors: Counter = Counter()
        self.samples: list[str] = []
        self.scans_sent = 0
        self.retried = 0  # sent again with the same nonce after a dropped connection

    def error(self, kind: str, detail: str):
        self.errors[kind] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {detail}")


class Badges:
    """Hands out badges to desks: fresh ones, ones scanned already, and ones two desks scan at once."""

    def __init__(self, tokens: list[str], repeat: float, rng: random.Random):
        self.fresh = list(tokens)
        rng.shuffle(self.fresh)
        self.scanned: list[str] = []
        self.repeat, self.rng = repeat, rng
        self.shared: str | None = None

    def next(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.02:
            return "unknown", "".join(self.rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(28))
        if roll < 0.02 + self.repeat and self.scanned:
            return "repeat", self.rng.choice(self.scanned)
        if roll < 0.07 + self.repeat and self.shared:  # a second desk scans the badge another desk has in hand
            token, self.shared = self.shared, None
            return "same moment", token
        token = self.fresh.pop()
        self.scanned.append(token)
        if self.shared is None:
            self.shared = token
        return "fresh", token


async def desk(http, base: str, cookie: str, number: int, event_id: int, badges: Badges, names: list[str],
               scans: int, rate: float, search_every: int, results: Results, rng: random.Random,
               together: bool = False):
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({"session": cookie}, response_url=aiohttp.helpers.URL(base))
    async with aiohttp.ClientSession(connector=http, connector_owner=False, cookie_jar=jar) as web:
        async with web.get(f"{base}/desk/events/{event_id}") as page:
            html = await page.text()
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        if not match:
            results.error("desk page", f"HTTP {page.status}, no CSRF token")
            return
        headers = {"X-CSRFToken": match.group(1)}
        api = f"{base}/api/v1/events/{event_id}/lists/entrance"
        started = time.perf_counter()
        if rate and not together:
            # Volunteers at different desks do not scan in step: each desk starts at its own moment
            # within the first second. (--together keeps them in step: 20 scans arrive at once.)
            started += rng.random() / rate
        for i in range(scans):
            if rate:
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)  # the desk's pace: the volunteer, not the server
            kind, token = badges.next()
            body = {"code": token, "nonce": uuid.uuid4().hex, "desk": f"Desk {number}"}
            t0 = time.perf_counter()
            results.scans_sent += 1
            for attempt in range(3):
                # As desk.js does: a scan whose answer was lost is sent again with the same nonce.
                try:
                    async with web.post(f"{api}/scans", json=body, headers=headers) as response:
                        answer = await response.json(content_type=None)
                        results.latency["scan"].append(time.perf_counter() - t0)
                        if response.status != 200:
                            results.error("scan", f"HTTP {response.status} {answer}")
                        else:
                            results.answers[(kind, answer["result"])] += 1
                    break
                except aiohttp.ClientConnectionError as exc:
                    results.retried += 1
                    if attempt == 2:
                        results.error("scan", f"{type(exc).__name__} {exc}")
            if search_every and i % search_every == search_every - 1:
                name, roll = rng.choice(names), rng.random()
                if roll < 0.5:  # the start of the name: "Maya", "Maya C"
                    query = name[:rng.randint(3, len(name.split()[0]) + 2)]
                elif roll < 0.8:  # the family name alone: "Chen", "Kowal"
                    family = name.split()[1]
                    query = family[:rng.randint(3, len(family))]
                else:  # the start of the email
                    query = f"person{rng.randint(1, 999)}"
                t0 = time.perf_counter()
                try:
                    async with web.get(f"{api}/search", params={"q": query}) as response:
                        found = await response.json(content_type=None)
                        results.latency["search"].append(time.perf_counter() - t0)
                        if response.status != 200 or not found["results"]:
                            results.error("search", f"HTTP {response.status} q={query!r} {str(found)[:120]}")
                except Exception as exc:
                    results.error("search", f"{type(exc).__name__} {exc}")


async def rush(base: str, event_id: int, tokens, names, cookies, scans: int, rate: float, repeat: float,
               search_every: int, together: bool = False) -> tuple[Results, float]:
    import aiohttp

    results = Results()
    rng = random.Random(11)
    badges = Badges(tokens, repeat, rng)
    http = aiohttp.TCPConnector(limit=0)  # each desk keeps its connection, as a browser does
    started = time.perf_counter()
    await asyncio.gather(*(desk(http, base, cookie, n + 1, event_id, badges, names, scans, rate, search_every, results,
                                random.Random(n), together) for n, cookie in enumerate(cookies)))
    duration = time.perf_counter() - started
    await http.close()
    return results, duration


async def bare(base: str, count: int, concurrency: int) -> list[float]:
    """The same server's /health/live, for a baseline of what this (shared) machine gives right now."""
    import aiohttp

    latencies: list[float] = []
    queue = iter(range(count))
    async with aiohttp.ClientSession() as web:
        async def worker():
            for _ in queue:
                t0 = time.perf_counter()
                async with web.get(base + "/health/live") as response:
                    await response.read()
                latencies.append(time.perf_counter() - t0)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def report(title: str, latencies: dict[str, list[float]]):
    print(f"\n{title}")
    print(f"  {'request':10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for step, values in latencies.items():
        print(f"  {step:10} {len(values):6d} {percentile(values, 50) * 1000:8.1f} {percentile(values, 95) * 1000:8.1f}"
              f" {percentile(values, 99) * 1000:8.1f} {max(values) * 1000:8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrants", type=int, default=50_000)
    parser.add_argument("--desks", type=int, default=20)
    parser.add_argument("--scans", type=int, default=100, help="scans per desk")
    parser.add_argument("--rate", type=float, default=1.0, help="scans per second per desk (0: as fast as possible)")
    parser.add_argument("--repeat", type=float, default=0.15, help="share of scans of a badge scanned before")
    parser.add_argument("--search-every", type=int, default=5, help="a name search after every N scans (0: none)")
    parser.add_argument("--together", action="store_true",
                        help="all desks scan in step (the worst case: every desk's scan arrives at the same moment)")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a database is created on it for the run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="claimdesk-checkin-"))
    secret = uuid.uuid4().hex
    with scratch_database(args.database_url, folder, "checkin") as (server_url, db_url):
        env = {**os.environ, "DATABASE_URL": server_url, "SECRET_KEY": secret, "FLASK_APP": "app",
               "LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        database = "PostgreSQL" if args.database_url else "SQLite"
        print(f"seeding {args.registrants} registrants and {args.desks} desk volunteers on {database} …", flush=True)
        t0 = time.perf_counter()
        event_id, tokens, names, cookies = seed(db_url, secret, args.registrants, args.desks)
        print(f"  seeded in {time.perf_counter() - t0:.1f} s", flush=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with open(folder / "server.log", "w") as log:
            servers = start_servers([port], env, log)
            try:
                return run(args, base, event_id, tokens, names, cookies, database, db_url, secret, servers[0].pid)
            finally:
                stop(servers)


def run(args, base, event_id, tokens, names, cookies, database, db_url, secret, pid) -> int:
    pace = f"{args.rate:g} scans/s each" if args.rate else "as fast as the server answers"
    if args.rate:
        pace += ", all in step" if args.together else ", each desk at its own moment"
    print(f"server pid {pid} on {base}; {args.desks} desks × {args.scans} scans, {pace}, "
          f"a search every {args.search_every} scans …", flush=True)
    results, duration = asyncio.run(rush(base, event_id, tokens, names, cookies, args.scans, args.rate,
                                         args.repeat, args.search_every, args.together))

    print(f"\n{database}: {results.scans_sent} scans + {len(results.latency['search'])} searches from "
          f"{args.desks} desks in {duration:.1f} s: {results.scans_sent / duration:.0f} scans/s")
    for (kind, answer), n in sorted(results.answers.items()):
        print(f"  {kind:12} → {answer:20} {n:6d}")
    print(f"  errors {sum(results.errors.values())} {dict(results.errors)}; "
          f"sent again with the same nonce after a dropped connection: {results.retried}")
    for sample in results.samples:
        print(f"    {sample}")
    report("latency (ms):", results.latency)
    report(f"baseline: bare /health/live, 2000 requests from {args.desks} clients at once (ms):",
           {"health": asyncio.run(bare(base, 2000, args.desks))})
    scans, checkins, doubled = check_database(db_url, secret, event_id)
    made = sum(n for (kind, answer), n in results.answers.items() if answer == "checked_in")
    ok = scans == results.scans_sent and doubled == 0 and checkins == made
    print(f"\nscan-log rows {scans} (scans sent {results.scans_sent}); check-ins {checkins} (answers 'checked in' "
          f"{made}); people checked in twice on a list: {doubled} — {'OK' if ok else 'MISMATCH'}")
    return 0 if ok and not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())
