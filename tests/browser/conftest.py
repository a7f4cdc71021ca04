"""A real server (gunicorn + gevent, as users run it) and a real Chromium.

`live_server` runs the app from this worktree against its own SQLite file.
Its clock is moved by writing an offset (seconds) to a file the server reads
(see core/clock.py), never by waiting.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    db_url: str
    clock_file: Path

    def move_clock(self, seconds_offset: float) -> None:
        """Make the server's clock run `seconds_offset` seconds ahead of the real one."""
        self.clock_file.write_text(str(seconds_offset), encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    db_url = f"sqlite:///{folder / 'x.sqlite'}"
    clock_file = folder / "clock"
    clock_file.write_text("0", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "x", "CLAIMDESK_CLOCK_FILE": str(clock_file),
           "FLASK_APP": "app"}
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "1000",
         "-b", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # waiting for the server to start, not for time to pass
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError((folder / "server.log").read_text(errors="replace")) from None
            time.sleep(0.1)
    try:
        yield LiveServer(url=url, db_url=db_url, clock_file=clock_file)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


# Module scope: one Playwright at a time in the process, whichever folder asks.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def server_app(live_server):
    """The app in this process, on the server's database: for building the world a test starts from."""
    from app import create_app
    from core.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": live_server.db_url, "SECRET_KEY": "x",
                      "BACKGROUND_TASKS": False, "SOCKETIO_ASYNC_MODE": "threading"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
