"""Every route of `app.url_map`, as every role, with hostile input: never a server error, always a
request id (issue 12). Addresses carry real ids most of the time, so requests reach the views' form
handling; forms carry the fields their pages show, filled with anything, and a valid CSRF token
most of the time."""
from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, PathConverter

from app import app as served
from tests.fuzz.inputs import EDGE_NUMBERS, TEXT, bodies, fuzz_settings, judge, query_strings
from tests.fuzz.world import ROLES, fill

RULES = sorted(served.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
AUTHORIZATIONS = ["Bearer", "Bearer " + "x" * 300, "Basic YTpi", "bearer not-a-token", "Bearer \x01"]


def path_values(world, rule, name):
    converter = rule._converters[name]
    safe = "/" if isinstance(converter, PathConverter) else ""
    if isinstance(converter, IntegerConverter):
        real = [str(i) for i in world.ids_for(rule.endpoint, name)] or ["1"]
        other = st.one_of(st.integers(min_value=0, max_value=EDGE_NUMBERS[3] + 10), st.sampled_from(EDGE_NUMBERS)).map(str)
        values = st.one_of(st.sampled_from(real), st.sampled_from(real), st.sampled_from(real), other, TEXT)
    elif hasattr(converter, "items"):
        values = st.one_of(st.sampled_from(sorted(converter.items)), st.sampled_from(sorted(converter.items)), TEXT)
    else:
        real = world.texts.get(name) or ["x"]
        values = st.one_of(st.sampled_from(real), st.sampled_from(real), TEXT)
    return values.map(lambda value: urllib.parse.quote(value, safe=safe))


def owners(rule) -> tuple[str, ...]:
    """The roles a route is for: most requests come from them, so that they get past the login checks."""
    path = rule.rule
    if path.startswith("/api/"):
        return ("checkin", "host", "device")
    if path.startswith("/admin"):
        return ("admin",)
    if path.startswith("/desk"):
        return ("checkin", "host")
    if path.startswith("/host"):
        return ("host", "admin")
    return ("attendee",)


def send(world, rule, data):
    """Draw one request to `rule` and send it."""
    api = rule.rule.startswith("/api/")
    everyone = ROLES + (("device",) if api else ())
    role = data.draw(st.one_of(st.sampled_from(owners(rule)), st.sampled_from(owners(rule)), st.sampled_from(everyone)),
                     label="role")
    path = fill(rule, {name: data.draw(path_values(world, rule, name), label=name) for name in rule.arguments})
    own = sorted(rule.methods - {"HEAD", "OPTIONS"})
    method = data.draw(st.one_of(st.sampled_from(own), st.sampled_from(own), st.sampled_from(METHODS)), label="method")
    fields = sorted(world.fields.get(rule.endpoint, ()))
    query = data.draw(query_strings(fields, world.values), label="query")
    body = data.draw(bodies(fields, world.values), label="body")
    csrf = data.draw(st.sampled_from(["valid"] * 6 + ["none", "junk"]), label="csrf")
    token = world.csrf.get(role, "") if csrf == "valid" else ("junk" if csrf == "junk" else None)
    content_type, payload = body.encode(token)
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if token is not None:
        headers["X-CSRFToken"] = token
    accept = data.draw(st.sampled_from([None, None, "application/json", "text/html", "*/*", "nonsense/;;q=x"]),
                       label="accept")
    if accept:
        headers["Accept"] = accept
    request_id = data.draw(st.sampled_from([None, None, "proxy-given-0001", "not a request id", "x" * 65]),
                           label="X-Request-ID")
    if request_id:
        headers["X-Request-ID"] = request_id
    if role == "device":
        headers["Authorization"] = f"Bearer {world.device_token}"
    elif data.draw(st.integers(0, 9), label="odd authorization") == 0:
        headers["Authorization"] = data.draw(st.sampled_from(AUTHORIZATIONS), label="authorization")
    response = world.client("anonymous" if role == "device" else role).open(
        path, method=method, query_string=query, headers=headers, data=payload)
    try:
        judge(world.backend, world.exceptions, response,
              f"{role} {method} {path}?{query} {headers} body={payload[:400]!r}")
    finally:
        response.close()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.endpoint}")
@fuzz_settings(12)
@given(data=st.data())
def test_no_route_answers_hostile_input_with_a_server_error(world, rule, data):
    send(world, rule, data)
