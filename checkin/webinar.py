"""Attendance from a webinar tool's participant report (Zoom's participant CSV
and its common variants).

Reading the report and merging a person's rows are plain functions; importing
stores the report (by the SHA-256 of the file, so the same file uploaded again
changes nothing) and records attendance for everyone who stayed long enough.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

import sqlalchemy as sa

from accounts.models import User
from checkin.attendance import attended_users, mark_attended
from checkin.models import WebinarImport, WebinarParticipant
from checkin.registration import decode_upload, read_csv_rows, registration_for
from core import audit
from core.db import SESSION_ID, USER_ID, db, fact_columns
from events.models import EventSession

MAX_REPORT_BYTES = 5 * 1024 * 1024

# Header names as Zoom (meeting participants, webinar attendee report, "unique users") and similar tools write them.
COLUMNS = {
    "name": {"name (original name)", "name", "user name (original name)", "user name", "participant",
             "participant name", "display name", "full name"},
    "email": {"user email", "email", "e-mail", "email address", "attendee email", "participant email"},
    "join": {"join time", "join time (utc)", "joined", "first join time"},
    "leave": {"leave time", "leave time (utc)", "left", "last leave time"},
    "minutes": {"duration (minutes)", "duration (mins)", "duration", "total duration (minutes)",
                "time in session (minutes)", "time in meeting (minutes)", "minutes", "attendance duration"},
    "attended": {"attended"},
}
# The summary row of Zoom's meeting report names the meeting, not a participant.
SUMMARY_ONLY = {"topic", "meeting id", "webinar id"}
TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%b %d, %Y %I:%M:%S %p",
                "%b %d, %Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


class WebinarReportError(ValueError):
    """A report that cannot be used at all, said in plain words."""


@dataclass
class ReportRow:
    row: int
    name: str
    email: str  # lower case, may be empty
    minutes: float | None
    joined: dt.datetime | None
    left: dt.datetime | None


@dataclass
class Participant:
    name: str
    email: str
    minutes: int


def _key(cell: str) -> str:
    return " ".join(cell.replace("_", " ").strip().lower().split())


def _header(record: list[str]) -> dict[str, int] | None:
    """Which column holds what, when `record` is a header row; the last of repeated names wins
    (Zoom's one-row export repeats "User Email" and "Duration (Minutes)": the meeting's, then the person's)."""
    keys = [_key(cell) for cell in record]
    found: dict[str, int] = {}
    for index, key in enumerate(keys):
        for concept, names in COLUMNS.items():
            if key in names:
                found[concept] = index
    has_time = "minutes" in found or {"join", "leave"} <= found.keys()
    if "email" not in found or "name" not in found or not has_time:
        return None
    if "join" not in found and SUMMARY_ONLY & set(keys):
        return None
    return found


def _moment(text: str) -> dt.datetime | None:
    text = " ".join(text.split())
    for pattern in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _minutes(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def read_report(text: str) -> list[ReportRow]:
    """The participant rows of a report: every section under a header row that names
    a name, an email and either a duration or join and leave times."""
    try:
        records = read_csv_rows(text)
    except Exception as error:  # csv.Error and friends: the file is not CSV
        raise WebinarReportError(f"The file could not be read as CSV ({error}).") from None
    columns: dict[str, int] | None = None
    rows = []
    for index, record in enumerate(records):
        if not any(cell.strip() for cell in record):
            continue
        header = _header(record)
        if header:
            columns = header
            continue
        if columns is None:
            continue

        def cell(concept: str) -> str:
            at = columns.get(concept)
            return record[at].strip() if at is not None and at < len(record) else ""

        if "attended" in columns and cell("attended").lower() in ("no", "false", "0"):
            continue  # registered for the webinar but never joined
        name, email = " ".join(cell("name").split()), cell("email").lower()
        if not name and not email:
            continue
        rows.append(ReportRow(index + 1, name[:200], email[:254], _minutes(cell("minutes")),
                              _moment(cell("join")), _moment(cell("leave"))))
    if columns is None:
        raise WebinarReportError(
            "We could not find the participants in this file. Upload the participant report as your webinar tool "
            "exports it: a header row with the name, the email, and the join and leave times or the duration "
            "(for Zoom: “Name (Original Name)”, “User Email”, “Join Time”, “Leave Time”, “Duration (Minutes)”).")
    return rows


def merge(rows: list[ReportRow], within: tuple[dt.datetime, dt.datetime] | None = None) -> list[Participant]:
    """One entry per person (by email, case-insensitively; by name for guests without one).

    A person who reconnected has several rows: their join-leave intervals are
    merged so overlapping rows (two devices at once) count once; rows without
    readable times add their duration. Minutes round up, as Zoom's own do.
    With `within` (the scheduled start and end, in the report's local time),
    only time inside it counts: joining before the start or staying after the
    end adds nothing.
    """
    groups: dict[str, list[ReportRow]] = {}
    for row in rows:
        groups.setdefault(row.email or f"name:{row.name.lower()}", []).append(row)
    people = []
    for group in groups.values():
        intervals, seconds = [], 0.0
        for row in group:
            if row.joined and row.left and row.left >= row.joined:
                joined, left = row.joined, row.left
                if within:
                    joined, left = max(joined, within[0]), min(left, within[1])
                if left > joined:
                    intervals.append((joined, left))
            elif row.minutes is not None:
                seconds += row.minutes * 60
        intervals.sort()
        current = None
        for start, end in intervals:
            if current and start <= current[1]:
                current = (current[0], max(current[1], end))
            else:
                if current:
                    seconds += (current[1] - current[0]).total_seconds()
                current = (start, end)
        if current:
            seconds += (current[1] - current[0]).total_seconds()
        name = next((row.name for row in group if row.name), "")
        people.append(Participant(name=name, email=group[0].email, minutes=math.ceil(seconds / 60 - 1e-9)))
    return sorted(people, key=lambda person: (person.name.lower(), person.email))


def webinar_facts() -> sa.Select:
    """The webinar reports of the session (`session_id`), each with its minimum and the minutes it records for
    the attendee (`user_id`), None when they are not in it: a part of the journey's facts query, so the
    attendee can be told why attendance is not confirmed."""
    return (sa.select(*fact_columns("webinar", key=sa.cast(WebinarImport.minimum_minutes, sa.String),
                                    number=WebinarParticipant.minutes))
            .select_from(WebinarImport)
            .outerjoin(WebinarParticipant, sa.and_(WebinarParticipant.import_id == WebinarImport.id,
                                                   WebinarParticipant.user_id == USER_ID))
            .where(WebinarImport.session_id == SESSION_ID))


def scheduled(session: EventSession) -> tuple[dt.datetime, dt.datetime]:
    """The session's start and end in the event's local time, as webinar tools write join and leave times."""
    zone = session.event.zone
    return (session.starts_at.astimezone(zone).replace(tzinfo=None),
            session.ends_at.astimezone(zone).replace(tzinfo=None))


def default_minimum(session: EventSession) -> int:
    """50 minutes of every 60 the session lasts (50 for a one-hour webinar)."""
    length = (session.ends_at - session.starts_at).total_seconds() / 60
    return max(1, math.ceil(length * 50 / 60 - 1e-9))


# --- storing a report and recording attendance -----------------------------------

def status(participant: WebinarParticipant) -> str:
    """"attended", "below_minimum" or "unmatched" (long enough, but no account found)."""
    if participant.minutes < participant.webinar_import.minimum_minutes:
        return "below_minimum"
    return "attended" if participant.user_id else "unmatched"


def import_report(session: EventSession, raw: bytes, filename: str, minimum: int,
                  actor_id: int | None) -> tuple[WebinarImport, bool]:
    """Store a participant report and record attendance for the people at or above
    `minimum` minutes whose email belongs to an account. Returns the import and
    whether it is new: the same file for the same session is found again, not redone."""
    if len(raw) > MAX_REPORT_BYTES:
        raise WebinarReportError(f"The file is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB; "
                                 "a participant report is much smaller. Check that you chose the right file.")
    if not raw.strip():
        raise WebinarReportError("The file is empty.")
    digest = hashlib.sha256(raw).hexdigest()
    earlier = _import_by_digest(session, digest)
    if earlier:
        return earlier, False
    people = merge(read_report(decode_upload(raw)), scheduled(session))
    if not people:
        raise WebinarReportError("The report has no participants in it.")
    report = WebinarImport(session_id=session.id, file_sha256=digest, filename=(filename or "")[:200],
                           minimum_minutes=minimum, uploaded_by_id=actor_id)
    emails = [person.email for person in people if person.email]
    accounts = {}
    for start in range(0, len(emails), 500):
        accounts.update(db.session.execute(
            sa.select(User.email, User.id).where(User.email.in_(emails[start:start + 500]))).all())
    report.participants = [WebinarParticipant(email=person.email, name=person.name, minutes=person.minutes,
                                              user_id=accounts.get(person.email)) for person in people]
    db.session.add(report)
    audit.record(actor_id, "webinar.imported", f"session:{session.id}", f"{len(people)} participants")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same file uploaded twice at the same moment
        db.session.rollback()
        return _import_by_digest(session, digest), False
    record_attendance(report, actor_id)
    return report, True


def _import_by_digest(session: EventSession, digest: str) -> WebinarImport | None:
    return db.session.scalar(sa.select(WebinarImport).where(
        WebinarImport.session_id == session.id, WebinarImport.file_sha256 == digest))


def record_attendance(report: WebinarImport, actor_id: int | None) -> int:
    """Attendance for every matched participant at or above the minimum; returns how many were new."""
    session = db.session.get(EventSession, report.session_id)
    already = attended_users(session)
    new = 0
    for participant in report.participants:
        if participant.user_id and participant.user_id not in already and status(participant) == "attended":
            new += _attend(session, participant.user_id, actor_id)
            already.add(participant.user_id)
    return new


def _attend(session: EventSession, user_id: int, actor_id: int | None) -> bool:
    registration = registration_for(session.event, user_id)
    return mark_attended(user_id, session, actor_id, method="webinar",
                         registration_id=registration.id if registration else None)


def match_by_hand(participant: WebinarParticipant, user: User, actor_id: int | None) -> bool:
    """A host says who an unmatched participant is; attendance follows when they stayed
    long enough. Returns whether attendance was newly recorded."""
    participant.user_id = user.id
    participant.matched_by_hand = True
    audit.record(actor_id, "webinar.matched", f"session:{participant.webinar_import.session_id}",
                 f"participant:{participant.id} user:{user.id}")
    db.session.commit()
    if status(participant) != "attended":
        return False
    return _attend(db.session.get(EventSession, participant.webinar_import.session_id), user.id, actor_id)
