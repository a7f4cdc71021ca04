"""Configuration from the environment. Tests pass a mapping to `create_app` instead.

Nothing set: SQLite in the instance folder, one process. DATABASE_URL
(PostgreSQL) and REDIS_URL switch to the scaled set-up (README "Scaling").
"""
from __future__ import annotations

import os


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
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SOCKETIO_ASYNC_MODE = "gevent"
    # Watchers that push live updates; off in tests that don't serve pages.
    BACKGROUND_TASKS = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long session still submits
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON object per line
