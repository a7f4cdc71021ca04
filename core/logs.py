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
    # Alembic's fileConfig disables the loggers that exist when migrations run in process; the request log
    # and Flask's own (which logs a request's unhandled error) must keep writing.
    request_log.disabled = False
    app.logger.disabled = False

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


# --- the second net: what a failing library puts in an error's text ---------------------------

_HIDDEN = "[hidden]"
_REDACTIONS = (
    # SQLAlchemy's "[parameters: (...)]" after a failed statement (the engine hides them already).
    (re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(|$))", re.S), "[parameters: " + _HIDDEN + "]"),
    # PostgreSQL's "DETAIL: Key (column)=(value) already exists."
    (re.compile(r"(Key \([^)]*\)=\()[^)]*(\))"), r"\1" + _HIDDEN + r"\2"),
    # name=value or "name": value for the fields that hold personal data or secrets.
    (re.compile(r"""(\b(?:eprofile_id|birth_mmdd|npi|state_licence|badge_token|token|password|code)\b['"]?\s*[:=]\s*)"""
                r"""(?!%\(|\?|:\w)(?:'[^']*'|"[^"]*"|[^\s,;)}\]]+)"""), r"\1" + _HIDDEN),  # not SQL placeholders
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class Redact(logging.Filter):
    """Takes statement parameters and personal fields out of every record's message and traceback.

    The source is stopped first (the engine's hide_parameters); this is the second net, on the handler,
    so it covers every logger, ours and libraries'. The traceback is formatted here, redacted, and left
    as `exc_text` for the text and JSON formatters alike.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_TRACEBACKS = logging.Formatter()


def handler_for(stream, fmt: str) -> logging.Handler:
    """A handler writing to `stream` as the server's logs are written: the format, and the net."""
    handler = logging.StreamHandler(stream)
    _dress(handler, fmt)
    return handler


def _dress(handler: logging.Handler, fmt: str) -> None:
    handler.setFormatter(json_formatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    if not any(isinstance(f, Redact) for f in handler.filters):
        handler.addFilter(Redact())


def _configure(fmt: str, level: str) -> None:
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "claimdesk", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.claimdesk = True
        root.addHandler(handler)
    _dress(handler, fmt)
    root.setLevel(level)
    # Werkzeug's own request lines (`flask run`) carry query strings; ours replace them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
