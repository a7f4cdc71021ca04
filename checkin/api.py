"""The desk's JSON API under /api/v1/ (documented in checkin/openapi.py, served at /api/v1/openapi.json).

Two ways in:
- the browser desk (static/js/desk.js): the session cookie, and on POSTs the page's CSRF token
  in the X-CSRFToken header;
- a desk device (a scanner app): `Authorization: Bearer <token>` issued by the event's host
  (checkin/devices.py), no cookie and no CSRF token.

Every error is `{"error": {"reason": "<code>", "message": "<plain words>", ...}}`.
Views parse, call one function of `checkin.desk`, push the change to the
event's desks, and answer.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user

from accounts.models import User
from checkin import desk, devices
from checkin.models import DeskDevice
from checkin.openapi import DOCUMENT
from core.edge import whole_number
from core.errors import json_error
from events.models import Event

bp = Blueprint("desk_api", __name__, url_prefix="/api/v1")

# Reason -> HTTP status; every other DeskError is a 400 (the request itself is wrong).
STATUSES = {"unknown_list": 404, "not_checked_in": 404, "hosts_only": 403, "busy": 503, "account_exists": 409,
            "already_registered": 409}


class BadRequest(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


@bp.errorhandler(desk.DeskError)
def desk_error(error: desk.DeskError):
    extra = {"field": error.field} if error.field else {}
    return json_error(STATUSES.get(error.reason, 400), error.reason, error.message, **extra)


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    extra = {"field": error.field} if error.field else {}
    return json_error(400, "bad_request", error.message, **extra)


@bp.before_request
def authenticate():
    """A desk device by its bearer token, else the logged-in person by their cookie (CSRF-checked)."""
    if request.endpoint == "desk_api.openapi":
        return None
    header = request.headers.get("Authorization")
    if header is not None:
        return _device(header)
    # This blueprint is exempt from CSRFProtect's own check (app.py) so that device requests skip it;
    # a request with the cookie gets the same check here, before anything else, as every form does.
    if current_app.config["WTF_CSRF_ENABLED"]:
        current_app.extensions["csrf"].protect()
    if not current_user.is_authenticated:
        return json_error(401, "login_required", "Please log in to use the check-in desk.")
    return None


def _device(header: str):
    """Authenticate a desk device; Flask-Login never loads a user for it.

    No CSRF check, and none is needed: cross-site request forgery rides on what a browser adds to a
    request by itself (the cookie), and a browser never adds this header. A form or link of another
    site cannot carry it, and a script of another site cannot set it on a request to us without our
    CORS consent (a preflight we never approve). Only something holding the token sends it. A
    request with the header is judged by the token alone: its cookie, if any, is never looked at, so
    the header cannot be used to slip a cookie past the CSRF check.
    """
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return _unauthorized("bad_authorization", "Send the desk device's token as: Authorization: Bearer <token>.")
    try:
        g.desk_device, g.desk_event = devices.authenticate(token, request.view_args["event_id"])
    except devices.DeviceRefused as refused:
        if refused.status == 401:
            return _unauthorized(refused.reason, refused.message)
        return json_error(refused.status, refused.reason, refused.message)
    return None


def _unauthorized(reason: str, message: str):
    response, status = json_error(401, reason, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="ClaimDesk desk", error="invalid_token"'
    return response, status


def operator() -> User | DeskDevice:
    """Who is using the desk: the device of this request, or the logged-in person."""
    return g.get("desk_device") or current_user._get_current_object()


def desk_name(data: dict) -> str:
    """A device's scans are logged under its own name; a person's desk page sends the desk's name."""
    device = g.get("desk_device")
    return device.name if device is not None else text(data, "desk")


def desk_event(event_id: int) -> Event:
    """The event if this device or user may use its desk; 404 / 403 as JSON otherwise."""
    if g.get("desk_device") is not None:
        return g.desk_event  # checked with the token
    event, allowed = desk.event_for_desk(current_user, event_id)
    if event is None:
        raise _Abort(json_error(404, "not_found", "There is no such event."))
    if not allowed:
        raise _Abort(json_error(403, "forbidden", "You are not check-in staff for this event."))
    return event


class _Abort(Exception):
    def __init__(self, response):
        super().__init__("abort")
        self.response = response


@bp.errorhandler(_Abort)
def _abort(error: _Abort):
    return error.response


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object (Content-Type: application/json).")
    return data


def text(data: dict, name: str, required: bool = True, longest: int = 500) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadRequest(f"'{name}' is missing.", name)
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be text.", name)
    if len(value) > longest:
        raise BadRequest(f"'{name}' is too long ({longest} characters at most).", name)
    return value


def number(data: dict, name: str) -> int:
    value = data.get(name)
    if value is None:
        raise BadRequest(f"'{name}' is missing.", name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"'{name}' must be a whole number.", name)
    return value


def answered(event_id: int, answer: desk.ScanAnswer):
    """Tell the event's other desks (after the transaction), then answer this one."""
    desk.announce(event_id, answer)
    return jsonify(answer.as_dict())


@bp.get("/openapi.json")
def openapi():
    return jsonify(DOCUMENT)


@bp.get("/events/<int:event_id>/lists")
def lists(event_id: int):
    event = desk_event(event_id)
    return jsonify(lists=[{"key": item.key, "title": item.title} for item in desk.lists_of(event)],
                   may_undo=desk.may_undo(operator(), event.id))


@bp.get("/events/<int:event_id>/lists/<list_key>/counters")
def counters(event_id: int, list_key: str):
    event = desk_event(event_id)
    return jsonify(desk.counters(event, list_key).as_dict())


@bp.get("/events/<int:event_id>/lists/<list_key>/state")
def state(event_id: int, list_key: str):
    event = desk_event(event_id)
    last = whole_number(request.args.get("last", str(desk.LAST_SCANS)), largest=50)
    if not last:
        raise BadRequest("'last' must be a whole number from 1 to 50.", "last")
    return jsonify(desk.list_state(event, list_key, last))


@bp.get("/events/<int:event_id>/lists/<list_key>/search")
def search(event_id: int, list_key: str):
    event = desk_event(event_id)
    return jsonify(results=desk.search(event, list_key, request.args.get("q", "")))


@bp.post("/events/<int:event_id>/lists/<list_key>/scans")
def scan(event_id: int, list_key: str):
    event = desk_event(event_id)
    data = body()
    answer = desk.scan(event, list_key, text(data, "code"), text(data, "nonce"), desk_name(data), operator())
    return answered(event_id, answer)


@bp.post("/events/<int:event_id>/lists/<list_key>/checkins")
def check_in(event_id: int, list_key: str):
    event = desk_event(event_id)
    data = body()
    answer = desk.check_in_registration(event, list_key, number(data, "registration_id"), text(data, "nonce"),
                                        desk_name(data), operator())
    return answered(event_id, answer)


@bp.post("/events/<int:event_id>/lists/<list_key>/walk-ins")
def walk_in(event_id: int, list_key: str):
    event = desk_event(event_id)
    data = body()
    answer = desk.walk_in(event, list_key, name=text(data, "name", longest=200), email=text(data, "email", longest=254),
                          profession=text(data, "profession", required=False, longest=20), nonce=text(data, "nonce"),
                          desk=desk_name(data), staff=operator())
    return answered(event_id, answer)


@bp.post("/events/<int:event_id>/checkins/<int:checkin_id>/undo")
def undo(event_id: int, checkin_id: int):
    event = desk_event(event_id)
    if g.get("desk_device") is not None:
        # Taking back a check-in removes attendance that credit depends on: a host answers for it
        # by name, with a reason. A scanner at a door is no one in particular.
        raise _Abort(json_error(403, "hosts_only", "Only the event's hosts can undo a check-in, logged in as "
                                                   "themselves: a desk device cannot."))
    data = body()
    answer = desk.undo(event, checkin_id, text(data, "reason", required=False, longest=300), text(data, "desk"),
                       current_user)
    return answered(event_id, answer)
