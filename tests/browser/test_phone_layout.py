"""Every page a role can reach, on a small phone (360 x 740): nothing scrolls sideways, and every control is a
tap target of at least 44 x 44 px (WCAG 2.5.5; a link inside a sentence is exempt, as WCAG allows)."""
from __future__ import annotations

import re

import pytest

from core.db import db
from tests.browser.conftest import PASSWORD, LiveServer, person_maker

pytestmark = pytest.mark.browser
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

# What is wrong with the page as it is drawn: sideways scrolling, and controls too small to tap.
MEASURE = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    const widest = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1)
      .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth} px for ${width} (${widest.slice(0, 3).join(', ')})`);
  }
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('[hidden]')) continue;
    const label = (el.type === 'radio' || el.type === 'checkbox') ? el.closest('label') : null;
    const box = (label || el).getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.tagName === 'A' && style.display === 'inline') {
      // A link in a sentence is exempt: words around it in the same block, not just separators between links.
      const block = el.closest('p, li, td, dd, span, small');
      if (block) {
        let words = block.textContent;
        for (const link of block.querySelectorAll('a')) words = words.replace(link.textContent, ' ');
        if (/[A-Za-z]{2,}/.test(words)) continue;
      }
    }
    if (box.height < 44 || box.width < 44) {
      const name = (el.textContent || el.value || el.name || el.type || '').trim().slice(0, 30);
      problems.push(`${el.tagName.toLowerCase()} "${name}" is ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  for (const el of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const box = el.getBoundingClientRect();  // the same size however long its label (no squeezed radios)
    if (box.width && (Math.abs(box.width - box.height) > 1 || box.width < 18)) {
      problems.push(`${el.type} "${el.name}" is squeezed to ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  const measure = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('input[placeholder]')) {
    const style = getComputedStyle(el);  // a hint that fits its box, not "Scan, or type th"
    measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (el.clientWidth && measure.measureText(el.placeholder).width > room) {
      problems.push(`the hint "${el.placeholder}" does not fit its ${Math.round(room)} px box`);
    }
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server with a finished conference: a host, desk staff, an administrator and attendees with claims."""
    from events.setup import grant_role
    from tests.reporting.world import build

    server = LiveServer(tmp_path_factory.mktemp("layout"))
    server.start()
    app = server.app()
    try:
        with app.app_context():
            person = person_maker()

            host = person("harriet@example.org", "Harriet Host", is_organiser=True)
            world = build(host, person)
            desk = person("dan@example.org", "Dan Desk")
            grant_role(world.event, desk.email, "checkin", host)
            admin = person("ada@example.org", "Ada Admin", is_admin=True)
            ids = {"event": world.event.id, "session": world.anticoag.id,
                   "speaker": world.anticoag.speakers[0].id}
            emails = {"attendee": world.people["ann"].email, "host": host.email, "desk": desk.email, "admin": admin.email}
            db.session.remove()
            db.engine.dispose()
        yield server, ids, emails
    finally:
        server.stop()


PAGES = {
    "anonymous": ["/", "/login", "/register", "/live", "/home-study", "/events/{event}", "/s/{session}"],
    "attendee": ["/training", "/training/{session}", "/profile", "/live", "/s/{session}", "/events/{event}",
                 "/events/{event}/badge"],
    "desk": ["/desk/events/{event}", "/desk/events/{event}?q=Ann"],
    "host": ["/host/events", "/host/events/{event}", "/host/events/{event}/edit", "/host/events/new",
             "/host/events/{event}/sessions/new", "/host/sessions/{session}/edit", "/host/events/{event}/evaluations",
             "/host/sessions/{session}/posttest", "/host/events/{event}/registrants",
             "/host/events/{event}/registrants/import", "/host/events/{event}/staff",
             "/host/events/{event}/desk-devices", "/host/events/{event}/reports/",
             "/host/events/{event}/reports/sessions/{session}", "/host/events/{event}/transmissions",
             "/host/sessions/{session}/attendees", "/host/sessions/{session}/code",
             "/host/sessions/{session}/webinar"],
    "admin": ["/admin/users", "/admin/users?q=a", "/admin/events", "/admin/events/{event}/roles", "/admin/reporting"],
}


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


@pytest.mark.parametrize("role", list(PAGES))
def test_no_page_scrolls_sideways_and_every_control_is_big_enough_to_tap(chromium, served, role):
    server, ids, emails = served
    context = chromium.new_context(base_url=server.url, **SMALL_PHONE)
    page = context.new_page()
    if role != "anonymous":
        log_in(page, emails[role])
    problems = []
    for path in PAGES[role]:
        url = path.format(**ids)
        response = page.goto(url)
        assert response.status == 200, f"{role} {url}: {response.status}"
        page.wait_for_load_state("networkidle")
        problems += [f"{url}: {problem}" for problem in page.evaluate(MEASURE)]
    context.close()
    assert not problems, "\n".join(problems)
