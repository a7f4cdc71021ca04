"""Plain-words pages for errors: never a stack trace."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from core.db import db
from core.edge import FileWhereTextBelongs, FormExpected, NamelessPart, NulCharacter, is_api

MESSAGES = {
    400: ("That request could not be understood", "Please go back and try again."),
    403: ("You do not have access to this page", "If you think you should, ask the event's host or the provider's administrator."),
    404: ("We could not find that page", "Check the address, or start again from the home page."),
    405: ("That action is not available here", "Please go back and use the buttons on the page."),
    429: ("Too many attempts", "Please wait a little and try again."),
    500: ("Something went wrong on our side", "Nothing you entered was lost by you; please try again in a moment."),
}


# The machine-readable reason of a JSON error, when the caller gives none.
REASONS = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
           405: "method_not_allowed", 415: "unsupported_media_type", 429: "too_many_requests", 500: "server_error"}


def json_error(status: int, reason: str | None = None, message: str | None = None, detail: str | None = None,
               **extra):
    """The one shape of an API error: {"error": {"reason", "message", "detail", "status", ...}}."""
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    body = {"status": status, "reason": reason or REASONS.get(status, "error"), "message": message or default_title,
            "detail": detail or default_detail, **extra}
    return jsonify(error=body), status


def _page(status: int, title: str | None = None, detail: str | None = None, reason: str | None = None):
    if status >= 500:
        # A statement the database refused leaves the session unusable until rolled back, and this
        # page (its header reads the logged-in user) must still render in plain words.
        db.session.rollback()
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    title, detail = title or default_title, detail or default_detail
    if is_api() or request.accept_mimetypes.best == "application/json":
        return json_error(status, reason, title, detail)
    return render_template("core/error.html", status=status, title=title, detail=detail), status


def register(app) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, lambda e, s=status: _page(s))

    for refusal in (NulCharacter, NamelessPart, FileWhereTextBelongs, FormExpected):
        # Werkzeug looks handlers up by class: each edge refusal gets its own, all saying the refusal's words.
        app.register_error_handler(refusal, lambda e: _page(e.code, e.title, e.text, reason=e.reason))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _page(
            400,
            "This form has expired",
            "For your security, forms expire after a while. Go back, reload the page and submit again.",
            reason="csrf_failed",
        )
