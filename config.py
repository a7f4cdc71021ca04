"""Configuration from the environment. Tests pass a mapping to `create_app` instead.

Nothing set: SQLite in the instance folder, one process. DATABASE_URL
(PostgreSQL) and REDIS_URL switch to the scaled set-up (README "Scaling").
"""
from __future__ import annotations

import json
import os


def _json_env(name: str) -> dict:
    try:
        value = json.loads(os.environ.get(name) or "{}")
    except ValueError:
        raise SystemExit(f"{name} must be a JSON object, like {{\"12\": \"service\"}}") from None
    return value if isinstance(value, dict) else {}


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):  # the old Heroku-style scheme
        url = "postgresql://" + url[len("postgres://"):]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()  # None: SQLite in the instance folder
    # PostgreSQL connections per server process: pool + overflow. Keep
    # processes x (pool + overflow) (+ workers) below the server's max_connections.
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "20"))
    DATABASE_MAX_OVERFLOW = int(os.environ.get("DATABASE_MAX_OVERFLOW", "10"))
    # Requests at work at once per process (core.admission); 0 = no limit. Unset: on PostgreSQL
    # the pool's size (pool + overflow), so requests queue rather than time out waiting for a connection.
    MAX_REQUESTS_IN_FLIGHT = int(os.environ["MAX_REQUESTS_IN_FLIGHT"]) if os.environ.get("MAX_REQUESTS_IN_FLIGHT") else None
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SOCKETIO_ASYNC_MODE = "gevent"
    # Watchers that push live updates; off in tests that don't serve pages.
    BACKGROUND_TASKS = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The session cookie is marked Secure on every response to a request made over HTTPS
    # (core.cookies); "1" marks it Secure always (a TLS proxy that does not say X-Forwarded-Proto).
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE  # (no "remember me" cookie is issued today)
    # How many proxies stand in front of the app, each adding to X-Forwarded-For and X-Forwarded-Proto:
    # their client address and scheme are believed (werkzeug's ProxyFix), nobody else's. 0: no proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT") or "0")
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long session still submits
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON object per line

    # Reporting (see README "Reporting"). How claims reach CPE Monitor and PARS: "file" (batch files for upload by
    # hand; the default) or "service" (their web services); per event with {"<event id>": "service"}.
    REPORTING_METHOD = os.environ.get("REPORTING_METHOD", "file")
    REPORTING_EVENT_METHODS = _json_env("REPORTING_EVENT_METHODS")
    # "embedded": the worker runs inside the server; "off": run `flask reporting worker` as its own process.
    REPORTING_WORKER = os.environ.get("REPORTING_WORKER", "embedded")
    REPORTING_BATCH_DIR = os.environ.get("REPORTING_BATCH_DIR")  # None: <instance>/reporting-batches
    REPORTING_BATCH_SIZE = int(os.environ.get("REPORTING_BATCH_SIZE", "50"))
    REPORTING_CONCURRENCY = int(os.environ.get("REPORTING_CONCURRENCY", "8"))  # requests in flight per worker
    REPORTING_POLL_SECONDS = float(os.environ.get("REPORTING_POLL_SECONDS", "5"))
    REPORTING_CONNECT_TIMEOUT = float(os.environ.get("REPORTING_CONNECT_TIMEOUT", "5"))
    REPORTING_READ_TIMEOUT = float(os.environ.get("REPORTING_READ_TIMEOUT", "20"))
    CPE_MONITOR_URL = os.environ.get("CPE_MONITOR_URL", "")
    CPE_MONITOR_USER = os.environ.get("CPE_MONITOR_USER", "")
    CPE_MONITOR_PASSWORD = os.environ.get("CPE_MONITOR_PASSWORD", "")
    CPE_MONITOR_TOKEN = os.environ.get("CPE_MONITOR_TOKEN", "")
    PARS_URL = os.environ.get("PARS_URL", "")
    PARS_USER = os.environ.get("PARS_USER", "")
    PARS_PASSWORD = os.environ.get("PARS_PASSWORD", "")
    PARS_TOKEN = os.environ.get("PARS_TOKEN", "")
    # The PARS activity ID each event was registered under: {"<event id>": "<activity id>"}, else PARS_ACTIVITY_ID.
    PARS_ACTIVITY_ID = os.environ.get("PARS_ACTIVITY_ID", "")
    PARS_ACTIVITY_IDS = _json_env("PARS_ACTIVITY_IDS")
