"""The desk's JSON API under /api/v1/ (documented in checkin/openapi.py, served at /api/v1/openapi.json).

Session-cookie auth; POSTs carry the CSRF token in the X-CSRFToken header.
Every error is `{"error": {"reason": "<code>", "message": "<plain words>", ...}}`.
Views parse, call one function of `checkin.desk`, push the change to the
event's desks, and answer.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from checkin import desk
from checkin.openapi import DOCUMENT
from core.errors import json_error
from events.models import Event

bp = Blueprint("desk_api", __name__, url_prefix="/api/v1")

# Reason -> HTTP status; every other DeskError is a 400 (the request itself is wrong).
STATUSES = {"unknown_list": 404, "not_checked_in": 404, "hosts_only": 403, "busy": 503}


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
def logged_in_only():
    if request.endpoint == "desk_api.openapi":
        return None
    if not current_user.is_authenticated:
        return json_error(401, "login_required", "Please log in to use the check-in desk.")
    return None


def desk_event(event_id: int) -> Event:
    """The event if this user may use its desk; 404 / 403 as JSON otherwise."""
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
                   may_undo=desk.may_undo(current_user, event.id))


@bp.get("/events/<int:event_id>/lists/<list_key>/counters")
def counters(event_id: int, list_key: str):
    event = desk_event(event_id)
    return jsonify(desk.counters(event, list_key).as_dict())


@bp.get("/events/<int:event_id>/lists/<list_key>/state")
def state(event_id: int, list_key: str):
    event = desk_event(event_id)
    last = request.args.get("last", str(desk.LAST_SCANS))
    if not last.isdigit() or not 1 <= int(last) <= 50:
        raise BadRequest("'last' must be a whole number from 1 to 50.", "last")
    return jsonify(desk.list_state(event, list_key, int(last)))


@bp.get("/events/<int:event_id>/lists/<list_key>/search")
def search(event_id: int, list_key: str):
    event = desk_event(event_id)
    return jsonify(results=desk.search(event, list_key, request.args.get("q", "")))


@bp.post("/events/<int:event_id>/lists/<list_key>/scans")
def scan(event_id: int, list_key: str):
    event = desk_event(event_id)
    data = body()
    answer = desk.scan(event, list_key, text(data, "code"), text(data, "nonce"), text(data, "desk"), current_user)
    return answered(event_id, answer)


@bp.post("/events/<int:event_id>/lists/<list_key>/checkins")
def check_in(event_id: int, list_key: str):
    event = desk_event(event_id)
    data = body()
    answer = desk.check_in_registration(event, list_key, number(data, "registration_id"), text(data, "nonce"),
                                        text(data, "desk"), current_user)
    return answered(event_id, answer)


@bp.post("/events/<int:event_id>/lists/<list_key>/walk-ins")
def walk_in(event_id: int, list_key: str):
    event = desk_event(event_id)
    data = body()
    answer = desk.walk_in(event, list_key, name=text(data, "name", longest=200), email=text(data, "email", longest=254),
                          profession=text(data, "profession", required=False, longest=20), nonce=text(data, "nonce"),
                          desk=text(data, "desk"), staff=current_user)
    return answered(event_id, answer)


@bp.post("/events/<int:event_id>/checkins/<int:checkin_id>/undo")
def undo(event_id: int, checkin_id: int):
    event = desk_event(event_id)
    data = body()
    answer = desk.undo(event, checkin_id, text(data, "reason", required=False, longest=300), text(data, "desk"), current_user)
    return answered(event_id, answer)
