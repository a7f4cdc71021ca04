"""Stampede: 5,000 attendees claim credit for one session within a minute.

Starts ClaimDesk as users run it (gunicorn + gevent, one worker), on SQLite in
a temporary folder, or on PostgreSQL with --database-url (a database is
created for the run and dropped after). Seeds one ended session and N
attendees who are already logged in (as they would be, having registered at
the start of the meeting), then has them arrive evenly over --over seconds,
each going through HTTP exactly as a phone does:

    QR landing (GET /live?code=…) → code (POST) → course evaluation (GET, POST)
    → speaker evaluation (GET, POST) → claim (GET, POST)

Prints throughput, p50/p95/p99 latency per step and errors, measures a bare
endpoint (/health/live) of the same server in the same run for a ratio, and
checks in the database that exactly N claims exist.

    .venv/bin/python bench/stampede.py                       # SQLite, 5,000 over 60 s
    .venv/bin/python bench/stampede.py --attendees 500 --over 10
    .venv/bin/python bench/stampede.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/stampede.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --processes 2

With --processes N (N > 1) it starts N server processes and a redis-server of
its own on a free port (REDIS_URL: Socket.IO queue and rate-limit store), and
spreads the attendees over the processes' ports as a proxy would (attendee i
goes to process i mod N, and stays there).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import free_port, percentile, scratch_database, start_servers, stop  # noqa: E402


class FormReader(HTMLParser):
    """The page's main POST form (not the header's log-out): its action and the values a phone would send."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.done = False
        self.action = None
        self.fields: dict[str, str] = {}
        self.radios: dict[str, list[str]] = defaultdict(list)
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post" and not self.in_form \
                and not (a.get("action") or "").endswith("/logout"):  # the header's log-out button
            self.in_form, self.action = True, a.get("action")
        elif self.in_form and tag == "input":
            kind, name = (a.get("type") or "text").lower(), a.get("name")
            if not name or kind == "submit":
                return
            if kind == "radio":
                self.radios[name].append(a.get("value") or "")
            elif kind == "checkbox":
                if "checked" in a:
                    self.fields[name] = a.get("value") or "y"
            else:
                self.fields.setdefault(name, a.get("value") or "")
        elif self.in_form and tag == "textarea":
            self.textarea = a.get("name")
            self.fields.setdefault(self.textarea, "")

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        if tag == "textarea":
            self.textarea = None

    def values(self, choose) -> dict[str, str]:
        data = dict(self.fields)
        for name, options in self.radios.items():
            data[name] = choose(name, options)
        return data


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def pick(name: str, options: list[str]) -> str:
    if "pharmacist" in options:
        return "pharmacist"
    return "4" if "4" in options else options[0]


# --- the world -------------------------------------------------------------

def seed(db_url: str, secret: str, attendees: int):
    """One ended session and N logged-in pharmacists; returns (code, session id, cookies)."""
    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from app import create_app
    from accounts.models import User
    from codes.models import SessionCode
    from core import clock
    from core.db import db
    from events.models import Event, EventSession, Speaker
    from events.signals import session_created

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "BACKGROUND_TASKS": False,
                      "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        now = clock.now().replace(second=0, microsecond=0)
        event = Event(title="Stampede meeting", venue="Hall A", timezone="America/Chicago")
        session = EventSession(title="Closing keynote", kind="live", starts_at=now - dt.timedelta(minutes=61),
                               ends_at=now - dt.timedelta(minutes=1), credit_quarter_hours=6,
                               uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T")
        session.speakers = [Speaker(name="Dr. Keynote", position=0)]
        event.sessions.append(session)
        session.refresh_window()
        db.session.add(event)
        db.session.flush()
        session_created.send(session)
        db.session.commit()
        password_hash = PasswordHasher().hash("stampede password")  # one hash for all: hashing 5,000 is not the point
        db.session.execute(sa.insert(User), [
            {"email": f"a{i}@stampede.test", "name": f"Attendee {i}", "password_hash": password_hash,
             "is_admin": False, "is_organiser": False, "created_at": now, "profession": "pharmacist",
             "eprofile_id": str(1000000 + i), "birth_mmdd": f"{i % 12 + 1:02d}{i % 28 + 1:02d}"}
            for i in range(attendees)
        ])
        db.session.commit()
        ids = [row[0] for row in db.session.execute(sa.select(User.id).order_by(User.id))]
        code = db.session.scalar(db.select(SessionCode.code).where(SessionCode.session_id == session.id))
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"_user_id": str(i), "_fresh": False}) for i in ids]
        return code, session.id, cookies


def count_claims(db_url: str, secret: str, session_id: int) -> tuple[int, int]:
    import sqlalchemy as sa

    from app import create_app
    from claims.models import Claim, OutboxEntry
    from core.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "BACKGROUND_TASKS": False,
                      "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        claims = db.session.scalar(sa.select(sa.func.count()).select_from(Claim).where(Claim.session_id == session_id))
        outbox = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry))
        return claims, outbox


# --- the load ------------------------------------------------------------------

class Results:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.completed = 0
        self.requests = 0

    def error(self, step: str, detail: str):
        self.errors[step] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{step}: {detail}")


async def attendee(http, base: str, cookie: str, code: str, results: Results, cookie_name: str):
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({cookie_name: cookie}, response_url=aiohttp.helpers.URL(base))
    async with aiohttp.ClientSession(connector=http, connector_owner=False, cookie_jar=jar) as web:
        async def call(step, method, path, data=None, expect=200):
            started = time.perf_counter()
            try:
                async with web.request(method, base + path, data=data, allow_redirects=False) as response:
                    body = await response.text()
                    elapsed = time.perf_counter() - started
                    results.requests += 1
                    results.latency[step].append(elapsed)
                    if response.status != expect:
                        snippet = re.sub(r"\s+", " ", body)[:160]
                        results.error(step, f"HTTP {response.status} {path} {snippet}")
                        return None, None
                    return body, response.headers.get("Location")
            except Exception as exc:  # a refused connection or a timeout is an error, not a crash
                results.error(step, f"{type(exc).__name__} {exc}")
                return None, None

        page, _ = await call("landing", "GET", f"/live?code={code}")
        if page is None:
            return
        form = read_form(page)
        _, location = await call("code", "POST", "/live", {**form.values(pick), "code": code}, 302)
        for step in ("course", "speaker", "claim"):
            if not location:
                return
            page, _ = await call(f"{step}_form", "GET", location)
            if page is None:
                return
            form = read_form(page)
            _, location = await call(f"{step}_submit", "POST", form.action or location, form.values(pick), 302)
        if location and "/training/" in location:
            results.completed += 1


async def bare(http, bases: list[str], count: int, concurrency: int) -> list[float]:
    import aiohttp

    latencies = []
    queue = iter(range(count))
    async with aiohttp.ClientSession(connector=http, connector_owner=False) as web:
        async def worker(base):
            for _ in queue:
                started = time.perf_counter()
                async with web.get(base + "/health/live") as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)
        await asyncio.gather(*(worker(bases[i % len(bases)]) for i in range(concurrency)))
    return latencies


async def stampede(bases: list[str], code: str, cookies: list[str], over: float, cookie_name: str) -> tuple[Results, float]:
    import aiohttp

    results = Results()
    http = aiohttp.TCPConnector(limit=0, force_close=True)  # no keep-alive race with the server closing idle connections
    started = time.perf_counter()
    tasks = []
    for i, cookie in enumerate(cookies):
        delay = started + i * over / len(cookies) - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # arrivals spread over the minute: that is the load, not a wait in a test
        tasks.append(asyncio.create_task(attendee(http, bases[i % len(bases)], cookie, code, results, cookie_name)))
    await asyncio.gather(*tasks)
    duration = time.perf_counter() - started
    await http.close()
    return results, duration


async def measure_bare(bases: list[str], count: int, concurrency: int) -> tuple[list[float], float]:
    import aiohttp

    http = aiohttp.TCPConnector(limit=0)
    started = time.perf_counter()
    latencies = await bare(http, bases, count, concurrency)
    duration = time.perf_counter() - started
    await http.close()
    return latencies, duration


def report_latencies(title: str, latencies: dict[str, list[float]]):
    print(f"\n{title}")
    print(f"  {'step':16} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    everything = []
    for step, values in latencies.items():
        everything += values
        print(f"  {step:16} {len(values):6d} {percentile(values, 50) * 1000:8.1f} {percentile(values, 95) * 1000:8.1f}"
              f" {percentile(values, 99) * 1000:8.1f} {max(values) * 1000:8.1f}")
    if everything:
        print(f"  {'all requests':16} {len(everything):6d} {percentile(everything, 50) * 1000:8.1f} "
              f"{percentile(everything, 95) * 1000:8.1f} {percentile(everything, 99) * 1000:8.1f} {max(everything) * 1000:8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attendees", type=int, default=5000)
    parser.add_argument("--over", type=float, default=60.0, help="seconds over which attendees arrive")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a database is created on it for the run")
    parser.add_argument("--bare-requests", type=int, default=20000)
    parser.add_argument("--bare-concurrency", type=int, default=50)
    parser.add_argument("--processes", type=int, default=1, help="server processes; more than one adds a Redis")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="claimdesk-stampede-"))
    secret = uuid.uuid4().hex
    with scratch_database(args.database_url, folder, "stampede") as (server_url, db_url), \
            open(folder / "server.log", "w") as log:
        env = {**os.environ, "DATABASE_URL": server_url, "SECRET_KEY": secret, "FLASK_APP": "app",
               "LOG_LEVEL": "WARNING"}
        started: list[subprocess.Popen] = []
        try:
            if args.processes > 1:
                redis_port = free_port()
                started.append(subprocess.Popen(
                    ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                     "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            print(f"seeding {args.attendees} attendees on {'PostgreSQL' if args.database_url else 'SQLite'} …",
                  flush=True)
            code, session_id, cookies = seed(db_url, secret, args.attendees)
            ports = [free_port() for _ in range(args.processes)]
            started += start_servers(ports, env, log)
            return run(args, [f"http://127.0.0.1:{port}" for port in ports], code, session_id, cookies, db_url, secret)
        finally:
            stop(started)


def run(args, bases: list[str], code: str, session_id: int, cookies: list[str], db_url: str, secret: str) -> int:
    cookie_name = "session"  # Flask's default SESSION_COOKIE_NAME
    print(f"{args.processes} server process(es){' + Redis' if args.processes > 1 else ''} on {', '.join(bases)}; "
          f"{args.attendees} attendees arrive over {args.over:.0f} s …", flush=True)
    results, duration = asyncio.run(stampede(bases, code, cookies, args.over, cookie_name))
    bare_latencies, bare_duration = asyncio.run(measure_bare(bases, args.bare_requests, args.bare_concurrency))

    print(f"\nstampede: {args.attendees} attendees over {args.over:.0f} s, finished in {duration:.1f} s")
    print(f"  requests {results.requests}, {results.requests / duration:.0f} req/s; journeys completed {results.completed}")
    print(f"  errors {sum(results.errors.values())} {dict(results.errors)}")
    for sample in results.samples:
        print(f"    {sample}")
    report_latencies("latency per step (ms):", results.latency)
    report_latencies(f"bare endpoint /health/live, {args.bare_requests} requests at concurrency {args.bare_concurrency}:",
                     {"health/live": bare_latencies})
    bare_p99 = percentile(bare_latencies, 99)
    all_latencies = [v for values in results.latency.values() for v in values]
    print(f"  bare throughput {len(bare_latencies) / bare_duration:.0f} req/s")
    if all_latencies:
        print(f"  ratio p50 stampede/bare {statistics.median(all_latencies) / statistics.median(bare_latencies):.1f}x, "
              f"p99 {percentile(all_latencies, 99) / bare_p99:.1f}x")
    claims, outbox = count_claims(db_url, secret, session_id)
    ok = claims == args.attendees and outbox == args.attendees
    print(f"\nclaims in the database: {claims} (outbox rows {outbox}); expected {args.attendees}: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok and not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())
