"""A host shows the code on the projector and watches attendees enter it."""
import datetime as dt
import io
import uuid

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from core import clock
from core.db import db

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def world(server_app):
    """A host, a live session that ends in 30 minutes, and three attendees, on the server's database."""
    from accounts.models import User
    from codes.setup import code_for
    from events.models import EventSession
    from events.setup import SpeakerLine, create_event, save_session

    tag = uuid.uuid4().hex[:8]

    def person(name, **fields):
        user = User(email=f"{name.lower()}-{tag}@example.org", name=name, **fields)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    host = person("Harriet", is_organiser=True)
    event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/New_York")
    start = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    session = EventSession(title="Anticoagulation update", kind="live", starts_at=start,
                           ends_at=start + dt.timedelta(hours=1), credit_quarter_hours=4,
                           uan_pharmacist="0205-0000-26-014-L05-P")
    event.sessions.append(session)
    save_session(session, [SpeakerLine("Dr. Maya Chen", None)], host)
    return {"host": host, "session": session, "code": code_for(session).code,
            "attendees": [person(f"Attendee{i}", profession="pharmacist") for i in range(3)]}


def log_in(page, base, user):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_host_reveals_the_code_and_watches_the_count_rise(live_server, browser, world):
    from codes.redeem import redeem

    session, code = world["session"], world["code"]
    grouped = f"{code[:4]} {code[4:]}"
    context = browser.new_context(viewport=LAPTOP)
    projector = context.new_page()
    log_in(projector, live_server.url, world["host"])
    projector.goto(f"{live_server.url}/s/{session.id}")
    projector.get_by_role("link", name="Show the code (presenter view)").click()

    expect(projector.get_by_role("heading", name="Anticoagulation update")).to_be_visible()
    expect(projector.locator("#window")).to_contain_text("Claims open at")
    assert code not in projector.content() and grouped not in projector.content()

    # A second screen (the host's laptop) already shows the view: it follows the reveal by push.
    laptop = context.new_page()
    laptop.goto(f"{live_server.url}/host/sessions/{session.id}/present")
    laptop.wait_for_function("() => window.io !== undefined")

    projector.get_by_role("button", name="Reveal code").click()
    expect(projector.locator(".code")).to_have_text(grouped)
    expect(projector.locator(".count")).to_have_text("0 attendees have entered the code")
    expect(laptop.locator(".code")).to_have_text(grouped, timeout=5000)  # the poll would take 10 s

    png = projector.locator(".qr svg").screenshot()
    decoded = [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [f"{live_server.url}/live?code={code}"]

    for attendee in world["attendees"]:
        redeem(attendee.id, db.session.get(type(session), session.id))
    # Attendees entered the code through another process: the view's regular re-fetch shows it.
    projector.wait_for_function(
        "() => document.querySelector('[data-part=count]').textContent === '3'", timeout=15000
    )
    expect(projector.locator(".count")).to_have_text("3 attendees have entered the code")
    context.close()


def test_an_attendee_is_refused_the_presenter_view(live_server, browser, world):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, world["attendees"][0])
    response = page.goto(f"{live_server.url}/host/sessions/{world['session'].id}/present")
    assert response.status == 403
    expect(page.get_by_role("heading")).to_have_text("You do not have access to this page")
    assert world["code"] not in page.content()
    context.close()
