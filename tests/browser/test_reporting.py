"""On a phone: CPE Monitor rejects the attendee's birth date; they fix their profile, resubmit, and see it reported.

A real server (gunicorn + gevent) runs its embedded reporting worker against the stand-in CPE Monitor.
"""
import datetime as dt
import threading

import httpx
import pytest
from playwright.sync_api import expect

from core import clock
from core.db import db
from tests.browser.conftest import LiveServer
from tests.reporting.standin import PASSWORD as SERVICE_PASSWORD, USER as SERVICE_USER, make_server

pytestmark = pytest.mark.browser
PASSWORD = "a long password"


@pytest.fixture
def standin():
    server, state = make_server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    state.hang.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def reporting_server(tmp_path, standin):
    server = LiveServer(tmp_path)
    server.env.update(REPORTING_METHOD="service", CPE_MONITOR_URL=f"{standin.url}/cpe-monitor",
                      CPE_MONITOR_USER=SERVICE_USER, CPE_MONITOR_PASSWORD=SERVICE_PASSWORD,
                      REPORTING_POLL_SECONDS="0.2", REPORTING_CONNECT_TIMEOUT="1", REPORTING_READ_TIMEOUT="2")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def claimed_with_wrong_birth_date(reporting_server, standin):
    """Pat claimed credit with birth date 0207; NABP has 0702 for Pat's e-Profile ID."""
    from accounts.models import User
    from claims.flow import claim_credit
    from codes.redeem import redeem
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation
    from events.models import EventSession
    from events.setup import SpeakerLine, create_event, save_session

    httpx.post(f"{standin.url}/control", json={"nabp": {"1234567": "0702"}}).raise_for_status()
    app = reporting_server.app()
    with app.app_context():
        host = User(email="host@example.org", name="Harriet Host", is_organiser=True)
        pat = User(email="pat@example.org", name="Pat Pharmacist", profession="pharmacist", eprofile_id="1234567",
                   birth_mmdd="0207")
        for user in (host, pat):
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/Chicago")
        start = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=70)
        session = EventSession(title="Anticoagulation update", kind="live", starts_at=start,
                               ends_at=start + dt.timedelta(hours=1), credit_quarter_hours=6,
                               uan_pharmacist="0205-0000-26-014-L05-P")
        event.sessions.append(session)
        save_session(session, [SpeakerLine("Dr. Maya Chen", None)], host)
        redeem(pat.id, session)
        for kind, speakers in (("course", [None]), ("speaker", list(session.speakers))):
            questions = active_questions(event, kind)
            for speaker in speakers:
                submit_evaluation(pat.id, session, speaker, questions,
                                  [Answer(q.id, scale_value=4) if q.scale else Answer(q.id, text_value="Good") for q in questions])
        claim_credit(pat, session, clock.now(), profession="pharmacist", eprofile_id="1234567", birth_mmdd="0207")
        db.session.remove()
        db.engine.dispose()


def test_an_attendee_fixes_a_rejected_birth_date_and_sees_the_credit_reported(chromium, reporting_server, standin,
                                                                              claimed_with_wrong_birth_date):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   base_url=reporting_server.url)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto("/login")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()

    phone.goto("/training")
    rejection = phone.get_by_role("alert")
    expect(rejection).to_contain_text("CPE Monitor did not accept this credit.")
    expect(rejection).to_contain_text("Your birth month and day do not match what NABP has for your e-Profile ID.")
    expect(rejection).to_contain_text("by the end of")

    rejection.get_by_role("link", name="your profile").click()
    phone.get_by_label("Birth date (MMDD)").fill("0702")
    phone.get_by_role("button", name="Save profile").click()
    expect(phone.get_by_text("Your profile is saved.")).to_be_visible()

    phone.goto("/training")
    phone.get_by_role("button", name="Resubmit to CPE Monitor").click()
    expect(phone.get_by_text("Resubmitted to CPE Monitor with your corrected details.")).to_be_visible()
    # The embedded worker sends it; its push makes the open page fetch the new state.
    expect(phone.get_by_text("Reported to CPE Monitor ✓")).to_be_visible()
    credits = standin.stats()["credits"]
    assert [(c["eProfileId"], c["birthMMDD"]) for c in credits] == [("1234567", "0702")]
    context.close()
