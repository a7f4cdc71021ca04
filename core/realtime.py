"""The Socket.IO instance and the one helper that pushes an update to a room.

Pushes carry small state changes; a client that reconnects fetches the
current state over HTTP, so a lost push never leaves a page wrong.
"""
from __future__ import annotations

from flask_socketio import SocketIO, join_room

socketio = SocketIO()

# Rooms anyone may join, by prefix, each with a check of the id given.
_public_rooms: dict[str, object] = {}


def allow_public_room(prefix: str, exists) -> None:
    """Let any client join rooms named `<prefix>:<id>` when `exists(id)` is true."""
    _public_rooms[prefix] = exists


def push(room: str, event: str, data: dict) -> None:
    """Send `event` with `data` to every client in `room`."""
    socketio.emit(event, data, to=room)


@socketio.on("join")
def _join(message):
    room = str((message or {}).get("room", ""))
    prefix, _, ident = room.partition(":")
    exists = _public_rooms.get(prefix)
    if exists is None or not ident.isdigit() or not exists(int(ident)):
        return {"ok": False}
    join_room(room)
    return {"ok": True}
