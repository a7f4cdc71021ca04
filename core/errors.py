"""Plain-words pages for errors: never a stack trace."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("That request could not be understood", "Please go back and try again."),
    403: ("You do not have access to this page", "If you think you should, ask the event's host or the provider's administrator."),
    404: ("We could not find that page", "Check the address, or start again from the home page."),
    405: ("That action is not available here", "Please go back and use the buttons on the page."),
    429: ("Too many attempts", "Please wait a little and try again."),
    500: ("Something went wrong on our side", "Nothing you entered was lost by you; please try again in a moment."),
}


def _page(status: int, title: str | None = None, detail: str | None = None):
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    title, detail = title or default_title, detail or default_detail
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error={"status": status, "message": title, "detail": detail}), status
    return render_template("core/error.html", status=status, title=title, detail=detail), status


def register(app) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, lambda e, s=status: _page(s))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _page(
            400,
            "This form has expired",
            "For your security, forms expire after a while. Go back, reload the page and submit again.",
        )
