"""Fixtures that build the world a test tells a story in.

Every test that touches the database runs once per configured database:
SQLite always, PostgreSQL too when TEST_DATABASE_URL is set (a fresh
database is created for the run and dropped after it). The schema comes from
the real migrations, and each test starts from empty tables.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from flask import g
from flask_migrate import upgrade

from core import clock
from core.db import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
PASSWORD = "correct horse battery"


def _pg_admin_url(url: str) -> str:
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated, empty database for this run, per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        yield _migrated(url)
        return
    server = _pg_admin_url(os.environ["TEST_DATABASE_URL"])
    name = f"claimdesk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0] if server.count("/") > 2 else server
    url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield _migrated(url)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrated(url: str) -> str:
    from app import create_app

    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SOCKETIO_ASYNC_MODE": "threading",
        "BACKGROUND_TASKS": False,
        "WTF_CSRF_ENABLED": False,
    }


# Module scope: Playwright's sync API allows one instance at a time in a process.
@pytest.fixture(scope="module")
def chromium():
    """The real Chromium (Debian's), for what attendees' phones and hosts' screens show."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def make_app(database_url: str, **overrides):
    """The app on a test database, for a story told inside one app context (`app` and tests/fuzz)."""
    from app import create_app

    app = create_app({**_config(database_url), **overrides})

    @app.before_request
    def forget_cached_user():
        # The test keeps one app context open for its whole story, so requests
        # would share `g` (and Flask-Login's cached user) across clients; in
        # production every request has its own.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)  # Flask-WTF keeps the request's CSRF token in `g` too

    return app


def forget_the_story() -> None:
    """Inside the app context at a story's end: empty tables for the next, and no pooled connections."""
    db.session.remove()
    _empty_tables()
    db.engine.dispose()


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        yield app
        forget_the_story()
    clock.reset()
    forget_cached_copies()


def forget_cached_copies() -> None:
    """The per-process caches of sessions and questions: each test's database starts its ids afresh."""
    from evaluations import catalogue as evaluations_catalogue
    from events import catalogue as events_catalogue

    events_catalogue.forget_all()
    evaluations_catalogue.forget_all()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- the world --------------------------------------------------------------

NOW = dt.datetime(2026, 11, 21, 19, 0, tzinfo=dt.timezone.utc)  # 2:00 PM in New York


@pytest.fixture
def now(app):
    """Freeze the story at a known moment; tests move the clock from here."""
    clock.move_to(NOW)
    return NOW


@pytest.fixture
def make_user(app):
    from accounts.models import User

    def make(email="pat@example.org", name="Pat Pharmacist", **fields):
        user = User(email=email, name=name, **fields)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password=PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def logged_in(app):
    """A new browser-like client logged in as `user` (for stories with several people)."""
    def log_in(user):
        client = app.test_client()
        Auth(client).login(user)
        return client

    return log_in


@pytest.fixture
def host(make_user):
    return make_user("harriet@example.org", "Harriet Host", is_organiser=True)


@pytest.fixture
def make_event(app, host):
    from events.setup import create_event

    def make(title="Pharmacy Update", timezone="America/New_York", checkin_required=False, owner=None):
        return create_event(owner or host, title=title, venue="Ballroom", timezone=timezone, checkin_required=checkin_required)

    return make


@pytest.fixture
def make_session(app, make_event, now):
    """A live session; by default it started 30 minutes ago and ends in 30."""
    from events.models import EventSession, Speaker
    from events.signals import session_created

    def make(event=None, title="Anticoagulation update", starts_in=dt.timedelta(minutes=-30),
             length=dt.timedelta(hours=1), kind="live", quarters=6,
             uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T",
             speakers=("Dr. Maya Chen",)):
        event = event or make_event()
        start = clock.now().replace(second=0, microsecond=0) + starts_in
        session = EventSession(
            title=title, kind=kind, starts_at=start, ends_at=start + length, credit_quarter_hours=quarters,
            uan_pharmacist=uan_pharmacist, uan_technician=uan_technician,
        )
        session.speakers = [Speaker(name=name, position=i) for i, name in enumerate(speakers)]
        event.sessions.append(session)
        session.refresh_window()
        db.session.flush()
        session_created.send(session)
        db.session.commit()
        return session

    return make
