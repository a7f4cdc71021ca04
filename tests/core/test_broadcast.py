"""A push to a room framed once, and clients leaving without a scan of every room (core/broadcast.py).

That such a push reaches every phone of a room, in order, through a real
server, is tests/scale/test_broadcast.py.
"""
import pytest
from socketio import Manager
from socketio.packet import Packet
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request, TextMessage

from core.broadcast import Rooms, frame


def wsproto_frame(message: str | bytes) -> bytes:
    """How simple-websocket frames a message for a browser: wsproto's server side."""
    server = WSConnection(ConnectionType.SERVER)
    client = WSConnection(ConnectionType.CLIENT)
    server.receive_data(client.send(Request(host="x", target="/socket.io/")))
    next(server.events())
    server.send(AcceptConnection())
    return server.send(BytesMessage(data=message) if isinstance(message, bytes) else TextMessage(data=message))


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_a_frame_built_once_is_the_frame_wsproto_would_send(size):
    text = '42["revealed",{"session_id":12}]'[:size] + "é" * max(0, (size - 32) // 2)
    assert frame(text) == wsproto_frame(text)
    assert frame(text.encode()) == wsproto_frame(text.encode())


class _Server:
    """What a client manager asks of its server, for driving one without sockets."""

    packet_class = Packet

    def __init__(self):
        self.ids = 0
        self.eio = self

    def generate_id(self):
        self.ids += 1
        return f"sid{self.ids}"


def _crowd(manager):
    manager.set_server(_Server())
    sids = [manager.connect(f"eio{i}", "/") for i in range(6)]
    for sid in sids[:4]:
        manager.enter_room(sid, "/", "presenter:3")
    for sid in sids[2:]:
        manager.enter_room(sid, "/", "session:3")
    manager.callbacks[sids[1]] = {1: print}
    manager.pre_connect("eio-late", "/")  # still connecting when the others leave
    return sids


def test_clients_leaving_leave_every_room_they_were_in_as_python_socketio_leaves_them():
    ours, theirs = Rooms(), Manager()
    for manager in (ours, theirs):
        sids = _crowd(manager)
        manager.leave_room(sids[0], "/", "presenter:3")
        manager.pre_disconnect(sids[3], "/")
        for sid in sids[:4]:
            manager.disconnect(sid, "/")
    assert ours.rooms == theirs.rooms
    assert ours.callbacks == theirs.callbacks and ours.pending_connect == theirs.pending_connect
    assert ours.pending_disconnect == theirs.pending_disconnect
    assert set(ours.rooms_of) == {("/", "sid5"), ("/", "sid6"), ("/", "sid7")}


def test_the_last_clients_leaving_leave_nothing_behind():
    rooms = Rooms()
    sids = _crowd(rooms)
    for sid in [*sids, "sid7"]:
        rooms.disconnect(sid, "/")
    assert rooms.rooms == {} and rooms.rooms_of == {} and rooms.callbacks == {}
