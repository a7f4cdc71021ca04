"""The policy is in force in a real browser: what it refuses is refused and reported (issue 12).

Every other browser test also fails on any report (conftest.policy_reports): these show that a
refusal does reach that check.
"""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_script_slipped_into_a_page_does_not_run_and_chromium_reports_it(phone, policy_reports):
    phone.goto("/login")
    with phone.expect_console_message(lambda message: "Content Security Policy" in message.text):
        ran = phone.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "window.slippedIn = true";
            document.body.append(script);
            return window.slippedIn === true;
        }""")
    assert ran is False
    assert len(policy_reports) == 1 and "script-src" in policy_reports[0]
    policy_reports.clear()


def test_another_site_cannot_show_a_page_of_ours_in_a_frame(phone, live_server):
    phone.goto("about:blank")
    phone.set_content(f'<iframe src="{live_server.url}/login" width="400" height="300"></iframe>')
    frame = phone.frames[1]
    expect(frame.get_by_role("button", name="Log in")).to_have_count(0)
    assert frame.url.startswith("chrome-error:")  # refused (frame-ancestors 'none'; the report goes to the refused frame)
