"""Reports as CSV and XLSX files, written row by row so 100,000 claims never sit in memory at once.

A report is a `Table`: a header and a generator of rows of plain values
(text, whole numbers, Decimals, dates, datetimes in the event's local time).
The claims are read with `yield_per`, which on PostgreSQL is a server-side
cursor, and each row is written out before the next is read.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import xlsxwriter

from accounts.models import User
from accounts.profile import PROFESSIONS
from claims.models import Claim, OutboxEntry
from core.db import db
from core.realtime import socketio
from events import credit
from events.models import Event, EventSession
from reporting.reports import GROUP_NAMES, SCALE, evaluation_results, session_figures, state_name

BATCH = 1000
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    sheet: str  # the worksheet's name in the XLSX file
    header: list[str]
    rows: Iterable[tuple]


# --- the reports ------------------------------------------------------------

CLAIM_COLUMNS = [
    "Event", "Session", "Attendee name", "Email", "Profession", "UAN", "Credit hours", "CEU",
    "Participation date", "Claimed at (event's local time)", "Report state",
]


def claims_table(event_id: int | None = None) -> Table:
    """Every claim of one event (or of all events), by session and then by name.

    No e-Profile ID, birth date, NPI or licence: this file is for the
    provider's records and travels by e-mail; the reporting module hands those
    identifiers to CPE Monitor and PARS itself (or writes its batch files for
    manual upload).
    """
    stmt = (
        sa.select(Event.title, Event.timezone, EventSession.title, Claim.learner_name, User.email, Claim.profession,
                  Claim.uan, Claim.credit_quarter_hours, Claim.participation_date, Claim.claimed_at, OutboxEntry.state)
        .select_from(Claim)
        .join(EventSession, EventSession.id == Claim.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .join(User, User.id == Claim.user_id)
        .outerjoin(OutboxEntry, OutboxEntry.claim_id == Claim.id)
        .order_by(Event.id, EventSession.starts_at, EventSession.id, Claim.learner_name, Claim.id)
    )
    if event_id is not None:
        stmt = stmt.where(Event.id == event_id)

    def rows() -> Iterator[tuple]:
        zones: dict[str, ZoneInfo] = {}
        result = db.session.execute(stmt.execution_options(yield_per=BATCH))
        for count, row in enumerate(result, start=1):
            if count % BATCH == 0:
                _let_others_run()
            (event_title, timezone, session_title, name, email, profession, uan, quarters, participated,
             claimed_at, state) = row
            zone = zones.get(timezone) or zones.setdefault(timezone, ZoneInfo(timezone))
            yield (event_title, session_title, name, email, PROFESSIONS.get(profession, profession), uan or "",
                   credit.hours(quarters), credit.ceus(quarters), participated,
                   claimed_at.astimezone(zone).replace(tzinfo=None), state_name(state))

    return Table("Claims", CLAIM_COLUMNS, rows())


SESSION_COLUMNS = (
    ["Session", "Starts (event's local time)", "Credit hours", "CEU", "Check-ins at the door", "Code entries",
     "Course evaluations", "Speaker evaluations", "Posttests passed"]
    + [f"Claims: {name}" for name in PROFESSIONS.values()]
    + ["Claims"]
    + [f"{GROUP_NAMES[g]}: claims" for g in ("reported", "rejected", "expired", "in_progress", "cancelled")]
    + ["Reported: credit hours", "Reported: CEU", "Rejected: credit hours", "Rejected: CEU"]
)


def sessions_table(event: Event) -> Table:
    event_id = event.id

    def rows() -> Iterator[tuple]:
        # Streamed after the view has returned and its database session has closed: read the event afresh.
        event = db.session.get(Event, event_id)
        for figures in session_figures(event):
            session = figures.session
            yield (
                session.title, session.starts_at.astimezone(event.zone).replace(tzinfo=None),
                credit.hours(session.credit_quarter_hours), credit.ceus(session.credit_quarter_hours),
                figures.door_checkins, figures.code_entries, figures.course_evaluations,
                figures.speaker_evaluations, figures.posttests_passed,
                *figures.claims_by_profession.values(), figures.claims,
                *(figures.credit(g).claims for g in ("reported", "rejected", "expired", "in_progress", "cancelled")),
                figures.credit("reported").hours, figures.credit("reported").ceus,
                figures.credit("rejected").hours, figures.credit("rejected").ceus,
            )

    return Table("Sessions", SESSION_COLUMNS, rows())


EVALUATION_COLUMNS = ["Session", "Evaluation of", "Question", "Responses", "Answers", "Average",
                      *(f"Answered {value}" for value in SCALE), "Comment"]


def evaluations_table(event: Event) -> Table:
    """One row per 1–5 question with its average and distribution, and one row per comment."""
    event_id = event.id

    def rows() -> Iterator[tuple]:
        event = db.session.get(Event, event_id)  # streamed after the view's session closed, as above
        for session in event.sessions:
            for results in evaluation_results(session):
                for question in results.questions:
                    text = question.text + (" (since removed)" if question.retired else "")
                    if question.scale:
                        yield (session.title, results.label, text, results.responses, question.answered,
                               question.average, *(question.distribution.get(v, 0) for v in SCALE), "")
                    else:
                        for comment in question.comments:
                            yield (session.title, results.label, text, results.responses, None, None,
                                   *(None for _ in SCALE), comment)

    return Table("Evaluations", EVALUATION_COLUMNS, rows())


def _let_others_run() -> None:
    """Between batches, let the server's other requests run: a long export is CPU work, and under
    gevent one greenlet that never waits would hold up every other attendee (and the worker's heartbeat)."""
    if socketio.server is not None:
        socketio.sleep(0)


# --- CSV --------------------------------------------------------------------

def neutralised(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe and stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return str(value)
    return neutralised(str(value))


class _Line:
    """What csv.writer writes to: hands each formatted line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV, one line at a time."""
    writer = csv.writer(_Line())
    yield writer.writerow([neutralised(name) for name in table.header])
    for row in table.rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def stream_claims_csv(event_id: int | None = None) -> Iterator[str]:
    """The claims of one event, or of every event, as CSV lines (no byte-order mark)."""
    return csv_lines(claims_table(event_id))


# --- XLSX -------------------------------------------------------------------

def write_xlsx(table: Table) -> str:
    """Write the table to a temporary XLSX file and return its path (the caller deletes it).

    XlsxWriter's constant-memory mode flushes each row to disk once the next
    begins, so memory stays flat however many rows there are.
    """
    handle = tempfile.NamedTemporaryFile(prefix="claimdesk-report-", suffix=".xlsx", delete=False)
    handle.close()
    try:
        workbook = xlsxwriter.Workbook(handle.name, {
            "constant_memory": True,
            # Text stays text: never run as a formula, never turned into a link or a number.
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        sheet = workbook.add_worksheet(table.sheet)
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        time_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(table.header) - 1, 18)
        sheet.write_row(0, 0, table.header, bold)
        for r, row in enumerate(table.rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, time_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, str(value))
        workbook.close()
    except BaseException:
        os.unlink(handle.name)
        raise
    return handle.name


class FileChunks:
    """A file's bytes in chunks for a streamed response; the file is deleted when the response closes."""

    def __init__(self, path: str, size: int = 64 * 1024):
        self.path, self.size = path, size

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            while chunk := handle.read(self.size):
                yield chunk

    def close(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


# --- file names ---------------------------------------------------------------

def slug(title: str) -> str:
    """'Pharmacy Update: Spring 2026' -> 'pharmacy-update-spring-2026' (ASCII, for a file name)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:60].rstrip("-") or "event"


def filename(event: Event | None, what: str, today: dt.date, extension: str) -> str:
    name = slug(event.title) if event is not None else "all-events"
    return f"{name}-{what}-{today.isoformat()}.{extension}"
