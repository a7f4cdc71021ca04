"""The desk's JSON API: what a desk page sends and what it gets back, errors included."""
import pytest
import sqlalchemy as sa

from checkin.models import Checkin, CheckinScan, session_list
from core.db import db
from tests.checkin.desk_world import nonce, world  # noqa: F401


def url(world, path, event=None):
    return f"/api/v1/events/{(event or world.event).id}{path}"


@pytest.fixture
def staff_client(world, logged_in):
    return logged_in(world.staff)


def scan(client, world, code, **extra):
    body = {"code": code, "nonce": nonce(), "desk": "Desk 1", **extra}
    return client.post(url(world, "/lists/entrance/scans"), json=body)


def test_a_scan_answers_in_json_and_a_second_one_says_already(world, staff_client):
    token = world.badges["Maya Chen"].badge_token
    first = scan(staff_client, world, token)
    assert first.status_code == 200
    assert {k: first.json[k] for k in ("result", "message", "name", "profession", "list")} == {
        "result": "checked_in", "message": "Checked in", "name": "Maya Chen", "profession": "Pharmacist",
        "list": "entrance"}
    second = scan(staff_client, world, token, desk="Desk 2")
    assert second.json["result"] == "already_checked_in"
    assert second.json["message"] == "Already checked in at 2:00 PM EST at Desk 1 by Dana Desk"
    assert second.json["earlier"]["desk"] == "Desk 1"


def test_a_retried_upload_gets_the_first_answer(world, staff_client):
    body = {"code": world.badges["Omar Diaz"].badge_token, "nonce": nonce(), "desk": "Desk 1"}
    first = staff_client.post(url(world, "/lists/entrance/scans"), json=body)
    again = staff_client.post(url(world, "/lists/entrance/scans"), json=body)
    assert again.json["replayed"] is True
    assert {**again.json, "replayed": False} == first.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan)) == 1


@pytest.mark.parametrize("body, field", [
    ({"nonce": "abcdefgh1", "desk": "Desk 1"}, "code"),
    ({"code": 12345, "nonce": "abcdefgh1", "desk": "Desk 1"}, "code"),
    ({"code": "X", "nonce": ["a"], "desk": "Desk 1"}, "nonce"),
    ({"code": "X", "nonce": "abcdefgh1"}, "desk"),
    ({"code": "X" * 501, "nonce": "abcdefgh1", "desk": "Desk 1"}, "code"),
])
def test_missing_or_mistyped_fields_are_400_with_the_field_named(world, staff_client, body, field):
    response = staff_client.post(url(world, "/lists/entrance/scans"), json=body)
    assert response.status_code == 400
    assert response.json["error"]["reason"] == "bad_request" and response.json["error"]["field"] == field
    assert response.json["error"]["message"]


@pytest.mark.parametrize("data, content_type", [("{not json", "application/json"), ("[1, 2]", "application/json"),
                                                ("code=X", "application/x-www-form-urlencoded"), ("", None)])
def test_bad_json_is_a_400_in_plain_words(world, staff_client, data, content_type):
    response = staff_client.post(url(world, "/lists/entrance/scans"), data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.json["error"] == {**response.json["error"], "reason": "bad_request",
                                      "message": "Send a JSON object (Content-Type: application/json)."}


def test_a_bad_nonce_or_desk_name_is_refused_with_a_reason(world, staff_client):
    response = scan(staff_client, world, "X", nonce="short")
    assert (response.status_code, response.json["error"]["reason"]) == (400, "bad_nonce")
    response = scan(staff_client, world, "X", desk="   ")
    assert (response.status_code, response.json["error"]["reason"]) == (400, "desk_required")


def test_a_list_of_another_event_is_404(world, staff_client, make_session):
    other = make_session(event=world.other_event)
    response = staff_client.post(url(world, f"/lists/{session_list(other.id)}/scans"),
                                 json={"code": "X", "nonce": nonce(), "desk": "Desk 1"})
    assert (response.status_code, response.json["error"]["reason"]) == (404, "unknown_list")


def test_search_then_check_in_a_result(world, staff_client):
    found = staff_client.get(url(world, "/lists/entrance/search?q=oma")).json["results"]
    assert [(p["name"], p["email"], p["checked_in"]) for p in found] == [("Omar Diaz", "omar.diaz@example.org", False)]
    response = staff_client.post(url(world, "/lists/entrance/checkins"),
                                 json={"registration_id": found[0]["registration_id"], "nonce": nonce(), "desk": "Desk 1"})
    assert (response.status_code, response.json["result"], response.json["name"]) == (200, "checked_in", "Omar Diaz")
    assert db.session.scalar(sa.select(Checkin.method)) == "search"
    short = staff_client.get(url(world, "/lists/entrance/search?q=om"))
    assert (short.status_code, short.json["error"]["reason"]) == (400, "query_too_short")
    wrong = staff_client.post(url(world, "/lists/entrance/checkins"),
                              json={"registration_id": "12", "nonce": nonce(), "desk": "Desk 1"})
    assert (wrong.status_code, wrong.json["error"]["field"]) == (400, "registration_id")


def test_a_walk_in_over_the_api_and_a_refusal_that_names_the_field(world, staff_client):
    body = {"name": "Wanda Walker", "email": "wanda@example.org", "profession": "technician", "nonce": nonce(),
            "desk": "Desk 1"}
    response = staff_client.post(url(world, "/lists/entrance/walk-ins"), json=body)
    assert (response.status_code, response.json["result"], response.json["profession"]) == (
        200, "checked_in", "Pharmacy technician")
    bad = staff_client.post(url(world, "/lists/entrance/walk-ins"), json={**body, "email": "nope", "nonce": nonce()})
    assert (bad.status_code, bad.json["error"]["field"], bad.json["error"]["message"]) == (
        400, "email", "That does not look like an email address.")


def test_stepping_registration_ids_from_one_upwards_names_only_this_events_people(world, staff_client):
    ours = {registration.id: name for name, registration in world.badges.items()}
    answers = {}
    for registration_id in range(1, world.other_badge.id + 3):
        response = staff_client.post(url(world, "/lists/entrance/checkins"),
                                     json={"registration_id": registration_id, "nonce": nonce(), "desk": "Desk 1"})
        assert response.status_code == 200
        answers[registration_id] = response.json
    for registration_id, answer in answers.items():
        if registration_id in ours:
            assert (answer["result"], answer["name"]) == ("checked_in", ours[registration_id])
        else:
            assert {k: answer[k] for k in ("result", "message", "name", "profession", "registration_id")} == {
                "result": "not_registered", "message": "Not registered for this event", "name": "",
                "profession": "", "registration_id": None}
    state = staff_client.get(url(world, "/lists/entrance/state?last=50")).get_data(as_text=True)
    assert "Sam Stranger" not in state and "sam@example.org" not in state
    # The page without JavaScript answers the same.
    page = staff_client.post(f"/desk/events/{world.event.id}/check-in", data={
        "list": "entrance", "desk": "Desk 9", "nonce": nonce(), "registration_id": str(world.other_badge.id)})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not registered for this event" in text and "Sam Stranger" not in text
    scanned = staff_client.post(f"/desk/events/{world.event.id}/scan", data={
        "list": "entrance", "desk": "Desk 9", "nonce": nonce(), "code": world.other_badge.badge_token})
    assert "Not registered for this event" in scanned.get_data(as_text=True)
    assert "Sam Stranger" not in scanned.get_data(as_text=True)


def test_a_walk_in_with_an_existing_account_s_email_is_a_409_that_names_nobody(world, staff_client):
    body = {"name": "Somebody Else", "email": "sam@example.org", "nonce": nonce(), "desk": "Desk 1"}
    response = staff_client.post(url(world, "/lists/entrance/walk-ins"), json=body)
    assert (response.status_code, response.json["error"]["reason"], response.json["error"]["field"]) == (
        409, "account_exists", "email")
    assert "Sam" not in response.get_data(as_text=True)
    registered = staff_client.post(url(world, "/lists/entrance/walk-ins"),
                                   json={**body, "email": "omar.diaz@example.org", "nonce": nonce()})
    assert (registered.status_code, registered.json["error"]["reason"]) == (409, "already_registered")
    assert "Omar" not in registered.get_data(as_text=True)
    page = staff_client.post(f"/desk/events/{world.event.id}/walk-in", data={
        "list": "entrance", "desk": "Desk 9", "nonce": nonce(), "name": "Somebody Else", "email": "sam@example.org"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "An account already exists for this email." in text and "Sam" not in text


def test_counters_and_state(world, staff_client):
    scan(staff_client, world, world.badges["Maya Chen"].badge_token)
    assert staff_client.get(url(world, "/lists/entrance/counters")).json == {
        "list": "entrance", "checked_in": 1, "registered": 3}
    state = staff_client.get(url(world, "/lists/entrance/state?last=5")).json
    assert state["counters"]["checked_in"] == 1 and state["last_scans"][0]["name"] == "Maya Chen"
    assert staff_client.get(url(world, "/lists/entrance/state?last=0")).status_code == 400
    lists = staff_client.get(url(world, "/lists")).json
    assert [item["key"] for item in lists["lists"]] == ["entrance", session_list(world.session.id)]
    assert lists["may_undo"] is False


def test_undo_is_for_hosts_with_a_reason(world, staff_client, logged_in):
    made = scan(staff_client, world, world.badges["Maya Chen"].badge_token).json
    path = url(world, f"/checkins/{made['checkin_id']}/undo")
    refused = staff_client.post(path, json={"reason": "oops", "desk": "Desk 1"})
    assert (refused.status_code, refused.json["error"]["reason"]) == (403, "hosts_only")
    host = logged_in(world.host)
    no_reason = host.post(path, json={"desk": "Desk 1"})
    assert (no_reason.status_code, no_reason.json["error"]["reason"]) == (400, "reason_required")
    done = host.post(path, json={"reason": "wrong person", "desk": "Host desk"})
    assert (done.status_code, done.json["result"]) == (200, "undone")
    gone = host.post(path, json={"reason": "again", "desk": "Host desk"})
    assert (gone.status_code, gone.json["error"]["reason"]) == (404, "not_checked_in")
    assert scan(staff_client, world, world.badges["Maya Chen"].badge_token).json["result"] == "checked_in"


def test_every_change_is_pushed_to_the_events_desks_and_only_their_staff_may_listen(app, world, staff_client, logged_in):
    from core.realtime import socketio

    desk_socket = socketio.test_client(app, flask_test_client=staff_client)
    assert desk_socket.emit("join", {"room": f"desk:{world.event.id}"}, callback=True) == {"ok": True}
    outsider = socketio.test_client(app, flask_test_client=logged_in(world.other_staff))
    assert outsider.emit("join", {"room": f"desk:{world.event.id}"}, callback=True) == {"ok": False}

    body = {"code": world.badges["Maya Chen"].badge_token, "nonce": nonce(), "desk": "Desk 1"}
    staff_client.post(url(world, "/lists/entrance/scans"), json=body)
    staff_client.post(url(world, "/lists/entrance/scans"), json=body)  # a retry: nothing new to tell
    received = [(m["name"], m["args"][0]) for m in desk_socket.get_received()]
    [(_, line), (_, counters)] = [m for m in received if m[0] in ("desk.scan", "desk.counters")]
    assert counters == {"list": "entrance", "checked_in": 1, "registered": 3}
    assert (line["name"], line["result"], line["desk"], line["by"]) == ("Maya Chen", "checked_in", "Desk 1", "Dana Desk")
    assert not [m for m in outsider.get_received() if m["name"].startswith("desk.")]


def test_without_javascript_search_and_check_in_are_plain_forms(world, staff_client):
    page = staff_client.get(f"/desk/events/{world.event.id}?list=entrance&desk=Desk+9&q=omar").get_data(as_text=True)
    assert "Omar Diaz" in page and "Maya Chen" not in page
    registration_id = world.badges["Omar Diaz"].id
    answer = staff_client.post(f"/desk/events/{world.event.id}/check-in", data={
        "list": "entrance", "desk": "Desk 9", "nonce": nonce(), "registration_id": str(registration_id)})
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Checked in" in text and "Omar Diaz" in text
    scanned = staff_client.post(f"/desk/events/{world.event.id}/scan", data={
        "list": "entrance", "desk": "Desk 9", "nonce": nonce(), "code": world.badges["Omar Diaz"].badge_token})
    assert "Already checked in at 2:00 PM EST at Desk 9 by Dana Desk" in scanned.get_data(as_text=True)
    refused = staff_client.post(f"/desk/events/{world.event.id}/walk-in", data={
        "list": "entrance", "desk": "Desk 9", "nonce": nonce(), "name": "Wanda Walker", "email": "wanda"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "That does not look like an email address." in text and 'value="Wanda Walker"' in text


def _connection_lost_before(insert: str):
    """The database connection dies just before `insert`, once: PostgreSQL's backend is
    ended from another connection (pg_terminate_backend), SQLite's connection is closed under it."""
    lost = []

    def end_the_connection(conn, cursor, statement, parameters, context, executemany):
        if lost or not statement.startswith(insert):
            return
        lost.append(statement)
        dbapi_connection = conn.connection.dbapi_connection
        if conn.dialect.name != "postgresql":
            dbapi_connection.close()
            return
        pid = dbapi_connection.info.backend_pid
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    sa.event.listen(db.engine, "before_cursor_execute", end_the_connection)
    return lost, lambda: sa.event.remove(db.engine, "before_cursor_execute", end_the_connection)


@pytest.fixture
def connection_lost_before_the_check_in():
    lost, stop = _connection_lost_before("INSERT INTO checkins ")
    yield lost
    stop()


@pytest.fixture
def connection_lost_while_registering():
    lost, stop = _connection_lost_before("INSERT INTO registrations ")
    yield lost
    stop()


def test_a_connection_lost_during_a_walk_ins_check_in_is_retried_and_checks_in_once(
        world, staff_client, connection_lost_before_the_check_in):
    from accounts.models import User
    from checkin.models import Registration

    body = {"name": "Wanda Walker", "email": "wanda@example.org", "nonce": nonce(), "desk": "Desk 1"}
    first = staff_client.post(url(world, "/lists/entrance/walk-ins"), json=body)
    assert connection_lost_before_the_check_in, "the connection was never ended"
    assert (first.status_code, first.json["result"], first.json["replayed"]) == (200, "checked_in", False)
    again = staff_client.post(url(world, "/lists/entrance/walk-ins"), json=body)
    assert again.status_code == 200 and again.json == {**first.json, "replayed": True}
    wanda = db.session.scalar(sa.select(User).where(User.email == "wanda@example.org"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.user_id == wanda.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkin).where(Checkin.user_id == wanda.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan).where(
        CheckinScan.nonce == body["nonce"])) == 1


def test_a_connection_lost_while_registering_a_walk_in_is_retried_and_registers_and_checks_in_once(
        world, staff_client, connection_lost_while_registering):
    from accounts.models import User
    from checkin.models import Registration

    body = {"name": "Wanda Walker", "email": "wanda@example.org", "nonce": nonce(), "desk": "Desk 1"}
    first = staff_client.post(url(world, "/lists/entrance/walk-ins"), json=body)
    assert connection_lost_while_registering, "the connection was never ended"
    assert (first.status_code, first.json["result"]) == (200, "checked_in")
    again = staff_client.post(url(world, "/lists/entrance/walk-ins"), json=body)
    assert again.status_code == 200 and again.json == {**first.json, "replayed": True}
    wanda = db.session.scalars(sa.select(User).where(User.email == "wanda@example.org")).one()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.user_id == wanda.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkin).where(Checkin.user_id == wanda.id)) == 1
