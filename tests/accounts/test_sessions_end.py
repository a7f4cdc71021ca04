"""Logging out and changing the password end sessions on the server, not only in the browser;
logging in starts a new CSRF secret; the session cookie is Secure whenever the request came over HTTPS."""
import html
import re

import pytest

from core.db import db
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def words(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    """Another browser holding a copy of a session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def logged_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_logging_out_gets_nothing_afterwards(app, client, auth, make_user):
    make_user()
    auth.login("pat@example.org")
    copied = session_cookie(client)
    assert with_cookie(app, copied).get("/profile").status_code == 200  # the copy works while logged in

    auth.logout()
    assert logged_out(client.get("/profile"))
    assert logged_out(with_cookie(app, copied).get("/profile"))


def test_logging_out_ends_the_sessions_on_other_devices_too_and_says_so(logged_in, make_user):
    pat = make_user()
    phone, laptop = logged_in(pat), logged_in(pat)
    response = phone.post("/logout", follow_redirects=True)
    assert "You are logged out, on this device and any other." in words(response)
    assert logged_out(laptop.get("/profile"))
    # Logging in again works, on any device.
    assert laptop.post("/login", data={"email": pat.email, "password": PASSWORD}).status_code == 302
    assert laptop.get("/profile").status_code == 200


def _listening(app, browser, user):
    """A page open in `browser` with live updates: in the user's own room, and hearing a push to it now."""
    from core.realtime import push, socketio

    socket = socketio.test_client(app, flask_test_client=browser)
    assert socket.emit("join", {"room": f"user:{user.id}"}, callback=True) == {"ok": True}
    push(f"user:{user.id}", "step", {"session_id": 1, "step": "code"})
    assert [m["name"] for m in socket.get_received()] == ["step"]
    return socket


def test_pages_open_on_other_devices_stop_hearing_the_persons_pushes_after_a_log_out(app, logged_in, make_user):
    from core.realtime import push

    pat = make_user()
    phone, laptop = logged_in(pat), logged_in(pat)
    open_page = _listening(app, laptop, pat)
    phone.post("/logout")
    push(f"user:{pat.id}", "step", {"session_id": 1, "step": "claim"})
    assert open_page.get_received() == []
    # Re-joining with the stale cookie is refused too.
    assert open_page.emit("join", {"room": f"user:{pat.id}"}, callback=True) == {"ok": False}
    open_page.disconnect()


def test_pages_open_elsewhere_stop_hearing_after_a_password_change(app, logged_in, make_user):
    from core.realtime import push

    pat = make_user()
    phone, laptop = logged_in(pat), logged_in(pat)
    open_page = _listening(app, laptop, pat)
    phone.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    push(f"user:{pat.id}", "step", {"session_id": 1, "step": "claim"})
    assert open_page.get_received() == []
    open_page.disconnect()


def test_logging_in_again_does_not_revive_an_old_copy(app, client, auth, make_user):
    make_user()
    auth.login("pat@example.org")
    copied = session_cookie(client)
    auth.logout()
    auth.login("pat@example.org")
    assert client.get("/profile").status_code == 200
    assert logged_out(with_cookie(app, copied).get("/profile"))


def test_a_password_change_ends_every_other_session_and_keeps_this_one(logged_in, make_user):
    pat = make_user()
    phone, laptop = logged_in(pat), logged_in(pat)
    response = phone.post("/profile/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")
    page = words(phone.get("/profile"))
    assert "Your password is changed. Anywhere else you were logged in, you are logged out." in page
    assert logged_out(laptop.get("/profile"))
    assert laptop.post("/login", data={"email": pat.email, "password": PASSWORD}).status_code == 200  # old one: no
    assert laptop.post("/login", data={"email": pat.email, "password": NEW_PASSWORD}).status_code == 302
    assert phone.get("/profile").status_code == 200


def test_the_password_page_explains_every_refusal_and_changes_nothing(client, auth, make_user):
    pat = make_user()
    auth.login(pat)
    assert "Change your password" in words(client.get("/profile"))
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    cases = [
        ({"current_password": "not my password"}, "That is not your current password."),
        ({"current_password": ""}, "Enter the password you log in with now."),
        ({"new_password_again": "a brand new passphrasE"}, "The two new passwords are not the same; type the same one twice."),
        ({"new_password": "short", "new_password_again": "short"}, "Choose a password of at least 10 characters."),
    ]
    for change, message in cases:
        response = client.post("/profile/password", data={**form, **change})
        assert response.status_code == 200 and message in words(response), message
    db.session.refresh(pat)
    assert pat.check_password(PASSWORD) and pat.session_epoch == 1
    assert client.get("/profile").status_code == 200


def test_the_password_page_needs_a_login(client):
    assert logged_out(client.get("/profile/password"))


def test_setting_a_password_from_the_command_line_ends_the_sessions_too(app, runner, client, auth, make_user):
    make_user("boss@example.org", "Bo Boss")
    auth.login("boss@example.org")
    result = runner.invoke(args=["accounts", "create-admin", "boss@example.org", "--password", "another long password"])
    assert result.exit_code == 0, result.output
    assert logged_out(client.get("/profile"))


def test_a_cookie_from_before_the_session_epoch_counts_as_the_first_epoch(app, make_user):
    """Cookies issued before accounts_0003 hold the bare id: still logged in after the upgrade, until a log-out."""
    pat = make_user()
    serializer = app.session_interface.get_signing_serializer(app)
    old = serializer.dumps({"_user_id": str(pat.id), "_fresh": False})
    browser = with_cookie(app, old)
    assert browser.get("/profile").status_code == 200
    browser.post("/logout")
    assert logged_out(with_cookie(app, old).get("/profile"))


def test_a_signed_cookie_with_any_other_epoch_finds_no_one(app, make_user):
    pat = make_user()
    serializer = app.session_interface.get_signing_serializer(app)
    for user_id in (f"{pat.id}:2", f"{pat.id}:0", f"{pat.id}:x", f"{pat.id}:", "x:1", f"{pat.id}:1:1"):
        cookie = serializer.dumps({"_user_id": user_id, "_fresh": False})
        expected = 200 if user_id == f"{pat.id}:" else 302  # "<id>:" is the bare id
        assert with_cookie(app, cookie).get("/profile").status_code == expected, user_id


# --- CSRF: a new secret at log-in -----------------------------------------------

def csrf_token(response) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_a_csrf_token_from_before_logging_in_is_refused_after_it(app, client, make_user):
    make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    before = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": "pat@example.org", "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302

    profile = {"name": "Pat Pharmacist", "profession": "pharmacist", "eprofile_id": "", "birth_mmdd": "",
               "npi": "", "state_licence": ""}
    response = client.post("/profile", data={**profile, "csrf_token": before})
    assert response.status_code == 400 and "This form has expired" in words(response)

    after = csrf_token(client.get("/profile"))
    assert after != before
    assert client.post("/profile", data={**profile, "csrf_token": after}).status_code == 302


def test_registering_also_starts_a_new_csrf_secret(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    before = csrf_token(client.get("/register"))
    response = client.post("/register", data={"name": "Pat Pharmacist", "email": "pat@example.org",
                                              "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert client.get("/profile").status_code == 200  # not logged out by the stale token


def test_a_message_shown_before_logging_in_survives_it(client, make_user):
    make_user()
    client.post("/live", data={"code": "ABCD1234"})  # not logged in: "Log in or create an account…"
    client.post("/login", data={"email": "pat@example.org", "password": PASSWORD})
    assert "Log in or create an account to claim your credit." in words(client.get("/"))


# --- HTTPS: the Secure cookie, behind a proxy or not -----------------------------

@pytest.fixture
def proxied_app(app, database_url):
    """The app as served behind one proxy (PROXY_COUNT=1)."""
    from app import create_app
    from tests.conftest import _config

    proxied = create_app({**_config(database_url), "PROXY_COUNT": 1})
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def login_response(client, **headers):
    return client.post("/login", data={"email": "pat@example.org", "password": PASSWORD}, headers=headers)


def test_behind_a_proxy_that_says_https_the_cookie_is_secure(proxied_app, make_user):
    make_user()
    response = login_response(proxied_app.test_client(), **{"X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Location"] == "/"


def test_behind_a_proxy_over_plain_http_the_cookie_is_not_marked_secure(proxied_app, make_user):
    make_user()
    response = login_response(proxied_app.test_client(), **{"X-Forwarded-Proto": "http"})
    assert response.status_code == 302 and "Secure" not in response.headers["Set-Cookie"]


def test_without_a_proxy_configured_a_forged_header_is_ignored(app, client, make_user):
    make_user()
    response = login_response(client, **{"X-Forwarded-Proto": "https"})
    assert response.status_code == 302 and "Secure" not in response.headers["Set-Cookie"]


def test_served_over_https_directly_the_cookie_is_secure(app, make_user):
    make_user()
    response = app.test_client().post("/login", base_url="https://localhost",
                                      data={"email": "pat@example.org", "password": PASSWORD})
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]


def test_session_cookie_secure_forces_it_even_over_http(app, client, make_user):
    make_user()
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "Secure" in login_response(client).headers["Set-Cookie"]


def test_the_client_address_comes_from_the_proxy_only_when_one_is_configured(app, client, proxied_app, make_user):
    """Per-address limits count the real client behind the proxy, and a forged header fools nobody."""
    from accounts import throttle

    make_user()
    wrong = {"email": "pat@example.org", "password": "not the password"}
    proxied_app.test_client().post("/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.9"})
    assert throttle.ADDRESS_FAILURES.used("203.0.113.9") == 1
    client.post("/login", data=wrong, headers={"X-Forwarded-For": "198.51.100.7"})  # no proxy configured
    assert throttle.ADDRESS_FAILURES.used("198.51.100.7") == 0
    assert throttle.ADDRESS_FAILURES.used("127.0.0.1") == 1


def test_the_user_loader_is_still_one_statement(app, client, auth, make_user):
    import sqlalchemy as sa

    make_user()
    auth.login("pat@example.org")
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/profile")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "FROM users" in s]) == 1, statements
    assert len(statements) == 1, statements
