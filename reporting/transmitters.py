"""Transmitters: one small interface, `send(records) -> outcomes`, for each way a claim reaches its receiver.

- `ServiceTransmitter`: the CPE Monitor or ACCME PARS web service over HTTPS, one request per claim, with the
  claim's idempotency key in a header so that a resent request never makes a second credit.
- `FileBatchTransmitter`: the same records written as JSON and CSV batch files, for providers who upload by hand.

Credentials travel in headers only (HTTP basic auth or a bearer token), never in a URL, and never appear in what is
stored or logged: request summaries name the endpoint and the key, not the body or the headers.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from reporting.records import Record, classify_rejection, redact

log = logging.getLogger(__name__)
# httpx logs every request at INFO: one line per claim is noise (the attempts table has them).
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Outcome:
    """What came back for one record: accepted, rejected (with a reason code, fixable or not) or temporary."""

    kind: str  # "accepted", "rejected" or "temporary"
    reason_code: str = ""
    message: str = ""
    fixable: bool = False
    note: str = ""
    summary: str = ""  # the request, without body or credentials
    duration_ms: int = 0

    @classmethod
    def accepted(cls, note: str = "", **kw) -> "Outcome":
        return cls("accepted", note=note, **kw)

    @classmethod
    def rejected(cls, reason_code: str, message: str, fixable: bool, **kw) -> "Outcome":
        return cls("rejected", reason_code=reason_code, message=message, fixable=fixable, **kw)

    @classmethod
    def temporary(cls, error: str, **kw) -> "Outcome":
        return cls("temporary", message=error, **kw)


class ServiceTransmitter:
    """A receiver's web service: POST one JSON record per claim.

    The answer modelled on ACPE's CPE Monitor web service: `{"status": "accepted"}`, or
    `{"status": "error", "errorCode": "...", "message": "..."}`. A timeout, a refused connection, HTTP 5xx, 429 or a
    refused login (401/403: fixed in configuration, not by the attendee) is temporary; other errors are rejections.
    """

    method = "service"

    def __init__(self, target: str, url: str, *, user: str = "", password: str = "", token: str = "",
                 connect_timeout: float = 5.0, read_timeout: float = 20.0, concurrency: int = 1):
        if not url:
            raise ValueError(f"no URL configured for {target}")
        self.target = target
        self.url = url
        self.concurrency = max(1, concurrency)
        self._secrets = [password, token]
        auth = httpx.BasicAuth(user, password) if user else None
        headers = {"Authorization": f"Bearer {token}"} if token and not user else {}
        # Headers and body go out as separate writes: without TCP_NODELAY each request can wait on a delayed ACK.
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
                                        limits=httpx.Limits(max_connections=self.concurrency))
        self._client = httpx.Client(
            auth=auth, headers=headers, follow_redirects=False, transport=transport,
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout),
        )

    def close(self) -> None:
        self._client.close()

    def send(self, records: list[Record]) -> list[Outcome]:
        """One request per record, up to `concurrency` at a time; outcomes in the records' order."""
        if self.concurrency == 1 or len(records) == 1:
            return [self._send_one(record) for record in records]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(self._send_one, records))

    def _send_one(self, record: Record) -> Outcome:
        summary = f"POST {self.url} key={record.idempotency_key}"
        started = time.monotonic()
        try:
            response = self._client.post(self.url, json=record.fields, headers={"Idempotency-Key": record.idempotency_key})
        except httpx.TimeoutException as error:
            return Outcome.temporary(f"timed out ({type(error).__name__})", summary=summary, duration_ms=_ms(started))
        except httpx.HTTPError as error:
            reason = redact(str(error) or type(error).__name__, self._secrets)
            return Outcome.temporary(f"could not connect: {reason}", summary=summary, duration_ms=_ms(started))
        took = _ms(started)
        status = response.status_code
        summary = f"{summary} → HTTP {status}"
        if status >= 500 or status == 429:
            return Outcome.temporary(f"HTTP {status} from {self.target}", summary=summary, duration_ms=took)
        if status in (401, 403):
            return Outcome.temporary(f"HTTP {status}: the {self.target} credentials were refused; check the configuration",
                                     summary=summary, duration_ms=took)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            if 200 <= status < 300:
                return Outcome.temporary(f"HTTP {status} with an unreadable answer", summary=summary, duration_ms=took)
            return Outcome.rejected("http_error", f"HTTP {status}: {response.text[:200]}", False, summary=summary,
                                    duration_ms=took)
        verdict = str(answer.get("status", "")).lower()
        if 200 <= status < 300 and verdict in ("accepted", "duplicate"):
            note = "already recorded under this key" if verdict == "duplicate" else ""
            return Outcome.accepted(note, summary=summary, duration_ms=took)
        message = str(answer.get("message") or answer.get("error") or f"HTTP {status}")[:500]
        code, fixable = classify_rejection(answer.get("errorCode"), message)
        return Outcome.rejected(code, message, fixable, summary=summary, duration_ms=took)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class FileBatchTransmitter:
    """Writes the records as one batch: `<target>-<UTC time>-<id>.json` and `.csv` in `folder`.

    Written files count as "accepted" for the outbox (the record is out of our hands and into the provider's), with a
    note naming the file; pages say "sent to the provider for reporting", not "reported". Each row carries its
    idempotency key, so a batch re-written after a crash can be deduplicated by whoever uploads it.
    """

    method = "file"

    def __init__(self, target: str, folder: str | os.PathLike, now: dt.datetime):
        self.target = target
        self.folder = Path(folder)
        self.now = now

    def close(self) -> None:
        pass

    def send(self, records: list[Record]) -> list[Outcome]:
        if not records:
            return []
        started = time.monotonic()
        stem = f"{self.target}-{self.now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
        rows = [{"idempotencyKey": r.idempotency_key, "claimId": r.claim_id, **r.fields} for r in records]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder / f"{stem}.json", lambda fh: json.dump(
                {"target": self.target, "createdAt": self.now.isoformat(), "records": rows}, fh, indent=1))
            columns = list(dict.fromkeys(key for row in rows for key in row))
            def write_csv(fh):
                writer = csv.DictWriter(fh, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
            _write_atomically(self.folder / f"{stem}.csv", write_csv)
        except OSError as error:
            log.warning("could not write a %s batch file: %s", self.target, type(error).__name__)
            return [Outcome.temporary(f"could not write the batch file: {error.strerror or error}",
                                      summary=f"write {stem}") for _ in records]
        took = _ms(started)
        return [Outcome.accepted(f"written to batch file {stem}.csv", summary=f"write {stem}.json/.csv",
                                 duration_ms=took) for _ in records]


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file, readable by this user only: batches hold e-Profile IDs and birth dates."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as fh:
        os.fchmod(fh.fileno(), 0o600)  # also when the file was left by an earlier attempt with other bits
        write(fh)
    os.replace(tmp, path)


def method_for(config, event_id: int) -> str:
    """"service" or "file" for this event: REPORTING_EVENT_METHODS[event id], else REPORTING_METHOD."""
    per_event = config.get("REPORTING_EVENT_METHODS") or {}
    method = per_event.get(str(event_id)) or per_event.get(event_id) or config.get("REPORTING_METHOD") or "file"
    return method if method in ("service", "file") else "file"


def transmitter_for(config, target: str, method: str, now: dt.datetime):
    if method == "file":
        return FileBatchTransmitter(target, config["REPORTING_BATCH_DIR"], now)
    prefix = "CPE_MONITOR" if target == "cpe_monitor" else "PARS"
    return ServiceTransmitter(
        target, config.get(f"{prefix}_URL") or "", user=config.get(f"{prefix}_USER") or "",
        password=config.get(f"{prefix}_PASSWORD") or "", token=config.get(f"{prefix}_TOKEN") or "",
        connect_timeout=float(config["REPORTING_CONNECT_TIMEOUT"]), read_timeout=float(config["REPORTING_READ_TIMEOUT"]),
        concurrency=int(config.get("REPORTING_CONCURRENCY") or 1),
    )
