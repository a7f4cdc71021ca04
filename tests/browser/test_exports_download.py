"""A host downloads every export from a real server, streamed to the end as a browser does, and opens it."""
import csv
import io
import re

import httpx
import openpyxl
import pytest

from core.db import db
from tests.browser.conftest import PASSWORD, LiveServer, person_maker

EXPORTS = ["claims", "sessions", "evaluations"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the module: a host's event with claims, evaluations and session figures."""
    from tests.reporting.world import build

    server = LiveServer(tmp_path_factory.mktemp("exports"))
    server.start()
    app = server.app()
    try:
        with app.app_context():

            person = person_maker()

            host = person("harriet@example.org", "Harriet Host", is_organiser=True)
            event_id, host_email = build(host, person).event.id, host.email
            db.session.remove()
            db.engine.dispose()
        with httpx.Client(base_url=server.url, timeout=30) as http:
            # The host logs in through the login form (CSRF and all) and keeps the cookie, as a browser does.
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get("/login").text).group(1)
            answer = http.post("/login", data={"csrf_token": token, "email": host_email, "password": PASSWORD})
            assert answer.status_code == 302, answer.text[:500]
            yield http, f"/host/events/{event_id}/reports"
    finally:
        server.stop()


def streamed(http, url) -> tuple[httpx.Response, bytes]:
    with http.stream("GET", url) as response:
        body = b"".join(response.iter_bytes())  # raises if the server drops the connection mid-file
    return response, body


@pytest.mark.parametrize("what", EXPORTS)
def test_every_csv_export_downloads_to_the_end_with_its_rows(served, what):
    http, reports = served
    response, body = streamed(http, f"{reports}/{what}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) > 1, f"{what}.csv has only its header"
    assert all(len(row) == len(rows[0]) for row in rows)
    titles = {row[0] for row in rows[1:]} | {row[1] for row in rows[1:]}
    assert "Anticoagulation update" in titles


@pytest.mark.parametrize("what", EXPORTS)
def test_every_xlsx_export_downloads_to_the_end_and_opens_with_its_rows(served, what):
    http, reports = served
    response, body = streamed(http, f"{reports}/{what}.xlsx")
    assert response.status_code == 200
    rows = [list(row) for row in openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True)]
    assert len(rows) > 1, f"{what}.xlsx has only its header"
    assert "Anticoagulation update" in {row[0] for row in rows[1:]} | {row[1] for row in rows[1:]}
