"""When the database refuses a write, the logs say so without the person's e-Profile ID, birth date, NPI,
licence, badge token or session code (issue 12): the engine hides statement parameters, and the log
handler's net (`core.logs.Redact`) takes out what a library still puts in an error's text."""
from __future__ import annotations

import contextlib
import io
import logging

import pytest
import sqlalchemy as sa

from core import logs
from core.db import db

EPROFILE, BIRTH, NPI, LICENCE = "7654321", "1231", "1234567893", "CA A123456"


@contextlib.contextmanager
def database_refuses(table: str, action: str):
    """The database itself fails every `action` (UPDATE, INSERT) on `table`, as a full disk or a lost
    connection would, until the block ends."""
    name = f"refuse_{table}_{action.lower()}"
    db.session.commit()  # a trigger waits for every open transaction on its table (PostgreSQL)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                                 "RAISE EXCEPTION 'the disk_full test failure'; END $$ LANGUAGE plpgsql"))
            conn.execute(sa.text(f"CREATE TRIGGER {name} BEFORE {action} ON {table} FOR EACH ROW "
                                 f"EXECUTE FUNCTION {name}()"))
        else:  # an operational error, as a full disk gives (not a constraint, which reads as a double tap)
            conn.execute(sa.text(f"CREATE TRIGGER {name} BEFORE {action} ON {table} "
                                 "BEGIN INSERT INTO disk_full VALUES (1); END"))
    try:
        yield
    finally:
        db.session.rollback()
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TRIGGER {name}" + (f" ON {table}" if conn.dialect.name == "postgresql" else "")))
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"DROP FUNCTION {name}()"))


class Raw(logging.Handler):
    """Each record as it was raised, before any handler's net touches it (so the source is tested alone)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(logging.Formatter().format(record))


@pytest.fixture
def server_logs(app):
    """Every record as raised, and as the server writes it in text and in JSON lines."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error is logged and answered with a page
    streams = {"text": io.StringIO(), "json": io.StringIO()}
    raw = Raw()
    root = logging.getLogger()
    root.handlers.insert(0, raw)  # first: it sees the records before the server's handler redacts them
    handlers = [logs.handler_for(stream, fmt) for fmt, stream in streams.items()]
    for handler in handlers:
        root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    yield lambda: {fmt: stream.getvalue() for fmt, stream in streams.items()} | {"raw": "\n".join(raw.lines)}
    root.setLevel(level)
    for handler in [raw, *handlers]:
        root.removeHandler(handler)


def assert_nothing_personal(written: dict[str, str], *secrets: str) -> None:
    for fmt, text in written.items():
        assert "disk_full" in text, fmt  # the failure itself is logged, with its traceback
        for secret in secrets:
            assert secret not in text, f"{secret!r} in the {fmt} log"


def test_a_profile_save_the_database_refuses_logs_no_personal_data(client, auth, attendee, server_logs):
    auth.login(attendee)
    with database_refuses("users", "UPDATE"):
        response = client.post("/profile", data={"name": "Pat Pharmacist", "profession": "pharmacist",
                                                 "eprofile_id": EPROFILE, "birth_mmdd": BIRTH, "npi": NPI,
                                                 "state_licence": LICENCE})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert_nothing_personal(server_logs(), EPROFILE, BIRTH, NPI, LICENCE)


def test_a_claim_the_database_refuses_logs_no_personal_data(client, auth, make_user, make_session, code_of,
                                                              entered, evaluated, now, server_logs):
    import datetime as dt

    from claims.models import Claim

    pat = make_user("sam@example.org", "Sam Tech")
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    code = code_of(session)
    auth.login(pat)
    entered(client, session)
    evaluated(pat, session)
    with database_refuses("claims", "INSERT"):
        response = client.post(f"/training/{session.id}/claim", data={
            "profession": "pharmacist", "eprofile_id": EPROFILE, "birth_mmdd": BIRTH})
    assert response.status_code == 500
    assert_nothing_personal(server_logs(), EPROFILE, BIRTH, code)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0  # nothing half-written


def test_the_net_hides_what_a_library_writes_into_an_error():
    record = logging.LogRecord("somelib", logging.ERROR, __file__, 1, "failed: %s", (
        "[SQL: INSERT INTO claims (eprofile_id) VALUES (?)]\n"
        f"[parameters: ('{EPROFILE}', '{BIRTH}')]\n(Background on this error at: https://sqlalche.me/e/20/gkpj)",), None)
    detail = logging.LogRecord("somelib", logging.ERROR, __file__, 1,
                               f"DETAIL:  Key (badge_token)=(Zq8sKd0Lw3xY) already exists; npi={NPI}", None, None)
    for fmt in ("text", "json"):
        stream = io.StringIO()
        handler = logs.handler_for(stream, fmt)
        for r in (record, detail):
            handler.handle(logging.makeLogRecord(r.__dict__))
        written = stream.getvalue()
        assert "INSERT INTO claims (eprofile_id) VALUES (?)" in written  # the statement itself stays readable
        for secret in (EPROFILE, BIRTH, NPI, "Zq8sKd0Lw3xY"):
            assert secret not in written, (fmt, written)
