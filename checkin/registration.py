"""Who is registered for an event: self-registration, registration by staff
(CSV import, walk-ins), revoking a badge, and the link with which a person
whose account was made for them sets their password."""
from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from accounts.models import NameWord, User, find_by_email, name_word_rows
from accounts.profile import PROFESSIONS
from checkin.models import IMPORT, SELF, Registration
from core import audit, clock
from core.db import db
from events.models import Event

# A registrants file of this size holds about 50,000 people; larger ones are split by the host.
MAX_IMPORT_BYTES = 4 * 1024 * 1024
# How long a set-your-password link works: long enough to hand it out before the event.
PASSWORD_LINK_DAYS = 30


class RegistrationError(ValueError):
    """A registration that cannot be made, with the form field it concerns."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class AccountExists(RegistrationError):
    """The email belongs to an account already, and the caller may only make new ones (a walk-in):
    `registered` says whether that account is registered for the event. Its message names nobody."""

    def __init__(self, registered: bool):
        if registered:
            message = ("Someone with this email is already registered for this event: scan their badge, "
                       "or find them by name or email and check them in.")
        else:
            message = ("An account already exists for this email. The person can show their badge, or log in "
                       "on their phone and register for this event; then scan their badge.")
        super().__init__(message, "email")
        self.registered = registered


def registration_for(event: Event, user_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.user_id == user_id))


def register(event: Event, user: User, source: str = SELF) -> Registration:
    """Register `user` for `event`; registering twice gives the first registration back."""
    existing = registration_for(event, user.id)
    if existing:
        return existing
    registration = Registration(event_id=event.id, user_id=user.id, source=source)
    db.session.add(registration)
    audit.record(user.id, f"registration.{source}", f"event:{event.id}", f"user:{user.id}")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same person registered at the same moment elsewhere
        db.session.rollback()
        return registration_for(event, user.id)
    return registration


def check_person(email: str, name: str, profession: str) -> tuple[str, str, str]:
    """A person as staff typed them: (email in lower case, name, profession key). Raises RegistrationError."""
    email = (email or "").strip()
    name = " ".join((name or "").split())
    profession = (profession or "").strip().lower()
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RegistrationError("That does not look like an email address.", "email") from None
    if len(email) > 254:
        raise RegistrationError("That does not look like an email address.", "email")
    if len(name) > 120:
        raise RegistrationError("The name is too long (120 characters at most).", "name")
    labels = {label.lower(): key for key, label in PROFESSIONS.items()}
    if profession in labels:
        profession = labels[profession]
    if profession and profession not in PROFESSIONS:
        raise RegistrationError(f"Profession must be one of: {', '.join(PROFESSIONS)}.", "profession")
    return email, name, profession


def register_person(event: Event, *, email: str, name: str, profession: str, source: str,
                    actor_id: int | None, by_device: str = "", new_accounts_only: bool = False
                    ) -> tuple[Registration, bool]:
    """Register someone by email for staff (import, walk-in); an account without a
    password is made for a new email, and its owner can set one later. A walk-in
    registered at a desk device has no person as actor: `by_device` ("device:<id>")
    goes into the audit entry instead.

    With `new_accounts_only` (a walk-in: whoever is at the desk may not be the owner of an
    email someone typed), an email that has an account already raises AccountExists, which
    names nobody, and registers no one.

    Returns the registration and whether it is new. Raises RegistrationError.
    """
    email, name, profession = check_person(email, name, profession)
    user = find_by_email(email)
    if user is None:
        if not name:
            raise RegistrationError("Give the person's name.", "name")
        user = User(email=email, name=name, profession=profession or None)
        db.session.add(user)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # created at the same moment elsewhere
            db.session.rollback()
            user = find_by_email(email)
            if new_accounts_only:
                raise AccountExists(registration_for(event, user.id) is not None) from None
    elif new_accounts_only:
        raise AccountExists(registration_for(event, user.id) is not None)
    existing = registration_for(event, user.id)
    if existing:
        return existing, False
    registration = Registration(event_id=event.id, user_id=user.id, source=source)
    db.session.add(registration)
    audit.record(actor_id, f"registration.{source}", f"event:{event.id}", f"user:{user.id} {by_device}".strip())
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return registration_for(event, user.id), False
    return registration, True


def revoke(registration: Registration, actor_id: int, reason: str) -> None:
    """Revoke a badge (lost, shared, cancelled): its QR code no longer checks anyone in."""
    if registration.is_revoked:
        return
    reason = " ".join((reason or "").split())
    if not reason:
        raise RegistrationError("Say why the badge is revoked (for example: lost, cancelled).", "reason")
    registration.revoked_at = clock.now()
    registration.revoked_by_id = actor_id
    registration.revoke_reason = reason[:200]
    audit.record(actor_id, "registration.revoked", f"event:{registration.event_id}", f"registration:{registration.id}")
    db.session.commit()


# --- importing a file of registrants ------------------------------------------

HEADER_NAMES = {
    "name": {"name", "full name", "fullname", "attendee", "attendee name", "participant", "participant name"},
    "first": {"first name", "firstname", "given name", "first"},
    "last": {"last name", "lastname", "surname", "family name", "last"},
    "email": {"email", "e-mail", "email address", "e-mail address", "mail"},
    "profession": {"profession", "role", "occupation", "credential type"},
}


@dataclass
class RegistrantRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    name: str
    email: str
    profession: str


@dataclass
class ImportReport:
    imported: int = 0
    already_registered: int = 0
    new_accounts: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row, what is wrong)


def decode_upload(raw: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without Excel's BOM), else Windows-1252 as older Excel writes."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv_rows(text: str) -> list[list[str]]:
    """The records of a CSV file, with the delimiter Excel used (comma, semicolon or tab)."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("_", " ").strip().lower().split())


def read_registrants(text: str) -> tuple[list[RegistrantRow], list[tuple[int, str]]]:
    """The people in a registrants file (a header row naming the name, email and
    profession columns, in any order and case), and what is wrong with the file
    or with single rows. Blank lines are skipped."""
    try:
        records = read_csv_rows(text)
    except csv.Error as error:
        return [], [(0, f"The file could not be read as CSV ({error}). Save it from your spreadsheet as “CSV”.")]
    first = next((i for i, record in enumerate(records) if any(cell.strip() for cell in record)), None)
    if first is None:
        return [], [(0, "The file is empty.")]
    columns: dict[str, int] = {}
    for index, cell in enumerate(records[first]):
        key = _header_key(cell)
        for concept, names in HEADER_NAMES.items():
            if key in names and concept not in columns:
                columns[concept] = index
    if "email" not in columns or not ({"name"} <= columns.keys() or {"first", "last"} <= columns.keys()):
        return [], [(first + 1, "The first row must name the columns: name, email and profession "
                                 "(for example: name,email,profession).")]
    people, errors = [], []
    for index in range(first + 1, len(records)):
        record = records[index]
        if not any(cell.strip() for cell in record):
            continue

        def cell(concept: str) -> str:
            at = columns.get(concept)
            return record[at].strip() if at is not None and at < len(record) else ""

        name = cell("name") if "name" in columns else f"{cell('first')} {cell('last')}"
        people.append(RegistrantRow(index + 1, " ".join(name.split()), cell("email"), cell("profession")))
    return people, errors


def import_registrants(event: Event, raw: bytes, actor_id: int | None, chunk: int = 500) -> ImportReport:
    """Register everyone in a registrants file. Rows that are wrong are reported with
    their row number and the rest is still imported; people already registered are
    counted, never registered twice, so importing the same file again changes nothing."""
    report = ImportReport()
    if len(raw) > MAX_IMPORT_BYTES:
        report.errors.append((0, f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB. "
                                 "Split it into smaller files and import them one after another."))
        return report
    people, report.errors = read_registrants(decode_upload(raw))
    seen: set[str] = set()
    for start in range(0, len(people), chunk):
        _import_chunk(event, people[start:start + chunk], actor_id, report, seen)
    if report.imported:
        audit.record(actor_id, "registration.imported", f"event:{event.id}",
                     f"{report.imported} new, {report.already_registered} already registered, {len(report.errors)} errors")
        db.session.commit()
    return report


def _import_chunk(event: Event, people: list[RegistrantRow], actor_id: int | None, report: ImportReport,
                  seen: set[str]) -> None:
    checked = []
    for person in people:
        try:
            email, name, profession = check_person(person.email, person.name, person.profession)
        except RegistrationError as error:
            report.errors.append((person.row, str(error)))
            continue
        if email in seen:  # the same person twice in one file
            report.already_registered += 1
            continue
        seen.add(email)
        checked.append((person.row, email, name, profession))
    emails = [email for _, email, _, _ in checked]
    users = {user.email: user for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    registered = set(db.session.scalars(sa.select(Registration.user_id).where(
        Registration.event_id == event.id, Registration.user_id.in_([u.id for u in users.values()]))))
    to_register = []
    for row, email, name, profession in checked:
        user = users.get(email)
        if user is not None and user.id in registered:
            report.already_registered += 1
        elif user is None and not name:
            report.errors.append((row, "The name is missing."))
        else:
            to_register.append((email, name, profession, user))
    # The whole chunk in one go; only when another import or a walk-in registered one of
    # these people at the same moment does it go again one person at a time.
    try:
        fresh = [{"email": email, "name": name, "profession": profession or None}
                 for email, name, profession, user in to_register if user is None]
        ids = {email: user.id for email, user in users.items()}
        if fresh:
            made = dict(db.session.execute(sa.insert(User).returning(User.email, User.id), fresh).all())
            ids.update(made)
            db.session.execute(sa.insert(NameWord), [row for person in fresh
                                                     for row in name_word_rows(made[person["email"]], person["name"])])
        if to_register:
            db.session.execute(sa.insert(Registration), [
                {"event_id": event.id, "user_id": ids[email], "source": IMPORT} for email, _, _, _ in to_register])
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        for email, name, profession, _ in to_register:
            try:
                _, new = register_person(event, email=email, name=name, profession=profession, source=IMPORT,
                                         actor_id=actor_id)
            except RegistrationError:
                new = False
            report.imported += new
            report.already_registered += not new
        return
    report.imported += len(to_register)
    report.new_accounts += len(fresh)
    time.sleep(0)  # under gevent: let the desks' requests run between chunks of a big file


# --- setting a password on an account made for someone -------------------------

class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:  # the one clock, so tests can move past the expiry
        return int(clock.now().timestamp())


def _password_signer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="claimdesk.set-password", signer=_ClockSigner)


def _fingerprint(user: User) -> str:
    # Bound to the email it was made for: a link stops working if the account's email changes.
    return user.email


def password_link_token(user: User, secret_key: str) -> str:
    """A signed token that lets the owner of an account without a password choose one.
    Hosts hand it out (printed or sent); it works for PASSWORD_LINK_DAYS and only once."""
    if user.password_hash:
        raise RegistrationError("This person has already set a password.")
    return _password_signer(secret_key).dumps([user.id, _fingerprint(user)])


def user_for_password_token(token: str, secret_key: str) -> User:
    """The account a set-your-password token was made for. Raises RegistrationError in plain words."""
    try:
        user_id, fingerprint = _password_signer(secret_key).loads(
            (token or "").strip(), max_age=PASSWORD_LINK_DAYS * 86400)
    except SignatureExpired:
        raise RegistrationError("This link has expired. Ask the event's host for a new one.", "token") from None
    except (BadSignature, ValueError, TypeError):
        raise RegistrationError("This link is not valid. Check that you copied all of it.", "token") from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.password_hash or _fingerprint(user) != fingerprint:
        raise RegistrationError("This link has already been used. Log in with your email and password.", "token")
    return user


def set_first_password(token: str, password: str, secret_key: str) -> User:
    user = user_for_password_token(token, secret_key)
    user.set_password(password)
    audit.record(user.id, "account.password_set", f"user:{user.id}", "set-password link")
    db.session.commit()
    return user
