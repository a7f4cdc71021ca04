"""The desk API's OpenAPI document: valid, complete, and true to what the API answers."""
import re

import jsonschema
from openapi_spec_validator import validate

from checkin.openapi import DOCUMENT
from checkin.models import session_list
from tests.checkin.desk_world import bearer, issue_device_token, nonce, world  # noqa: F401


def documented_paths():
    return {path: set(operations) for path, operations in DOCUMENT["paths"].items()}


def routed_paths(app):
    paths = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            paths.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return paths


def test_the_document_is_valid_openapi_3_1(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json["openapi"] == "3.1.0"
    validate(served.json)


def test_every_api_route_is_documented_and_every_documented_path_exists(app):
    assert routed_paths(app) == documented_paths()


def check(response, path, method="get"):
    """The answer matches the schema the document gives for its status code."""
    operation = DOCUMENT["paths"][path][method]
    schema = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json, {**schema, "components": DOCUMENT["components"]},
                        cls=jsonschema.Draft202012Validator)
    return response.json




def test_answers_match_the_document(world, logged_in):
    host = logged_in(world.host)
    base = f"/api/v1/events/{world.event.id}"
    doc = "/api/v1/events/{event_id}"
    token = world.badges["Maya Chen"].badge_token
    scan_body = {"code": token, "nonce": nonce(), "desk": "Desk 1"}
    check(host.get(f"{base}/lists"), doc + "/lists")
    made = check(host.post(f"{base}/lists/entrance/scans", json=scan_body), doc + "/lists/{list_key}/scans", "post")
    check(host.post(f"{base}/lists/entrance/scans", json={**scan_body, "nonce": nonce()}),
          doc + "/lists/{list_key}/scans", "post")
    check(host.post(f"{base}/lists/entrance/scans", json={"code": "?"}), doc + "/lists/{list_key}/scans", "post")
    check(host.get(f"{base}/lists/entrance/counters"), doc + "/lists/{list_key}/counters")
    check(host.get(f"{base}/lists/entrance/state"), doc + "/lists/{list_key}/state")
    check(host.get(f"{base}/lists/entrance/search?q=oma"), doc + "/lists/{list_key}/search")
    check(host.get(f"{base}/lists/entrance/search?q=o"), doc + "/lists/{list_key}/search")
    check(host.get(f"{base}/lists/exit/search?q=oma"), doc + "/lists/{list_key}/search")
    check(host.post(f"{base}/lists/{session_list(world.session.id)}/checkins",
                    json={"registration_id": world.badges["Omar Diaz"].id, "nonce": nonce(), "desk": "Door"}),
          doc + "/lists/{list_key}/checkins", "post")
    check(host.post(f"{base}/lists/entrance/walk-ins", json={"name": "Wanda", "email": "w@example.org",
                                                              "nonce": nonce(), "desk": "Desk 1"}),
          doc + "/lists/{list_key}/walk-ins", "post")
    check(host.post(f"{base}/checkins/{made['checkin_id']}/undo", json={"reason": "wrong badge", "desk": "Desk 1"}),
          doc + "/checkins/{checkin_id}/undo", "post")
    check(logged_in(world.other_staff).get(f"{base}/lists"), doc + "/lists")


def test_a_desk_devices_answers_match_the_document(app, world, logged_in):
    token = issue_device_token(logged_in(world.host), world.event)
    scanner = app.test_client(use_cookies=False)
    base, doc = f"/api/v1/events/{world.event.id}", "/api/v1/events/{event_id}"
    scans = doc + "/lists/{list_key}/scans"
    made = check(scanner.post(f"{base}/lists/entrance/scans", headers=bearer(token),
                              json={"code": world.badges["Maya Chen"].badge_token, "nonce": nonce()}), scans, "post")
    assert made["result"] == "checked_in"
    check(scanner.get(f"{base}/lists/entrance/search?q=oma", headers=bearer(token)), doc + "/lists/{list_key}/search")
    check(scanner.post(f"{base}/checkins/{made['checkin_id']}/undo", headers=bearer(token),
                       json={"reason": "wrong badge", "desk": "Desk 1"}), doc + "/checkins/{checkin_id}/undo", "post")
    check(scanner.get(f"/api/v1/events/{world.other_event.id}/lists", headers=bearer(token)), doc + "/lists")
    check(scanner.post(f"{base}/lists/entrance/scans", headers=bearer("nope"), json={}), scans, "post")
    check(scanner.post(f"{base}/lists/entrance/scans", json={}), scans, "post")
