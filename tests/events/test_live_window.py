"""Session pages learn that claims opened or closed without a reload."""
import datetime as dt

from core import clock
from core.realtime import socketio
from events import watch


def joined_client(app, client, session):
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.emit("join", {"room": f"session:{session.id}"}, callback=True) == {"ok": True}
    return sio


def test_when_the_end_minute_passes_open_pages_are_told_claims_are_open(app, client, make_session):
    session = make_session()
    sio = joined_client(app, client, session)
    before = clock.now()
    clock.move_to(session.ends_at)
    assert watch.push_changes(before, clock.now()) == 1
    pushed = [m for m in sio.get_received() if m["name"] == "window"]
    assert pushed[0]["args"][0]["state"] == "open"
    assert pushed[0]["args"][0]["headline"].startswith("Claims are open until")


def test_nothing_is_pushed_while_no_boundary_passes(app, client, make_session):
    session = make_session()
    sio = joined_client(app, client, session)
    before = clock.now()
    clock.move_to(session.ends_at - dt.timedelta(seconds=1))
    assert watch.push_changes(before, clock.now()) == 0
    assert sio.get_received() == []


def test_the_closing_minute_is_pushed_too(app, client, make_session):
    session = make_session()
    sio = joined_client(app, client, session)
    clock.move_to(session.closes_at - dt.timedelta(seconds=1))
    before = clock.now()
    clock.move_to(session.closes_at)
    watch.push_changes(before, clock.now())
    assert [m["args"][0]["state"] for m in sio.get_received()] == ["closed"]


def test_a_host_opening_early_reaches_open_pages(app, client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    sio = joined_client(app, client, session)
    client.post(f"/host/sessions/{session.id}/open-early")
    states = [m["args"][0] for m in sio.get_received() if m["name"] == "window"]
    assert states[0]["state"] == "open" and "Opened early" in states[0]["note"]


def test_only_real_sessions_have_rooms(app, client, make_session):
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.emit("join", {"room": "session:999"}, callback=True) == {"ok": False}
    assert sio.emit("join", {"room": "admin:1"}, callback=True) == {"ok": False}
    assert sio.emit("join", "nonsense", callback=True) == {"ok": False}


def test_the_state_endpoint_tells_the_page_what_changes_next(client, make_session):
    session = make_session()
    state = client.get(f"/s/{session.id}/window.json").get_json()
    assert state["next_change_at"] == session.ends_at.isoformat()
    assert state["server_now"] == clock.now().isoformat()
