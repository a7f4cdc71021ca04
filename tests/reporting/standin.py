"""A stand-in for ACPE's CPE Monitor and ACCME PARS web services, for tests and the benchmark.

POST /cpe-monitor and POST /pars take one JSON record each, with an `Idempotency-Key` header and HTTP basic auth.
The stand-in checks the fields as the real services would, keeps the NABP "records" it was given (e-Profile ID →
birth MMDD), and dedupes by key: a key seen before gets the first answer again, and never a second credit.

Tests tell it what to do through POST /control (`{"nabp": {...}, "script": {"<e-Profile ID or NPI>": ["500",
"hang", "reject:<code>:<message>"]}, "activity_dates": {...}}`): a scripted identifier gets those answers, one per
request, then normal ones. GET /stats returns what it received. Run as a process: `python standin.py PORT`.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
import socket
import sys
import threading
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER, PASSWORD = "provider-0205", "s3cret-standin-password"
UAN = re.compile(r"^(JA\d{7}|\d{4})-(0000|9999)-\d{2}-\d{3}-[LH]\d{2}-[PT]$")
HANG_SECONDS = 3.0


class StandIn:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.nabp: dict[str, str] = {}  # e-Profile ID -> birth MMDD; empty: everyone is known
        self.script: dict[str, list[str]] = defaultdict(list)
        self.activity_dates: dict[str, tuple[str, str]] = {}
        self.answers: dict[str, tuple[int, dict]] = {}  # key -> first answer
        self.receipts_by_key: Counter = Counter()
        self.receipts_by_claim: Counter = Counter()
        self.credits: list[dict] = []  # one per accepted key
        self.requests: list[dict] = []  # path, headers seen (no bodies)
        self.hang = threading.Event()
        self.delay = 0.0  # seconds each answer takes (a slow service)

    # --- the services -------------------------------------------------------
    def handle(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        auth = headers.get("Authorization", "")
        with self.lock:
            self.requests.append({"path": path, "has_basic_auth": auth.startswith("Basic ")})
        if auth != "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode():
            return 401, {"status": "error", "message": "not authorised"}
        key = headers.get("Idempotency-Key", "")
        if not key:
            return 400, {"status": "error", "errorCode": "invalid_request", "message": "Idempotency-Key missing"}
        try:
            record = json.loads(body)
        except ValueError:
            return 400, {"status": "error", "errorCode": "invalid_request", "message": "not JSON"}
        with self.lock:
            self.receipts_by_key[key] += 1
            self.receipts_by_claim[key.rsplit("-", 1)[0]] += 1
            if key in self.answers:
                return self.answers[key]
            who = str(record.get("eProfileId") or record.get("npi") or record.get("stateLicense") or "")
            scripted = self.script[who].pop(0) if self.script.get(who) else ""
        if self.delay:
            self.hang.wait(self.delay)
        if scripted == "500":
            return 500, {"status": "error", "message": "internal error"}
        if scripted == "hang":
            self.hang.wait(HANG_SECONDS)
            return 503, {"status": "error", "message": "gave up"}
        if scripted.startswith("reject:"):
            _, code, message = scripted.split(":", 2)
            answer = (200, {"status": "error", "errorCode": code, "message": message})
        else:
            problem = (self._check_cpe(record) if path == "/cpe-monitor" else self._check_pars(record))
            answer = (200, {"status": "error", **problem}) if problem else (200, {"status": "accepted"})
        with self.lock:
            if key in self.answers:  # a concurrent twin got there first
                return self.answers[key]
            self.answers[key] = answer
            if answer[1]["status"] == "accepted":
                self.credits.append({"key": key, "path": path, **record})
        return answer

    def _check_cpe(self, r: dict) -> dict | None:
        if r.get("action") != "add":
            return _invalid("action must be add")
        if not re.fullmatch(r"JA\d{7}|\d{4}", str(r.get("providerNumber", ""))):
            return _invalid("provider number")
        uan = str(r.get("uan", ""))
        if not UAN.match(uan) or not uan.startswith(r["providerNumber"] + "-"):
            return _invalid("UAN does not match the provider number")
        if not re.fullmatch(r"\d{1,7}", str(r.get("eProfileId", ""))):
            return _invalid("e-Profile ID")
        mmdd = str(r.get("birthMMDD", ""))
        if not _valid_mmdd(mmdd):
            return _invalid("birth date")
        try:
            day = dt.date.fromisoformat(str(r.get("participationDate")))
        except ValueError:
            return _invalid("participation date")
        if self.nabp:
            if r["eProfileId"] not in self.nabp:
                return {"errorCode": "unknown_eprofile_id", "message": "The NABP e-Profile ID is not recognised."}
            if self.nabp[r["eProfileId"]] != mmdd:
                return {"errorCode": "birth_date_mismatch", "message": "The birth date does not match NABP's records."}
        span = self.activity_dates.get(uan)
        if span and not (span[0] <= day.isoformat() <= span[1]):
            return {"errorCode": "participation_date_outside_activity",
                    "message": "The date of participation is outside the activity's dates."}
        return None

    def _check_pars(self, r: dict) -> dict | None:
        for name in ("activityId", "firstName", "lastName"):
            if not str(r.get(name, "")).strip():
                return _invalid(name)
        if not (re.fullmatch(r"\d{10}", str(r.get("npi", ""))) or str(r.get("stateLicense", "")).strip()):
            return _invalid("NPI or state licence")
        if not (1 <= int(r.get("birthMonth", 0)) <= 12 and 1 <= int(r.get("birthDay", 0)) <= 31):
            return _invalid("birth month/day")
        try:
            credits = Decimal(str(r.get("credits")))
        except InvalidOperation:
            return _invalid("credits")
        if credits <= 0 or (credits * 4) % 1 != 0:
            return _invalid("credits must be in 0.25 steps")
        if r.get("creditType") != "AMA PRA Category 1 Credit":
            return _invalid("credit type")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(r.get("completionDate", ""))):
            return _invalid("completion date must be a date")
        return None

    # --- control ------------------------------------------------------------
    def control(self, body: dict) -> dict:
        with self.lock:
            if body.get("reset"):
                self.hang.set()
                self.reset()
            self.nabp.update(body.get("nabp", {}))
            for who, answers in body.get("script", {}).items():
                self.script[who].extend(answers)
            self.activity_dates.update({k: tuple(v) for k, v in body.get("activity_dates", {}).items()})
            self.delay = float(body.get("delay", self.delay))
        return {"ok": True}

    def stats(self) -> dict:
        with self.lock:
            return {"receipts_by_key": dict(self.receipts_by_key), "receipts_by_claim": dict(self.receipts_by_claim),
                    "credits": list(self.credits), "requests": list(self.requests)}


def _invalid(what: str) -> dict:
    return {"errorCode": "invalid_request", "message": f"Invalid field: {what}."}


def _valid_mmdd(mmdd: str) -> bool:
    if not re.fullmatch(r"\d{4}", mmdd):
        return False
    try:
        dt.date(2024, int(mmdd[:2]), int(mmdd[2:]))
    except ValueError:
        return False
    return True


def make_server(port: int = 0, host: str = "127.0.0.1") -> tuple[ThreadingHTTPServer, StandIn]:
    standin = StandIn()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def setup(self):
            super().setup()
            # Answers go out as headers then body; without this, Nagle's algorithm and the client's delayed ACK
            # hold every answer back ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _reply(self, status: int, answer: dict) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a "hang")
                self.close_connection = True

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/control":
                self._reply(200, standin.control(json.loads(body or b"{}")))
            elif self.path in ("/cpe-monitor", "/pars"):
                self._reply(*standin.handle(self.path, self.headers, body))
            else:
                self._reply(404, {"status": "error", "message": "no such endpoint"})

        def do_GET(self):
            if self.path == "/stats":
                self._reply(200, standin.stats())
            elif self.path == "/counts":
                with standin.lock:
                    self._reply(200, {"credits": len(standin.credits),
                                      "receipts": sum(standin.receipts_by_key.values()),
                                      "duplicate_credits": len(standin.credits) - len({c["key"] for c in standin.credits})})
            else:
                self._reply(404, {})

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server, standin


if __name__ == "__main__":
    server, _ = make_server(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"stand-in listening on {server.server_address[1]}", flush=True)
    server.serve_forever()
