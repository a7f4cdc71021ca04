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
