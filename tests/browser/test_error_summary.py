"""A form that refuses input says so at the top of the page, links to each field, and takes the focus:
on a phone, with and without JavaScript."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_refused_form_shows_a_focused_summary_at_the_top_linking_to_each_field(chromium, live_server, javascript):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto("/register")
    page.get_by_label("Full name").fill("Pat Pharmacist")
    page.get_by_label("Email").fill("pat(at)example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= 844  # on screen without scrolling
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.first).to_contain_text("does not look like an email address")
    expect(page.get_by_label("Full name")).to_have_value("Pat Pharmacist")  # what was typed is kept
    links.nth(1).click()
    expect(page.get_by_label("Password")).to_be_focused()
    context.close()
