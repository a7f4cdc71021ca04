"""Several real server processes on one PostgreSQL database and one Redis, and clients for them.

Reusable by any test that needs the scaled set-up (README "Scaling"):

    redis = RedisServer(); redis.start()          # our own redis-server on a free port
    cluster = Cluster(folder, database_url, redis.url, processes=2); cluster.start()
    host = Browser(); host.login(cluster.urls[0], "host@example.org", PASSWORD)
    live = LiveClient(cluster.urls[1], host); live.join("presenter:3")
    host.submit(cluster.urls[0], "/host/sessions/3/present", action="/host/sessions/3/reveal")
    live.wait_for("revealed")

The fixtures in conftest.py build these for a test and stop them after it.
"""
from __future__ import annotations

import contextlib
import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "scale-test-secret"


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float = 10.0, what: str = "the condition"):
    """Poll `check()` until it returns something truthy; for servers and pushes to arrive, never for time to pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class RedisServer:
    """A redis-server of our own (never the shared one at 6379), which a test may stop and start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: _listening(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not _listening(self.port), 10, "redis-server to stop")


class Cluster:
    """N single-worker gunicorn + gevent processes of this checkout, sharing a database and a Redis."""

    def __init__(self, folder: Path, database_url: str, redis_url: str | None, processes: int = 2, env: dict | None = None):
        self.folder = folder
        self.database_url = database_url  # postgresql://… (as a provider sets DATABASE_URL)
        self.redis_url = redis_url
        self.ports = [free_port() for _ in range(processes)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "FLASK_APP": "app",
                    "LOG_LEVEL": "WARNING", **({"REDIS_URL": redis_url} if redis_url else {}), **(env or {})}
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []

    def migrate(self) -> None:
        subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start(self) -> None:
        for i, port in enumerate(self.ports):
            log = open(self.folder / f"server-{i}.log", "w")
            self.logs.append(log)
            self.processes.append(subprocess.Popen(
                [BIN / "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "1000", "--graceful-timeout", "3",
                 "-b", f"127.0.0.1:{port}", "app:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            ))
        for i, port in enumerate(self.ports):
            wait_until(lambda: _listening(port) or self.processes[i].poll() is not None, 30, f"server {i} to listen")
            if self.processes[i].poll() is not None:
                raise RuntimeError(f"server {i} did not start:\n" + self.log(i))

    def log(self, i: int) -> str:
        return (self.folder / f"server-{i}.log").read_text()

    def run_cli(self, *args: str) -> subprocess.CompletedProcess:
        """A `flask …` command of this checkout with the cluster's configuration (a separate process)."""
        return subprocess.run([BIN / "flask", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()

    def app(self):
        """An app on the cluster's database, for seeding rows and checking them from the test."""
        from app import create_app

        return create_app({"SQLALCHEMY_DATABASE_URI": self.database_url.replace("postgresql://", "postgresql+psycopg://", 1),
                           "SECRET_KEY": SECRET, "BACKGROUND_TASKS": False, "SOCKETIO_ASYNC_MODE": "threading",
                           "REDIS_URL": None})


# --- an HTTP client that behaves like a browser without JavaScript --------------

class Forms(HTMLParser):
    """Every POST form of a page: its action, and the values a browser would send as the page stands."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], dict[str, list[str]]]] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = (a.get("action") or "", {}, {})
            self.forms.append(self._current)
        elif self._current and tag in ("input", "textarea", "select"):
            name, kind = a.get("name"), (a.get("type") or "text").lower()
            if not name or kind == "submit":
                return
            if kind == "radio":
                self._current[2].setdefault(name, []).append(a.get("value") or "")
            elif kind == "checkbox":
                if "checked" in a:
                    self._current[1][name] = a.get("value") or "y"
            else:
                self._current[1].setdefault(name, a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


class Response:
    def __init__(self, status: int, body: str, location: str | None):
        self.status, self.body, self.location = status, body, location


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept across requests (to any of the cluster's processes: one SECRET_KEY), no redirects followed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())

    def request(self, url: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=30) as response:
                return Response(response.status, response.read().decode(), response.headers.get("Location"))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(errors="replace"), error.headers.get("Location"))

    def get(self, base: str, path: str) -> Response:
        return self.request(base + path)

    def submit(self, base: str, page: str, action: str | None = None, values: dict | None = None,
               choose=lambda name, options: options[0]) -> Response:
        """Open `page`, fill its form (the one posting to `action`, else the first) and send it."""
        shown = self.get(base, page)
        assert shown.status == 200, (page, shown.status)
        parser = Forms()
        parser.feed(shown.body)
        forms = [f for f in parser.forms if not f[0].endswith("/logout")]
        chosen = next((f for f in forms if action is None or f[0] == action), None)
        assert chosen is not None, f"no form posting to {action} on {page}: {[f[0] for f in forms]}"
        form_action, fields, radios = chosen
        data = {**fields, **{name: choose(name, options) for name, options in radios.items()}, **(values or {})}
        return self.request(base + (form_action or page), data)

    def login(self, base: str, email: str, password: str) -> None:
        response = self.submit(base, "/login", values={"email": email, "password": password})
        assert response.status == 302, f"login as {email} failed: {response.status}"

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class LiveClient:
    """A Socket.IO client (WebSocket only, as live.js) on one process, recording what it receives."""

    def __init__(self, base: str, browser: Browser | None = None):
        import socketio

        self.received: list[tuple[str, object]] = []
        self._lock = threading.Lock()
        self.sio = socketio.Client(reconnection=True)
        self.sio.on("*", self._record)
        headers = {"Cookie": browser.cookie_header()} if browser else {}
        self.sio.connect(base, transports=["websocket"], headers=headers, wait_timeout=10)

    def _record(self, event, data=None):
        with self._lock:
            self.received.append((event, data))

    def join(self, room: str) -> None:
        answer = self.sio.call("join", {"room": room}, timeout=10)
        assert answer == {"ok": True}, f"could not join {room}: {answer}"

    def events(self, name: str) -> list:
        with self._lock:
            return [data for event, data in self.received if event == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list:
        return wait_until(lambda: len(self.events(name)) >= count and self.events(name), timeout, f"{count} '{name}' push(es)")

    def close(self) -> None:
        self.sio.disconnect()
