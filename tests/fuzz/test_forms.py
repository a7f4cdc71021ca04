"""Every form, with every kind of hostile body the issue names, from the person the form is for, with a
valid CSRF token: the sweep that random draws may miss. Never a server error, always a request id."""
from __future__ import annotations

import json

import pytest

from tests.fuzz.inputs import Body, judge
from tests.fuzz.test_routes import RULES, owners
from tests.fuzz.world import example_path

POSTS = [rule for rule in RULES if "POST" in rule.methods]
IN_EVERY_FIELD = [("empty", ""), ("negative", "-1"), ("past 64 bits", "9" * 30), ("5,000 digits", "9" * 5000),
                  ("a digit int() refuses", "²"), ("long text", "x" * 5000)]


def hostile_bodies(fields: list[str], api: bool):
    """(what it is, the body) pairs. Pages refuse every JSON body alike (core.edge), so two kinds do for them."""
    fields = fields or ["value"]
    json_bodies = [("a JSON list", b"[1, 2]"), ("malformed JSON", b'{"code": ')]
    if api:
        json_bodies += [("a JSON number", b"5"), ("a JSON string", b'"text"'), ("JSON null", b"null"),
                        ("lists for the fields", json.dumps({f: [1, {"a": None}] for f in fields}).encode()),
                        ("huge numbers for the fields", json.dumps({f: 10**30 for f in fields}).encode()),
                        ("negative numbers for the fields", json.dumps({f: -1 for f in fields}).encode())]
    for label, data in json_bodies:
        yield label, Body("application/json", data)
    yield "a part without a name", Body(parts=[(None, None, "value")])
    yield "a file without a name", Body(parts=[(None, "a.csv", "name,email\n")])
    yield "a file in every field", Body(parts=[(f, "a.csv", "name,email\n") for f in fields if f != "csrf_token"])
    yield "multipart without a boundary", Body("multipart/form-data", b"--x\r\n\r\nvalue\r\n--x--\r\n")
    yield "every field twice", Body(pairs=[(f, v) for f in fields for v in ("1", "2")])
    for label, value in IN_EVERY_FIELD:
        yield f"{label} in every field", Body(pairs=[(f, value) for f in fields])


@pytest.mark.parametrize("rule", POSTS, ids=lambda rule: rule.endpoint)
def test_every_form_turns_each_kind_of_hostile_body_away_plainly(world, rule):
    path = example_path(world, rule)
    role = owners(rule)[0]  # a person, never the desk device
    for label, body in hostile_bodies(sorted(world.fields.get(rule.endpoint, ())), rule.rule.startswith("/api/")):
        content_type, payload = body.encode(world.csrf[role])
        headers = {"Content-Type": content_type, "X-CSRFToken": world.csrf[role]}
        response = world.client(role).post(path, headers=headers, data=payload)
        try:
            judge(world.backend, world.exceptions, response, f"{label}: {role} POST {path} body={payload[:300]!r}")
        finally:
            response.close()
