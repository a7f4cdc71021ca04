"""Application logs: one line per request, as text or JSON lines (LOG_FORMAT=text|json).

A request line says the method, the route, the status, the duration and a
request id (the proxy's X-Request-ID when it sends a sane one, else a new
one, echoed in the response). It never carries what people typed: no query
string, no form, no cookies, and no path values other than numeric ids, so
a badge token or an e-Profile ID can never reach a log through a URL.
"""
from __future__ import annotations

import itertools
import logging
import re
import time
import uuid

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

request_log = logging.getLogger("claimdesk.request")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def setup(app: Flask) -> None:
    """Configure the root handler once per process and log each request."""
    _configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    request_log.disabled = False  # Alembic's fileConfig disables loggers that exist when migrations run in process

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else new_request_id()

    @app.after_request
    def log_request(response):
        started = g.pop("request_started", None)
        if started is None:  # a request that failed before our first hook
            return response
        response.headers["X-Request-ID"] = g.request_id
        if not request_log.isEnabledFor(logging.INFO):
            return response
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        route = route_of_request()
        request_log.info(
            "%s %s %s %.1fms %s", request.method, route, response.status_code, duration_ms, g.request_id,
            extra={"method": request.method, "path": route, "status": response.status_code,
                   "duration_ms": duration_ms, "request_id": g.request_id},
        )
        return response


# A request id needs to be unique, not secret: a random prefix per process and a counter. uuid4 (the
# system's random source for every request) showed as 6% of a server process in the stampede's profile.
_ID_PREFIX = uuid.uuid4().hex[:16]
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


def route_of_request() -> str:
    """The request's path with only numeric ids filled in: `/host/sessions/12/reveal`, `/badge/<token>`."""
    rule = request.url_rule
    if rule is None:
        return "(no route)"  # an unknown address may itself be something typed by mistake
    path = rule.rule
    for name, value in (request.view_args or {}).items():
        shown = str(value) if isinstance(value, int) else f"<{name}>"
        path = re.sub(r"<(?:[^<>:]+:)?" + re.escape(name) + r">", shown, path)
    return path


def json_formatter() -> logging.Formatter:
    return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})


def _configure(fmt: str, level: str) -> None:
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "claimdesk", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.claimdesk = True
        root.addHandler(handler)
    if fmt == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.setLevel(level)
    # Werkzeug's own request lines (`flask run`) carry query strings; ours replace them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
