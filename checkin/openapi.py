"""The OpenAPI 3.1 document of the desk API, served at /api/v1/openapi.json.

Kept as data next to the views it describes; tests check that every /api/v1
route is documented, every documented path exists, and that answers match
the schemas.
"""
from __future__ import annotations

from checkin.models import SCAN_RESULTS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _json(_ref("Error"), "An error, with a machine-readable reason and a message in plain words")
ERRORS = {
    "400": ERROR,
    "401": _json(_ref("Error"), "Not logged in and no device token (login_required); a device token that is "
                                "unknown (unknown_device_token), revoked by the host (device_revoked) or not sent "
                                "as Bearer (bad_authorization)"),
    "403": _json(_ref("Error"), "Not check-in staff, host or administrator of this event, or a device token of "
                                "another event (reason forbidden)"),
    "404": _json(_ref("Error"), "No such event (not_found) or list (unknown_list)"),
}
POST_ERRORS = {**ERRORS, "400": _json(_ref("Error"), "Bad JSON, a missing or mistyped field, or an expired CSRF "
                                                     "token (reason csrf_failed)")}

EVENT_ID = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}
LIST_KEY = {"name": "list_key", "in": "path", "required": True,
            "description": '"entrance", or "session:<id>" for a session of this event',
            "schema": {"type": "string", "pattern": "^(entrance|session:[0-9]+)$"}}
CSRF = {"name": "X-CSRFToken", "in": "header", "required": False, "schema": {"type": "string"},
        "description": "With the session cookie: the page's CSRF token (meta name=csrf-token), required. "
                       "With a device token: not needed"}
NONCE = {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,64}$",
         "description": "Made by the desk for each scan (e.g. crypto.randomUUID()); sending it again answers as the "
                        "first time and changes nothing"}
DESK = {"type": "string", "minLength": 1, "maxLength": 40,
        "description": "The desk's name, e.g. Desk 2; required with the session cookie. A desk device's scans "
                       "are logged under the name its host gave it, and this field is ignored"}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["reason", "message"],
            "properties": {
                "reason": {"type": "string", "description": "Machine code, e.g. bad_request, unknown_list, "
                                                            "query_too_short, hosts_only, reason_required"},
                "message": {"type": "string", "description": "Plain words for the person at the desk"},
                "detail": {"type": "string"},
                "status": {"type": "integer"},
                "field": {"type": "string", "description": "The request field the error is about"},
            },
        }},
    },
    "Earlier": {
        "type": "object", "required": ["at", "at_text", "desk", "by"],
        "properties": {"at": {"type": "string", "format": "date-time"},
                       "at_text": {"type": "string", "description": "Local time in the event's zone, e.g. 8:02 AM EST"},
                       "desk": {"type": "string"}, "by": {"type": "string"}},
    },
    "ScanAnswer": {
        "type": "object",
        "required": ["result", "message", "list", "scan_id", "nonce", "name", "profession", "registration_id",
                     "checkin_id", "earlier", "replayed"],
        "properties": {
            "result": {"type": "string", "enum": list(SCAN_RESULTS)},
            "message": {"type": "string", "description": 'e.g. "Already checked in at 8:02 AM EST at Desk 2 by Dana"'},
            "list": {"type": "string"},
            "scan_id": {"type": "integer"},
            "nonce": {"type": "string"},
            "name": {"type": "string"},
            "profession": {"type": "string"},
            "registration_id": {"type": ["integer", "null"]},
            "checkin_id": {"type": ["integer", "null"]},
            "earlier": {"oneOf": [_ref("Earlier"), {"type": "null"}]},
            "replayed": {"type": "boolean", "description": "True when this nonce was seen before"},
        },
    },
    "Counters": {
        "type": "object", "required": ["list", "checked_in", "registered"],
        "properties": {"list": {"type": "string"}, "checked_in": {"type": "integer"},
                       "registered": {"type": "integer", "description": "Registered for the event, revoked left out"}},
    },
    "ScanLine": {
        "type": "object",
        "required": ["scan_id", "at", "at_text", "result", "message", "name", "desk", "by", "method", "list",
                     "checkin_id"],
        "properties": {
            "scan_id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
            "at_text": {"type": "string"}, "result": {"type": "string", "enum": list(SCAN_RESULTS)},
            "message": {"type": "string"}, "name": {"type": "string"}, "desk": {"type": "string"},
            "by": {"type": "string"}, "method": {"type": "string"}, "list": {"type": "string"},
            "checkin_id": {"type": ["integer", "null"],
                           "description": "Set on a check-in that still stands (what a host may undo)"},
        },
    },
    "ListState": {
        "type": "object", "required": ["counters", "last_scans"],
        "properties": {"counters": _ref("Counters"), "last_scans": {"type": "array", "items": _ref("ScanLine")}},
    },
    "SearchResult": {
        "type": "object",
        "required": ["registration_id", "name", "email", "profession", "revoked", "checked_in", "checked_in_text"],
        "properties": {
            "registration_id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": "string"},
            "profession": {"type": "string"}, "revoked": {"type": "boolean"}, "checked_in": {"type": "boolean"},
            "checked_in_text": {"type": "string", "description": "When and where, if already checked in on this list"},
        },
    },
    "DeskScanPush": {
        "description": "Socket.IO room desk:<event_id>, event desk.scan: the new last-scans line, after every scan",
        **{"$ref": "#/components/schemas/ScanLine"},
    },
    "DeskCountersPush": {
        "description": "Socket.IO room desk:<event_id>, event desk.counters: a list's counters, within a quarter "
                       "second of a check-in or undo (counted at most four times a second per list)",
        **{"$ref": "#/components/schemas/Counters"},
    },
}


def _post(summary: str, request_schema: dict, answer: str, description: str, parameters: list) -> dict:
    return {"post": {
        "summary": summary, "description": description, "parameters": parameters + [CSRF],
        "requestBody": {"required": True, "content": {"application/json": {"schema": request_schema}}},
        "responses": {"200": _json(_ref(answer), "The answer the desk shows"), **POST_ERRORS},
    }}


PATHS = {
    "/api/v1/openapi.json": {"get": {
        "summary": "This document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {}}}},
    }},
    "/api/v1/events/{event_id}/lists": {"get": {
        "summary": "The event's check-in lists (entrance, each session's door)",
        "parameters": [EVENT_ID],
        "responses": {"200": _json({
            "type": "object", "required": ["lists", "may_undo"],
            "properties": {"lists": {"type": "array", "items": {
                "type": "object", "required": ["key", "title"],
                "properties": {"key": {"type": "string"}, "title": {"type": "string"}}}},
                "may_undo": {"type": "boolean"}}}, "The lists"), **ERRORS},
    }},
    "/api/v1/events/{event_id}/lists/{list_key}/counters": {"get": {
        "summary": "Checked in on this list / registered for the event",
        "parameters": [EVENT_ID, LIST_KEY],
        "responses": {"200": _json(_ref("Counters"), "The counters"), **ERRORS},
    }},
    "/api/v1/events/{event_id}/lists/{list_key}/state": {"get": {
        "summary": "Counters and the last scans: what a desk fetches on every (re)connect",
        "parameters": [EVENT_ID, LIST_KEY, {"name": "last", "in": "query", "required": False,
                                            "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}}],
        "responses": {"200": _json(_ref("ListState"), "The list's state"), **ERRORS},
    }},
    "/api/v1/events/{event_id}/lists/{list_key}/search": {"get": {
        "summary": "Registrants with a word of their name, or their email, starting with q (at least 3 characters; several words narrow it down; at most 10 answers)",
        "parameters": [EVENT_ID, LIST_KEY, {"name": "q", "in": "query", "required": True,
                                            "schema": {"type": "string", "minLength": 3, "maxLength": 120}}],
        "responses": {"200": _json({"type": "object", "required": ["results"], "properties": {
            "results": {"type": "array", "items": _ref("SearchResult")}}}, "Matches"), **ERRORS},
    }},
    "/api/v1/events/{event_id}/lists/{list_key}/scans": _post(
        "Scan a badge", {"type": "object", "required": ["code", "nonce"], "properties": {
            "code": {"type": "string", "maxLength": 500, "description": "What the scanner read (the badge token)"},
            "nonce": NONCE, "desk": DESK}},
        "ScanAnswer", "Every scan is logged, failed ones too. The result says checked_in, already_checked_in "
                      "(with when, where and by whom), not_registered, revoked or unknown.",
        [EVENT_ID, LIST_KEY]),
    "/api/v1/events/{event_id}/lists/{list_key}/checkins": _post(
        "Check in a search result", {"type": "object", "required": ["registration_id", "nonce"],
                                     "properties": {"registration_id": {"type": "integer"}, "nonce": NONCE,
                                                    "desk": DESK}},
        "ScanAnswer", "Like a scan, by registration id (method search). An id that is not one of this event's "
                      "registrations (another event's, or none) answers not_registered with no name.",
        [EVENT_ID, LIST_KEY]),
    "/api/v1/events/{event_id}/lists/{list_key}/walk-ins": _post(
        "Register a walk-in and check them in", {
            "type": "object", "required": ["name", "email", "nonce"], "properties": {
                "name": {"type": "string", "maxLength": 200}, "email": {"type": "string", "maxLength": 254},
                "profession": {"type": "string", "enum": ["", "pharmacist", "technician", "physician", "other"]},
                "nonce": NONCE, "desk": DESK}},
        "ScanAnswer", "An account without a password is made for a new email. An email that has an account "
                      "already is refused with 409 and registers no one: account_exists, or already_registered "
                      "when that account is registered for this event; the answer names nobody.",
        [EVENT_ID, LIST_KEY]),
    "/api/v1/events/{event_id}/checkins/{checkin_id}/undo": _post(
        "Undo a wrong check-in (hosts only)", {
            "type": "object", "required": ["reason", "desk"],
            "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 300}, "desk": DESK}},
        "ScanAnswer", "Logged (scan result undone) and audited; the person can be checked in again. "
                      "403 hosts_only for check-in staff and for desk devices: a host answers for it by name.",
        [EVENT_ID, {"name": "checkin_id", "in": "path", "required": True, "schema": {"type": "integer"}}]),
}
PATHS["/api/v1/events/{event_id}/lists/{list_key}/walk-ins"]["post"]["responses"]["409"] = _json(
    _ref("Error"), "The email has an account already (account_exists, already_registered); nobody is registered")
# Undo needs a person: the session cookie only.
PATHS["/api/v1/events/{event_id}/checkins/{checkin_id}/undo"]["post"]["security"] = [{"session": []}]

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "ClaimDesk check-in desk API", "version": "1.1.0",
             "description": "What the check-in desk page and scanner apps use. The page logs in with the site's "
                            "session cookie and its POSTs send the CSRF token in X-CSRFToken. A scanner app sends "
                            "the token its event's host issued it (Desk devices, on the host's event page) as "
                            "Authorization: Bearer <token>, with no cookie and no CSRF token; a token opens its own "
                            "event's desk only, and a revoked one is refused (401 device_revoked) from its next "
                            "request. Live updates: Socket.IO room desk:<event_id>, events desk.scan (schema "
                            "DeskScanPush) and desk.counters (DeskCountersPush)."},
    "servers": [{"url": "/"}],
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            "deskDevice": {"type": "http", "scheme": "bearer",
                           "description": "A desk device's token, issued by the event's host for that event only"},
        },
    },
    "security": [{"session": []}, {"deskDevice": []}],
    "paths": PATHS,
}
