"""A new attendee on a phone: registers, fixes a profile mistake, watches claims open."""
import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def seed_session(live_server):
    from core import clock
    from core.db import db
    from events.models import Event, EventSession

    app = live_server.app()
    with app.app_context():
        now = clock.now().replace(microsecond=0)
        event = Event(title="Pharmacy Update", venue="Ballroom", timezone="America/New_York")
        session = EventSession(title="Anticoagulation update", kind="live", starts_at=now - dt.timedelta(minutes=50),
                               ends_at=now + dt.timedelta(minutes=10), credit_quarter_hours=6,
                               uan_pharmacist="0205-0000-26-014-L05-P")
        event.sessions.append(session)
        session.refresh_window()
        db.session.add(event)
        db.session.commit()
        return session.id


def test_register_fix_profile_and_see_claims_open_without_reload(phone, live_server):
    session_id = seed_session(live_server)

    phone.goto("/register")
    phone.get_by_label("Full name").fill("Pat Pharmacist")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill("a long password")
    phone.get_by_role("button", name="Create account").click()
    expect(phone.get_by_role("heading", name="Your profile")).to_be_visible()

    phone.get_by_label("Profession").select_option("pharmacist")
    phone.get_by_label("NABP e-Profile ID").fill("1234567")
    phone.get_by_label("Birth date (MMDD)").fill("0230")
    phone.get_by_role("button", name="Save profile").click()
    expect(phone.get_by_role("link").filter(has_text="February has no day 30")).to_be_visible()  # the summary at the top
    expect(phone.locator("p.error").filter(has_text="February has no day 30")).to_be_visible()  # and by the field
    expect(phone.get_by_label("NABP e-Profile ID")).to_have_value("1234567")
    phone.get_by_label("Birth date (MMDD)").fill("0207")
    phone.get_by_role("button", name="Save profile").click()
    expect(phone.get_by_text("Your profile is saved.")).to_be_visible()

    phone.goto(f"/s/{session_id}")
    window = phone.locator("#window")
    expect(window).to_contain_text("Claims open at")
    expect(window.locator("[data-part=countdown]")).to_contain_text("Opens in")
    # Let the page connect for live updates before the end minute passes.
    phone.wait_for_function("() => window.io !== undefined")
    phone.evaluate("window.sameDocument = true")

    live_server.move_clock(11 * 60)  # the session's end passes on the server
    expect(window).to_contain_text("Claims are open until", timeout=5_000)
    expect(window).to_have_class("window open")
    assert phone.evaluate("window.sameDocument") is True  # never reloaded


def test_without_live_updates_the_page_s_own_timer_flips_it_after_the_phone_sleeps(phone, live_server):
    session_id = seed_session(live_server)
    phone.route("**/vendor/socket.io.min.js", lambda route: route.abort())  # no socket at all
    phone.clock.install()
    phone.goto(f"/s/{session_id}")
    window = phone.locator("#window")
    expect(window).to_contain_text("Claims open at")
    phone.evaluate("window.sameDocument = true")

    live_server.move_clock(11 * 60)
    phone.clock.fast_forward("11:00")  # the phone wakes eleven minutes later
    expect(window).to_contain_text("Claims are open until", timeout=5_000)
    assert phone.evaluate("window.sameDocument") is True


def test_a_code_revealed_early_is_kept_and_the_progress_page_moves_on_when_claims_open(phone, live_server):
    from codes.setup import code_for
    from core.db import db

    session_id = seed_session(live_server)  # ends in 10 minutes; the host reveals the code now
    app = live_server.app()
    with app.app_context():
        from events.models import EventSession

        code = code_for(db.session.get(EventSession, session_id))
        code.revealed_at = code.created_at
        db.session.commit()
        typed = code.code

    phone.goto("/register")
    phone.get_by_label("Full name").fill("Pat Pharmacist")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill("a long password")
    phone.get_by_role("button", name="Create account").click()
    phone.goto(f"/live?code={typed}")
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_text("you can fill the evaluations now")).to_be_visible()
    expect(phone.get_by_role("heading", name="Course evaluation")).to_be_visible()
    for group in phone.locator("form.evaluation fieldset").all():
        group.get_by_role("radio").last.check()
    phone.locator("form.evaluation [type=submit]").click()

    journey = phone.locator("#journey")
    expect(journey).to_contain_text("Opens ")  # the claim waits for the window, and the page says when
    phone.wait_for_function("() => window.io !== undefined")
    phone.evaluate("window.sameDocument = true")
    live_server.move_clock(11 * 60)  # the session ends on the server: claims open
    expect(journey).to_contain_text("Closes in", timeout=5_000)
    expect(journey.get_by_role("link", name="Claim your credit")).to_be_visible()
    assert phone.evaluate("window.sameDocument") is True  # it moved on by itself
