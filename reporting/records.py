"""What is sent for a claim, until when, and how long to wait between tries. No Flask, no database."""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from events.uan import parse_uan

# ACPE: credit must reach CPE Monitor within 60 days of the date of participation;
# PARS reporting follows the same limit here.
REPORTING_DAYS = 60
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600
PARS_CREDIT_TYPE = "AMA PRA Category 1 Credit"

HONORIFICS = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "mx", "mx.", "prof", "prof.", "professor"}
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
CREDENTIALS = {"md", "do", "phd", "pharmd", "rph", "cpht", "np", "pa", "pa-c", "rn", "mbbs", "mph", "facp", "bcps"}
PARTICLES = {"van", "von", "de", "da", "del", "della", "der", "di", "du", "la", "le", "st.", "bin", "al", "dos"}


@dataclass(frozen=True)
class Record:
    """One claim as its receiver gets it: `fields` is the body sent (never credentials)."""

    claim_id: int
    target: str  # "cpe_monitor" or "pars"
    idempotency_key: str
    fields: dict = field(default_factory=dict)


def idempotency_key(claim_id: int, target: str, submission: int) -> str:
    """Stable for a claim and target; a resubmission after a fix is a new request, so a new key."""
    return f"claimdesk-{target}-{claim_id}-{submission}"


def reporting_deadline(participation_date: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first moment too late to report: the end of the 60th day after participation, in the event's zone."""
    last_day = participation_date + dt.timedelta(days=REPORTING_DAYS)
    after = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    return after.astimezone(dt.timezone.utc)


def backoff_delay(attempts: int, rng=random.random, base: float = BACKOFF_BASE_SECONDS,
                  cap: float = BACKOFF_CAP_SECONDS) -> dt.timedelta:
    """Exponential backoff with full jitter: a random wait up to base·2^(attempts−1), at most `cap`."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=rng() * ceiling)


def next_attempt(now: dt.datetime, attempts: int, deadline: dt.datetime, rng=random.random) -> dt.datetime | None:
    """When to try again after `attempts` temporary failures; None when that would be past the deadline."""
    moment = now + backoff_delay(attempts, rng)
    return moment if moment < deadline else None


def split_name(full: str) -> tuple[str, str]:
    """A stored full name as (first, last) for PARS: "Dr. Maya Chen, MD" → ("Maya", "Chen"); "Chen, Maya" too."""
    text = " ".join(full.split())
    if "," in text:
        before, after = (part.strip() for part in text.split(",", 1))
        after_words = after.replace(",", " ").split()
        if after_words and all(w.lower().strip(".") in CREDENTIALS | {s.strip(".") for s in NAME_SUFFIXES} for w in after_words):
            text = before
        elif before and after:
            text = f"{after} {before}"  # "Last, First"
    words = text.split()
    while len(words) > 1 and words[0].lower() in HONORIFICS:
        words = words[1:]
    while len(words) > 1 and (words[-1].lower() in NAME_SUFFIXES or words[-1].lower().strip(".") in CREDENTIALS):
        words = words[:-1]
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], words[0]
    last_start = len(words) - 1
    while last_start > 1 and words[last_start - 1].lower() in PARTICLES:
        last_start -= 1
    return " ".join(words[:last_start]), " ".join(words[last_start:])


def pars_credits(quarter_hours: int) -> Decimal:
    """AMA PRA Category 1 credits, in 0.25 steps: 6 quarter hours → 1.50."""
    return (Decimal(quarter_hours) / 4).quantize(Decimal("0.01"))


def cpe_monitor_fields(*, uan: str, eprofile_id: str, birth_mmdd: str, participation_date: dt.date) -> dict:
    """CPE Monitor's fields for one claim; the provider number is the UAN's first part."""
    return {
        "providerNumber": parse_uan(uan).provider,
        "eProfileId": eprofile_id,
        "birthMMDD": birth_mmdd,
        "uan": uan,
        "participationDate": participation_date.isoformat(),
        "action": "add",
    }


def pars_fields(*, activity_id: str, learner_name: str, npi: str | None, state_licence: str | None, birth_mmdd: str,
                quarter_hours: int, completion_date: dt.date) -> dict:
    first, last = split_name(learner_name)
    fields = {
        "activityId": activity_id,
        "firstName": first,
        "lastName": last,
        "birthMonth": int(birth_mmdd[:2]),
        "birthDay": int(birth_mmdd[2:]),
        "creditType": PARS_CREDIT_TYPE,
        "credits": str(pars_credits(quarter_hours)),
        "completionDate": completion_date.isoformat(),
    }
    if npi:
        fields["npi"] = npi
    else:
        fields["stateLicense"] = state_licence or ""
    return fields


# What the receivers say, mapped to what the attendee can do about it.
FIXABLE = {
    "unknown_eprofile_id": "CPE Monitor did not recognise your NABP e-Profile ID. Check it in your profile (7 digits, "
                           "as shown in your NABP account).",
    "birth_date_mismatch": "Your birth month and day do not match what NABP has for your e-Profile ID. Check them in "
                           "your profile.",
    "unknown_npi": "ACCME PARS did not recognise your NPI. Check it in your profile.",
    "learner_mismatch": "ACCME PARS could not match your name, NPI or birth date. Check them in your profile.",
}
_ERROR_WORDS = [
    (re.compile(r"e-?profile", re.I), "unknown_eprofile_id"),
    (re.compile(r"birth", re.I), "birth_date_mismatch"),
    (re.compile(r"\bNPI\b", re.I), "unknown_npi"),
]


def classify_rejection(code: str | None, message: str) -> tuple[str, bool]:
    """(reason code, fixable by the attendee) for a receiver's error; by its message when no code is given."""
    code = (code or "").strip().lower()
    if not code:
        for pattern, known in _ERROR_WORDS:
            if pattern.search(message or ""):
                code = known
                break
    code = code or "rejected"
    return code, code in FIXABLE


def redact(text: str, secrets: list[str]) -> str:
    """`text` with every secret replaced, for anything that is stored or logged."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "•••")
    return text
