"""The Socket.IO instance and the one helper that pushes an update to a room.

Pushes carry small state changes; a client that reconnects fetches the
current state over HTTP, so a lost push never leaves a page wrong.

Rooms are named `<kind>:<id>` (`session:12`, `presenter:12`, `user:7`).
Each package says who may join its kind of room with `allow_room`.

With REDIS_URL set, every push goes through Redis (publish/subscribe) to
every server process, and `push` works from any process that built the app:
a server, a CLI command, the reporting worker. When Redis is down, pushes
are dropped (pages still re-fetch on reconnect and wake) and nothing raises
into the request; when it is back, pushes flow again by themselves.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import click
from flask.cli import AppGroup
from flask_socketio import SocketIO, join_room
from socketio import RedisManager

from core.broadcast import Rooms, use_direct_writes
from core.edge import whole_number

log = logging.getLogger(__name__)
socketio = SocketIO()
CHANNEL = "flask-socketio"  # Flask-SocketIO's default, so a plain SocketIO(message_queue=...) reaches us too

# Room kind -> check(id) run in the joining client's request context
# (so `flask_login.current_user` is the connected user).
_rooms: dict[str, Callable[[int], bool]] = {}


class RedisQueue(RedisManager, Rooms):
    """python-socketio's Redis manager, made to fail fast and to recover by itself.

    Pushes reaching this process go out as `Rooms` sends them (core/broadcast.py).

    - A publish waits at most `TIMEOUT` seconds for Redis and never raises;
      after a failure, pushes are dropped for `PAUSE` seconds instead of each
      waiting again.
    - The listener re-subscribes with a short back-off (at most `MAX_RETRY`
      seconds, where python-socketio's own grows to 60), and after an outage
      tells this process's clients to re-fetch (`resync`), since pushes sent
      meanwhile are lost.
    """

    TIMEOUT = 0.5
    PAUSE = 1.0
    MAX_RETRY = 2.0

    def __init__(self, url: str, write_only: bool = False):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options = {"socket_connect_timeout": self.TIMEOUT, "socket_timeout": self.TIMEOUT,
                   "retry": Retry(NoBackoff(), 0), "health_check_interval": 15}
        super().__init__(url, channel=CHANNEL, write_only=write_only, redis_options=options)
        self.paused_until = 0.0
        self.listening = False
        self._publisher = None

    def state(self) -> str:
        """"listening" to other processes' pushes, "reconnecting", or "idle" (no client has connected yet)."""
        if not hasattr(self, "thread"):
            return "idle"
        return "listening" if self.listening else "reconnecting"

    def _publish(self, data):
        if time.monotonic() < self.paused_until:
            return None
        try:
            if self._publisher is None:
                self._publisher = self._get_redis_module().Redis.from_url(self.redis_url, **self.redis_options)
            return self._publisher.publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # Redis down or slow: the push is lost, the request goes on
            self.paused_until = time.monotonic() + self.PAUSE
            log.warning("push not sent: Redis unavailable (%s); pausing pushes for %.0f s", type(exc).__name__, self.PAUSE)
            return None

    def _redis_listen_with_retries(self):
        delay = 0.25
        failed = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                self.listening = True
                delay = 0.25
                if failed:
                    failed = False
                    log.warning("Redis is back: pushes resume; clients re-fetch")
                    self.emit("resync", {}, namespace="/", ignore_queue=True)  # local clients only
                yield from self.pubsub.listen()
            except Exception as exc:
                if not failed:
                    log.warning("Redis unavailable (%s): pushes from other processes pause", type(exc).__name__)
                self.listening = False
                failed = True
                time.sleep(delay)  # gevent-patched in servers
                delay = min(delay * 2, self.MAX_RETRY)


def init_app(app) -> None:
    """Bind Socket.IO to `app`: in process alone, or through Redis when REDIS_URL is set."""
    url = app.config.get("REDIS_URL")
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Always passed: the one SocketIO object keeps options across init_app calls.
        client_manager=RedisQueue(url) if url else Rooms(),
        cors_allowed_origins=[],  # same origin only
    )
    use_direct_writes(socketio.server)  # a room push is framed once and written at once (core/broadcast.py)
    app.wsgi_app = _UncompressedWebSockets(app.wsgi_app)  # outside Flask-SocketIO's middleware


class _UncompressedWebSockets:
    """Decline the browser's offer to compress WebSocket messages (permessage-deflate).

    simple-websocket accepts it whenever a browser offers it (all do), and then
    every connection keeps a zlib compressor and decompressor on the server,
    hundreds of KB each, to compress pushes of a few dozen bytes: at 10,000
    phones that is gigabytes for nothing. Without the offer the connection
    simply runs uncompressed (RFC 7692: the extension is optional).
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


def queue() -> RedisQueue | None:
    manager = socketio.server.manager if socketio.server else None
    return manager if isinstance(manager, RedisQueue) else None


def allow_room(kind: str, may_join: Callable[[int], bool]) -> None:
    """Let a client join rooms `<kind>:<id>` when `may_join(id)` is true for it."""
    _rooms[kind] = may_join


def push(room: str, event: str, data: dict) -> None:
    """Send `event` with `data` to every client in `room`, on every server process.

    Never raises: a push only makes pages faster, and the work that caused
    it (a claim, a check-in) is already done.
    """
    try:
        socketio.emit(event, data, to=room)
    except Exception:
        log.exception("push %s to %s failed", event, room.partition(":")[0])


@socketio.on("join")
def _join(message):
    room = str((message or {}).get("room", "")) if isinstance(message, dict) else ""
    kind, _, ident = room.partition(":")
    may_join = _rooms.get(kind)
    number = whole_number(ident)
    if may_join is None or number is None or not may_join(number):
        return {"ok": False}
    join_room(room)
    return {"ok": True}


live_cli = AppGroup("live", help="Live updates from outside the servers.")


@live_cli.command("resync")
@click.option("--room", help="Only pages in this room, e.g. session:12 (default: every open page).")
def resync_command(room: str | None) -> None:
    """Tell open pages to re-fetch their state (after fixing data by hand, say).

    Goes through Redis to every server process when REDIS_URL is set.
    """
    if room is not None and not _room_name(room):
        raise click.BadParameter("a room looks like session:12, presenter:12 or user:7", param_hint="--room")
    if queue() is None:
        raise click.ClickException("REDIS_URL is not set: a command cannot reach the pages of a running server.")
    socketio.emit("resync", {}, to=room)
    click.echo(f"Asked {'pages in ' + room if room else 'every open page'} to re-fetch.")


def _room_name(room: str) -> bool:
    kind, _, ident = room.partition(":")
    return kind in _rooms and whole_number(ident) is not None
