"""A host downloads the claims, the session figures and the evaluation results as CSV and Excel files."""
from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import tempfile

import openpyxl
import pytest

from core.db import db
from reporting import exports

CLAIM_ROWS = [
    ["Pharmacy Update", "Anticoagulation update", "Ann Archer", "ann@example.org", "Pharmacist",
     "0205-0000-26-014-L05-P", "1.5", "0.15", "2026-11-21", "2026-11-21 14:00", "Reported"],
    ["Pharmacy Update", "Anticoagulation update", "Ben Baker", "ben@example.org", "Pharmacy technician",
     "0205-0000-26-014-L05-T", "1.5", "0.15", "2026-11-21", "2026-11-21 14:00", "Rejected: the attendee can fix it"],
    ["Pharmacy Update", "Anticoagulation update", "Cal Cruz", "cal@example.org", "Physician",
     "", "1.5", "0.15", "2026-11-21", "2026-11-21 14:00", "Being reported"],
    ["Pharmacy Update", "Anticoagulation update", "Dee Diaz", "dee@example.org", "Other health professional",
     "", "1.5", "0.15", "2026-11-21", "2026-11-21 14:00", "Not reported (certificate only)"],
    ["Pharmacy Update", "Immunization law", "Ann Archer", "ann@example.org", "Pharmacist",
     "0205-0000-26-014-L05-P", "1", "0.1", "2026-11-21", "2026-11-21 14:00", "Expired: not reported in time"],
]


def download(client, world, name):
    response = client.get(f"/host/events/{world.event.id}/reports/{name}")
    assert response.status_code == 200, response.status_code
    return response


def parsed_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    response.close()
    assert text.startswith("\ufeff")  # so Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    response.close()
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def host_client(world, host, logged_in):
    return logged_in(host)


def test_claims_csv_has_one_row_per_claim_by_session_then_name(world, host_client):
    rows = parsed_csv(download(host_client, world, "claims.csv"))
    assert rows[0] == exports.CLAIM_COLUMNS
    assert rows[1:] == CLAIM_ROWS


def test_each_download_is_in_the_audit_log(world, host, host_client):
    from core.audit import AuditEntry

    download(host_client, world, "claims.xlsx").close()
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "report.exported"))
    assert (entry.actor_id, entry.subject, entry.detail) == (host.id, f"event:{world.event.id}", "claims.xlsx")


def test_claims_export_leaves_out_eprofile_ids_and_birth_dates(world, host_client):
    from claims.models import Claim

    claim = db.session.scalar(db.select(Claim).where(Claim.profession == "pharmacist"))
    claim.eprofile_id, claim.birth_mmdd = "7654321", "0229"
    db.session.commit()
    text = download(host_client, world, "claims.csv").get_data(as_text=True)
    assert "7654321" not in text and "0229" not in text


def test_the_exports_stream(world, host_client):
    for name in ("claims.csv", "claims.xlsx", "sessions.csv", "evaluations.xlsx"):
        response = download(host_client, world, name)
        assert response.is_streamed, name
        response.close()
    assert inspect.isgenerator(exports.claims_table(world.event.id).rows)
    assert inspect.isgenerator(exports.stream_claims_csv(world.event.id))


def test_the_file_is_named_after_the_event_and_the_day(world, host_client):
    response = download(host_client, world, "claims.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="pharmacy-update-claims-2026-11-21.csv"'
    assert response.mimetype == "text/csv"
    response.close()
    response = download(host_client, world, "evaluations.xlsx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="pharmacy-update-evaluations-2026-11-21.xlsx"'
    response.close()


def test_claims_xlsx_reads_back_with_the_same_rows_as_numbers_and_dates(world, host_client):
    rows = read_xlsx(download(host_client, world, "claims.xlsx"))
    assert rows[0] == exports.CLAIM_COLUMNS
    assert len(rows) == 1 + len(CLAIM_ROWS)
    first = rows[1]
    assert first[:6] == CLAIM_ROWS[0][:6]
    assert (first[6], first[7]) == (1.5, 0.15)
    assert first[8] == dt.datetime(2026, 11, 21)
    assert first[9] == dt.datetime(2026, 11, 21, 14, 0)
    assert first[10] == "Reported"
    assert [row[2] for row in rows[1:]] == [row[2] for row in CLAIM_ROWS]


def test_the_xlsx_temporary_file_is_removed_once_sent(world, host_client, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = download(host_client, world, "claims.xlsx")
    assert [p.suffix for p in tmp_path.iterdir()] == [".xlsx"]
    assert response.get_data()[:2] == b"PK"  # a zip, as XLSX files are
    response.close()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def mischief(world):
    """A claim whose name a spreadsheet would run as a formula."""
    from claims.models import Claim

    claim = db.session.scalar(db.select(Claim).where(Claim.learner_name == "Dee Diaz"))
    claim.learner_name = '=HYPERLINK("http://evil.example","Click")'
    claim.user.email = "@SUM(1+1)@example.org"
    db.session.commit()
    return claim


def test_csv_cells_that_would_run_as_formulas_are_neutralised(world, host_client, mischief):
    rows = parsed_csv(download(host_client, world, "claims.csv"))
    dee = next(row for row in rows if "HYPERLINK" in row[2])
    assert dee[2] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert dee[3] == "'@SUM(1+1)@example.org"
    # A comment in the evaluation export starting with "=" too.
    rows = parsed_csv(download(host_client, world, "evaluations.csv"))
    assert "'=1+1 too fast" in [row[-1] for row in rows]


def test_xlsx_keeps_such_cells_as_plain_text(world, host_client, mischief):
    response = download(host_client, world, "claims.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    response.close()
    cells = [row[2] for row in book.active.iter_rows(min_row=2)]
    evil = next(cell for cell in cells if "HYPERLINK" in str(cell.value))
    assert evil.value == '=HYPERLINK("http://evil.example","Click")'
    assert evil.data_type == "s"  # a string, not a formula


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    ("Ann", "Ann"), ("", ""), ("1-2", "1-2"), ("a=b", "a=b"),
])
def test_neutralised(text, expected):
    assert exports.neutralised(text) == expected


@pytest.mark.parametrize("title, expected", [
    ("Pharmacy Update", "pharmacy-update"),
    ("Pharmacy Update: Spring 2026!", "pharmacy-update-spring-2026"),
    ("Café Médical", "cafe-medical"),
    ("../../etc/passwd", "etc-passwd"),
    ("💊💊", "event"),
    ("x" * 100, "x" * 60),
])
def test_slug(title, expected):
    assert exports.slug(title) == expected


def test_stream_claims_csv_gives_all_events_or_one(world, other_host, make_user):
    from tests.reporting.world import build

    build(other_host, lambda email, name, **fields: make_user("x-" + email, name, **fields), "Another Conference")
    everything = list(csv.reader(io.StringIO("".join(exports.stream_claims_csv()))))
    assert len(everything) == 1 + 2 * len(CLAIM_ROWS)
    assert {row[0] for row in everything[1:]} == {"Pharmacy Update", "Another Conference"}
    one = list(csv.reader(io.StringIO("".join(exports.stream_claims_csv(world.event.id)))))
    assert one[1:] == CLAIM_ROWS


def test_sessions_export_has_each_sessions_figures(world, host_client):
    rows = parsed_csv(download(host_client, world, "sessions.csv"))
    assert rows[0] == exports.SESSION_COLUMNS
    anticoag = dict(zip(rows[0], rows[1]))
    assert anticoag["Session"] == "Anticoagulation update"
    assert anticoag["Starts (event's local time)"] == "2026-11-21 11:00"
    assert (anticoag["Credit hours"], anticoag["CEU"]) == ("1.5", "0.15")
    assert [anticoag[c] for c in ("Check-ins at the door", "Code entries", "Course evaluations",
                                  "Speaker evaluations", "Posttests passed")] == ["2", "4", "3", "3", "2"]
    assert [anticoag[f"Claims: {name}"] for name in ("Pharmacist", "Pharmacy technician", "Physician",
                                                     "Other health professional")] == ["1", "1", "1", "1"]
    assert [anticoag[c] for c in ("Claims", "Reported: claims", "Rejected: claims", "Expired: claims",
                                  "Being reported: claims", "Cancelled: claims")] == ["4", "1", "1", "0", "1", "0"]
    assert [anticoag[c] for c in ("Reported: credit hours", "Reported: CEU")] == ["1.5", "0.15"]
    law = dict(zip(rows[0], rows[2]))
    assert (law["Session"], law["Expired: claims"], law["Reported: credit hours"]) == ("Immunization law", "1", "0")


def test_evaluations_export_has_averages_distributions_and_comments(world, host_client):
    rows = read_xlsx(download(host_client, world, "evaluations.xlsx"))
    assert rows[0] == exports.EVALUATION_COLUMNS
    objectives = next(r for r in rows if r[:3] == ["Anticoagulation update", "Course", "The learning objectives were met"])
    assert objectives[3:11] == [3, 3, 4.67, 0, 0, 0, 1, 2]
    comments = sorted(r[-1] for r in rows if r[:3] == ["Anticoagulation update", "Course", "Comments"])
    assert comments == ["=1+1 too fast", "Great cases"]
    chen = [r for r in rows if r[1] == "Dr. Maya Chen" and r[2] == "The speaker was knowledgeable"]
    assert chen[0][3:6] == [2, 2, 4.5]
    park = next(r for r in rows if r[1] == "Dr. Lee Park" and r[2] == "The speaker was effective")
    assert park[3:6] == [0, 0, None]
