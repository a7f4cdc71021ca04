"""A push to a room reaches every phone in it, in order, from a real gevent server (core/broadcast.py).

The server writes a room push straight to each phone whose connection is
idle, and queues it for the others; a phone that stops reading (a full
socket buffer) must still get every push, whole, in the order they were
sent, its own pushes and the room's interleaved.
"""
from __future__ import annotations

import json
import socket
import threading

import websocket
from socketio import RedisManager

from core.realtime import CHANNEL
from tests.scale.servers import Cluster, wait_until
from tests.scale.test_across_processes import seed

PHONES = 110
SLOW = 8  # phones that read nothing until every push was sent
PUSHES = 60
BULK = "x" * 100_000  # sent to each slow phone alone after each room push: 6 MB fill its socket buffers


class Phone:
    """A Socket.IO client as live.js speaks it (Engine.IO 4 over a WebSocket), noting every message."""

    def __init__(self, base: str, room: str, slow: bool = False):
        options = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)] if slow else []
        self.ws = websocket.create_connection(base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                                              sockopt=options, timeout=30)
        assert self.ws.recv().startswith("0{")
        self.ws.send("40")
        self.messages = [self._next()]
        assert self.messages[0].startswith("40{"), self.messages
        self.sid = json.loads(self.messages[0][2:])["sid"]
        self.ws.send(f'421["join",{{"room":"{room}"}}]')
        self.messages.append(self._next())
        assert self.messages[-1] == '431[{"ok":true}]', self.messages
        self.error = None
        self.slow = slow
        self.reading = threading.Event()
        if not slow:
            self.reading.set()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _next(self) -> str:
        while True:
            message = self.ws.recv()
            if message == "2":
                self.ws.send("3")  # Engine.IO ping → pong
            else:
                return message

    def _read(self):
        self.reading.wait()
        try:
            while len(self.ticks()) < PUSHES or (self.slow and len(self.pushes()) < 2 * PUSHES):
                self.messages.append(self._next())
        except Exception as exc:  # a broken stream or a closed connection, for the test to show
            self.error = exc

    def ticks(self) -> list[int]:
        return [json.loads(m[2:])[1]["n"] for m in self.messages if m.startswith('42["tick"')]

    def pushes(self) -> list[tuple[str, int]]:
        return [(event, data["n"]) for event, data in (json.loads(m[2:]) for m in self.messages if m.startswith("42"))]


def test_every_phone_of_a_room_gets_every_push_in_order_even_one_that_stops_reading(tmp_path, pg_database,
                                                                                    redis_server):
    cluster = Cluster(tmp_path, pg_database, redis_server.url, processes=1,
                      env={"LOG_LEVEL": "INFO", "LOG_FORMAT": "json"})
    cluster.migrate()
    cluster.start()
    try:
        room = f"session:{seed(cluster, attendees=0)['session_id']}"
        phones = [Phone(cluster.urls[0], room, slow=i < SLOW) for i in range(PHONES)]
        # An emitter in another process, as the reporting worker is: through Redis to the server.
        emitter = RedisManager(redis_server.url, channel=CHANNEL, write_only=True)
        for n in range(PUSHES):
            emitter.emit("tick", {"n": n}, room=room, namespace="/")
            for phone in phones[:SLOW]:
                emitter.emit("bulk", {"n": n, "pad": BULK}, room=phone.sid, namespace="/")

        fast = phones[SLOW:]
        wait_until(lambda: all(len(p.ticks()) == PUSHES for p in fast), 60, "every reading phone to get every push")
        for phone in phones[:SLOW]:  # only now do they read what waited for them
            phone.reading.set()
        wait_until(lambda: all(len(p.pushes()) == 2 * PUSHES or p.error for p in phones[:SLOW]), 60,
                   "the slow phones to catch up")
        assert [p.error for p in phones] == [None] * PHONES  # a broken frame shows here

        for phone in phones[SLOW:]:
            assert phone.ticks() == list(range(PUSHES))
        for phone in phones[:SLOW]:
            assert phone.pushes() == [(event, n) for n in range(PUSHES) for event in ("tick", "bulk")]
        lines = [json.loads(line) for line in cluster.log(0).splitlines() if '"finished_monotonic"' in line]
        assert len(lines) == PUSHES
        assert sum(line["written"] for line in lines) > PUSHES * (PHONES - SLOW) // 2  # most went straight out
        assert sum(line["queued"] for line in lines) >= SLOW  # and the stalled phones' through their queues
        for phone in phones:
            phone.ws.close()
    finally:
        cluster.stop()
