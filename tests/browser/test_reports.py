"""A host opens a session's report on a laptop: charts of the evaluation answers, with the numbers beside them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, person_maker

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def world(server_app):
    from tests.reporting.world import build


    person = person_maker()

    host = person("harriet@example.org", "Harriet Host", is_organiser=True)
    world = build(host, person)
    world.people["host"] = host
    from evaluations.posttest import QuestionDraft, add_posttest_question

    add_posttest_question(world.anticoag, QuestionDraft("Which drug needs INR checks?", ["Warfarin", "Apixaban"], 0),
                          host.id)
    return world


def log_in(page, base, user):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_session_report_draws_a_chart_per_evaluation_beside_its_numbers(live_server, browser, world):
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, world.people["host"])
    page.goto(f"/host/events/{world.event.id}")
    page.get_by_role("link", name="Reports and exports").click()
    expect(page.get_by_role("heading", name="Reports: Pharmacy Update")).to_be_visible()
    page.get_by_role("link", name="Anticoagulation update").click()
    expect(page.get_by_role("heading", name="Anticoagulation update")).to_be_visible()

    # One chart each: the course, Dr. Chen, Dr. Reyes; every one drawn by Chart.js with the answers.
    expect(page.locator("canvas[data-likert]")).to_have_count(3)
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas[data-likert]').length === 3"
                           " && [...document.querySelectorAll('canvas[data-likert]')].every(c => Chart.getChart(c))")
    drawn = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('chart-course'));
        return {labels: chart.data.labels, fives: chart.data.datasets[4].data,
                width: chart.chartArea.right - chart.chartArea.left, height: chart.canvas.height,
                inked: (() => {  // some pixels of the canvas are painted
                    const c = chart.canvas, data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
                    return false; })()};
    }""")
    assert drawn["labels"] == ["The learning objectives were met", "The content is relevant to my practice",
                               "The activity was free of commercial bias"]
    assert drawn["fives"] == [2, 1, 0]
    assert drawn["width"] > 100 and drawn["height"] > 100 and drawn["inked"]
    posttest = page.evaluate("() => Chart.getChart(document.getElementById('chart-posttest')).data.datasets[0].data")
    assert posttest == [0]

    # The numbers are on the page beside the chart.
    course = page.locator("#course")
    row = course.get_by_role("row", name="The learning objectives were met")
    expect(row.get_by_role("cell")).to_have_text(["3", "4.67", "0", "0", "0", "1", "2"])
    expect(course.get_by_role("listitem")).to_have_count(2)
    expect(page.locator("#speaker-" + str(world.anticoag.speakers[0].id))).to_contain_text("2 responses")
    context.close()


def test_without_javascript_the_numbers_are_all_there(live_server, browser, world):
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, world.people["host"])
    page.goto(f"/host/events/{world.event.id}/reports/sessions/{world.anticoag.id}")
    row = page.locator("#course").get_by_role("row", name="The content is relevant to my practice")
    expect(row.get_by_role("cell")).to_have_text(["3", "3.33", "0", "1", "1", "0", "1"])
    context.close()


def test_the_real_server_sends_the_claims_export_in_chunks(live_server, browser, world):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, live_server.url, world.people["host"])
    for extension in ("csv", "xlsx"):
        response = context.request.get(f"/host/events/{world.event.id}/reports/claims.{extension}")
        assert response.status == 200
        # No Content-Length: the body is streamed as it is written, never held whole.
        assert response.headers.get("transfer-encoding") == "chunked", response.headers
        assert "content-length" not in response.headers
        assert "pharmacy-update-claims-" in response.headers["content-disposition"]
    body = context.request.get(f"/host/events/{world.event.id}/reports/claims.csv").text()
    assert body.lstrip("\ufeff").splitlines()[1].startswith("Pharmacy Update,Anticoagulation update,Ann Archer,")
    context.close()


def test_on_a_phone_the_question_labels_are_wrapped_not_cut_off(live_server, browser, world):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, world.people["host"])
    page.goto(f"/host/events/{world.event.id}/reports/sessions/{world.anticoag.id}")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-course'))")
    fits = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('chart-course'));
        const axis = chart.scales.y, context = chart.ctx;
        context.font = Chart.helpers.toFont(axis.options.ticks.font).string;
        const lines = chart.data.labels.flatMap(label => Array.isArray(label) ? label : [label]);
        return {lines, widest: Math.max(...lines.map(line => context.measureText(line).width)), room: axis.width,
                left: axis.left};
    }""")
    assert "The content is relevant to my practice" not in fits["lines"]  # wrapped onto lines of its own
    assert " ".join(fits["lines"]).count("relevant") == 1
    assert fits["left"] >= 0 and fits["widest"] <= fits["room"], fits
    context.close()
