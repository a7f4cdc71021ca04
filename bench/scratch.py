"""What every benchmark run sets up and takes down: a scratch database, server processes, free ports.

    with scratch_database(args.database_url, folder, "checkin") as (server_url, db_url):
        servers = start_servers([port], env, log)        # gunicorn + gevent, as users run it
"""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def scratch_database(server: str | None, folder: Path, what: str) -> Iterator[tuple[str, str]]:
    """A database for one run: on the PostgreSQL `server` (created now, dropped after) or SQLite in
    `folder`. Yields (the URL for DATABASE_URL, the URL for SQLAlchemy)."""
    if not server:
        url = f"sqlite:///{Path(folder) / f'{what}.sqlite'}"
        yield url, url
        return
    import psycopg

    admin = server.replace("postgresql+psycopg://", "postgresql://")
    name = f"claimdesk_{what}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        yield url, url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_servers(ports: list[int], env: dict, log) -> list[subprocess.Popen]:
    """One single-worker gunicorn + gevent process per port, each listening before this returns."""
    servers = [subprocess.Popen([BIN / "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "10000",
                                 "-b", f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT) for port in ports]
    for port, server in zip(ports, servers):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if server.poll() is not None:
                raise RuntimeError(f"the server on port {port} stopped; see its log")
            time.sleep(0.1)  # waiting for the process to listen
        else:
            raise RuntimeError(f"the server on port {port} did not start listening")
    return servers


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        process.wait(timeout=20)
