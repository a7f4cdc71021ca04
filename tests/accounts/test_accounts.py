"""Registering, logging in and out, filling the profile."""
from accounts.models import User, find_by_email
from core.db import db


def register(client, name="Pat Pharmacist", email="pat@example.org", password="long enough pw"):
    return client.post("/register", data={"name": name, "email": email, "password": password})


def test_a_new_attendee_registers_and_lands_on_their_profile(client):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")
    page = client.get("/profile").get_data(as_text=True)
    assert "Fill in your profile" in page
    user = find_by_email("pat@example.org")
    assert user.name == "Pat Pharmacist"
    assert user.password_hash.startswith("$argon2")


def test_email_is_matched_whatever_its_case(client):
    register(client, email="Pat@Example.ORG")
    client.post("/logout")
    response = client.post("/login", data={"email": "pat@example.org", "password": "long enough pw"})
    assert response.status_code == 302


def test_a_taken_email_is_refused_and_the_name_is_kept(client, make_user):
    make_user("pat@example.org")
    page = register(client, name="Pat Again").get_data(as_text=True)
    assert "An account with this email already exists. Log in instead." in page
    assert 'value="Pat Again"' in page
    assert db.session.query(User).count() == 1


def test_a_short_password_is_refused_saying_how_long_it_must_be(client):
    page = register(client, password="short").get_data(as_text=True)
    assert "Choose a password of at least 10 characters." in page
    assert 'value="pat@example.org"' in page
    assert find_by_email("pat@example.org") is None


def test_a_bad_email_is_refused_with_an_example(client):
    page = register(client, email="pat.example.org").get_data(as_text=True)
    assert "does not look like an email address" in page
    assert 'value="pat.example.org"' in page


def test_wrong_password_does_not_say_which_part_was_wrong(client, make_user):
    make_user("pat@example.org")
    page = client.post("/login", data={"email": "pat@example.org", "password": "nope nope nope"}).get_data(as_text=True)
    assert "That email and password do not match an account." in page
    page = client.post("/login", data={"email": "nobody@example.org", "password": "nope nope nope"}).get_data(as_text=True)
    assert "That email and password do not match an account." in page


def test_logging_out_ends_the_session(client, auth, make_user):
    make_user()
    auth.login("pat@example.org")
    assert client.get("/profile").status_code == 200
    auth.logout()
    assert client.get("/profile").status_code == 302


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, make_user):
    make_user()
    response = client.post("/login?next=/profile", data={"email": "pat@example.org", "password": "correct horse battery"})
    assert response.headers["Location"] == "/profile"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"email": "pat@example.org", "password": "correct horse battery"})
    assert response.headers["Location"] == "/"


PROFILE = {"name": "Pat Pharmacist", "profession": "pharmacist", "eprofile_id": "1234567", "birth_mmdd": "0207", "npi": "", "state_licence": ""}


def test_a_pharmacist_saves_e_profile_id_and_birth_date(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/profile", data=PROFILE, follow_redirects=True)
    assert "Your profile is saved." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.profession, user.eprofile_id, user.birth_mmdd) == ("pharmacist", "1234567", "0207")


def test_an_impossible_birth_date_is_refused_and_everything_typed_is_kept(client, auth, make_user):
    user = make_user()
    auth.login(user)
    page = client.post("/profile", data={**PROFILE, "birth_mmdd": "0230"}).get_data(as_text=True)
    assert "February has no day 30" in page
    assert 'value="1234567"' in page and 'value="0230"' in page
    assert '<option selected value="pharmacist">' in page
    db.session.refresh(user)
    assert user.birth_mmdd is None


def test_profile_fields_explain_themselves_with_examples(client, auth, make_user):
    auth.login(make_user())
    page = client.get("/profile").get_data(as_text=True)
    assert "0207 for February 7" in page
    assert "for example 1234567" in page
    assert "for example 1234567893" in page


def test_a_physician_gives_a_luhn_checked_npi(client, auth, make_user):
    user = make_user()
    auth.login(user)
    page = client.post("/profile", data={**PROFILE, "profession": "physician", "npi": "1234567890"}).get_data(as_text=True)
    assert "last digit does not match" in page
    client.post("/profile", data={**PROFILE, "profession": "physician", "npi": "1234567893"})
    db.session.refresh(user)
    assert user.npi == "1234567893"


def test_the_profile_needs_a_login(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cli_creates_an_administrator(runner, app):
    result = runner.invoke(args=["accounts", "create-admin", "boss@example.org", "--name", "Bo Boss", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    user = find_by_email("boss@example.org")
    assert user.is_admin and user.check_password("a long password")


def test_cli_refuses_a_short_admin_password(runner, app):
    result = runner.invoke(args=["accounts", "create-admin", "boss@example.org", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert find_by_email("boss@example.org") is None


def test_logs_never_show_birth_dates_or_e_profile_ids(client, auth, make_user, caplog):
    user = make_user()
    auth.login(user)
    with caplog.at_level("DEBUG"):
        client.post("/profile", data={**PROFILE, "eprofile_id": "7654321", "birth_mmdd": "1231"})
        client.post("/profile", data={**PROFILE, "eprofile_id": "7654321", "birth_mmdd": "1232"})
    assert "7654321" not in caplog.text and "1231" not in caplog.text
