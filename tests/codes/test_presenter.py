"""The presenter view and the code settings page: hosts only, code hidden until revealed."""
import sqlalchemy as sa

from codes.redeem import redeem
from codes.setup import code_for, set_custom_code
from core import clock
from core.audit import AuditEntry
from core.db import db
from core.realtime import socketio


def test_an_anonymous_visitor_is_sent_to_log_in(client, make_session):
    session = make_session()
    for path in (f"/host/sessions/{session.id}/present", f"/host/sessions/{session.id}/present.json",
                 f"/host/sessions/{session.id}/code"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_an_attendee_may_not_open_the_presenter_view_nor_reveal(client, auth, make_session, attendee, code_of):
    session = make_session()
    auth.login(attendee)
    for path in (f"/host/sessions/{session.id}/present", f"/host/sessions/{session.id}/present.json",
                 f"/host/sessions/{session.id}/code", f"/host/sessions/{session.id}/qr.svg"):
        response = client.get(path)
        assert response.status_code == 403
        assert code_of(session) not in response.get_data(as_text=True)
    assert client.post(f"/host/sessions/{session.id}/reveal").status_code == 403
    assert not code_for(session).revealed


def test_the_host_of_another_event_may_not_open_the_presenter_view(client, auth, make_session, make_user):
    session = make_session()
    other_host = make_user("olu@example.org", "Olu Other", is_organiser=True)
    auth.login(other_host)
    assert client.get(f"/host/sessions/{session.id}/present").status_code == 403


def test_an_administrator_may_open_any_presenter_view(client, auth, make_session, make_user):
    session = make_session()
    auth.login(make_user("ada@example.org", "Ada Admin", is_admin=True))
    assert client.get(f"/host/sessions/{session.id}/present").status_code == 200


def test_before_the_reveal_the_view_shows_the_title_and_window_but_not_the_code(client, auth, host, make_session, code_of):
    session = make_session()
    auth.login(host)
    response = client.get(f"/host/sessions/{session.id}/present")
    page = response.get_data(as_text=True)
    assert "Anticoagulation update" in page
    assert "Claims open at Sat 21 Nov 2026, 2:30 PM EST" in page
    # During the session the host is warned before revealing early.
    assert ("Claims open at Sat 21 Nov 2026, 2:30 PM EST.</strong> Revealed now, the code is kept by every phone that\n"
            "      enters it and the evaluations can be filled; claims still wait until then.") in page
    assert ">Reveal code early</button>" in page
    assert code_of(session) not in page and "<svg" not in page
    assert response.headers["Cache-Control"] == "no-store"
    state = client.get(f"/host/sessions/{session.id}/present.json").get_json()
    assert (state["revealed"], state["code"], state["entry_url"]) == (False, None, None)
    assert state["window"]["state"] == "not_open"


def test_after_the_session_ends_revealing_is_not_early(client, auth, host, make_session):
    session = make_session()
    clock.move_to(session.ends_at)
    auth.login(host)
    page = client.get(f"/host/sessions/{session.id}/present").get_data(as_text=True)
    assert ">Reveal code</button>" in page and "Revealed now" not in page


def test_revealing_shows_the_code_in_groups_with_the_qr_and_count_and_is_logged(
    client, auth, host, make_session, attendee, now
):
    session = make_session()
    set_custom_code(session, "PHARM2026", host)
    redeem(attendee.id, session)
    auth.login(host)
    response = client.post(f"/host/sessions/{session.id}/reveal")
    assert response.headers["Location"] == f"/host/sessions/{session.id}/present"
    page = client.get(f"/host/sessions/{session.id}/present").get_data(as_text=True)
    assert "PHA RM2 026" in page
    assert "<svg" in page and 'aria-label="QR code' in page
    assert "go to <strong>localhost/live</strong> and enter the code" in page
    assert "1</span>" in page and "attendee has entered the code" in page
    assert "Reveal code" not in page
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "code.revealed"))
    assert (entry.actor_id, entry.subject, entry.at) == (host.id, f"session:{session.id}", now)
    assert (code_for(session).revealed_at, code_for(session).revealed_by_id) == (now, host.id)


def test_the_state_for_the_presenter_view_after_the_reveal(client, auth, host, make_session, attendee, make_user):
    session = make_session()
    set_custom_code(session, "PHARM2026", host)
    auth.login(host)
    client.post(f"/host/sessions/{session.id}/reveal")
    redeem(attendee.id, session)
    redeem(make_user("sam@example.org", "Sam Tech").id, session)
    state = client.get(f"/host/sessions/{session.id}/present.json").get_json()
    assert state["revealed"] is True
    assert (state["code"], state["code_grouped"]) == ("PHARM2026", "PHA RM2 026")
    assert state["entry_url"] == "http://localhost/live?code=PHARM2026"
    assert (state["count"], state["count_words"]) == (2, "attendees have entered the code")


def test_revealing_twice_is_logged_once(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    client.post(f"/host/sessions/{session.id}/reveal")
    client.post(f"/host/sessions/{session.id}/reveal")
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "code.revealed")
    ) == 1


def test_other_presenter_views_hear_the_reveal_and_attendees_cannot_listen(app, client, auth, host, make_session, attendee):
    session = make_session()
    room = {"room": f"presenter:{session.id}"}
    # Each person in their own app context: requests inside the test's own
    # context would share its `g`, and with it the logged-in user.
    with app.app_context():
        outsider_http = app.test_client()
        outsider_http.post("/login", data={"email": attendee.email, "password": "correct horse battery"})
        outsider = socketio.test_client(app, flask_test_client=outsider_http)
        assert outsider.emit("join", room, callback=True) == {"ok": False}

    auth.login(host)
    second_screen = socketio.test_client(app, flask_test_client=client)
    assert second_screen.emit("join", room, callback=True) == {"ok": True}
    client.post(f"/host/sessions/{session.id}/reveal")
    heard = [(m["name"], m["args"][0]) for m in second_screen.get_received()]
    assert ("revealed", {"session_id": session.id}) in heard
    assert outsider.get_received() == []
    outsider.disconnect()
    second_screen.disconnect()


def test_the_settings_page_shows_the_code_and_takes_the_hosts_own(client, auth, host, make_session, code_of):
    session = make_session()
    auth.login(host)
    page = client.get(f"/host/sessions/{session.id}/code").get_data(as_text=True)
    code = code_of(session)
    assert f"{code[:4]} {code[4:]}" in page
    assert "Not shown yet" in page
    response = client.post(f"/host/sessions/{session.id}/code", data={"code": "pharm-2026"}, follow_redirects=True)
    assert "The code is now PHA RM2 026." in response.get_data(as_text=True)
    assert code_of(session) == "PHARM2026"


def test_a_refused_code_on_the_settings_page_keeps_what_was_typed_and_says_why(client, auth, host, make_session, code_of):
    session, other = make_session(title="Morning"), make_session(title="Afternoon")
    set_custom_code(other, "PHARM2026", host)
    auth.login(host)
    page = client.post(f"/host/sessions/{session.id}/code", data={"code": "ph2"}).get_data(as_text=True)
    assert "A code needs at least 4 letters and numbers; this one has 3." in page
    assert 'value="ph2"' in page
    page = client.post(f"/host/sessions/{session.id}/code", data={"code": "Pharm 2026"}).get_data(as_text=True)
    assert "Another session that is still open uses PHARM2026." in page
    assert 'value="Pharm 2026"' in page
    assert code_of(session) != "PHARM2026"


def test_changing_the_code_tells_open_presenter_views(app, client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    screen = socketio.test_client(app, flask_test_client=client)
    screen.emit("join", {"room": f"presenter:{session.id}"}, callback=True)
    client.post(f"/host/sessions/{session.id}/code", data={"code": "PHARM2026"})
    client.post(f"/host/sessions/{session.id}/code/new")
    names = [m["name"] for m in screen.get_received()]
    assert names == ["code_changed", "code_changed"]
    assert code_for(session).code != "PHARM2026"
    screen.disconnect()


def test_the_host_pages_link_to_the_presenter_view(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    link = f'href="/host/sessions/{session.id}/present"'
    assert link in client.get(f"/s/{session.id}").get_data(as_text=True)
    assert link in client.get(f"/host/events/{session.event_id}").get_data(as_text=True)
