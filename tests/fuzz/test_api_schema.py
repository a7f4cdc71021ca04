"""Schemathesis against /api/v1/openapi.json, in process: requests its schema allows and requests it
does not (negative mode), from the desk staff, a host, a desk device and no one, to real events and
lists most of the time. Never a server error, always a request id, and every answer as documented."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from checkin.openapi import DOCUMENT
from tests.fuzz.inputs import TALLY, fuzz_settings, judge

OPERATIONS = [(path, method.upper()) for path, item in DOCUMENT["paths"].items() for method in item]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(world):
    """The document as the app serves it."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)


@pytest.mark.parametrize("path, method", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
@fuzz_settings(25)
@given(data=st.data())
def test_the_api_never_fails_on_what_its_schema_allows_or_forbids(world, api_schema, path, method, data):
    mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]), label="mode")
    case = data.draw(api_schema[path][method].as_strategy(generation_mode=mode), label="case")
    for name, real in (("event_id", world.ids["event_id"]), ("list_key", world.texts["list_key"]),
                       ("checkin_id", world.ids["checkin_id"])):
        if name in (case.path_parameters or {}) and data.draw(st.integers(0, 3), label=f"real {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(real), label=name)
    role = data.draw(st.sampled_from(["checkin", "host", "device", "anonymous"]), label="role")
    headers = {"Authorization": f"Bearer {world.device_token}"} if role == "device" else {
        "X-CSRFToken": world.csrf[role]}
    described = f"{role} {case.method} {case.formatted_path} {mode.value} query={case.query} body={case.body!r}"[:800]
    try:
        response = case.call(session=world.client("anonymous" if role == "device" else role), headers=headers)
    except Exception:  # the app's exception, re-raised by schemathesis' in-process transport
        TALLY.count(world.backend, 500)
        raise
    judge(world.backend, world.exceptions, response, described)
    case.validate_response(response, checks=CHECKS, headers=headers)
