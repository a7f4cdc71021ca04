"""Check-in rush: 20 desks scan badges of an event with 50,000 registrants, for a fixed time.

Starts ClaimDesk as users run it (gunicorn + gevent, one worker per process) on
SQLite in a temporary folder, or on PostgreSQL with --database-url (a database
is created for the run and dropped after). With --processes N (N > 1) it starts
N server processes behind an nginx and a redis-server of its own (REDIS_URL:
Socket.IO queue and rate-limit store), as README "Scaling" runs them.

Seeds an event with N registrants by bulk insert, one check-in volunteer per
desk and one desk device per desk (a token, as a host issues them). Desks work
through the API as a scanner app does (--auth token, the default:
`Authorization: Bearer <token>`, no cookie), or as the browser desk does
(--auth cookie: the volunteer's session cookie, the desk page fetched once for
its CSRF token, sent in X-CSRFToken):

    POST /api/v1/events/<id>/lists/<list>/scans    badges never scanned before (most), badges scanned
                                                   already (--repeat share), the same badge at two desks
                                                   at once, unknown codes
    GET  /api/v1/events/<id>/lists/<list>/search   the start of a name, a family name or an email

Scans run for --warmup seconds (not counted), then --duration seconds (the
measured phase); searches then have a phase of their own (--search-duration),
so each kind is measured alone: scans/s, the scans' p50/p95/p99 and the
server's CPU per scan count scans only, and searches get their own figures.
When every registrant has been checked in at the entrance, desks go on to the
sessions' doors (each a list of its own), so fresh check-ins never run out.

Server CPU per scan: the gunicorn processes' CPU time (master and workers,
utime + stime from /proc/<pid>/stat) during the measured phase, divided by the
scans answered in it. The machine is shared: the bench prints the load average.

Checks after: no one checked in twice on a list, one scan-log row per scan sent
(warm-up included), one check-in per "checked in" answer. Its last line sums
it up for comparing runs (errors: failed requests, plus any scan-log row or
check-in that does not match what the desks were told):

    checkin: auth=token desks=20 processes=1 db=sqlite scans_s=… p50_ms=… p99_ms=… cpu_ms_per_scan=… double_checkins=0 errors=0

    .venv/bin/python bench/checkin.py                                  # SQLite, 50,000 registrants, 20 desks, 30 s
    .venv/bin/python bench/checkin.py --rate 0 --registrants 5000 --duration 15    # as fast as it goes
    .venv/bin/python bench/checkin.py --rate 0 --registrants 5000 --duration 15 --auth cookie
    .venv/bin/python bench/checkin.py --together                       # every desk scans at the same moment
    .venv/bin/python bench/checkin.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --processes 2
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import (  # noqa: E402
    cpu_seconds, free_port, percentile, scratch_database, start_nginx, start_redis, start_servers, stop,
)

FIRST = ["Maya", "Omar", "Lee", "Ruth", "Anil", "Beatriz", "Chen", "Dmitri", "Esther", "Farid", "Grace", "Hiro",
         "Ines", "Jamal", "Keiko", "Luis", "Mina", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Tomas"]
LAST = ["Chen", "Diaz", "Park", "Okafor", "Schmidt", "Rossi", "Nguyen", "Kowalski", "Haddad", "Silva", "Ito",
        "Murphy", "Novak", "Fischer", "Moreau", "Costa", "Yilmaz", "Larsen", "Jensen", "Ahmed"]
SESSIONS = 12  # doors to go on to when everyone is in at the entrance


def make_app(db_url: str, secret: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "BACKGROUND_TASKS": False,
                       "SOCKETIO_ASYNC_MODE": "threading"})


# --- servers: CPU time and a proxy -------------------------------------------------

def gunicorn_pids(servers: list[subprocess.Popen]) -> list[int]:
    """Each gunicorn master (`cpu_seconds` adds its workers)."""
    return [server.pid for server in servers]


# --- the world -------------------------------------------------------------

def seed(db_url: str, secret: str, registrants: int, desks: int):
    """An event with sessions, N registrants, one volunteer and one desk device per desk.

    Returns (event id, list keys, badge tokens, names, cookies, device tokens)."""
    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from accounts.models import NameWord, User, name_word_rows
    from checkin import badge
    from checkin.devices import token_hash
    from checkin.models import DeskDevice, Registration, session_list
    from core import clock
    from core.db import db
    from events.models import Event, EventRole, EventSession

    app = make_app(db_url, secret)
    with app.app_context():
        now = clock.now()
        event = Event(title="Annual Pharmacy Meeting", venue="Hall A", timezone="America/Chicago")
        start, hour = now.replace(minute=0, second=0, microsecond=0), dt.timedelta(hours=1)
        for i in range(SESSIONS):
            event.sessions.append(EventSession(title=f"Session {i + 1}", kind="live", starts_at=start + i * hour,
                                               ends_at=start + (i + 1) * hour, credit_quarter_hours=4))
        for session in event.sessions:
            session.refresh_window()
        db.session.add(event)
        db.session.commit()
        password_hash = PasswordHasher().hash("bench password")  # one hash for all: hashing is not the point
        staff = [{"email": f"desk{i}@bench.test", "name": f"Volunteer {i}", "password_hash": password_hash,
                  "is_admin": False, "is_organiser": False, "created_at": now} for i in range(desks)]
        db.session.execute(sa.insert(User), staff)
        staff_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("desk%@bench.test"))
                                            .order_by(User.id)))
        db.session.execute(sa.insert(EventRole), [{"event_id": event.id, "user_id": i, "role": "checkin",
                                                   "granted_at": now} for i in staff_ids])
        device_tokens = [secrets.token_urlsafe(32) for _ in range(desks)]
        db.session.execute(sa.insert(DeskDevice), [
            {"event_id": event.id, "name": f"Desk {i + 1}", "token_sha256": token_hash(token), "issued_at": now,
             "issued_by_id": staff_ids[0]} for i, token in enumerate(device_tokens)])
        rng = random.Random(7)
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}" for i in range(registrants)]
        professions = ["pharmacist", "technician", "physician", "other"]
        for start_at in range(0, registrants, 5000):
            db.session.execute(sa.insert(User), [
                {"email": f"person{i}@bench.test", "name": names[i], "password_hash": None, "is_admin": False,
                 "is_organiser": False, "created_at": now, "profession": professions[i % 4]}
                for i in range(start_at, min(start_at + 5000, registrants))])
        user_ids = list(db.session.scalars(
            sa.select(User.id).where(User.email.like("person%@bench.test")).order_by(User.id)))
        for start_at in range(0, registrants, 5000):  # the words the desk searches, as an import adds them
            db.session.execute(sa.insert(NameWord), [row for uid, name in zip(user_ids[start_at:start_at + 5000],
                                                                              names[start_at:start_at + 5000])
                                                     for row in name_word_rows(uid, name)])
        tokens = [badge.new_token() for _ in user_ids]
        for start_at in range(0, len(user_ids), 5000):
            db.session.execute(sa.insert(Registration), [
                {"event_id": event.id, "user_id": uid, "badge_token": token, "source": "import", "registered_at": now}
                for uid, token in zip(user_ids[start_at:start_at + 5000], tokens[start_at:start_at + 5000])])
        db.session.commit()
        lists = ["entrance"] + [session_list(s.id) for s in event.sessions]
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"_user_id": str(i), "_fresh": False}) for i in staff_ids]
        return event.id, lists, tokens, names, cookies, device_tokens


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
        db.engine.dispose()
        return scans, checkins, doubled


# --- the load ------------------------------------------------------------------

class Results:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)  # measured phases only
        self.answers: Counter = Counter()
        self.errors: Counter = Counter()
        self.samples: list[str] = []
        self.scans_sent = 0  # every scan, warm-up included: each is one scan-log row
        self.retried = 0  # sent again with the same nonce after a dropped connection
        self.lists_used: set[str] = set()

    def error(self, kind: str, detail: str):
        self.errors[kind] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {detail}")


class Badges:
    """Hands out badges to desks: fresh ones, ones scanned already, and ones two desks scan at once.

    When every badge has been scanned on a list, desks go on to the next list (the sessions' doors)."""

    def __init__(self, tokens: list[str], lists: list[str], repeat: float, rng: random.Random):
        self.tokens, self.lists = tokens, list(lists)
        self.repeat, self.rng = repeat, rng
        self.list_key = self.lists.pop(0)
        self._refill()

    def _refill(self):
        self.fresh = list(self.tokens)
        self.rng.shuffle(self.fresh)
        self.scanned: list[str] = []
        self.shared: str | None = None

    def next(self) -> tuple[str, str, str]:
        """(kind, code, list key)."""
        roll = self.rng.random()
        if roll < 0.02:
            return "unknown", "".join(self.rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(28)), self.list_key
        if roll < 0.02 + self.repeat and self.scanned:
            return "repeat", self.rng.choice(self.scanned), self.list_key
        if roll < 0.07 + self.repeat and self.shared:  # a second desk scans the badge another desk has in hand
            token, self.shared = self.shared, None
            return "same moment", token, self.list_key
        if not self.fresh:
            if not self.lists:
                return "repeat", self.rng.choice(self.scanned), self.list_key
            self.list_key = self.lists.pop(0)
            self._refill()
        token = self.fresh.pop()
        self.scanned.append(token)
        if self.shared is None:
            self.shared = token
        return "fresh", token, self.list_key


class Phase:
    """A phase's moments on the perf_counter clock: requests answered between `start` and `end` count."""

    def __init__(self, start: float, end: float):
        self.start, self.end = start, end

    def counts(self, answered_at: float) -> bool:
        return self.start <= answered_at < self.end


async def open_desk(http, base: str, auth: str, cookie: str, device_token: str, event_id: int, results: Results):
    """A desk's HTTP session (kept alive, as a browser or an app does) and the headers it sends."""
    import aiohttp

    if auth == "token":
        return aiohttp.ClientSession(connector=http, connector_owner=False), {"Authorization": f"Bearer {device_token}"}
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({"session": cookie}, response_url=aiohttp.helpers.URL(base))
    web = aiohttp.ClientSession(connector=http, connector_owner=False, cookie_jar=jar)
    async with web.get(f"{base}/desk/events/{event_id}") as page:
        html = await page.text()
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    if not match:
        results.error("desk page", f"HTTP {page.status}, no CSRF token")
        await web.close()
        return None, None
    return web, {"X-CSRFToken": match.group(1)}


async def scanning_desk(web, headers, base: str, number: int, event_id: int, badges: Badges, rate: float,
                        phase: Phase, results: Results, rng: random.Random, together: bool):
    import aiohttp

    api = f"{base}/api/v1/events/{event_id}/lists"
    started = time.perf_counter()
    if rate and not together:
        # Volunteers at different desks do not scan in step: each desk starts at its own moment
        # within the first second. (--together keeps them in step: 20 scans arrive at once.)
        started += rng.random() / rate
    i = 0
    while time.perf_counter() < phase.end:
        if rate:
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # the desk's pace: the volunteer, not the server
            if time.perf_counter() >= phase.end:
                break
        i += 1
        kind, token, list_key = badges.next()
        results.lists_used.add(list_key)
        body = {"code": token, "nonce": uuid.uuid4().hex, "desk": f"Desk {number}"}
        t0 = time.perf_counter()
        results.scans_sent += 1
        for attempt in range(3):
            # As desk.js does: a scan whose answer was lost is sent again with the same nonce.
            try:
                async with web.post(f"{api}/{list_key}/scans", json=body, headers=headers) as response:
                    answer = await response.json(content_type=None)
                    answered = time.perf_counter()
                    if phase.counts(answered):
                        results.latency["scan"].append(answered - t0)
                    if response.status != 200:
                        results.error("scan", f"HTTP {response.status} {answer}")
                    else:
                        results.answers[(kind, answer["result"])] += 1
                break
            except aiohttp.ClientConnectionError as exc:
                results.retried += 1
                if attempt == 2:
                    results.error("scan", f"{type(exc).__name__} {exc}")


async def searching_desk(web, headers, base: str, event_id: int, names: list[str], rate: float, phase: Phase,
                         results: Results, rng: random.Random):
    api = f"{base}/api/v1/events/{event_id}/lists/entrance/search"
    started = time.perf_counter()
    i = 0
    while time.perf_counter() < phase.end:
        if rate:
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if time.perf_counter() >= phase.end:
                break
        i += 1
        name, roll = rng.choice(names), rng.random()
        if roll < 0.5:  # the start of the name: "Maya", "Maya C"
            query = name[:rng.randint(3, len(name.split()[0]) + 2)]
        elif roll < 0.8:  # the family name alone: "Chen", "Kowal"
            family = name.split()[1]
            query = family[:rng.randint(3, len(family))]
        else:  # the start of the email
            query = f"person{rng.randint(1, min(999, len(names) - 1))}"
        t0 = time.perf_counter()
        try:
            async with web.get(api, params={"q": query}, headers=headers) as response:
                found = await response.json(content_type=None)
                answered = time.perf_counter()
                if phase.counts(answered):
                    results.latency["search"].append(answered - t0)
                if response.status != 200 or not found["results"]:
                    results.error("search", f"HTTP {response.status} q={query!r} {str(found)[:120]}")
        except Exception as exc:
            results.error("search", f"{type(exc).__name__} {exc}")


async def measure_cpu(phase: Phase, pids: list[int]) -> float:
    """The servers' CPU seconds between the phase's start and end."""
    await asyncio.sleep(max(0.0, phase.start - time.perf_counter()))
    before = cpu_seconds(pids)
    await asyncio.sleep(max(0.0, phase.end - time.perf_counter()))
    return cpu_seconds(pids) - before


async def rush(args, base: str, event_id: int, lists, tokens, names, cookies, device_tokens,
               pids: list[int]) -> tuple[Results, dict]:
    import aiohttp

    results = Results()
    rng = random.Random(11)
    badges = Badges(tokens, lists, args.repeat, rng)
    http = aiohttp.TCPConnector(limit=0)  # each desk keeps its connection, as a browser or an app does
    desks = [await open_desk(http, base, args.auth, cookie, device_token, event_id, results)
             for cookie, device_token in zip(cookies, device_tokens)]
    desks = [(web, headers) for web, headers in desks if web is not None]
    figures = {}
    try:
        now = time.perf_counter()
        scanning = Phase(now + args.warmup, now + args.warmup + args.duration)
        cpu = asyncio.create_task(measure_cpu(scanning, pids))
        await asyncio.gather(*(scanning_desk(web, headers, base, n + 1, event_id, badges, args.rate, scanning,
                                             results, random.Random(n), args.together)
                               for n, (web, headers) in enumerate(desks)))
        figures["scan_cpu"] = await cpu
        figures["scan_seconds"] = args.duration
        if args.search_duration > 0:
            now = time.perf_counter()
            searching = Phase(now + 1.0, now + 1.0 + args.search_duration)  # 1 s to settle, not counted
            cpu = asyncio.create_task(measure_cpu(searching, pids))
            await asyncio.gather(*(searching_desk(web, headers, base, event_id, names, args.rate, searching,
                                                  results, random.Random(100 + n))
                                   for n, (web, headers) in enumerate(desks)))
            figures["search_cpu"] = await cpu
            figures["search_seconds"] = args.search_duration
    finally:
        for web, _ in desks:
            await web.close()
        await http.close()
    return results, figures


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
        if values:
            print(f"  {step:10} {len(values):6d} {percentile(values, 50) * 1000:8.1f} "
                  f"{percentile(values, 95) * 1000:8.1f} {percentile(values, 99) * 1000:8.1f} {max(values) * 1000:8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrants", type=int, default=50_000)
    parser.add_argument("--desks", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of scanning measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of scanning before, not counted")
    parser.add_argument("--search-duration", type=float, default=5.0,
                        help="seconds of name searches measured after the scans (0: none)")
    parser.add_argument("--rate", type=float, default=1.0,
                        help="scans (or searches) per second per desk (0: as fast as the server answers)")
    parser.add_argument("--repeat", type=float, default=0.15, help="share of scans of a badge scanned before")
    parser.add_argument("--together", action="store_true",
                        help="all desks scan in step (the worst case: every desk's scan arrives at the same moment)")
    parser.add_argument("--auth", choices=("token", "cookie"), default="token",
                        help="token: desk devices' bearer tokens; cookie: volunteers' session cookie + CSRF token")
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes; more than one puts them behind an nginx and adds a Redis")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a database is created on it for the run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="claimdesk-checkin-"))
    secret = uuid.uuid4().hex
    started: list[subprocess.Popen] = []
    try:
        with scratch_database(args.database_url, folder, "checkin") as (server_url, db_url):
            try:
                return prepare_and_run(args, folder, secret, server_url, db_url, started)
            finally:
                stop(started)  # before the scratch database is dropped
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare_and_run(args, folder: Path, secret: str, server_url: str, db_url: str, started: list) -> int:
    env = {**os.environ, "DATABASE_URL": server_url, "SECRET_KEY": secret, "FLASK_APP": "app",
           "LOG_LEVEL": "WARNING"}
    if args.processes > 1:
        env["REDIS_URL"], redis = start_redis(folder)
        started.append(redis)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    database = "postgresql" if args.database_url else "sqlite"
    print(f"seeding {args.registrants} registrants, {args.desks} desk volunteers and devices on {database} …",
          flush=True)
    t0 = time.perf_counter()
    event_id, lists, tokens, names, cookies, device_tokens = seed(db_url, secret, args.registrants, args.desks)
    print(f"  seeded in {time.perf_counter() - t0:.1f} s", flush=True)
    ports = [free_port() for _ in range(args.processes)]
    log = open(folder / "server.log", "w")
    try:
        servers = start_servers(ports, env, log)
        started += servers
        if args.processes > 1:
            port, nginx = start_nginx(ports, folder)
            started.append(nginx)
        else:
            port = ports[0]
        return run(args, f"http://127.0.0.1:{port}", event_id, lists, tokens, names, cookies, device_tokens,
                   database, db_url, secret, servers, folder)
    finally:
        log.close()


def run(args, base, event_id, lists, tokens, names, cookies, device_tokens, database, db_url, secret, servers,
        folder) -> int:
    pace = f"{args.rate:g} a second each" if args.rate else "as fast as the server answers"
    if args.rate:
        pace += ", all in step" if args.together else ", each desk at its own moment"
    pids = gunicorn_pids(servers)
    print(f"{args.processes} server process(es){' behind nginx, with Redis' if args.processes > 1 else ''} "
          f"(gunicorn pids {', '.join(map(str, pids))}) on {base}; {args.desks} desks ({args.auth}) scan "
          f"{pace}: {args.warmup:g} s warm-up, {args.duration:g} s measured, then {args.search_duration:g} s of "
          f"searches; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} …", flush=True)
    results, figures = asyncio.run(rush(args, base, event_id, lists, tokens, names, cookies, device_tokens, pids))
    load_after = os.getloadavg()

    scans = results.latency["scan"]
    scans_s = len(scans) / figures["scan_seconds"]
    cpu_ms_per_scan = figures["scan_cpu"] * 1000 / len(scans) if scans else float("nan")
    print(f"\n{database}: {len(scans)} scans answered in the {figures['scan_seconds']:g} s measured: "
          f"{scans_s:.0f} scans/s; server CPU {figures['scan_cpu']:.2f} s = {cpu_ms_per_scan:.2f} ms per scan "
          f"({results.scans_sent} scans sent in all, warm-up included; lists used: {len(results.lists_used)})")
    searches = results.latency["search"]
    if searches:
        print(f"  searches: {len(searches)} in {figures['search_seconds']:g} s: "
              f"{len(searches) / figures['search_seconds']:.0f}/s; server CPU "
              f"{figures['search_cpu'] * 1000 / len(searches):.2f} ms per search")
    for (kind, answer), n in sorted(results.answers.items()):
        print(f"  {kind:12} → {answer:20} {n:6d}")
    print(f"  errors {sum(results.errors.values())} {dict(results.errors)}; "
          f"sent again with the same nonce after a dropped connection: {results.retried}")
    for sample in results.samples:
        print(f"    {sample}")
    report("latency (ms), measured phases:", {"scan": scans, "search": searches})
    report(f"baseline: bare /health/live, 2000 requests from {args.desks} clients at once (ms):",
           {"health": asyncio.run(bare(base, 2000, args.desks))})
    logged, checkins, doubled = check_database(db_url, secret, event_id)
    made = sum(n for (kind, answer), n in results.answers.items() if answer == "checked_in")
    ok = logged == results.scans_sent and doubled == 0 and checkins == made
    print(f"\nscan-log rows {logged} (scans sent {results.scans_sent}); check-ins {checkins} (answers 'checked in' "
          f"{made}); people checked in twice on a list: {doubled} — {'OK' if ok else 'MISMATCH'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
    if any(server.poll() is not None for server in servers):
        print("a server process stopped; its log:\n" + (folder / "server.log").read_text()[-3000:])
    # Failed requests, plus scan-log rows and check-ins that do not match what the desks were told.
    errors = sum(results.errors.values()) + abs(logged - results.scans_sent) + abs(checkins - made)
    p50, p99 = percentile(scans, 50) * 1000, percentile(scans, 99) * 1000
    print(f"checkin: auth={args.auth} desks={args.desks} processes={args.processes} db={database} "
          f"scans_s={scans_s:.0f} p50_ms={p50:.1f} p99_ms={p99:.1f} cpu_ms_per_scan={cpu_ms_per_scan:.2f} "
          f"double_checkins={doubled} errors={errors}")
    return 0 if ok and not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())
