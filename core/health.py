"""Health endpoints for load balancers and monitors.

`/health` reports the database and Redis separately:

- database down: 503 (this process cannot serve pages; take it out of rotation);
- Redis down: 200 with "status": "degraded" (pages, codes, claims and
  check-ins keep working; pushes pause and rate limits count per process);
- no REDIS_URL: Redis is "not configured" (one process, nothing to check).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from core.db import db
from core.ratelimit import storage_in_use
from core.realtime import queue

bp = Blueprint("health", __name__)


@bp.get("/health/live")
def live():
    """The process answers (no database work): also the bare endpoint benchmarks compare to."""
    return "ok\n", 200, {"Content-Type": "text/plain"}


def database_state() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return "down"


def redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except redis.RedisError:
        return "down"


@bp.get("/health")
def health():
    report = {"database": database_state(), "redis": redis_state()}
    if report["redis"] != "not configured":
        manager = queue()
        report["pushes"] = manager.state() if manager else "in process"
        report["rate_limits"] = storage_in_use()
    if report["database"] != "ok":
        report["status"], status = "down", 503
    elif report["redis"] == "down":
        report["status"], status = "degraded", 200
    else:
        report["status"], status = "ok", 200
    return jsonify(report), status
