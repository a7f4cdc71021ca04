"""Broadcast: N phones hold a Socket.IO connection; the host reveals the code; how fast do all of them know?

Starts ClaimDesk as users run it (gunicorn + gevent, one worker per process)
on a temporary SQLite database (or PostgreSQL with --database-url), with
--processes 2 also a redis-server of its own on a free port (REDIS_URL), so
pushes cross processes. N WebSocket clients (WebSocket only, as live.js) are
spread over the server processes and over a few client processes; each
speaks Engine.IO 4 / Socket.IO 5 directly over an aiohttp WebSocket (a
python-socketio client per connection costs too much to run 10,000 on two
cores), logs in with the host's session cookie and joins the presenter
room of one session. Then the host reveals the code over HTTP on process 1
(as the presenter view's button does) and every client notes when the
`revealed` push arrived.

Prints p50/p99/max from the POST leaving to each client's push, how many got
it, and each server process's memory (RSS) before and after the N
connections, per connection. Beside the phones' figures, each server's own:
when it had written the push to its last connection (from its log line
"push revealed to presenter", on the machine's monotonic clock, which every
process shares), so a tail made by the phones' processes, which share the
cores with the server, shows as the gap between the two.

    .venv/bin/python bench/broadcast.py --clients 1000
    .venv/bin/python bench/broadcast.py --clients 10000
    .venv/bin/python bench/broadcast.py --clients 10000 --processes 2
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench.scratch import free_port, percentile, start_redis, wait_listening  # noqa: E402


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker_pid(master: int) -> int:
    """gunicorn's one worker: the master's child."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def seed(db_url: str, secret: str) -> tuple[int, str]:
    """A host and a session that just ended; returns (session id, the host's session cookie)."""
    from app import create_app
    from accounts.models import User
    from core import clock
    from core.db import db
    from events.models import EventSession, Speaker
    from events.setup import create_event
    from events.signals import session_created

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret, "BACKGROUND_TASKS": False,
                      "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": None})
    with app.app_context():
        host = User(email="host@broadcast.test", name="Harriet Host", is_organiser=True)
        host.set_password("broadcast password")
        db.session.add(host)
        db.session.flush()
        event = create_event(host, title="National meeting", venue="Hall A", timezone="America/Chicago")
        now = clock.now().replace(second=0, microsecond=0)
        session = EventSession(title="Closing keynote", kind="live", starts_at=now - dt.timedelta(minutes=61),
                               ends_at=now - dt.timedelta(minutes=1), credit_quarter_hours=4,
                               uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T")
        session.speakers = [Speaker(name="Dr. Keynote", position=0)]
        event.sessions.append(session)
        session.refresh_window()
        db.session.flush()
        session_created.send(session)
        db.session.commit()
        cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(host.id), "_fresh": False})
        return session.id, cookie


# --- the phones: Engine.IO 4 / Socket.IO 5 over a WebSocket -------------------------

async def phone(http, url: str, cookie: str, room: str, joined: list, arrivals: list, gate: asyncio.Semaphore,
                stop: asyncio.Event):
    import aiohttp

    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    try:
        async with gate:
            ws = await http.ws_connect(ws_url, headers={"Cookie": f"session={cookie}"}, autoping=False,
                                       max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=5),
                                       compress=15)  # offer permessage-deflate, as browsers do
            opened = await ws.receive_str()
            assert opened.startswith("0{"), opened
            await ws.send_str("40")  # connect to the default namespace
            while not (await ws.receive_str()).startswith("40"):
                pass
            await ws.send_str(f'421["join",{{"room":"{room}"}}]')
            while True:
                message = await ws.receive_str()
                if message.startswith("431"):
                    break
                if message == "2":
                    await ws.send_str("3")
            if '"ok":true' not in message:
                raise RuntimeError(f"join refused: {message}")
        joined.append(1)
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.data
            if data == "2":
                await ws.send_str("3")  # Engine.IO ping → pong
            elif data.startswith('42["revealed"'):
                arrivals.append(time.monotonic())
                if stop.is_set():
                    break
        await ws.close()
    except Exception as exc:  # counted as a phone that never got the push
        joined.append(0)
        if len(arrivals) == 0 and not hasattr(phone, "reported"):
            phone.reported = True
            print(f"  a phone failed: {type(exc).__name__} {exc}", file=sys.stderr, flush=True)


def phones_process(urls: list[str], cookie: str, room: str, count: int, conn) -> None:
    """One client process holding `count` connections, spread over the server URLs."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)

    async def main():
        import aiohttp

        joined, arrivals = [], []
        stop = asyncio.Event()
        gate = asyncio.Semaphore(100)  # connections being opened at once
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        tasks = [asyncio.create_task(phone(http, urls[i % len(urls)], cookie, room, joined, arrivals, gate, stop))
                 for i in range(count)]
        while len(joined) < count:
            await asyncio.sleep(0.2)  # polling the connections' progress
        conn.send(("joined", sum(joined)))
        # wait for the main process to say the reveal is done and all arrivals are in (or time is up)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # the reveal was sent
        deadline = time.monotonic() + 30
        while len(arrivals) < sum(joined) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling for the last arrivals, bounded
        conn.send(("arrivals", arrivals))
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.close()

    asyncio.run(main())


def server_writes(log: Path, event: str) -> dict | None:
    """The server's log line for the push of `event` (core/broadcast.py), as a dict, if it wrote one."""
    import json

    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"finished_monotonic"' in line:
            record = json.loads(line)
            if record.get("event") == event:
                return record
    return None


# --- the host ---------------------------------------------------------------------

async def reveal(base: str, cookie: str, session_id: int) -> tuple[float, float]:
    """Open the presenter view, press "Show the code"; returns when the POST was sent and answered (monotonic)."""
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({"session": cookie}, response_url=aiohttp.helpers.URL(base))
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{base}/host/sessions/{session_id}/present") as response:
            page = await response.text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token" value="([^"]+)"', page)
        started = time.monotonic()
        async with http.post(f"{base}/host/sessions/{session_id}/reveal", data={"csrf_token": token.group(1)},
                             allow_redirects=False) as response:
            assert response.status == 302, response.status
        return started, time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=1, help="server processes (2 or more: with Redis)")
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a database is created on it for the run")
    parser.add_argument("--profile", metavar="PY_SPY", help="path to a py-spy binary: profile the first server "
                        "process during the reveal (collapsed stacks into the file named by --profile-out)")
    parser.add_argument("--profile-out", default="broadcast-profile.txt")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers and phones inherit it
    if args.clients // args.processes + 200 > hard:
        print(f"ulimit -Hn is {hard}: too few file descriptors for {args.clients} connections", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="claimdesk-broadcast-"))
    secret = uuid.uuid4().hex
    # INFO, in JSON: the servers' "push … written" lines carry when they finished (see server_writes)
    env = {**os.environ, "SECRET_KEY": secret, "FLASK_APP": "app", "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
    admin_url = name = None
    if args.database_url:
        import psycopg

        admin_url = args.database_url.replace("postgresql+psycopg://", "postgresql://")
        name = f"claimdesk_broadcast_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
        db_url = env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        env["DATABASE_URL"] = db_url = f"sqlite:///{folder / 'broadcast.sqlite'}"
    started: list[subprocess.Popen] = []
    try:
        if args.processes > 1:
            env["REDIS_URL"], redis = start_redis(folder)
            started.append(redis)
        subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        session_id, cookie = seed(db_url, secret)
        ports = [free_port() for _ in range(args.processes)]
        servers = []
        for i, port in enumerate(ports):
            log = open(folder / f"server-{i}.log", "w")
            server = subprocess.Popen(
                [BIN / "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", str(args.clients + 1000),
                 "--graceful-timeout", "5", "-b", f"127.0.0.1:{port}", "app:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            started.append(server)
            servers.append(server)
            wait_listening(port, server, f"server {i}", seconds=60)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        workers = [worker_pid(s.pid) for s in servers]
        # Warm each process up (imports, first request, Socket.IO manager) before measuring memory.
        warm = multiprocessing.get_context("spawn").Pipe()
        p = multiprocessing.get_context("spawn").Process(
            target=phones_process, args=(urls, cookie, f"presenter:{session_id}", len(urls), warm[1]))
        p.start()
        warm[0].recv()
        warm[0].send("done")
        warm[0].recv()
        p.join()
        before = [rss_kb(pid) for pid in workers]

        print(f"{args.clients} phones → {args.processes} server process(es)"
              f"{' + Redis' if args.processes > 1 else ''}, {args.client_processes} client processes …", flush=True)
        ctx = multiprocessing.get_context("spawn")
        pipes, clients = [], []
        share = [args.clients // args.client_processes + (1 if i < args.clients % args.client_processes else 0)
                 for i in range(args.client_processes)]
        connect_started = time.monotonic()
        for count in share:
            ours, theirs = ctx.Pipe()
            # each client process starts at a different server so the phones spread evenly
            process = ctx.Process(target=phones_process,
                                  args=(urls[len(pipes) % len(urls):] + urls[:len(pipes) % len(urls)], cookie,
                                        f"presenter:{session_id}", count, theirs))
            process.start()
            pipes.append(ours)
            clients.append(process)
        joined = sum(pipe.recv()[1] for pipe in pipes)
        connect_seconds = time.monotonic() - connect_started
        after = [rss_kb(pid) for pid in workers]
        print(f"  {joined} of {args.clients} joined the room in {connect_seconds:.1f} s", flush=True)

        spy = None
        if args.profile:
            spy = subprocess.Popen([args.profile, "record", "-p", str(workers[0]), "-d", "6", "-r", "250", "-f", "raw",
                                    "-o", args.profile_out, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)  # py-spy attaches
        sent, answered = asyncio.run(reveal(urls[0], cookie, session_id))
        arrivals: list[float] = []
        for pipe in pipes:
            pipe.send("revealed")
        for pipe in pipes:  # each answers once all its phones have the push, or after 30 s
            if pipe.poll(60):
                arrivals += pipe.recv()[1]
        for process in clients:
            process.join(timeout=30)
        if spy:
            spy.wait(timeout=60)
        pushed = [rss_kb(pid) for pid in workers]
        latencies = [t - sent for t in arrivals]
        print(f"\nreveal → push on every phone ({len(latencies)} of {joined} received it); the POST itself "
              f"(which queues the push for every connection of process 1) took {(answered - sent) * 1000:.0f} ms:")
        if latencies:
            print(f"  p50 {percentile(latencies, 50) * 1000:.0f} ms   p99 {percentile(latencies, 99) * 1000:.0f} ms   "
                  f"max {max(latencies) * 1000:.0f} ms")
        print("the servers' side (last frame written, from each server's log):")
        for i in range(len(servers)):
            writes = server_writes(folder / f"server-{i}.log", "revealed")
            if writes is None:
                print(f"  process {i + 1}: no push line in its log (fewer than 100 connections, or an older server)")
                continue
            print(f"  process {i + 1}: {writes['written']} connections written at once, {writes['queued']} queued "
                  f"(sent by their writers later), in {writes['duration_ms']:.0f} ms; the last written "
                  f"{(writes['finished_monotonic'] - sent) * 1000:.0f} ms after the POST left")
        print("\nserver memory (RSS of the worker):")
        for i, (b, a, p) in enumerate(zip(before, after, pushed)):
            per = (a - b) / max(1, joined / args.processes)
            print(f"  process {i + 1}: {b / 1024:.0f} MB before, {a / 1024:.0f} MB with its "
                  f"~{joined // args.processes} connections → {per:.1f} KB per connection; "
                  f"{p / 1024:.0f} MB after the push")
        return 0 if len(latencies) == args.clients else 1
    finally:
        for process in reversed(started):
            if process.poll() is None:
                process.terminate()
        for process in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        if admin_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
