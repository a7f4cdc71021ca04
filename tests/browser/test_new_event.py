"""A first-time host creates an event: its time zone starts as the host's own, as their browser tells it."""
import uuid

import pytest
from playwright.sync_api import expect

from core.db import db

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def test_a_first_event_starts_in_the_hosts_own_time_zone(browser, live_server, server_app):
    from accounts.models import User

    host = User(email=f"{uuid.uuid4().hex[:8]}-host@example.org", name="Hana Host", is_organiser=True)
    host.set_password(PASSWORD)
    db.session.add(host)
    db.session.commit()
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(host.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/host/events/new")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    page.get_by_label("Title").fill("Tokyo Pharmacy Forum")
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_role("heading", name="Tokyo Pharmacy Forum")).to_be_visible()
    context.close()
