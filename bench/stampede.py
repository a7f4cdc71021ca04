"""Stampede: 5,000 attendees claim credit for one session within a minute.

Starts ClaimDesk as users run it (gunicorn + gevent, one worker per process),
on SQLite in a temporary folder, or on PostgreSQL with --database-url (a
database is created for the run and dropped after). Seeds one ended session
and N attendees who are already logged in (as they would be, having registered
at the start of the meeting), then drives each through HTTP as a phone does,
reading the pages' forms (CSRF token, radio groups, selects, text areas) and
following the redirects:

    QR landing (GET /live?code=…) → code (POST) → course evaluation (GET, POST)
    → speaker evaluation (GET, POST) → claim (GET, POST)

Phones keep their connection, as browsers do: each attendee has one
keep-alive connection of its own for its whole journey (an aiohttp session
with TCPConnector(limit=1)); the bench counts new TCP connections against
requests and prints both.

Two modes:

  open loop (default): --attendees N arrive evenly over --over seconds, each
      runs the journey once, whatever the server's speed (arrivals do not wait
      for answers: that is the stampede). Reports the time from the first
      arrival until the last attendee was done, and req/s over it.
  closed loop (--saturate K): K phones run journeys back to back for
      --duration seconds after --warmup seconds (not counted), each journey
      with a fresh attendee who has not claimed yet (taken from the --attendees
      seeded; the bench says so if they run out). Reports journeys/s and req/s:
      the server's ceiling.

Then it measures the bare endpoint (GET /health/live, no database) with the
same client, the same keep-alive and the same mode (open loop: visitors
arriving at the same rate, each sending as many requests as a journey on its
own connection; closed loop: the same K phones, warm-up and duration) and
prints the ratio of the two req/s. It prints latency per step (p50/p95/p99/
max), errors with samples, and the CPU time of every process during the
measured phase: the servers' (gunicorn master + worker, read from /proc) per
completed journey, nginx's, Redis's, the PostgreSQL backends of the scratch
database, the load generator's own, and the rest of the machine (other
users), so a reader sees where the cores went. Last, it checks in the database
that exactly one claim and one outbox row exist per completed journey. The
last line sums it up:

    stampede: mode=open attendees=… processes=… db=… req_s=… bare_req_s=… ratio=… p50_ms=… p99_ms=… errors=… claims=…/… cpu_ms_per_journey=…

In saturate mode `attendees` is the number of journeys completed (warm-up and
the journeys finishing after the window included: every one of them must have
its claim), while req_s, latencies and cpu_ms_per_journey count the measured
window only.

    .venv/bin/python bench/stampede.py                                  # SQLite, 5,000 over 60 s
    .venv/bin/python bench/stampede.py --attendees 300 --over 10        # a quick one
    .venv/bin/python bench/stampede.py --saturate 20 --duration 10      # the ceiling, 20 phones
    .venv/bin/python bench/stampede.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --processes 2

--processes N starts N gunicorn processes (one gevent worker each) behind nginx
with the README's proxy configuration (bench/scratch.py start_nginx: least_conn,
keepalive 64, one worker process), and with N > 1 a redis-server of its own
(REDIS_URL). With one process the phones talk to gunicorn directly, unless
--nginx. nginx must be installed (apt-get install nginx). Phones speak plain
HTTP/1.1 to the proxy on loopback: no TLS and no HTTP/2, whose cost a real
deployment's proxy pays on top; they fetch no static files either.

--clients M runs the phones in M load-generator processes (attendees dealt out
in turn, results merged; default 1, or 2 with 2 server processes or more).
Measured on this 2-core machine, one asyncio + aiohttp process with keep-alive
spends about 0.9–1.2 ms of CPU per journey request (its HTML read for the
form, cookies) and 0.2–0.5 ms per bare one: it offered 800 req/s of bare requests
open loop at 22 % of a core, arrivals on time (p99 10 ms late), and would top
out near 1,000 journey req/s. So one is enough for the ~670 req/s of 5,000
attendees in a minute (5,000 × 8 / 60), taking up to 3/4 of a core the
servers then do not have. The CPU table prints the load generator's share, its
cost per request and, in open loop, how late the arrivals came: near 100 % of
a core per process, or arrivals late by more than a few ms, it sets the pace:
add --clients.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import (NGINX_MISSING, cpu_by_process, free_port, nginx_binary, percentile,  # noqa: E402
                           scratch_database, start_nginx, start_redis, start_servers, stop)

BARE = "/health/live"
STEPS = ["landing", "code"] + [f"{page}_{what}" for page in ("course", "speaker", "posttest", "claim")
                                 for what in ("form", "submit")]  # the order the table prints them in
MAX_PAGES = 10  # form pages one journey may pass through before the bench calls it lost


# --- what a phone reads and sends --------------------------------------------------

class FormReader(HTMLParser):
    """The page's main POST form (not the header's log-out): its action and what a browser would send with it.

    Inputs with their value (the hidden `csrf_token` among them), checked checkboxes, radio groups and selects
    (their options, and the one already chosen if any), text areas (their text), the submit button clicked."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.done = False
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.choices: dict[str, list[str]] = defaultdict(list)  # radio groups and selects: the options
        self.chosen: dict[str, str] = {}  # … and the one checked or selected on the page
        self.text_areas: set[str] = set()
        self.textarea: str | None = None
        self.select: str | None = None
        self.option: str | None = None  # an <option> without a value takes its text

    def handle_starttag(self, tag, attrs):
        a = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            if not self.done and not self.in_form and (a.get("method") or "").lower() == "post" \
                    and not (a.get("action") or "").endswith("/logout"):  # the header's log-out button
                self.in_form, self.action = True, a.get("action") or ""
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "radio":
                self.choices[name].append(a.get("value", "on"))
                if "checked" in a:
                    self.chosen[name] = a.get("value", "on")
            elif kind == "checkbox":
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind in ("submit", "image"):
                if not any(key.startswith("submit:") for key in self.fields):  # the first button is the one tapped
                    self.fields[f"submit:{name}"] = a.get("value", "")
            elif kind not in ("button", "reset", "file"):
                self.fields.setdefault(name, a.get("value", ""))
        elif tag == "button" and name and (a.get("type") or "submit").lower() == "submit":
            if not any(key.startswith("submit:") for key in self.fields):
                self.fields[f"submit:{name}"] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.text_areas.add(name)
            self.fields.setdefault(name, "")
        elif tag == "select" and name:
            self.select = name
            self.choices.setdefault(name, [])
        elif tag == "option" and self.select:
            value = a.get("value")
            self.option = None if value is not None else self.select
            self.choices[self.select].append(value or "")
            if "selected" in a:
                self.chosen[self.select] = value or ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data
        elif self.option:
            self.choices[self.option][-1] += data.strip()

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "textarea" and self.textarea:
            text = self.fields[self.textarea]  # a browser drops the line break right after <textarea>
            self.fields[self.textarea] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "option":
            self.option = None

    def values(self) -> dict[str, str]:
        data = {name.removeprefix("submit:"): value for name, value in self.fields.items()}
        for name, options in self.choices.items():
            if name in self.chosen:
                data[name] = self.chosen[name]  # what the page chose for them (a profession from the profile)
            elif options:
                data[name] = answer(options)
        for name in self.text_areas:
            data[name] = data[name] or "Clear and useful."  # a comment, so a required one is never the error
        return data


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def answer(options: list[str]) -> str:
    """A pharmacist who found the session good: 4 on a 1-to-5 scale; otherwise the first option."""
    for wanted in ("pharmacist", "4"):
        if wanted in options:
            return wanted
    return next((option for option in options if option), options[0])


def step_name(url: str) -> str:
    path = urlsplit(url).path
    for pattern, name in ((r"/speakers/\d+/evaluation$", "speaker"), (r"/evaluation$", "course"),
                          (r"/posttest$", "posttest"), (r"/claim$", "claim"), (r"/training/\d+$", "progress")):
        if re.search(pattern, path):
            return name
    return re.sub(r"\d+", "<id>", path)


# --- the world -----------------------------------------------------------------------

def make_app(db_url: str, secret: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "BACKGROUND_TASKS": False,
                       "SOCKETIO_ASYNC_MODE": "threading"})


def seed(db_url: str, secret: str, attendees: int) -> tuple[str, int, list[str], str]:
    """One ended session and N logged-in pharmacists; returns (code, session id, session cookies, cookie name)."""
    import sqlalchemy as sa
    from argon2 import PasswordHasher

    from accounts.models import User
    from codes.models import SessionCode
    from core import clock
    from core.db import db
    from events.models import Event, EventSession, Speaker
    from events.signals import session_created

    app = make_app(db_url, secret)
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
        return code, session.id, cookies, app.config["SESSION_COOKIE_NAME"]


def count_claims(db_url: str, secret: str, session_id: int) -> tuple[int, int]:
    import sqlalchemy as sa

    from claims.models import Claim, OutboxEntry
    from core.db import db

    app = make_app(db_url, secret)
    with app.app_context():
        claims = db.session.scalar(sa.select(sa.func.count()).select_from(Claim).where(Claim.session_id == session_id))
        outbox = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry))
        db.engine.dispose()  # so the scratch database can be dropped at once
        return claims, outbox


# --- the phones (in the load-generator processes) ---------------------------------------

@dataclass
class Tally:
    """What one load-generator process saw; merged by the main process. Times are time.monotonic()."""
    requests: list[tuple[float, str, float]] = field(default_factory=list)  # (answered at, step, seconds)
    errors: list[tuple[float, str, str]] = field(default_factory=list)  # (at, step, what)
    journeys: list[float] = field(default_factory=list)  # completed at
    connections: list[float] = field(default_factory=list)  # a new TCP connection opened at
    late: list[float] = field(default_factory=list)  # open loop: seconds each arrival came after its moment
    journeys_started: int = 0
    ran_out_at: float | None = None  # saturate: no attendee left to start a journey with
    cpu: list[float] = field(default_factory=list)  # this process's CPU seconds at the window's start and end


@dataclass
class Job:
    phase: str  # "journey" or "bare"
    mode: str  # "open" or "saturate"
    base: str
    code: str = ""
    cookie_name: str = "session"
    cookies: list[tuple[int, str]] = field(default_factory=list)  # (arrival number, cookie): this process's share
    arrivals: int = 0  # open: arrivals in all processes, spread over `over`
    over: float = 0.0
    visits: list[int] = field(default_factory=list)  # bare, open: this process's arrival numbers
    requests_per_visit: int = 8
    phones: int = 0  # saturate: this process's phones
    warmup: float = 0.0
    duration: float = 0.0


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def sleep_until(moment: float):
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


def new_phone(tally: Tally):
    """A phone: one keep-alive connection (TCPConnector(limit=1)) and its own cookies."""
    import aiohttp

    trace = aiohttp.TraceConfig()

    async def opened(session, context, params):
        tally.connections.append(time.monotonic())
    trace.on_connection_create_end.append(opened)
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 trace_configs=[trace], timeout=aiohttp.ClientTimeout(total=300))  # a browser's patience


async def call(web, tally: Tally, step: str, method: str, url: str, data=None, expect=200):
    """One request; returns (page, where it redirects) or (None, None) when it failed (counted as an error)."""
    started = time.monotonic()
    try:
        async with web.request(method, url, data=data, allow_redirects=False) as response:
            body = await response.text()
    except Exception as exc:  # a refused connection or a timeout is an error, not a crash
        tally.errors.append((time.monotonic(), step, f"{type(exc).__name__} {exc} ({method} {urlsplit(url).path})"))
        return None, None
    answered = time.monotonic()
    tally.requests.append((answered, step, answered - started))
    if response.status != expect:
        words = re.sub(r"<[^>]+>|\s+", " ", body).strip()[:160]
        tally.errors.append((answered, step, f"HTTP {response.status} {method} {urlsplit(url).path}: {words}"))
        return None, None
    location = response.headers.get("Location")
    return body, urljoin(url, location) if location else None


async def journey(web, tally: Tally, base: str, code: str) -> bool:
    """QR → code → every form the app sends the attendee to → claimed. True when the claim went through."""
    tally.journeys_started += 1
    landing = f"{base}/live?code={code}"
    page, _ = await call(web, tally, "landing", "GET", landing)
    if page is None:
        return False
    form = read_form(page)
    data = form.values()
    data["code"] = data.get("code") or code
    _, location = await call(web, tally, "code", "POST", urljoin(landing, form.action or landing), data, 302)
    claimed = False
    for _ in range(MAX_PAGES):
        if location is None:
            return False
        step = step_name(location)
        if step == "progress":  # where the app sends an attendee with nothing left to do
            if claimed:
                tally.journeys.append(time.monotonic())
            else:
                tally.errors.append((time.monotonic(), "journey", f"sent to the progress page unclaimed: {location}"))
            return claimed
        page, _ = await call(web, tally, f"{step}_form", "GET", location)
        if page is None:
            return False
        form = read_form(page)
        if form.action is None:
            tally.errors.append((time.monotonic(), f"{step}_form", f"no form to fill on {urlsplit(location).path}"))
            return False
        _, location = await call(web, tally, f"{step}_submit", "POST", urljoin(location, form.action or location),
                                 form.values(), 302)
        claimed = claimed or (step == "claim" and location is not None)
    tally.errors.append((time.monotonic(), "journey", f"more than {MAX_PAGES} pages; last {location}"))
    return False


def log_in(web, base: str, cookie_name: str, cookie: str):
    from yarl import URL

    web.cookie_jar.clear()
    web.cookie_jar.update_cookies({cookie_name: cookie}, response_url=URL(base))


async def visit(web, tally: Tally, base: str, requests: int) -> bool:
    for _ in range(requests):
        if (await call(web, tally, "health/live", "GET", base + BARE))[0] is None:
            return False
    return True


async def open_loop(job: Job, start: float, tally: Tally):
    async def arrive(number: int, cookie: str | None):
        moment = start + number * job.over / job.arrivals
        await sleep_until(moment)
        tally.late.append(time.monotonic() - moment)  # the load generator's own lag: large when it is the bottleneck
        async with new_phone(tally) as web:
            if job.phase == "journey":
                log_in(web, job.base, job.cookie_name, cookie)
                await journey(web, tally, job.base, job.code)
            else:
                await visit(web, tally, job.base, job.requests_per_visit)

    pairs = job.cookies if job.phase == "journey" else [(number, None) for number in job.visits]
    await sleep_until(start)
    tally.cpu.append(own_cpu())
    tasks = []
    for number, cookie in pairs:  # each task made just before its arrival
        await sleep_until(start + number * job.over / job.arrivals - 0.05)
        tasks.append(asyncio.create_task(arrive(number, cookie)))
    await asyncio.gather(*tasks)
    tally.cpu.append(own_cpu())


async def closed_loop(job: Job, start: float, tally: Tally):
    window_start, window_end = start + job.warmup, start + job.warmup + job.duration
    cookies = deque(cookie for _, cookie in job.cookies)

    async def phone():
        async with new_phone(tally) as web:
            await sleep_until(start)
            while time.monotonic() < window_end:  # a journey begun is finished: its claim must be there
                if job.phase == "bare":
                    if not await visit(web, tally, job.base, 1):
                        await asyncio.sleep(0.1)  # a phone tapping again, not a loop spinning on a dead server
                    continue
                if not cookies:
                    tally.ran_out_at = tally.ran_out_at or time.monotonic()
                    return
                log_in(web, job.base, job.cookie_name, cookies.popleft())
                await journey(web, tally, job.base, job.code)

    async def sample(moment: float):
        await sleep_until(moment)
        tally.cpu.append(own_cpu())

    await asyncio.gather(*(phone() for _ in range(job.phones)), sample(window_start), sample(window_end))


def load_process(pipe, job: Job):
    """A load-generator process: ready → the start time from the main process → its Tally back."""
    import aiohttp  # noqa: F401  (imported before the start, not during it)

    pipe.send("ready")
    start = pipe.recv()
    tally = Tally()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the main process says so and cleans up
        asyncio.run((open_loop if job.mode == "open" else closed_loop)(job, start, tally))
        pipe.send(tally)


# --- the run (main process) -------------------------------------------------------------

class Meter:
    """CPU seconds of groups of processes (with their descendants) and of the whole machine, between two readings."""

    def __init__(self, groups: dict[str, list[int]], postgres_database: str | None):
        self.groups, self.database = groups, postgres_database
        self.before: dict[str, dict[int, float]] = {}
        self.after: dict[str, dict[int, float]] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        reading = {name: cpu_by_process(pids) for name, pids in self.groups.items()}
        if self.database:
            reading["PostgreSQL (the scratch database's backends)"] = cpu_by_process(backends_of(self.database))
        reading["machine"] = {0: machine_busy()}
        reading["load generator (main process)"] = {0: own_cpu()}
        return reading

    def start(self):
        self.before = self._read()

    def end(self):
        self.after = self._read()

    def seconds(self, name: str) -> float:
        """Processes that started in between count from zero; those that ended in between are lost (few: none
        of ours restarts; PostgreSQL backends live as long as the servers' pools)."""
        before = self.before.get(name, {})
        return sum(value - before.get(pid, 0.0) for pid, value in self.after.get(name, {}).items())


def backends_of(database: str) -> list[int]:
    """PostgreSQL's processes serving `database` ("postgres: 15/main: user database 127.0.0.1(port) idle")."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if f" {database} " in Path(f"/proc/{entry.name}/cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
    return pids


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores): /proc/stat's first line less idle and iowait."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def load_averages() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def run_phase(job: Job, shares: list[Job], meter: Meter | None) -> tuple[Tally, float, float, float]:
    """Runs `shares` (one Job per load-generator process) and merges what they saw.
    Returns (merged tally, start, window start, window end); the meter reads CPU at the window's edges."""
    ctx = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    try:
        for share in shares:
            ours, theirs = ctx.Pipe()
            process = ctx.Process(target=load_process, args=(theirs, share), daemon=True)
            process.start()
            pipes.append(ours)
            processes.append(process)
        for pipe in pipes:
            pipe.recv()  # ready
        start = time.monotonic() + 0.3
        for pipe in pipes:
            pipe.send(start)
        window_start = start + (job.warmup if job.mode == "saturate" else 0.0)
        time.sleep(max(0.0, window_start - time.monotonic()))
        if meter:
            meter.start()
        if job.mode == "saturate":
            time.sleep(max(0.0, window_start + job.duration - time.monotonic()))
            if meter:
                meter.end()
        tallies = [pipe.recv() for pipe in pipes]
        if job.mode == "open" and meter:
            meter.end()
        for process in processes:
            process.join(timeout=10)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
    merged = Tally(cpu=[0.0, sum(t.cpu[1] - t.cpu[0] for t in tallies if len(t.cpu) == 2)])
    for tally in tallies:
        merged.requests += tally.requests
        merged.errors += tally.errors
        merged.journeys += tally.journeys
        merged.connections += tally.connections
        merged.late += tally.late
        merged.journeys_started += tally.journeys_started
        if tally.ran_out_at:
            merged.ran_out_at = min(merged.ran_out_at or tally.ran_out_at, tally.ran_out_at)
    if job.mode == "open":
        window_end = max([start] + [t for t, _, _ in merged.requests] + [t for t, _, _ in merged.errors]
                         + merged.journeys)  # until the last attendee was done
    else:
        window_end = window_start + job.duration
    return merged, start, window_start, window_end


def deal(job: Job, clients: int) -> list[Job]:
    """One Job per load-generator process: attendees (or visitors) dealt out in turn, phones shared out."""
    shares = [dataclasses.replace(job, cookies=job.cookies[i::clients], visits=job.visits[i::clients],
                                  phones=job.phones // clients + (1 if i < job.phones % clients else 0))
              for i in range(clients)]
    return [share for share in shares if share.cookies or share.visits or share.phones]


def within(tally: Tally, start: float, end: float) -> tuple[dict[str, list[float]], int, int, int]:
    """Latencies per step of the requests answered in [start, end]; the journeys completed, the new connections
    opened and the errors in it."""
    latency: dict[str, list[float]] = defaultdict(list)
    for answered, step, seconds in sorted(tally.requests, key=lambda r: STEPS.index(r[1]) if r[1] in STEPS else 99):
        if start <= answered <= end:
            latency[step].append(seconds)
    return (latency, sum(start <= t <= end for t in tally.journeys),
            sum(start <= t <= end for t in tally.connections), sum(start <= t <= end for t, _, _ in tally.errors))


def report_latencies(title: str, latencies: dict[str, list[float]]) -> list[float]:
    print(f"\n{title}")
    print(f"  {'step':16} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    everything = []
    for step, values in latencies.items():
        everything += values
        print(f"  {step:16} {len(values):6d} {percentile(values, 50) * 1000:8.1f} {percentile(values, 95) * 1000:8.1f}"
              f" {percentile(values, 99) * 1000:8.1f} {max(values) * 1000:8.1f}")
    if len(latencies) > 1:
        print(f"  {'all requests':16} {len(everything):6d} {percentile(everything, 50) * 1000:8.1f} "
              f"{percentile(everything, 95) * 1000:8.1f} {percentile(everything, 99) * 1000:8.1f} "
              f"{max(everything, default=float('nan')) * 1000:8.1f}")
    return everything


def report_errors(tally: Tally):
    by_step: dict[str, int] = defaultdict(int)
    for _, step, _ in tally.errors:
        by_step[step] += 1
    print(f"  errors {len(tally.errors)} {dict(by_step) if by_step else ''}")
    for _, step, what in tally.errors[:10]:
        print(f"    {step}: {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attendees", type=int, default=5000,
                        help="attendees seeded; open loop: all arrive; saturate: the pool of fresh accounts")
    parser.add_argument("--over", type=float, default=60.0, help="open loop: seconds over which attendees arrive")
    parser.add_argument("--saturate", type=int, metavar="K", help="closed loop with K phones instead of arrivals")
    parser.add_argument("--duration", type=float, default=30.0, help="saturate: seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0, help="saturate: seconds before, not counted")
    parser.add_argument("--processes", type=int, default=1, help="server processes; more than one adds nginx "
                        "and a Redis")
    parser.add_argument("--nginx", action="store_true", help="nginx in front of a single process too")
    parser.add_argument("--clients", type=int, help="load-generator processes (default 1, 2 with 2 processes+)")
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a database is created on it for the run")
    args = parser.parse_args()
    args.mode = "saturate" if args.saturate else "open"
    args.clients = args.clients or (2 if args.processes >= 2 else 1)
    proxied = args.proxied = args.processes > 1 or args.nginx
    if proxied and nginx_binary() is None:
        print(NGINX_MISSING)
        return 2
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # servers, nginx and phones inherit it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill cleans up as Ctrl-C does

    mode = (f"closed loop (saturate): {args.saturate} phones run journeys back to back, {args.warmup:g} s warm-up "
            f"then {args.duration:g} s measured" if args.saturate else
            f"open loop: {args.attendees} attendees arrive evenly over {args.over:g} s, one journey each")
    print("stampede set-up:\n"
          f"  mode            {mode}\n"
          f"  keep-alive      yes: one persistent connection per phone (aiohttp TCPConnector(limit=1)); "
          f"the bare endpoint the same\n"
          f"  servers         {args.processes} gunicorn process(es), gevent, 1 worker each; "
          f"{'behind nginx (1 worker process)' if proxied else 'direct, no proxy'}\n"
          f"  database        {'PostgreSQL (a scratch database)' if args.database_url else 'SQLite'}\n"
          f"  Redis           {'of its own (REDIS_URL)' if args.processes > 1 else 'none'}\n"
          f"  attendees       {args.attendees} seeded, logged in\n"
          f"  load generator  {args.clients} process(es), asyncio + aiohttp\n"
          f"  machine         {os.cpu_count()} cores; load averages (uptime) {load_averages()}", flush=True)

    try:
        return stampede(args)
    except KeyboardInterrupt:
        print("\ninterrupted: the servers, nginx and Redis are stopped, the scratch folder and database removed")
        return 130


def stampede(args) -> int:
    secret = uuid.uuid4().hex
    with contextlib.ExitStack() as cleanup:
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="claimdesk-stampede-")))
        server_url, db_url = cleanup.enter_context(scratch_database(args.database_url, folder, "stampede"))
        log = cleanup.enter_context(open(folder / "server.log", "w"))
        started: list[subprocess.Popen] = []
        cleanup.callback(stop, started)  # before the database is dropped and the folder removed
        env = {**os.environ, "DATABASE_URL": server_url, "SECRET_KEY": secret, "FLASK_APP": "app",
               "LOG_LEVEL": "WARNING"}
        groups: dict[str, list[int]] = {}
        if args.processes > 1:
            env["REDIS_URL"], redis = start_redis(folder)
            started.append(redis)
            groups["redis"] = [redis.pid]
        subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        print(f"seeding {args.attendees} attendees …", flush=True)
        code, session_id, cookies, cookie_name = seed(db_url, secret, args.attendees)
        ports = [free_port() for _ in range(args.processes)]
        servers = start_servers(ports, env, log)
        started += servers
        groups = {"servers (gunicorn masters + workers)": [s.pid for s in servers], **groups}
        base = f"http://127.0.0.1:{ports[0]}"
        if args.proxied:
            nginx_port, nginx = start_nginx(ports, folder / "nginx")
            started.append(nginx)
            groups["nginx"] = [nginx.pid]
            base = f"http://127.0.0.1:{nginx_port}"
        database = server_url.rsplit("/", 1)[1] if args.database_url else None
        return run(args, base, code, session_id, cookies, cookie_name, db_url, secret, groups, database)


def run(args, base: str, code: str, session_id: int, cookies: list[str], cookie_name: str, db_url: str, secret: str,
        groups: dict[str, list[int]], database: str | None) -> int:
    job = Job(phase="journey", mode=args.mode, base=base, code=code, cookie_name=cookie_name,
              cookies=list(enumerate(cookies)), arrivals=len(cookies), over=args.over, phones=args.saturate or 0,
              warmup=args.warmup, duration=args.duration)
    print(f"attendees start on {base} …", flush=True)
    meter = Meter(groups, database)
    tally, start, window_start, window_end = run_phase(job, deal(job, args.clients), meter)
    window = window_end - window_start
    latency, journeys, connections, _ = within(tally, window_start, window_end)
    requests = sum(len(v) for v in latency.values())

    per_visit = max(1, round(len(tally.requests) / max(1, tally.journeys_started)))
    bare_job = Job(phase="bare", mode=args.mode, base=base, arrivals=len(cookies), over=args.over,
                   visits=list(range(len(cookies))), requests_per_visit=per_visit, phones=args.saturate or 0,
                   warmup=args.warmup, duration=args.duration)
    print(f"the bare endpoint {BARE}, the same way …", flush=True)
    bare_meter = Meter(groups, None)
    bare, _, bare_start, bare_end = run_phase(bare_job, deal(bare_job, args.clients), bare_meter)
    bare_latency, _, bare_connections, _ = within(bare, bare_start, bare_end)
    bare_requests = len(bare_latency.get("health/live", []))

    req_s, bare_req_s = requests / window, bare_requests / (bare_end - bare_start)
    if args.mode == "open":
        print(f"\njourneys: {len(cookies)} attendees arrived over {args.over:g} s; {len(tally.journeys)} completed; "
              f"{window:.1f} s from the first arrival until the last was done")
        print(f"  {requests} requests, {req_s:.1f} req/s (offered: {len(cookies) * per_visit / args.over:.1f} req/s)")
    else:
        print(f"\njourneys: {args.saturate} phones, back to back; in the {window:g} s window {journeys} completed "
              f"({journeys / window:.1f} journeys/s), {requests} requests ({req_s:.1f} req/s); "
              f"{len(tally.journeys)} completed in all (warm-up and the last ones finishing included)")
        if tally.ran_out_at:
            print(f"  RAN OUT of fresh attendees {tally.ran_out_at - start:.1f} s after the start "
                  f"({args.attendees} seeded): the window is not full; pass a larger --attendees")
    print(f"  TCP connections: {connections} new for {requests} requests in the window "
          f"({requests / max(1, connections):.1f} requests per connection); {len(tally.connections)} for "
          f"{len(tally.requests)} in the whole phase")
    report_errors(tally)
    everything = report_latencies("latency per step (ms):", latency)
    bare_values = report_latencies(f"bare endpoint {BARE}, {bare_requests} requests, {bare_req_s:.1f} req/s, "
                                   f"{bare_connections} new TCP connections "
                                   f"({bare_requests / max(1, bare_connections):.1f} requests per connection):",
                                   bare_latency)
    report_errors(bare)
    ratio = req_s / bare_req_s if bare_req_s else float("nan")
    p50, p99 = percentile(everything, 50) * 1000, percentile(everything, 99) * 1000
    print(f"  ratio: req/s journey/bare {ratio:.2f}; p50 {p50 / (percentile(bare_values, 50) * 1000):.1f}x, "
          f"p99 {p99 / (percentile(bare_values, 99) * 1000):.1f}x the bare endpoint's")

    print(f"\nCPU during the measured {window:.1f} s ({os.cpu_count()} cores: {window * os.cpu_count():.1f} CPU s "
          f"available; load averages now {load_averages()}):")
    server_cpu = meter.seconds("servers (gunicorn masters + workers)")
    cpu_ms = server_cpu * 1000 / journeys if journeys else float("nan")
    ours = 0.0
    for name in [*groups, *(["PostgreSQL (the scratch database's backends)"] if database else [])]:
        seconds = meter.seconds(name)
        ours += seconds
        print(f"  {name:46} {seconds:7.2f} s  {seconds / window * 100:5.0f} % of a core")
    generator = tally.cpu[1] + meter.seconds("load generator (main process)")
    ours += generator
    print(f"  {f'load generator ({args.clients} process(es) + main)':46} {generator:7.2f} s  "
          f"{generator / window * 100:5.0f} % of a core")
    print(f"    its cost: {generator * 1000 / max(1, requests):.2f} ms CPU per journey request, bare "
          f"{bare.cpu[1] * 1000 / max(1, bare_requests):.2f} ms: one process tops out near "
          f"{requests / max(generator, 1e-9):.0f} journey req/s"
          + (f"; arrivals late by p99 {percentile(tally.late, 99) * 1000:.0f} ms, max {max(tally.late) * 1000:.0f} ms"
             if tally.late else ""))
    others = meter.seconds("machine") - ours
    print(f"  {'the rest of the machine (other users)':46} {others:7.2f} s  {others / window * 100:5.0f} % of a core")
    print(f"  server CPU per completed journey {cpu_ms:.1f} ms ({journeys} journeys), "
          f"per request {server_cpu * 1000 / max(1, requests):.2f} ms; bare endpoint: "
          f"{bare_meter.seconds('servers (gunicorn masters + workers)') * 1000 / max(1, bare_requests):.2f} ms "
          f"per request")

    bare_window = bare_end - bare_start
    print(f"  bare endpoint's phase ({bare_window:.1f} s): servers "
          f"{bare_meter.seconds('servers (gunicorn masters + workers)') / bare_window * 100:.0f} %"
          + "".join(f", {name} {bare_meter.seconds(name) / bare_window * 100:.0f} %" for name in groups if
                    not name.startswith("servers"))
          + f", load generator {(bare.cpu[1] + bare_meter.seconds('load generator (main process)')) / bare_window * 100:.0f} %"
          f" of a core")

    claims, outbox = count_claims(db_url, secret, session_id)
    completed = len(tally.journeys)
    expected = len(cookies) if args.mode == "open" else completed
    ok = claims == expected and outbox == expected and completed == expected
    print(f"\nclaims in the database: {claims} (outbox rows {outbox}); expected {expected}"
          f"{'' if args.mode == 'open' else ' (the journeys completed)'}: {'OK' if ok else 'MISMATCH'}")
    errors = len(tally.errors)
    print(f"stampede: mode={args.mode} attendees={expected} processes={args.processes} "
          f"db={'postgresql' if database else 'sqlite'} req_s={req_s:.1f} bare_req_s={bare_req_s:.1f} "
          f"ratio={ratio:.2f} p50_ms={p50:.1f} p99_ms={p99:.1f} errors={errors} claims={claims}/{expected} "
          f"cpu_ms_per_journey={cpu_ms:.1f}")
    return 0 if ok and not errors and not tally.ran_out_at else 1


if __name__ == "__main__":
    sys.exit(main())
