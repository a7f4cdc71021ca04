"""What hostile or broken input is turned away with before any view sees it (issue 12).

- Ids in addresses are whole numbers the database can hold: a number past PostgreSQL's
  `integer` (2^31 - 1) is no id of ours, so the address is "not found" (it used to reach the
  database and fail there on about 60 routes).
- A NUL character is never part of anything a person types, and PostgreSQL refuses it in text:
  any in the query string, the form fields or a JSON body is answered 400 in plain words.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is larger


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a non-negative whole number up to LARGEST_ID, else the route does not match."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST_ID,
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class NulCharacter(BadRequest):
    """A request holding a NUL character (core.errors turns it into plain words)."""


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
    def refuse_nul_characters():
        if _has_nul(request.args.to_dict(flat=False)):
            raise NulCharacter()
        if request.method in ("POST", "PUT", "PATCH"):
            if request.is_json:
                body = request.get_data()
                if (b"\\u0000" in body or b"\x00" in body) and _has_nul(request.get_json(silent=True)):
                    raise NulCharacter()
            elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                if _has_nul(request.form.to_dict(flat=False)):
                    raise NulCharacter()
