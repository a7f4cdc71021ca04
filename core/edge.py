"""What hostile or broken input is turned away with before any view sees it (issue 12).

- Ids in addresses are whole numbers the database can hold: a number past PostgreSQL's
  `integer` (2^31 - 1) is no id of ours, so the address is "not found" (it used to reach the
  database and fail there on about 60 routes).
- A NUL character is never part of anything a person types, and PostgreSQL refuses it in text:
  any in the query string, the form fields or a JSON body is answered 400 in plain words.
- A form part without a name is no field of any form (Flask-WTF's CSRF check failed on it): 400.
- Files come in a field named `file` (UPLOAD_FIELD: every upload form's field is so named). Flask-WTF
  puts files and fields together, so a file sent for a text field reached that field's code as a
  file, a server error: 400.
- Only the API (/api/) reads JSON. Pages take forms, and Flask-WTF would read a JSON body as one:
  a list or a number for a body, a list or a number for a field, each a server error. A page sent
  JSON answers 415 in plain words.

These checks run before any other reader of the request (the CSRF check included).
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is larger


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a non-negative whole number up to LARGEST_ID, else the route does not match."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST_ID,
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def whole_number(text, largest: int = LARGEST_ID) -> int | None:
    """A number typed into a form or an address (an id, a page): ASCII digits up to `largest`, else None.

    `str.isdigit` also says yes to "²" (which `int` refuses) and to other scripts' digits, and a
    number past the database's integer fails in the database, not as "not found".
    """
    text = (text or "").strip() if isinstance(text, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        return None
    number = int(text)
    return number if number <= largest else None


class Refused:
    """Input turned away at the edge, with what to say (core.errors renders `title` and `text` with `reason`)."""

    title: str
    text: str
    reason: str


class NulCharacter(Refused, BadRequest):
    """A request holding a NUL character."""

    title = "That text could not be read"
    text = "It held an invisible control character (NUL) that no form takes. Please go back and type it again."
    reason = "nul_character"


class NamelessPart(Refused, BadRequest):
    """A multipart form with a part that has no name."""

    title = "That form could not be read"
    text = "A part of it had no name, so it belongs to no field. Please go back and submit the form again."
    reason = "nameless_part"


class FileWhereTextBelongs(Refused, BadRequest):
    """A multipart form with a file in a field other than UPLOAD_FIELD."""

    title = "That form could not be read"
    text = "It sent a file where the form takes text. Please go back and submit the form again."
    reason = "unexpected_file"


class FormExpected(Refused, UnsupportedMediaType):
    """A JSON body sent to a page (pages take forms; only /api/ reads JSON)."""

    title = "This page takes a form, not JSON"
    text = "Submit the form on the page. Programs can use the check-in API under /api/v1/."
    reason = "form_expected"


UPLOAD_FIELD = "file"  # the name of every form's file field (checkin/forms.py)
SUBMITTING = ("POST", "PUT", "PATCH", "DELETE")  # the methods Flask-WTF reads a body for


def is_api() -> bool:
    """Is this request for the JSON API? (Its errors are JSON too: core.errors.)"""
    return request.path.startswith("/api/")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter is bound as each route is added."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_unreadable_input():
        if _has_nul(request.args.to_dict(flat=False)):
            raise NulCharacter()
        if request.method not in SUBMITTING:
            return
        if request.is_json:
            if not is_api():
                raise FormExpected()
            body = request.get_data()
            if (b"\\u0000" in body or b"\x00" in body) and _has_nul(request.get_json(silent=True)):
                raise NulCharacter()
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if None in request.form or None in request.files:
                raise NamelessPart()
            if any(name != UPLOAD_FIELD for name in request.files):
                raise FileWhereTextBelongs()
            if _has_nul(request.form.to_dict(flat=False)):
                raise NulCharacter()
