"""The Socket.IO instance and the one helper that pushes an update to a room.

Pushes carry small state changes; a client that reconnects fetches the
current state over HTTP, so a lost push never leaves a page wrong.

Rooms are named `<kind>:<id>` (`session:12`, `presenter:12`, `user:7`).
Each package says who may join its kind of room with `allow_room`.
"""
from __future__ import annotations

from typing import Callable

from flask_socketio import SocketIO, join_room

socketio = SocketIO()

# Room kind -> check(id) run in the joining client's request context
# (so `flask_login.current_user` is the connected user).
_rooms: dict[str, Callable[[int], bool]] = {}


def allow_room(kind: str, may_join: Callable[[int], bool]) -> None:
    """Let a client join rooms `<kind>:<id>` when `may_join(id)` is true for it."""
    _rooms[kind] = may_join


def push(room: str, event: str, data: dict) -> None:
    """Send `event` with `data` to every client in `room`."""
    socketio.emit(event, data, to=room)


@socketio.on("join")
def _join(message):
    room = str((message or {}).get("room", "")) if isinstance(message, dict) else ""
    kind, _, ident = room.partition(":")
    may_join = _rooms.get(kind)
    if may_join is None or not ident.isdigit() or not may_join(int(ident)):
        return {"ok": False}
    join_room(room)
    return {"ok": True}
