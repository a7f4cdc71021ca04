"""Attendees register themselves; hosts see, search and revoke registrants; people whose
account was made for them set a password with the host's link."""
import datetime as dt
import re

from checkin.models import Registration
from checkin.registration import register, register_person
from core import clock
from core.audit import AuditEntry
from core.db import db


def test_a_logged_in_attendee_registers_with_one_click_and_sees_their_badge_link(client, auth, attendee, event):
    auth.login(attendee)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Register for this event" in page
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You are registered · " in page and "My badge" in page and "Register for this event" not in page
    assert db.session.query(Registration).filter_by(event_id=event.id, user_id=attendee.id, source="self").count() == 1


def test_registering_twice_keeps_one_registration_and_one_badge(client, auth, attendee, event):
    auth.login(attendee)
    client.post(f"/events/{event.id}/register")
    token = db.session.query(Registration).one().badge_token
    client.post(f"/events/{event.id}/register")
    assert [r.badge_token for r in db.session.query(Registration)] == [token]


def test_a_visitor_is_asked_to_log_in_to_register(client, event):
    assert "to register for this event" in client.get(f"/events/{event.id}").get_data(as_text=True)
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.query(Registration).count() == 0


def test_badge_tokens_are_long_random_and_distinct(event, make_user):
    tokens = {register(event, make_user(f"p{i}@example.org", f"P {i}")).badge_token for i in range(20)}
    assert len(tokens) == 20 and all(len(t) == 28 for t in tokens)


def registrants(event, count):
    for i in range(count):
        register_person(event, email=f"person{i:03d}@example.org", name=f"Person {i:03d}", profession="pharmacist",
                        source="import", actor_id=None)


def test_the_host_pages_through_registrants_and_never_gets_them_all_at_once(client, auth, host, event):
    registrants(event, 120)
    auth.login(host)
    page = client.get(f"/host/events/{event.id}/registrants").get_data(as_text=True)
    assert "120 registered" in page and "Page 1 of 3" in page
    assert page.count('name="registration"') == 50
    assert "Person 000" in page and "Person 050" not in page
    last = client.get(f"/host/events/{event.id}/registrants?page=3").get_data(as_text=True)
    assert last.count('name="registration"') == 20 and "Person 119" in last


def test_the_host_finds_a_registrant_by_name_or_email(client, auth, host, event):
    registrants(event, 30)
    auth.login(host)
    page = client.get(f"/host/events/{event.id}/registrants?q=person017@").get_data(as_text=True)
    assert "Person 017" in page and page.count('name="registration"') == 1
    page = client.get(f"/host/events/{event.id}/registrants?q=nobody-here").get_data(as_text=True)
    assert "No one matches “nobody-here”." in page


def test_the_host_revokes_a_badge_with_a_reason_and_it_is_logged(client, auth, host, event, attendee):
    registration = register(event, attendee)
    auth.login(host)
    response = client.post(f"/host/registrations/{registration.id}/revoke", data={"reason": ""})
    assert "Say why the badge is revoked." in response.get_data(as_text=True)
    assert registration.revoked_at is None
    response = client.post(f"/host/registrations/{registration.id}/revoke", data={"reason": "Lost badge"},
                           follow_redirects=True)
    assert "The badge of Alex Attendee is revoked" in response.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.is_revoked and registration.revoke_reason == "Lost badge"
    entry = db.session.query(AuditEntry).filter_by(action="registration.revoked").one()
    assert entry.actor_id == host.id and registration.badge_token not in entry.detail
    assert "revoked" in client.get(f"/host/events/{event.id}/registrants").get_data(as_text=True)


def test_the_event_management_page_links_to_registrants(client, auth, host, event):
    auth.login(host)
    assert f"/host/events/{event.id}/registrants" in client.get(f"/host/events/{event.id}").get_data(as_text=True)


def test_no_one_but_the_host_sees_registrants_or_revokes(logged_in, event, attendee, staff, stranger):
    registration = register(event, attendee)
    paths = [f"/host/events/{event.id}/registrants", f"/host/events/{event.id}/registrants/import",
             f"/host/registrations/{registration.id}/revoke"]
    for person in (attendee, staff, stranger):
        client = logged_in(person)
        for path in paths:
            assert client.get(path).status_code == 403, (person.email, path)
        assert client.post(f"/host/registrations/{registration.id}/revoke", data={"reason": "x"}).status_code == 403
        assert client.post(f"/host/events/{event.id}/badges.pdf", data={"batch": "1"}).status_code == 403
        assert client.post(f"/host/events/{event.id}/password-links",
                           data={"registration": str(registration.id)}).status_code == 403
    db.session.refresh(registration)
    assert not registration.is_revoked


# --- setting a password on an imported account --------------------------------------

def letter_link(client, event, registration):
    page = client.post(f"/host/events/{event.id}/password-links",
                       data={"registration": str(registration.id)}).get_data(as_text=True)
    return re.search(r"(http://localhost/welcome#[^<\s]+)", page).group(1)


def test_an_imported_person_sets_their_password_with_the_hosts_link_once(app, client, auth, host, event, logged_in):
    registration, _ = register_person(event, email="new@example.org", name="Nora New", profession="technician",
                                      source="import", actor_id=host.id)
    assert registration.user.password_hash is None
    auth.login(host)
    link = letter_link(client, event, registration)
    token = link.split("#", 1)[1]
    person = app.test_client()
    assert "Set your password" in person.get("/welcome").get_data(as_text=True)
    response = person.post("/welcome", data={"token": token, "password": "short"})
    assert "at least 10 characters" in response.get_data(as_text=True)
    response = person.post("/welcome", data={"token": token, "password": "a good long password"}, follow_redirects=True)
    assert "Your password is saved" in response.get_data(as_text=True)
    assert person.post("/login", data={"email": "new@example.org", "password": "a good long password"}).status_code == 302
    again = app.test_client().post("/welcome", data={"token": token, "password": "another long password"})
    assert "already been used" in again.get_data(as_text=True)


def test_knowing_the_email_is_not_enough_to_claim_an_imported_account(app, host, event):
    register_person(event, email="new@example.org", name="Nora New", profession="", source="import", actor_id=host.id)
    stranger = app.test_client()
    assert "already exists" in stranger.post("/register", data={
        "name": "Mallory", "email": "new@example.org", "password": "a good long password"}).get_data(as_text=True)
    response = stranger.post("/welcome", data={"token": "new@example.org", "password": "a good long password"})
    assert "not valid" in response.get_data(as_text=True)
    assert stranger.post("/login", data={"email": "new@example.org", "password": ""}).status_code == 200


def test_a_set_password_link_expires(app, client, auth, host, event):
    registration, _ = register_person(event, email="new@example.org", name="Nora New", profession="",
                                      source="import", actor_id=host.id)
    auth.login(host)
    token = letter_link(client, event, registration).split("#", 1)[1]
    clock.move_by(dt.timedelta(days=31))
    response = app.test_client().post("/welcome", data={"token": token, "password": "a good long password"})
    assert "expired" in response.get_data(as_text=True)


def test_letters_are_only_made_for_accounts_without_a_password(client, auth, host, event, attendee):
    registration = register(event, attendee)
    auth.login(host)
    response = client.post(f"/host/events/{event.id}/password-links", data={"registration": str(registration.id)},
                           follow_redirects=True)
    assert "None of the ticked people needs a set-password link" in response.get_data(as_text=True)


def test_the_demo_attendee_has_a_badge_and_the_desk_has_people_to_find(app, runner, now):
    from events.demo import PASSWORD
    from events.models import Event

    for _ in range(2):
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
    event = db.session.query(Event).filter_by(demo_key="demo").one()
    assert db.session.query(Registration).filter_by(event_id=event.id).count() == 7
    client = app.test_client()
    client.post("/login", data={"email": "attendee@demo.claimdesk.test", "password": PASSWORD})
    page = client.get(f"/events/{event.id}/badge").get_data(as_text=True)
    assert "Alex Attendee" in page and "<svg" in page


def test_numbers_too_large_for_the_database_are_treated_as_nothing(client, auth, host, event, attendee):
    register(event, attendee)
    auth.login(host)
    huge = "9" * 30
    assert client.get(f"/host/events/{event.id}/registrants?page={huge}").status_code == 200
    assert client.get(f"/host/events/{event.id}/registrants?page=-3").status_code == 200
    response = client.post(f"/host/events/{event.id}/badges.pdf", data={"registration": [huge, "x"], "batch": huge},
                           follow_redirects=True)
    assert "Tick the people whose badges you want" in response.get_data(as_text=True)
