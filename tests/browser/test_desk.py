"""A volunteer at the check-in desk: a barcode scanner (keyboard wedge), a duplicate, a walk-in, and a second desk."""
import uuid

import pytest
from playwright.sync_api import expect

from core.db import db

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
TABLET = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}


@pytest.fixture
def world(server_app):
    """An event with four registered attendees and a check-in volunteer, on the server's database."""
    from accounts.models import User
    from checkin.models import Registration
    from events.models import EventRole
    from events.setup import create_event

    tag = uuid.uuid4().hex[:8]

    def person(name, password=False, **fields):
        user = User(email=f"{name.lower().replace(' ', '.')}-{tag}@example.org", name=name, **fields)
        if password:
            user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    host = person("Harriet Host", password=True, is_organiser=True)
    event = create_event(host, title="Pharmacy Update", venue="Ballroom", timezone="America/New_York")
    volunteer = person("Dana Desk", password=True)
    db.session.add(EventRole(event_id=event.id, user_id=volunteer.id, role="checkin"))
    names = ["Maya Chen", "Omar Diaz", "Lee Park", "Ruth Ode"]
    badges = []
    for name in names:
        registration = Registration(event_id=event.id, user_id=person(name, profession="pharmacist").id)
        db.session.add(registration)
        badges.append(registration)
    db.session.commit()
    return {"event": event, "volunteer": volunteer, "host": host, "names": names,
            "tokens": [b.badge_token for b in badges]}


@pytest.fixture
def contexts(browser):
    """Browser contexts (one per desk), closed even when a test fails so the server can stop."""
    opened = []
    yield opened
    for context in opened:
        context.close()
    

def open_desk(contexts, browser, live_server, world, viewport, desk_name=None, who="volunteer"):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.clock.install()  # time runs as usual until a test pauses it
    page.goto("/login")
    page.get_by_label("Email").fill(world[who].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Check-in desk").click()  # the only event: straight to its desk
    expect(page.get_by_role("heading", name="Pharmacy Update")).to_be_visible()
    if desk_name:
        page.get_by_label("This desk is called").fill(desk_name)
        page.get_by_label("This desk is called").press("Tab")
    expect(page.locator("#desk")).to_have_attribute("data-live", "connected")
    return context, page


def test_a_queue_checked_in_with_a_barcode_scanner_and_a_second_desk_following(live_server, browser, world, contexts):
    first_context, desk1 = open_desk(contexts, browser, live_server, world, TABLET)
    second_context, desk2 = open_desk(contexts, browser, live_server, world, TABLET_PORTRAIT, desk_name="Desk 2")
    result = desk1.locator("#result")
    expect(desk1.locator("#wedge")).to_be_focused()
    expect(desk1.locator(".counter")).to_have_text("0 checked in of 4 registered")

    # Three badges in a row: the scanner types the token and Enter; nobody touches the mouse.
    for token, name in zip(world["tokens"][:3], world["names"]):
        desk1.keyboard.type(token + "\n")
        expect(result.locator(".headline")).to_have_text("Checked in")
        expect(result.locator(".who")).to_have_text(name)
        expect(result).to_have_class("result checked_in")
        expect(desk1.locator("#wedge")).to_be_focused()
        expect(desk1.locator("#wedge")).to_have_value("")
    expect(desk1.locator("#checked-in")).to_have_text("3")
    # The other desk followed within a second, by push.
    expect(desk2.locator("#checked-in")).to_have_text("3", timeout=1000)
    expect(desk2.locator("#last-scans li").first).to_contain_text(world["names"][2])

    # The first badge again: amber, with when, where and by whom.
    desk1.keyboard.type(world["tokens"][0] + "\n")
    expect(result).to_have_class("result already_checked_in")
    expect(result.locator(".headline")).to_contain_text("Already checked in at")
    expect(result.locator(".headline")).to_contain_text("at Desk 1 by Dana Desk")

    # A code that is no badge: red.
    desk1.keyboard.type("HELLO WORLD\n")
    expect(result).to_have_class("result unknown")
    expect(result.locator(".headline")).to_have_text("Unknown code")

    # The second desk scans the fourth badge; the first desk's counter moves within a second.
    desk2.keyboard.type(world["tokens"][3] + "\n")
    expect(desk2.locator("#result .who")).to_have_text("Ruth Ode")
    expect(desk1.locator("#checked-in")).to_have_text("4", timeout=1000)
    expect(desk1.locator("#last-scans li").first).to_contain_text("Ruth Ode")
    expect(desk1.locator("#last-scans li").first).to_contain_text("Desk 2")


def test_a_walk_in_is_registered_and_checked_in_from_one_short_form(live_server, browser, world, contexts):
    context, page = open_desk(contexts, browser, live_server, world, TABLET)
    page.get_by_text("Walk-in: register someone new").click()
    page.get_by_label("Name", exact=True).fill("Wanda Walker")
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_label("Profession").select_option("technician")
    page.get_by_role("button", name="Register and check in").click()
    expect(page.locator("#walk-in-error")).to_have_text("That does not look like an email address.")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wanda Walker")  # what was typed stays
    page.get_by_label("Email", exact=True).fill(f"wanda-{uuid.uuid4().hex[:6]}@example.org")
    page.get_by_role("button", name="Register and check in").click()
    expect(page.locator("#result .headline")).to_have_text("Checked in")
    expect(page.locator("#result .who")).to_have_text("Wanda Walker")
    expect(page.locator("#result .what")).to_have_text("Pharmacy technician")
    expect(page.locator(".counter")).to_have_text("1 checked in of 5 registered")
    expect(page.locator("#wedge")).to_be_focused()  # back to scanning


def test_search_by_name_and_check_in(live_server, browser, world, contexts):
    context, page = open_desk(contexts, browser, live_server, world, TABLET_PORTRAIT)
    page.get_by_label("Find by name or email").fill("oma")
    results = page.locator("#search-results li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Omar Diaz")
    results.first.get_by_role("button", name="Check in").click()
    expect(page.locator("#result .who")).to_have_text("Omar Diaz")
    expect(page.locator("#wedge")).to_be_focused()


def test_rapid_mode_goes_back_to_scanning_after_two_seconds(live_server, browser, world, contexts):
    context, page = open_desk(contexts, browser, live_server, world, TABLET)
    page.get_by_label("Rapid mode").check()
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)  # from here the test moves the clock
    result = page.locator("#result")
    page.keyboard.type(world["tokens"][0] + "\n")  # the focus went back to the scanner input by itself
    expect(result.locator(".who")).to_have_text(world["names"][0])
    page.clock.run_for(1990)
    expect(result).to_have_class("result checked_in")
    page.clock.run_for(20)
    expect(result).to_have_class("result idle")
    expect(result.locator(".headline")).to_have_text("Ready to scan")
    page.keyboard.type(world["tokens"][1] + "\n")
    expect(result.locator(".who")).to_have_text(world["names"][1])
    # Rapid mode is remembered on this device.
    page.reload()
    expect(page.get_by_label("Rapid mode")).to_be_checked()


def test_a_host_undoes_a_wrong_check_in_with_a_reason_typed_in_the_line(live_server, browser, world, contexts):
    context, host = open_desk(contexts, browser, live_server, world, TABLET, who="host")
    _, volunteer = open_desk(contexts, browser, live_server, world, TABLET_PORTRAIT, desk_name="Desk 2")
    volunteer.keyboard.type(world["tokens"][1] + "\n")
    expect(volunteer.locator("#result .who")).to_have_text("Omar Diaz")
    expect(volunteer.get_by_role("button", name="Undo")).to_have_count(0)  # volunteers cannot undo

    line = host.locator("#last-scans li").first
    expect(line).to_contain_text("Omar Diaz")
    line.get_by_role("button", name="Undo").click()
    reason = line.get_by_label("Why undo the check-in of Omar Diaz?")
    expect(reason).to_be_focused()
    reason.press("Enter")
    expect(line.get_by_role("alert")).to_have_text("Say why this check-in is being undone.")
    reason.fill("Scanned his colleague's badge by mistake")
    reason.press("Enter")
    expect(host.locator("#result .headline")).to_have_text("Check-in undone: Scanned his colleague's badge by mistake")
    expect(host.locator("#checked-in")).to_have_text("0")
    expect(volunteer.locator("#checked-in")).to_have_text("0", timeout=1000)
    expect(host.locator("#wedge")).to_be_focused()  # back to scanning

    # Escape closes the question and keeps the check-in.
    volunteer.keyboard.type(world["tokens"][1] + "\n")
    expect(volunteer.locator("#result .headline")).to_have_text("Checked in")
    line = host.locator("#last-scans li", has_text="Checked in").first
    line.get_by_role("button", name="Undo").click()
    line.get_by_label("Why undo the check-in of Omar Diaz?").press("Escape")
    expect(line.get_by_role("button", name="Undo")).to_be_visible()
    expect(host.locator("#checked-in")).to_have_text("1")
