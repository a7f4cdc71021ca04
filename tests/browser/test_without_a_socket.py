"""A phone whose network lets no WebSocket through (the socket.io path blocked) still does everything with forms."""
import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect

from core import clock
from core.db import db

pytestmark = pytest.mark.browser
PASSWORD = "a long password"


@pytest.fixture
def world(server_app):
    from accounts.models import User
    from codes.setup import code_for
    from events.models import EventSession
    from events.setup import SpeakerLine, create_event, save_session

    host = User(email=f"host-{uuid.uuid4().hex[:6]}@example.org", name="Harriet Host", is_organiser=True)
    pat = User(email="pat@example.org", name="Pat Pharmacist", profession="pharmacist")
    for person in (host, pat):
        person.set_password(PASSWORD)
        db.session.add(person)
    db.session.commit()
    event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/Chicago")
    start = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=70)
    session = EventSession(title="Anticoagulation update", kind="live", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                           credit_quarter_hours=6, uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T")
    event.sessions.append(session)
    save_session(session, [SpeakerLine("Dr. Maya Chen", None)], host)
    return {"code": code_for(session).code, "session_id": session.id}


def test_code_entry_and_evaluation_work_when_no_socket_can_connect(phone, world):
    blocked = []

    def refuse(ws):
        blocked.append(ws.url)
        ws.close()

    phone.route_web_socket("**/socket.io/**", refuse)
    polled = []
    phone.route("**/socket.io/**", lambda route: (polled.append(route.request.url), route.abort()))
    phone.goto("/login")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()

    phone.goto(f"/s/{world['session_id']}")  # a live page: it tries to connect, and cannot
    expect(phone.get_by_role("heading", name="Anticoagulation update")).to_be_visible()
    phone.goto(f"/live?code={world['code']}")
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", name="Course evaluation")).to_be_visible()
    for radio in phone.locator("form.evaluation input[type=radio][value='4']").all():
        radio.check()
    phone.locator("form.evaluation [type=submit]").click()
    expect(phone.get_by_role("heading", name="Evaluate the speaker: Dr. Maya Chen")).to_be_visible()

    phone.goto("/training")
    expect(phone.locator("#training")).to_contain_text("Anticoagulation update")
    assert blocked, "the live pages did try to open a socket"
    assert not polled, "WebSocket only (live.js): no long-polling requests"
