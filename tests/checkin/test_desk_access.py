"""Check-in staff use their event's desk and nothing else."""
import pytest

from tests.checkin.desk_world import nonce, world  # noqa: F401


def test_staff_of_one_event_cannot_see_or_scan_another(world, logged_in):
    outsider = logged_in(world.other_staff)
    base = f"/api/v1/events/{world.event.id}"
    token = world.badges["Maya Chen"].badge_token
    for response in (
        outsider.get(f"{base}/lists/entrance/state"),
        outsider.get(f"{base}/lists/entrance/counters"),
        outsider.get(f"{base}/lists/entrance/search?q=maya"),
        outsider.get(f"{base}/lists"),
        outsider.post(f"{base}/lists/entrance/scans", json={"code": token, "nonce": nonce(), "desk": "D"}),
        outsider.post(f"{base}/lists/entrance/checkins",
                      json={"registration_id": world.badges["Maya Chen"].id, "nonce": nonce(), "desk": "D"}),
        outsider.post(f"{base}/lists/entrance/walk-ins",
                      json={"name": "X", "email": "x@example.org", "nonce": nonce(), "desk": "D"}),
    ):
        assert response.status_code == 403
        assert response.json["error"]["reason"] == "forbidden"
    page = outsider.get(f"/desk/events/{world.event.id}")
    assert page.status_code == 403
    assert "Maya" not in page.get_data(as_text=True)
    # Their own event's desk works.
    assert outsider.get(f"/api/v1/events/{world.other_event.id}/lists/entrance/counters").status_code == 200


def test_an_event_that_does_not_exist_is_a_json_404(world, logged_in):
    response = logged_in(world.staff).get("/api/v1/events/999999/lists/entrance/state")
    assert (response.status_code, response.json["error"]["reason"]) == (404, "not_found")


def test_nobody_logged_out_uses_the_desk(world, client):
    response = client.get(f"/api/v1/events/{world.event.id}/lists/entrance/state")
    assert (response.status_code, response.json["error"]["reason"]) == (401, "login_required")
    page = client.get(f"/desk/events/{world.event.id}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_attendees_cannot_use_the_desk(world, make_user, logged_in):
    attendee = logged_in(make_user("alex@example.org", "Alex Attendee"))
    assert attendee.get(f"/api/v1/events/{world.event.id}/lists/entrance/state").status_code == 403
    assert attendee.get(f"/desk/events/{world.event.id}").status_code == 403
    assert "Check-in desk" not in attendee.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/host/events/{event}", "/host/sessions/{session}/edit",
                                  "/host/sessions/{session}/attendees", "/host/sessions/{session}/present", "/admin/events"])
def test_check_in_staff_cannot_open_host_pages(world, logged_in, path):
    staff = logged_in(world.staff)
    response = staff.get(path.format(event=world.event.id, session=world.session.id))
    assert response.status_code in (403, 404), (path, response.status_code)
    assert "Maya Chen" not in response.get_data(as_text=True)


def test_my_events_lists_nothing_for_check_in_staff(world, logged_in):
    page = logged_in(world.staff).get("/host/events").get_data(as_text=True)
    assert world.event.title not in page and f"/host/events/{world.event.id}" not in page


def test_staff_find_the_desk_from_the_navigation(world, logged_in):
    staff = logged_in(world.staff)
    home = staff.get("/").get_data(as_text=True)
    assert 'href="/desk"' in home and "Check-in desk" in home
    desk_page = staff.get("/desk", follow_redirects=True)
    assert desk_page.status_code == 200
    assert "Scan a badge" in desk_page.get_data(as_text=True)


def test_the_camera_scanner_is_served_by_the_app(client):
    with client.get("/vendor/ponyfill.js") as script:
        assert script.status_code == 200 and b"BarcodeDetectionAPI" in script.data
    with client.get("/vendor/zxing_reader.wasm") as wasm:
        assert wasm.status_code == 200 and wasm.data[:4] == b"\0asm"
