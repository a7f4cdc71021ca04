"""Every form is protected against cross-site requests, and no input makes a 500."""
import re

import pytest

from events.models import EventRole
from core.db import db


def post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/static"):
            yield rule


def concrete(rule, ident):
    return re.sub(r"<(?:\w+:)?\w+>", str(ident), rule.rule)


def test_every_post_without_a_csrf_token_is_refused_in_plain_words(app, client, auth, make_user, make_session):
    session = make_session()
    admin = make_user("admin@example.org", "Ada Admin", is_admin=True, is_organiser=True)
    auth.login(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    rules = list(post_rules(app))
    assert len(rules) >= 8
    for rule in rules:
        response = client.post(concrete(rule, session.id), data={"title": "x", "email": "admin@example.org"})
        assert response.status_code == 400, rule.rule
        assert "This form has expired" in response.get_data(as_text=True), rule.rule


def test_forms_carry_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    for path in ("/login", "/register"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)


JUNK = [
    {},
    {"title": "x" * 5000, "email": "\x00", "password": "\u202e" * 20, "starts_at": "9999-99-99T99:99",
     "ends_at": "", "credit_hours": "1e309", "uan_pharmacist": "💊" * 30, "speakers": ",,,\n,", "role": "king",
     "timezone": "../../etc/passwd", "kind": "other", "profession": "wizard", "birth_mmdd": "٠٢٠٧", "npi": "x"},
]


@pytest.mark.parametrize("data", JUNK)
def test_no_junk_posted_anywhere_makes_a_server_error(app, client, auth, make_user, make_session, data):
    session = make_session()
    admin = make_user("admin@example.org", "Ada Admin", is_admin=True, is_organiser=True)
    db.session.add(EventRole(event_id=session.event_id, user_id=admin.id, role="host"))
    db.session.commit()
    for rule in post_rules(app):
        auth.login(admin)  # /logout is one of the rules
        for ident in (session.id, 999999):
            response = client.post(concrete(rule, ident), data=data)
            assert response.status_code < 500, (rule.rule, response.status_code)


def test_pages_of_things_that_do_not_exist_are_plain_404s(client, auth, host):
    auth.login(host)
    for path in ("/s/999", "/events/999", "/host/events/999", "/host/sessions/999/edit", "/s/abc"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "We could not find that page" in response.get_data(as_text=True)


def test_api_style_requests_get_json_errors(client):
    response = client.get("/s/999/window.json", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"]["message"] == "We could not find that page"
