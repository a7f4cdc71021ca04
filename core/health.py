"""Health endpoints for load balancers and monitors."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify

from core.db import db

bp = Blueprint("health", __name__)


@bp.get("/health/live")
def live():
    """The process answers (no database work): also the bare endpoint benchmarks compare to."""
    return "ok\n", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}


@bp.get("/health")
def health():
    """The database, reported on its own; 503 when it does not answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        database = "down"
    status = 200 if database == "ok" else 503
    return jsonify(database=database), status, {"Cache-Control": "no-store"}
