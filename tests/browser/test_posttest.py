"""An attendee on a phone answers the posttest, leaves, comes back to the same answers, and submits."""
import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "a long password"


def seed_posttest(live_server) -> int:
    """A session that ended ten minutes ago, with a two-question posttest (pass mark 70%) and an attendee."""
    from accounts.models import User
    from codes.models import Redemption
    from core import clock
    from core.db import db
    from evaluations.posttest import QuestionDraft, add_posttest_question
    from events.models import Event, EventSession

    app = live_server.app()
    with app.app_context():
        now = clock.now().replace(microsecond=0)
        host = User(email="harriet@example.org", name="Harriet Host", is_organiser=True)
        attendee = User(email="pat@example.org", name="Pat Pharmacist")
        attendee.set_password(PASSWORD)
        event = Event(title="Pharmacy Update", venue="Ballroom", timezone="America/New_York")
        session = EventSession(title="Anticoagulation update", kind="live", starts_at=now - dt.timedelta(minutes=70),
                               ends_at=now - dt.timedelta(minutes=10), credit_quarter_hours=6,
                               uan_pharmacist="0205-0000-26-014-L05-P")
        event.sessions.append(session)
        session.refresh_window()
        db.session.add_all([host, attendee, event])
        db.session.flush()
        # The attendee entered the session's code: evaluations are for them.
        db.session.add(Redemption(user_id=attendee.id, session_id=session.id, redeemed_at=now))
        db.session.commit()
        add_posttest_question(session, QuestionDraft("Which drug needs INR monitoring?", ["Apixaban", "Warfarin"], 1), host.id)
        add_posttest_question(session, QuestionDraft("What reverses dabigatran?", ["Idarucizumab", "Vitamin K"], 0), host.id)
        session_id = session.id
        db.engine.dispose()
        return session_id


def test_answers_autosave_survive_a_reload_and_the_score_is_shown(phone, live_server):
    session_id = seed_posttest(live_server)
    phone.goto(f"/login?next=/s/{session_id}/posttest")
    phone.get_by_label("Email").fill("pat@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("heading", name="Posttest")).to_be_visible()

    first = phone.get_by_role("group", name="1. Which drug needs INR monitoring?")
    second = phone.get_by_role("group", name="2. What reverses dabigatran?")
    first.get_by_label("Warfarin").check()
    expect(phone.locator("[data-saved-for]").first).to_have_text("Saved")
    second.get_by_label("Vitamin K").check()
    expect(phone.locator("[data-saved-for]").nth(1)).to_have_text("Saved")

    phone.reload()  # leaving and coming back keeps the answers
    expect(first.get_by_label("Warfarin")).to_be_checked()
    expect(second.get_by_label("Vitamin K")).to_be_checked()
    expect(second.get_by_label("Idarucizumab")).not_to_be_checked()

    phone.get_by_role("button", name="Submit answers").click()
    expect(phone.get_by_text("You scored 50% — the pass mark is 70%")).to_be_visible()
    expect(phone.get_by_text("You have 2 attempts left.")).to_be_visible()
    expect(phone.get_by_role("button", name="Start attempt 2")).to_be_visible()
