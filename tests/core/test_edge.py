"""Hostile input is turned away at the edge in plain words, never a server error (issue 12)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/s/2147483648", "/s/9223372036854775808", "/s/99999999999999999999999",
                                  "/s/2147483648/evaluation", "/training/2147483648/claim"])
def test_an_id_too_large_for_the_database_is_simply_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_the_largest_id_the_database_holds_still_reaches_the_route(client):
    response = client.get("/s/2147483647")
    assert response.status_code == 404  # no such session: the route looked and said so
    assert "We could not find that page" in response.get_data(as_text=True)


def test_host_pages_and_the_desk_api_treat_huge_ids_as_not_found(client, auth, host):
    auth.login(host)
    assert client.get("/host/sessions/2147483648/edit").status_code == 404
    response = client.get("/api/v1/events/9223372036854775808/lists")
    assert response.status_code == 404 and response.get_json()["error"]["reason"] == "not_found"


def test_a_nul_character_in_a_search_is_refused_in_plain_words(client, auth, make_user):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    auth.login(admin)
    response = client.get("/admin/users?q=%00")
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_changes_nothing(client, auth, make_user):
    from accounts.models import User
    from core.db import db

    pat = make_user("pat@example.org", "Pat Pharmacist")
    auth.login(pat)
    response = client.post("/profile", data={"name": "Pat\x00Pharmacist", "profession": "pharmacist"})
    assert response.status_code == 400
    assert "type it again" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, pat.id).name == "Pat Pharmacist"


def test_a_nul_character_in_a_json_body_is_a_json_refusal(client, auth, host):
    auth.login(host)
    response = client.post("/api/v1/events/1/lists/entrance/scans", json={"code": "ABC\u0000", "nonce": "n1",
                                                                          "desk": "Desk 1"})
    assert response.status_code == 400
    assert response.get_json()["error"]["reason"] == "nul_character"


@pytest.fixture
def csrf_checked(app):
    """As in production: the CSRF check reads the form before any view (the tests' app turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "5", '"text"', '{"name": [1, 2], "profession": 5}'])
def test_a_page_sent_json_says_it_takes_a_form_and_changes_nothing(client, auth, make_user, body):
    from accounts.models import User
    from core.db import db

    pat = make_user("pat@example.org", "Pat Pharmacist")
    auth.login(pat)
    response = client.post("/profile", data=body, content_type="application/json")
    assert response.status_code == 415
    assert "This page takes a form, not JSON" in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"]
    db.session.expire_all()
    assert db.session.get(User, pat.id).name == "Pat Pharmacist"


MULTIPART = "multipart/form-data; boundary=XX"


def part(disposition: str, value: str = "value") -> bytes:
    return f"--XX\r\nContent-Disposition: form-data{disposition}\r\n\r\n{value}\r\n".encode()


def test_a_form_part_without_a_name_is_refused_before_the_csrf_check_reads_it(client, csrf_checked):
    response = client.post("/login", data=part("") + b"--XX--\r\n", content_type=MULTIPART)
    assert response.status_code == 400
    assert "A part of it had no name" in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"]


def test_a_file_sent_for_a_text_field_is_refused(client, auth, make_user):
    pat = make_user("pat@example.org", "Pat Pharmacist")
    auth.login(pat)
    body = part('; name="name"; filename="name.txt"', "Pat") + b"--XX--\r\n"
    response = client.post("/profile", data=body, content_type=MULTIPART)
    assert response.status_code == 400
    assert "sent a file where the form takes text" in response.get_data(as_text=True)


@pytest.mark.parametrize("text, number", [("12", 12), (" 7 ", 7), ("2147483647", 2147483647), ("2147483648", None),
                                          ("9" * 5000, None), ("²", None), ("٣", None), ("-1", None), ("", None),
                                          (None, None), ("1e3", None)])
def test_a_number_typed_in_a_form_or_address_is_ascii_digits_the_database_holds(text, number):
    from core.edge import whole_number

    assert whole_number(text) == number


@pytest.mark.parametrize("event", ["9223372036854775808", "²", "99999999999999999999"])
def test_a_filter_with_an_impossible_event_shows_every_event(client, auth, make_user, event):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    auth.login(admin)
    assert client.get(f"/admin/reporting?event={event}").status_code == 200


def test_the_desk_api_refuses_odd_digits_plainly(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    state = client.get(f"/api/v1/events/{event.id}/lists/entrance/state?last=²")
    assert (state.status_code, state.get_json()["error"]["field"]) == (400, "last")
    odd_list = client.get(f"/api/v1/events/{event.id}/lists/session:²/counters")
    assert (odd_list.status_code, odd_list.get_json()["error"]["reason"]) == (404, "unknown_list")
