"""Desk devices: a host issues a scanner app a token for one event's desk; the app checks people in
with it, without a cookie or a CSRF token, and nothing else."""
import json
import logging
import re

import pytest
import sqlalchemy as sa

from checkin.models import Checkin, CheckinScan, DeskDevice
from core.audit import AuditEntry
from core.db import db
from core.logs import json_formatter
from tests.checkin.desk_world import bearer, issue_device_token as issue, nonce, world  # noqa: F401


def api(event, path):
    return f"/api/v1/events/{event.id}{path}"


@pytest.fixture
def token(world, logged_in):
    return issue(logged_in(world.host), world.event)


@pytest.fixture
def scanner(app):
    """The scanner app: an HTTP client that never logged in and keeps no cookie."""
    return app.test_client(use_cookies=False)


def scan(scanner, event, token, code, **body):
    return scanner.post(api(event, "/lists/entrance/scans"), headers=bearer(token),
                        json={"code": code, "nonce": nonce(), **body})


def test_a_device_with_its_token_checks_a_badge_in_without_cookie_or_csrf_token(app, world, token, scanner):
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    answer = scan(scanner, world.event, token, world.badges["Maya Chen"].badge_token)
    assert answer.status_code == 200
    assert (answer.json["result"], answer.json["name"]) == ("checked_in", "Maya Chen")
    checkin = db.session.get(Checkin, answer.json["checkin_id"])
    assert (checkin.desk, checkin.checked_in_by_id, checkin.method) == ("Desk 2 - east entrance", None, "scan")


def test_the_same_nonce_again_answers_the_same_and_checks_in_no_one_twice(world, token, scanner):
    body = {"code": world.badges["Omar Diaz"].badge_token, "nonce": nonce()}
    first = scanner.post(api(world.event, "/lists/entrance/scans"), headers=bearer(token), json=body)
    again = scanner.post(api(world.event, "/lists/entrance/scans"), headers=bearer(token), json=body)
    assert again.json["replayed"] is True and {**again.json, "replayed": False} == first.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan)) == 1


def test_the_scan_log_names_the_device_that_scanned(world, token, scanner, logged_in):
    made = scan(scanner, world.event, token, world.badges["Maya Chen"].badge_token).json
    device = db.session.scalar(sa.select(DeskDevice))
    logged = db.session.get(CheckinScan, made["scan_id"])
    assert (logged.device_id, logged.staff_id, logged.desk) == (device.id, None, "Desk 2 - east entrance")
    # What a host sees on the desk page's last scans, and what the next desk is told.
    state = logged_in(world.host).get(api(world.event, "/lists/entrance/state")).json
    line = state["last_scans"][0]
    assert (line["name"], line["desk"], line["by"]) == ("Maya Chen", "Desk 2 - east entrance", "Desk 2 - east entrance")
    again = logged_in(world.staff).post(api(world.event, "/lists/entrance/scans"), json={
        "code": world.badges["Maya Chen"].badge_token, "nonce": nonce(), "desk": "Desk 1"}).json
    assert again["message"] == "Already checked in at 2:00 PM EST at Desk 2 - east entrance"


def test_a_device_searches_checks_in_a_result_and_registers_a_walk_in(world, token, scanner):
    found = scanner.get(api(world.event, "/lists/entrance/search?q=oma"), headers=bearer(token)).json["results"]
    assert [person["name"] for person in found] == ["Omar Diaz"]
    checked = scanner.post(api(world.event, "/lists/entrance/checkins"), headers=bearer(token),
                           json={"registration_id": found[0]["registration_id"], "nonce": nonce()})
    assert (checked.json["result"], checked.json["name"]) == ("checked_in", "Omar Diaz")
    walk_in = scanner.post(api(world.event, "/lists/entrance/walk-ins"), headers=bearer(token),
                           json={"name": "Wanda Walker", "email": "wanda@example.org", "nonce": nonce()})
    assert (walk_in.status_code, walk_in.json["result"]) == (200, "checked_in")
    device = db.session.scalar(sa.select(DeskDevice))
    registered = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "registration.walk_in"))
    assert registered.actor_id is None and registered.detail.endswith(f"device:{device.id}")
    lists = scanner.get(api(world.event, "/lists"), headers=bearer(token)).json
    assert lists["may_undo"] is False
    assert scanner.get(api(world.event, "/lists/entrance/counters"), headers=bearer(token)).json["checked_in"] == 2


def test_a_device_cannot_undo_a_check_in(world, token, scanner):
    made = scan(scanner, world.event, token, world.badges["Maya Chen"].badge_token).json
    refused = scanner.post(api(world.event, f"/checkins/{made['checkin_id']}/undo"), headers=bearer(token),
                           json={"reason": "wrong badge", "desk": "Desk 2"})
    assert (refused.status_code, refused.json["error"]["reason"]) == (403, "hosts_only")
    assert db.session.get(Checkin, made["checkin_id"]) is not None


def test_a_revoked_token_is_refused_at_its_next_request_in_plain_words(world, token, scanner, logged_in):
    assert scan(scanner, world.event, token, world.badges["Maya Chen"].badge_token).status_code == 200
    host = logged_in(world.host)
    device = db.session.scalar(sa.select(DeskDevice))
    assert host.post(f"/host/desk-devices/{device.id}/revoke").status_code == 302
    refused = scan(scanner, world.event, token, world.badges["Omar Diaz"].badge_token)
    assert refused.status_code == 401
    assert refused.json["error"]["reason"] == "device_revoked"
    assert refused.json["error"]["message"] == ("This desk device was disconnected by the event's host. "
                                                "Ask them for a new token.")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan)) == 1
    assert [entry.action for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
            if entry.action.startswith("desk_device.")] == ["desk_device.issued", "desk_device.revoked"]


def test_a_made_up_or_malformed_token_is_401(world, scanner):
    for header in ("Bearer not-a-token-we-issued", "Bearer ", "Basic ZGFuYTpwYXNz", "token"):
        response = scanner.get(api(world.event, "/lists/entrance/state"), headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]["reason"] in ("unknown_device_token", "bad_authorization")


def test_a_token_opens_its_own_event_only_and_names_no_one_of_another(world, token, scanner, make_session):
    other = world.other_event
    other_badge = world.other_badge.badge_token
    for response in (
        scanner.get(api(other, "/lists/entrance/search?q=sam"), headers=bearer(token)),
        scanner.get(api(other, "/lists/entrance/state"), headers=bearer(token)),
        scanner.get(api(other, "/lists/entrance/counters"), headers=bearer(token)),
        scanner.get(api(other, "/lists"), headers=bearer(token)),
        scanner.post(api(other, "/lists/entrance/scans"), headers=bearer(token),
                     json={"code": other_badge, "nonce": nonce()}),
        scanner.post(api(other, "/lists/entrance/checkins"), headers=bearer(token),
                     json={"registration_id": world.other_badge.id, "nonce": nonce()}),
    ):
        assert response.status_code == 403
        assert response.json["error"]["reason"] == "forbidden"
        assert "Sam" not in response.get_data(as_text=True)
    assert scanner.get("/api/v1/events/999999/lists", headers=bearer(token)).status_code == 404
    # Nor is the door of another event's session one of its own event's lists.
    door = make_session(event=other)
    response = scanner.post(api(world.event, f"/lists/session:{door.id}/scans"), headers=bearer(token),
                            json={"code": other_badge, "nonce": nonce()})
    assert (response.status_code, response.json["error"]["reason"]) == (404, "unknown_list")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan)) == 0


def test_without_a_cookie_or_a_token_the_api_answers_401(world, scanner):
    for response in (scanner.get(api(world.event, "/lists/entrance/state")),
                     scanner.post(api(world.event, "/lists/entrance/scans"), json={"code": "X", "nonce": nonce()})):
        assert (response.status_code, response.json["error"]["reason"]) == (401, "login_required")


def test_the_browser_desk_still_needs_its_csrf_token(app, world, logged_in):
    staff = logged_in(world.staff)
    app.config["WTF_CSRF_ENABLED"] = True
    page = staff.get(f"/desk/events/{world.event.id}").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = {"code": world.badges["Maya Chen"].badge_token, "nonce": nonce(), "desk": "Desk 1"}
    refused = staff.post(api(world.event, "/lists/entrance/scans"), json=body)
    assert (refused.status_code, refused.json["error"]["reason"]) == (400, "csrf_failed")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan)) == 0
    done = staff.post(api(world.event, "/lists/entrance/scans"), json=body, headers={"X-CSRFToken": csrf_token})
    assert (done.status_code, done.json["result"]) == (200, "checked_in")


def test_a_bogus_bearer_header_does_not_let_a_cookie_past_the_csrf_check(app, world, logged_in):
    staff = logged_in(world.staff)
    app.config["WTF_CSRF_ENABLED"] = True
    response = staff.post(api(world.event, "/lists/entrance/scans"), headers=bearer("made-up"),
                          json={"code": world.badges["Maya Chen"].badge_token, "nonce": nonce(), "desk": "Desk 1"})
    assert response.status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinScan)) == 0


def test_flask_login_loads_no_user_for_a_device(app, world, token, scanner, monkeypatch):
    loaded = []
    original = app.login_manager._user_callback
    monkeypatch.setattr(app.login_manager, "_user_callback", lambda user_id: loaded.append(user_id) or original(user_id))
    assert scan(scanner, world.event, token, world.badges["Lee Park"].badge_token).status_code == 200
    assert loaded == []


def test_the_token_is_shown_once_and_kept_only_as_a_hash(world, token, logged_in):
    device = db.session.scalar(sa.select(DeskDevice))
    assert token not in device.token_sha256 and len(token) >= 43
    page = logged_in(world.host).get(f"/host/events/{world.event.id}/desk-devices")
    text = page.get_data(as_text=True)
    assert "Desk 2 - east entrance" in text and token not in text
    assert page.headers["Cache-Control"] == "no-store"
    issued = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "desk_device.issued"))
    assert (issued.actor_id, issued.subject) == (world.host.id, f"event:{world.event.id}") and token not in issued.detail


def test_the_devices_page_lists_who_issued_each_and_when_it_was_last_used(world, token, scanner, logged_in):
    host = logged_in(world.host)
    before = host.get(f"/host/events/{world.event.id}/desk-devices").get_data(as_text=True)
    assert "Harriet Host" in before and "never" in before
    scan(scanner, world.event, token, world.badges["Maya Chen"].badge_token)
    after = host.get(f"/host/events/{world.event.id}/desk-devices").get_data(as_text=True)
    assert "never" not in after and after.count("2:00 PM EST") == 2  # issued and last used, in the event's zone


def test_a_desk_needs_a_name(world, logged_in):
    page = logged_in(world.host).post(f"/host/events/{world.event.id}/desk-devices", data={"name": "   "})
    assert page.status_code == 400 and "Give the desk a name." in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeskDevice)) == 0


def test_only_the_events_hosts_issue_and_revoke_tokens(world, token, logged_in, make_user, make_event):
    device = db.session.scalar(sa.select(DeskDevice))
    other_host = make_user("otto@example.org", "Otto Other-Host", is_organiser=True)
    make_event(title="Otto's Meeting", owner=other_host)
    for person in (world.staff, other_host):
        client = logged_in(person)
        assert client.get(f"/host/events/{world.event.id}/desk-devices").status_code == 403
        assert client.post(f"/host/events/{world.event.id}/desk-devices", data={"name": "Mine"}).status_code == 403
        assert client.post(f"/host/desk-devices/{device.id}/revoke").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeskDevice)) == 1
    assert db.session.get(DeskDevice, device.id).revoked_at is None
    assert logged_in(world.host).post("/host/desk-devices/999999/revoke").status_code == 404


def test_an_administrator_issues_a_token_too(world, make_user, logged_in, scanner):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    token = issue(logged_in(admin), world.event, "Door A")
    assert scan(scanner, world.event, token, world.badges["Lee Park"].badge_token).json["result"] == "checked_in"


def test_the_token_never_reaches_the_logs(app, world, token, scanner, caplog):
    with caplog.at_level(logging.DEBUG):
        scan(scanner, world.event, token, world.badges["Maya Chen"].badge_token)
        scanner.get(api(world.event, "/lists/entrance/search?q=maya"), headers=bearer(token))
        scanner.get(api(world.other_event, "/lists/entrance/state"), headers=bearer(token))
    lines = [r for r in caplog.records if r.name == "claimdesk.request"]
    assert [(r.method, r.path, r.status) for r in lines] == [
        ("POST", f"/api/v1/events/{world.event.id}/lists/<list_key>/scans", 200),
        ("GET", f"/api/v1/events/{world.event.id}/lists/<list_key>/search", 200),
        ("GET", f"/api/v1/events/{world.other_event.id}/lists/<list_key>/state", 403)]
    everything = caplog.text + "".join(json_formatter().format(r) for r in caplog.records) + json.dumps(
        [r.__dict__ for r in caplog.records], default=str)
    assert token not in everything and "Bearer" not in everything
