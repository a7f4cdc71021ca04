"""From the QR on the screen to claimed credit, on a phone, as a first-time attendee."""
import datetime as dt
import uuid

import pypdf
import pytest
from playwright.sync_api import expect

from core import clock
from core.db import db

pytestmark = pytest.mark.browser
PASSWORD = "a long password"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def world(server_app):
    """A session that ended ten minutes ago, with a speaker and a two-question posttest (pass mark 70%)."""
    from accounts.models import User
    from codes.setup import code_for
    from evaluations.posttest import QuestionDraft, add_posttest_question, save_posttest_settings
    from events.models import EventSession
    from events.setup import SpeakerLine, create_event, save_session

    host = User(email=f"host-{uuid.uuid4().hex[:6]}@example.org", name="Harriet Host", is_organiser=True)
    host.set_password(PASSWORD)
    db.session.add(host)
    db.session.commit()
    event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/Chicago")
    start = clock.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=70)
    session = EventSession(title="Anticoagulation update", kind="live", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                           credit_quarter_hours=6, uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T")
    event.sessions.append(session)
    save_session(session, [SpeakerLine("Dr. Maya Chen", None)], host)
    save_posttest_settings(session, 70, host.id)
    add_posttest_question(session, QuestionDraft("Which drug needs INR monitoring?", ["Apixaban", "Warfarin"], 1), host.id)
    add_posttest_question(session, QuestionDraft("What reverses dabigatran?", ["Idarucizumab", "Vitamin K"], 0), host.id)
    return {"host": host, "session_id": session.id, "code": code_for(session).code}


def fill_evaluation(page):
    for radio in page.locator("form.evaluation input[type=radio][value='4']").all():
        radio.check()
    page.locator("form.evaluation [type=submit]").click()


def test_a_first_time_attendee_goes_from_the_qr_to_claimed_credit(chromium, live_server, world):
    code = world["code"]
    context = chromium.new_context(base_url=live_server.url, **PHONE)
    phone = context.new_page()
    phone.set_default_timeout(10_000)

    phone.goto(f"/live?code={code}")  # what the QR encodes
    expect(phone.get_by_label("Session code")).to_have_value(code)
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_text("Log in or create an account to claim your credit. Your code is kept.")).to_be_visible()
    phone.get_by_role("link", name="Create an account").click()
    phone.get_by_label("Full name").fill("Pat Pharmacist")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Create account").click()

    # Straight on to the first step: the code they typed before registering is entered, not asked for again.
    expect(phone.get_by_role("heading", name="Course evaluation")).to_be_visible()
    expect(phone.get_by_text("Code accepted:")).to_be_visible()
    expect(phone.get_by_text("Fill in your profile")).to_have_count(0)
    fill_evaluation(phone)
    expect(phone.get_by_role("heading", name="Evaluate the speaker: Dr. Maya Chen")).to_be_visible()
    fill_evaluation(phone)

    expect(phone.get_by_role("heading", name="Posttest")).to_be_visible()
    phone.get_by_role("group", name="1. Which drug needs INR monitoring?").get_by_label("Apixaban").check()
    phone.get_by_role("group", name="2. What reverses dabigatran?").get_by_label("Vitamin K").check()
    phone.get_by_role("button", name="Submit answers").click()
    expect(phone.get_by_text("You scored 0% — the pass mark is 70%")).to_be_visible()
    expect(phone.get_by_text("You have 2 attempts left.")).to_be_visible()
    phone.get_by_role("button", name="Start attempt 2").click()
    phone.get_by_role("group", name="1. Which drug needs INR monitoring?").get_by_label("Warfarin").check()
    phone.get_by_role("group", name="2. What reverses dabigatran?").get_by_label("Idarucizumab").check()
    phone.get_by_role("button", name="Submit answers").click()
    expect(phone.get_by_text("You scored 100% — the pass mark is 70%")).to_be_visible()
    phone.get_by_role("link", name="Continue").click()

    expect(phone.get_by_role("heading", name="Claim credit")).to_be_visible()
    phone.get_by_label("Pharmacist — ACPE credit, UAN 0205-0000-26-014-L05-P").check()
    phone.get_by_label("NABP e-Profile ID").fill("1234567")
    phone.get_by_label("Birth date (MMDD)").fill("0230")
    phone.get_by_role("button", name="Claim credit").click()
    expect(phone.get_by_role("link").filter(has_text="February has no day 30")).to_be_visible()  # the summary at the top
    expect(phone.locator("p.error").filter(has_text="February has no day 30")).to_be_visible()  # and by the field
    expect(phone.get_by_label("NABP e-Profile ID")).to_have_value("1234567")
    phone.get_by_label("Birth date (MMDD)").fill("0207")
    phone.get_by_role("button", name="Claim credit").click()

    expect(phone.get_by_role("heading", name="Credit claimed ✓")).to_be_visible()
    expect(phone.get_by_text("1.5 hours (0.15 CEU)")).to_be_visible()
    expect(phone.get_by_text("Being reported to CPE Monitor.")).to_be_visible()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download certificate of attendance (PDF)").click()
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(download.value.path()).pages)
    assert "Pat Pharmacist" in text and "Anticoagulation update" in text

    phone.goto("/training")
    expect(phone.locator("#training")).to_contain_text("Complete")
    context.close()


def test_the_host_watches_the_count_rise_as_phones_enter_the_code(chromium, live_server, world):
    from accounts.models import User

    people = []
    for n in range(2):
        person = User(email=f"attendee{n}-{uuid.uuid4().hex[:6]}@example.org", name=f"Attendee {n}", profession="pharmacist")
        person.set_password(PASSWORD)
        db.session.add(person)
        people.append(person)
    db.session.commit()

    host_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    projector = host_context.new_page()
    projector.goto("/login")
    projector.get_by_label("Email").fill(world["host"].email)
    projector.get_by_label("Password").fill(PASSWORD)
    projector.get_by_role("button", name="Log in").click()
    projector.goto(f"/host/sessions/{world['session_id']}/present")
    projector.get_by_role("button", name="Reveal code").click()
    expect(projector.locator(".count")).to_have_text("0 attendees have entered the code")
    projector.wait_for_function("() => window.io !== undefined")

    for n, person in enumerate(people, start=1):
        context = chromium.new_context(base_url=live_server.url, **PHONE)
        phone = context.new_page()
        phone.goto(f"/login?next=/live?code={world['code']}")
        phone.get_by_label("Email").fill(person.email)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Log in").click()
        phone.get_by_role("button", name="Continue").click()
        expect(phone.get_by_role("heading", name="Course evaluation")).to_be_visible()
        # The push arrives well before the presenter's 10-second re-fetch would.
        expect(projector.locator(".count")).to_have_text(
            f"{n} attendee{'s' if n > 1 else ''} {'have' if n > 1 else 'has'} entered the code", timeout=5_000)
        context.close()
    host_context.close()
