"""One push to thousands of phones in one room, within half a second, on one server process.

python-socketio encodes a room push once, then queues it on every connection;
each connection's writer greenlet wakes, frames the message with wsproto and
sends it: about 45 us of server time per phone, so 10,000 phones in a room
waited up to 0.7 s for a code reveal. Here a push to a room is framed once
(RFC 6455) and written straight to every connection whose writer is idle:
one non-blocking write(2) each, about 10 to 35 us. A connection that is busy
(its writer has packets queued or is sending), slow (its socket buffer is
full), not on WebSocket, or waiting for a pong gets the push through its
queue, as before, so every connection still receives its messages in the
order they were sent.

`Rooms` is the client manager (python-socketio's documented extension point)
that does this; `PushWebSocket` is the gevent driver's simple-websocket
wrapper, told which engine.io socket it serves and whether its writer is
sending; it also sends every frame whole (simple-websocket's send does not,
under gevent, to a phone slow to read). `Rooms` also forgets a leaving client
in time independent of the number of rooms, where python-socketio scans every
room (each connection has one of its own): 10,000 phones dropping off the
venue Wi-Fi at once cost 7 s of server time.
"""
from __future__ import annotations

import logging
import os
import time

from engineio import packet as eio_packet
from engineio.async_drivers import gevent as gevent_driver
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from socketio import Manager
from socketio import packet as sio_packet

log = logging.getLogger(__name__)
LOGGED_FROM = 100  # connections in a room from which a push is logged with its timing

# engine.io sid -> the WebSocket of a connection open on this process
_websockets: dict[str, "PushWebSocket"] = {}


def frame(message: str | bytes) -> bytes:
    """A final, unmasked WebSocket frame carrying `message`, as a server sends it (RFC 6455, 5.2)."""
    payload, opcode = (message, 0x82) if isinstance(message, bytes) else (message.encode(), 0x81)
    size = len(payload)
    if size < 126:
        header = bytes((opcode, size))
    elif size < 1 << 16:
        header = bytes((opcode, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((opcode, 127)) + size.to_bytes(8, "big")
    return header + payload


class _FrameTail(bytes):
    """The end of a frame that a direct write got only partly out; the connection's writer sends it as is."""


class _Unsent(eio_packet.Packet):
    def __init__(self, tail: bytes):
        super().__init__(eio_packet.MESSAGE, tail)

    def encode(self, b64=False):
        return _FrameTail(self.data)


class PushWebSocket(gevent_driver.WebSocketWSGI):
    """engine.io's gevent WebSocket (simple-websocket), open to direct writes from a room push."""

    def __call__(self, environ, start_response):
        self.sending = False
        # engine.io hands us its socket's _websocket_handler; should that ever change, pushes just queue
        self.engineio_socket = getattr(self.app, "__self__", None)
        sid = getattr(self.engineio_socket, "sid", None)
        if sid is not None:
            _websockets[sid] = self
        try:
            return super().__call__(environ, start_response)
        finally:
            _websockets.pop(sid, None)

    def send(self, message):
        """The connection's writer greenlet sends its queued packets here: all of each frame, or an error.

        simple-websocket's own send makes one `send` call, which under gevent
        writes only what fits once the buffer has room, and drops the rest of
        the frame: a phone slow to read would see a broken stream.
        """
        if not self.ws.connected:
            raise OSError("WebSocket closed")  # as simple-websocket's wrapper says it to engine.io
        self.sending = True
        try:
            self.ws.sock.sendall(message if isinstance(message, _FrameTail) else frame(message))
        finally:
            self.sending = False

    def write_now(self, framed: bytes) -> bool:
        """Write the frame `framed` now if nothing is queued or being sent on this connection; never waits.

        False when the frame must go through the connection's queue instead.
        """
        socket = self.engineio_socket
        if (self.sending or not socket.queue.empty() or not socket.upgraded or socket.upgrading
                or socket.closing or socket.closed or socket.last_ping is not None
                or not getattr(self, "ws", None) or not self.ws.connected):
            return False
        try:
            written = os.write(self.ws.sock.fileno(), framed)  # gevent keeps every socket non-blocking
        except OSError:  # buffer full (a slow phone) or connection broken: the writer deals with it, in order
            return False
        if written < len(framed):
            socket.send(_Unsent(framed[written:]))
        return True


def use_direct_writes(server) -> None:
    """Let room pushes of python-socketio `server` write straight to its WebSockets (gevent only)."""
    eio = server.eio
    if eio.async_mode == "gevent" and issubclass(gevent_driver.WebSocketWSGI, SimpleWebSocketWSGI):
        # engine.io takes its WebSocket class from the driver's table; no public setting for it
        eio._async = {**eio._async, "websocket": PushWebSocket}


class Rooms(Manager):
    """python-socketio's client manager, with room pushes framed once and an index of each client's rooms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rooms_of: dict[tuple[str, str], set] = {}  # (namespace, sid) -> the rooms it is in

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self.rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """python-socketio's, with the client's rooms from the index instead of a scan of all rooms."""
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        if callback is not None or namespace not in self.rooms:
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        arguments = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *arguments]).encode()
        if isinstance(encoded, list):  # binary attachments: several packets, the library's way
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        framed = frame(message.encode())
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        started = time.perf_counter()
        written = queued = 0
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            websocket = _websockets.get(eio_sid)
            if websocket is not None and websocket.write_now(framed):
                written += 1
            else:
                self.server._send_eio_packet(eio_sid, message)  # as Manager.emit (and what test clients catch)
                queued += 1
        if written + queued >= LOGGED_FROM:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            kind = room.partition(":")[0] if isinstance(room, str) else "every client" if room is None else "rooms"
            log.info("push %s to %s: %d connections written at once, %d queued, in %.1f ms", event, kind,
                     written, queued, duration_ms,
                     extra={"event": event, "room_kind": kind, "written": written, "queued": queued,
                            "duration_ms": duration_ms, "finished_monotonic": time.monotonic()})
