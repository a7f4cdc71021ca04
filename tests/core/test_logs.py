"""One log line per request, as text or JSON, and nothing a person typed in it."""
import json
import logging

from core.logs import json_formatter

EPROFILE, BIRTH, TOKEN = "7654321", "1231", "Zq8sKd0Lw3xYb5Vn7Tr2Pm4Hj6Gf"


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "claimdesk.request"]


def test_each_request_is_one_json_line_with_method_route_status_duration_and_id(client, auth, make_user, caplog):
    auth.login(make_user())
    caplog.clear()
    with caplog.at_level("DEBUG"):
        response = client.post(f"/profile?eprofile_id={EPROFILE}&token={TOKEN}",
                               data={"eprofile_id": EPROFILE, "birth_mmdd": BIRTH, "profession": "pharmacist"},
                               headers={"X-Request-ID": "proxy-req-12345678"})
        client.get(f"/vendor/{TOKEN}.js")
        client.get(f"/badge/{TOKEN}")
    first, vendor, unknown = (json.loads(json_formatter().format(r)) for r in request_lines(caplog))
    assert {k: first[k] for k in ("method", "path", "status", "request_id", "logger", "level")} == {
        "method": "POST", "path": "/profile", "status": response.status_code, "request_id": "proxy-req-12345678",
        "logger": "claimdesk.request", "level": "INFO"}
    assert first["duration_ms"] >= 0 and response.headers["X-Request-ID"] == "proxy-req-12345678"
    assert vendor["path"] == "/vendor/<filename>" and vendor["status"] == 404  # only numeric ids are shown
    assert unknown["path"] == "(no route)" and len(unknown["request_id"]) == 32
    everything = caplog.text + "".join(json_formatter().format(r) for r in caplog.records)
    for secret in (EPROFILE, BIRTH, TOKEN, "session="):
        assert secret not in everything


def test_numeric_ids_are_shown_and_a_junk_request_id_is_replaced(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/s/12345", headers={"X-Request-ID": "bad id; DROP TABLE"})
    (line,) = request_lines(caplog)
    assert line.path == "/s/12345" and line.status == 404
    assert line.request_id != "bad id; DROP TABLE" and len(line.request_id) == 32
