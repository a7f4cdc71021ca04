"""What the fuzzer sends: arbitrary text (NUL included; no lone surrogates, which HTTP cannot carry),
numbers of every size, empty values, lists where one value is expected, JSON of every shape and none,
bodies that are not what their Content-Type says, multipart parts without names; and how a request
is sent and judged.
"""
from __future__ import annotations

import dataclasses
import json
import os
import traceback
import urllib.parse

from flask import got_request_exception
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from core.edge import LARGEST_ID

# Examples per test: a few minutes of CI for everything; `make fuzz` raises it (FUZZ_EXAMPLES=2000).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)


def fuzz_settings(examples: int) -> settings:
    """Fixed inputs run after run (derandomize), nothing remembered between runs (database=None)."""
    return settings(max_examples=EXAMPLES or examples, derandomize=True, database=None, deadline=None,
                    print_blob=False, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                             HealthCheck.filter_too_much,
                                                             HealthCheck.large_base_example])


# --- values ----------------------------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
EDGE_NUMBERS = [0, -1, 1, LARGEST_ID, LARGEST_ID + 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -(10**30)]
NUMBERS = st.one_of(st.integers(), st.sampled_from(EDGE_NUMBERS))
ODD = st.sampled_from([
    "", " ", "\x00", "a\x00b", "1e400", "-1e400", "NaN", "inf", "-0", "0x1f", "1_000", "٣", "１２", "²", "①", "session:²", "9" * 5000,
    "x" * 5000, "null", "[]", "{}", "true", "%00", "%", "_", "\\", "../../etc/passwd", "<script>alert(1)</script>",
    "' OR 1=1 --", "\u202e", "😀", "\r\n", "\ufeff", "2026-02-30", "24:61", "session:", "session:-1",
    f"session:{10**30}", "a" * 41, "@", "a@b", "x@example.org",
])
VALUES = st.one_of(TEXT, NUMBERS.map(str), ODD)
QUERY_NAMES = ["q", "page", "part", "last", "next", "find", "code", "event", "state", "list", "desk", "token"]
JSON_SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.floats(allow_nan=False, allow_infinity=False), TEXT,
                         ODD)
CONTENT_TYPES = [
    "text/plain", "application/xml", "application/octet-stream", "image/png", "multipart/form-data",
    "multipart/form-data; boundary=", "multipart/mixed; boundary=x", "application/x-www-form-urlencoded; charset=utf-16",
    "application/json; charset=latin-1", "application/merge-patch+json", "garbage", ";;;", "",
]
MALFORMED_JSON = [b"", b"{", b"{bad", b"[1,", b'{"a": }', b"\xff\xfe", b"NaN", b'{"a": NaN}', b"\x00", b"nul",
                  b'{"code": "\\ud800"}', b'"\\u0000"', b"[" * 5000, b'{"a": 1}{"b": 2}', b"\xef\xbb\xbf{}"]


NONCES = st.from_regex(r"[A-Za-z0-9_.:-]{8,64}", fullmatch=True)


def values_for(name: str, good: dict[str, list[str]]) -> st.SearchStrategy[str]:
    """Anything, or (as often) a value that gets past the field's first check: a real badge token, a
    well-formed nonce, a real registration id, so that requests reach what lies behind it."""
    known = good.get(name)
    if name == "nonce":
        return st.one_of(VALUES, NONCES)
    return st.one_of(VALUES, st.sampled_from(known)) if known else VALUES


def names(known: list[str]) -> st.SearchStrategy[str]:
    """Field names: mostly the form's own, sometimes any text."""
    if not known:
        return st.one_of(st.sampled_from(QUERY_NAMES), TEXT)
    return st.one_of(st.sampled_from(known), st.sampled_from(known), st.sampled_from(known), TEXT)


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy:
    return st.recursive(JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                              st.dictionaries(keys, inner, max_size=5)), max_leaves=12)


def _as_json(text: str):
    return int(text) if text.isascii() and text.isdigit() and len(text) < 100 else text


def json_objects(fields: list[str], good: dict[str, list[str]]) -> st.SearchStrategy[dict]:
    """An object with some of the route's own fields, each anything or a value that passes its first check."""
    return st.fixed_dictionaries({}, optional={
        name: st.one_of(JSON_SCALARS, values_for(name, good).map(_as_json), values_for(name, good).map(_as_json))
        for name in fields})


# --- bodies ----------------------------------------------------------------------------------

def _encoded(pairs) -> bytes:
    return urllib.parse.urlencode(pairs).encode()


def _multipart(parts) -> tuple[str, bytes]:
    """Parts as (name or None, filename or None, value): a part may have no name (issue 12)."""
    boundary = "fuzzfuzzfuzz"
    chunks = []
    for name, filename, value in parts:
        disposition = "form-data"
        if name is not None:
            disposition += f'; name="{_quoted(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quoted(filename)}"'
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value.encode() + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks) + f"--{boundary}--\r\n".encode()


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


@dataclasses.dataclass
class Body:
    """A request body: a form's fields (`pairs`), multipart `parts`, or raw `data` of a content type."""

    content_type: str | None = None
    data: bytes = b""
    pairs: list | None = None
    parts: list | None = None

    def encode(self, csrf_token: str | None) -> tuple[str | None, bytes]:
        """The Content-Type and bytes, with the CSRF token in the form's token fields when one is given."""
        if self.pairs is None and self.parts is None:
            return self.content_type, self.data
        if self.pairs is not None:
            return "application/x-www-form-urlencoded", _encoded(_with_token(self.pairs, csrf_token))
        parts = [(name, None, value) for name, value in _with_token([], csrf_token)] + self.parts
        return _multipart(parts)


def _with_token(pairs: list, token: str | None) -> list:
    if token is None:
        return pairs
    pairs = [(name, token if name.endswith("csrf_token") else value) for name, value in pairs]
    return pairs if any(name.endswith("csrf_token") for name, _ in pairs) else [("csrf_token", token), *pairs]


def bodies(field_names: list[str], good: dict[str, list[str]]) -> st.SearchStrategy[Body]:
    keys = names(field_names)
    pair = keys.flatmap(lambda name: st.tuples(st.just(name), values_for(name, good)))
    form = st.lists(pair, max_size=8).map(lambda pairs: Body(pairs=pairs))
    multipart = st.lists(st.tuples(st.one_of(keys, keys, st.none()), st.one_of(st.none(), st.none(), TEXT), VALUES),
                         max_size=6).map(lambda parts: Body(parts=parts))
    good_json = st.one_of(json_values(keys), json_objects(field_names, good)).map(
        lambda value: Body("application/json", json.dumps(value).encode()))
    bad_json = st.one_of(st.sampled_from(MALFORMED_JSON), st.binary(max_size=40)).map(
        lambda data: Body("application/json", data))
    other = st.tuples(st.sampled_from(CONTENT_TYPES), st.one_of(st.binary(max_size=60), TEXT.map(str.encode))).map(
        lambda t: Body(t[0], t[1]))
    return st.one_of(form, form, multipart, good_json, good_json, bad_json, other, st.just(Body()))


def query_strings(extra_names: list[str], good: dict[str, list[str]]) -> st.SearchStrategy[str]:
    pair = names(QUERY_NAMES + extra_names).flatmap(lambda name: st.tuples(st.just(name), values_for(name, good)))
    pairs = st.lists(pair, max_size=4).map(urllib.parse.urlencode)
    raw = st.sampled_from(["%zz", "&&&", "=", "a=%ff%fe", "q=%00", "page=-1", "page=99999999999999999999", "last=0",
                           "last=51", "last=" + "9" * 400, "q=a&q=b&q=c", "next=//evil.example", "next=javascript:x"])
    return st.one_of(st.just(""), pairs, pairs, raw)


# --- sending and judging ---------------------------------------------------------------------

@dataclasses.dataclass
class Tally:
    """Inputs sent and server errors seen, per database, for the run's summary."""

    sent: dict[str, int] = dataclasses.field(default_factory=dict)
    server_errors: dict[str, int] = dataclasses.field(default_factory=dict)

    def count(self, backend: str, status: int) -> None:
        self.sent[backend] = self.sent.get(backend, 0) + 1
        if status >= 500:
            self.server_errors[backend] = self.server_errors.get(backend, 0) + 1

    def lines(self) -> list[str]:
        return [f"fuzz ({backend}): {sent} inputs sent, {self.server_errors.get(backend, 0)} answered 5xx"
                for backend, sent in sorted(self.sent.items())]


TALLY = Tally()


class Exceptions:
    """The exception behind a server error, from Flask's got_request_exception (the app handles it:
    PROPAGATE_EXCEPTIONS is off, as in production), so a failure shows its traceback."""

    def __init__(self, app):
        self.last: BaseException | None = None
        got_request_exception.connect(self._record, app, weak=False)

    def _record(self, sender, exception, **extra):
        self.last = exception

    def take(self) -> str:
        error, self.last = self.last, None
        return "".join(traceback.format_exception(error)) if error else "(no exception recorded)"


def judge(backend: str, exceptions: Exceptions, response, described: str) -> None:
    """Never a server error, and always a request id (Flask's response, or schemathesis' own)."""
    TALLY.count(backend, response.status_code)
    if response.status_code >= 500:
        raise AssertionError(f"{response.status_code} for {described}\n{exceptions.take()}")
    exceptions.last = None
    headers = response.headers
    request_id = headers.get("X-Request-ID") if hasattr(headers, "getlist") else headers.get("x-request-id")
    assert request_id, f"no X-Request-ID on the {response.status_code} for {described}"
