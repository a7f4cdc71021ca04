"""Every response carries the security headers; no page runs a script the policy does not name (issue 12).

Each GET page of the app is opened as an attendee, a host, an administrator and a stranger, in a
conference with claims, a revealed code and badges. Every HTML page must load scripts only from files or
with the response's nonce, with no inline styles or event handlers, and every response but the static
files must tell caches to keep nothing.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from core.db import db
from tests.reporting.world import build

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{32})'")
STATIC = ("/static/css/app.css", "/static/js/live.js", "/vendor/socket.io.min.js", "/vendor/zxing_reader.wasm",
          "/favicon.ico")


class PageAudit(HTMLParser):
    """What in a page the policy governs: its scripts, and inline styles or event handlers (there must be none)."""

    def __init__(self, html: str):
        super().__init__()
        self.inline_scripts, self.script_files, self.refused = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if "src" in a:
                self.script_files.append(a["src"])
            else:
                self.inline_scripts.append(a.get("nonce"))
        if tag == "style":
            self.refused.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.refused.append(f"<{tag} {name}=...>")


def policy_of(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return {name: value for name, value in directives}


def assert_secured(response, path):
    """The headers every response has, whoever asks."""
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["Referrer-Policy"] == "same-origin", path
    assert response.headers["X-Frame-Options"] == "DENY", path
    policy = policy_of(response)
    assert policy["frame-ancestors"] == "'none'", path
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'", path
    assert policy["style-src"] == "'self'", path
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
    assert "Strict-Transport-Security" not in response.headers, path  # plain HTTP here


def assert_page_keeps_to_its_policy(response, path):
    """An HTML page: inline scripts carry this response's nonce; scripts otherwise only from our files."""
    nonce = NONCE.search(policy_of(response)["script-src"]).group(1)
    audit = PageAudit(response.get_data(as_text=True))
    assert audit.refused == [], path
    assert all(found == nonce for found in audit.inline_scripts), (path, audit.inline_scripts, nonce)
    assert all(src.startswith("/") and not src.startswith("//") for src in audit.script_files), path
    return audit


@pytest.fixture
def conference(app, now, host, make_user):
    from claims.models import OutboxEntry
    from codes.setup import reveal

    world = build(host, make_user)
    reveal(world.anticoag, host)  # the presenter view shows the code itself
    for entry in db.session.scalars(db.select(OutboxEntry).where(OutboxEntry.state == "accepted")):
        entry.accepted_at = now  # as the worker records it (My Training shows when)
    db.session.commit()
    return world


def get_paths(app, world) -> list[str]:
    """Every GET route, its ids the conference's first event, session, speaker, registration and so on."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "vendor"):
            continue
        path = rule.rule.replace("<any(claims, sessions, evaluations):what>.<any(csv, xlsx):extension>", "claims.csv")
        path = path.replace("<list_key>", "entrance")
        path = re.sub(r"<int:session_id>", str(world.anticoag.id), path)
        path = re.sub(r"<int:event_id>", str(world.event.id), path)
        paths.append(re.sub(r"<(?:\w+:)?\w+>", "1", path))
    return paths


def walk(client, paths) -> dict[str, object]:
    """Each page, answered in full (downloads too)."""
    answered = {}
    for path in paths:
        response = client.get(path)
        response.get_data()
        response.close()
        answered[path] = response
    return answered


def test_every_page_for_every_kind_of_visitor_keeps_to_the_policy_and_is_never_cached(
        app, client, conference, host, make_user, logged_in):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    visitors = {"stranger": client, "attendee": logged_in(conference.people["ann"]), "host": logged_in(host),
                "admin": logged_in(admin)}
    paths = get_paths(app, conference)
    html_pages = set()
    for who, visitor in visitors.items():
        for path, response in walk(visitor, paths).items():
            assert response.status_code < 500, (who, path)
            assert_secured(response, (who, path))
            if path != "/favicon.ico":
                assert response.headers["Cache-Control"] == "no-store", (who, path, response.status_code)
            if response.status_code == 200 and response.mimetype == "text/html":
                assert_page_keeps_to_its_policy(response, (who, path))
                html_pages.add((who, path))
    event, session = conference.event.id, conference.anticoag.id
    # The walk reached the pages that matter: public ones, the attendee's own, the host's and the desk.
    for page in [("stranger", "/"), ("stranger", "/login"), ("stranger", "/register"), ("stranger", "/live"),
                 ("stranger", "/welcome"), ("stranger", f"/s/{session}"),
                 ("attendee", "/profile"), ("attendee", "/training"), ("attendee", f"/training/{session}"),
                 ("attendee", f"/events/{event}/badge"),
                 ("host", f"/host/sessions/{session}/present"), ("host", f"/desk/events/{event}"),
                 ("host", f"/host/events/{event}/reports/sessions/{session}"), ("host", f"/host/events/{event}/registrants"),
                 ("host", f"/host/events/{event}/desk-devices"), ("admin", "/admin/users")]:
        assert page in html_pages, page


def test_the_badge_page_s_script_runs_with_the_nonce_of_its_own_response(client, auth, conference):
    auth.login(conference.people["ann"])
    first, second = (client.get(f"/events/{conference.event.id}/badge") for _ in range(2))
    nonces = []
    for response in (first, second):
        audit = assert_page_keeps_to_its_policy(response, "badge")
        assert len(audit.inline_scripts) == 1  # it registers the offline service worker
        nonces.append(audit.inline_scripts[0])
        assert response.headers["Cache-Control"] == "no-store"
    assert nonces[0] != nonces[1]  # a fresh nonce per response


def test_the_set_password_page_s_script_has_the_nonce(client):
    audit = assert_page_keeps_to_its_policy(client.get("/welcome"), "/welcome")
    assert len(audit.inline_scripts) == 1


def test_personal_files_are_never_cached(client, auth, logged_in, conference, host):
    auth.login(conference.people["ann"])
    certificate = client.get(f"/training/{conference.anticoag.id}/certificate.pdf")
    assert certificate.mimetype == "application/pdf" and certificate.data.startswith(b"%PDF"), certificate.status_code
    host_client = logged_in(host)
    event = conference.event.id
    sheet = host_client.post(f"/host/events/{event}/badges.pdf", data={"batch": "1"})
    assert sheet.mimetype == "application/pdf", sheet.status_code
    for response in (certificate, sheet):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for name in ("claims.csv", "sessions.csv", "claims.xlsx", "evaluations.xlsx"):
        response = host_client.get(f"/host/events/{event}/reports/{name}")
        assert response.is_streamed
        assert response.headers["Cache-Control"] == "no-store", name
        body = response.get_data()
        response.close()
        if name == "claims.csv":  # the headers did not cut the stream short: every claim is there
            assert body.decode("utf-8-sig").count("\r\n") == 1 + 5


def test_static_files_stay_cacheable_and_are_not_sniffed(client):
    for path in STATIC:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers["Cache-Control"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        response.close()


def test_the_favicon_is_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype.startswith("image/")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO file format
    response.close()


def test_plain_http_is_served_not_redirected_and_hsts_comes_only_over_https(client):
    plain = client.get("/login")
    assert plain.status_code == 200 and "Strict-Transport-Security" not in plain.headers
    secure = client.get("/login", base_url="https://claims.example.org")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31556926"


def test_the_session_cookie_keeps_the_app_s_own_settings(app, auth, make_user, database_url):
    """Talisman leaves the cookie to config.py: no Secure flag forced on over plain HTTP, SameSite as configured."""
    from app import create_app
    from tests.conftest import _config

    cookie = auth.login(make_user()).headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    settings = {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_SAMESITE": "Strict", "SESSION_COOKIE_HTTPONLY": True}
    other = create_app({**_config(database_url), **settings})
    assert {name: other.config[name] for name in settings} == settings
    create_app(_config(database_url))  # leave the shared Socket.IO and limiter objects as other tests expect
