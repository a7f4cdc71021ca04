"""My badge on a phone: the QR decodes to the badge token, and the page still shows after the phone goes offline."""
import io
import uuid

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from core.db import db

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def registered(server_app):
    from accounts.models import User
    from checkin.registration import register
    from events.setup import create_event

    tag = uuid.uuid4().hex[:8]
    host = User(email=f"host-{tag}@example.org", name="Harriet Host", is_organiser=True)
    person = User(email=f"alex-{tag}@example.org", name="Alex Attendee", profession="pharmacist")
    for user in (host, person):
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()
    event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/New_York")
    registration = register(event, person)
    return {"person": person, "event": event, "token": registration.badge_token}


def log_in(page, user):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def decoded(page) -> list[str]:
    png = page.locator(".badge .qr svg").screenshot()
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_my_badge_still_shows_after_the_phone_goes_offline(live_server, phone, registered):
    event, token = registered["event"], registered["token"]
    log_in(phone, registered["person"])
    phone.goto(f"/events/{event.id}")
    phone.get_by_role("link", name="My badge").click()
    expect(phone.locator(".badge .name")).to_have_text("Alex Attendee")
    assert decoded(phone) == [token]
    # The page's service worker keeps the badge as it installs; once it is in control the copy is there.
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator(".badge .name")).to_have_text("Alex Attendee")
    expect(phone.locator(".badge .event")).to_have_text("Pharmacy Update")
    assert decoded(phone) == [token]
    # Truly offline: any other page of the site fails to load.
    with pytest.raises(Exception):
        phone.goto("/profile")
    phone.context.set_offline(False)


def test_the_badge_token_never_reaches_the_server_log(live_server, phone, registered):
    log_in(phone, registered["person"])
    phone.goto(f"/events/{registered['event'].id}/badge")
    expect(phone.locator(".badge .name")).to_have_text("Alex Attendee")
    live_server.log.flush()
    assert registered["token"] not in (live_server.folder / "server.log").read_text()


def test_an_imported_person_opens_the_hosts_link_sets_a_password_and_sees_their_badge(live_server, phone, server_app):
    from flask import current_app

    from checkin.registration import password_link_token, register_person
    from events.setup import create_event
    from accounts.models import User

    host = User(email=f"host-{uuid.uuid4().hex[:8]}@example.org", name="Harriet Host", is_organiser=True)
    db.session.add(host)
    db.session.commit()
    event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/New_York")
    email = f"nora-{uuid.uuid4().hex[:8]}@example.org"
    registration, _ = register_person(event, email=email, name="Nora New", profession="technician",
                                      source="import", actor_id=host.id)
    token = password_link_token(registration.user, current_app.config["SECRET_KEY"])

    phone.goto(f"/welcome#{token}")
    expect(phone.get_by_label("Set-up code")).to_be_hidden()  # filled in from the link by the page
    phone.get_by_label("Choose a password").fill("a good long password")
    phone.get_by_role("button", name="Save my password").click()
    expect(phone.get_by_text("Your password is saved")).to_be_visible()
    phone.goto(f"/events/{event.id}/badge")
    expect(phone.locator(".badge .name")).to_have_text("Nora New")
    assert decoded(phone) == [registration.badge_token]
    live_server.log.flush()
    log = (live_server.folder / "server.log").read_text()
    assert token not in log and registration.badge_token not in log
