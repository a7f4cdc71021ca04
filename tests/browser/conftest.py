"""A real server (gunicorn + gevent, as users run it) and a real Chromium.

The server runs the app from this checkout on a fresh SQLite database. Its
clock can be moved from the test through the file named by
CLAIMDESK_CLOCK_FILE, so nothing waits for real minutes to pass.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, folder: Path, database_url: str | None = None):
        self.folder = folder
        self.db_url = database_url or f"sqlite:///{folder / 'live.sqlite'}"
        self.clock_file = folder / "clock"
        self.clock_file.write_text("0")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "DATABASE_URL": self.db_url, "SECRET_KEY": "live-test-secret", "FLASK_APP": "app",
            "CLAIMDESK_CLOCK_FILE": str(self.clock_file), "LOG_LEVEL": "WARNING",
        }
        self.process = None

    def start(self) -> None:
        subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.log = open(self.folder / "server.log", "w")
        self.process = subprocess.Popen(
            [BIN / "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "1000", "-b", f"127.0.0.1:{self.port}", "app:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)  # waiting for the server process to listen, not for time to pass
        raise RuntimeError("the server did not start:\n" + (self.folder / "server.log").read_text())

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.log.close()

    def move_clock(self, seconds: float) -> None:
        """Set the server's clock to real time plus `seconds`."""
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(str(seconds))
        os.replace(tmp, self.clock_file)
        now = time.time() + 1  # make sure the server sees a new modification time
        os.utime(self.clock_file, (now, now))

    def app(self):
        """An app on the server's database, for seeding rows from the test."""
        from app import create_app

        return create_app({"SQLALCHEMY_DATABASE_URI": self.db_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           "SECRET_KEY": "live-test-secret", "BACKGROUND_TASKS": False, "SOCKETIO_ASYNC_MODE": "threading"})


PASSWORD = "correct horse battery"


def person_maker():
    """`person(email, name, **fields)`: an account on the server's database with PASSWORD, its email tagged
    so worlds built on one server never share an address (for tests.reporting.world.build and the like)."""
    from accounts.models import User
    from core.db import db

    tag = uuid.uuid4().hex[:8]

    def person(email, name, **fields):
        user = User(email=f"{tag}-{email}", name=name, **fields)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return person


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_app(live_server):
    """The app in this process, on the server's database: for building the world a test starts from."""
    from core.db import db

    app = live_server.app()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
def phone(chromium, live_server):
    """A phone-sized page (390 x 844, touch) on the live server."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def policy_reports(request, monkeypatch):
    """What Chromium reported refusing under the Content-Security-Policy, in every page a test opens.

    Each refused script, style, connection, frame or WebAssembly compile is an error on the console
    naming the policy; any left at the end fails the test, so every browser story (Socket.IO's pushes,
    Chart.js's charts, the desk's camera) also checks the policy lets the page work. A test that means
    to provoke a report takes it from the list.
    """
    reports: list[str] = []
    if "chromium" not in request.fixturenames:
        yield reports
        return
    chromium = request.getfixturevalue("chromium")
    new_context = chromium.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", lambda message: reports.append(message.text)
                   if "Content Security Policy" in message.text else None)
        return context

    monkeypatch.setattr(chromium, "new_context", watched_context)
    yield reports
    assert reports == [], "the Content-Security-Policy refused something a page needs"
