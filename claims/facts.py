"""Everything one attendee has done for one session, in one statement.

Each package writes the part about its own tables (the event's version, the
code entered, evaluations completed, posttest attempts, check-ins, the claim);
here they are joined as one UNION ALL, built once and run with two
parameters. The event's version in the same answer says whether this
process's cached copy of the session is still current (events.catalogue).

Measured (issue 11): the journey used to read these with ~6 statements per
page, several times over; this is one.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa

from checkin.attendance import attendance_facts
from checkin.webinar import webinar_facts
from claims.models import Claim
from codes.redeem import redemption_facts
from core.db import SESSION_ID, USER_ID, db, fact_columns
from evaluations.progress import AttemptFact, attempt_facts, attempt_from_fact, completion_facts
from events.catalogue import version_facts


@dataclass(frozen=True)
class Record:
    """What is stored of one attendee and one session; `version` is None when there is no such session."""

    version: int | None = None
    entered_at: dt.datetime | None = None
    completed: frozenset[str] = frozenset()
    attempts: tuple[AttemptFact, ...] = ()
    checked_in: frozenset[str] = frozenset()
    claim_id: int | None = None
    webinar: tuple[tuple[int, int | None], ...] = ()  # per webinar report: (minimum, minutes recorded or None)

    def with_completed(self, target: str) -> "Record":
        return dataclasses.replace(self, completed=self.completed | {target})


def claim_facts() -> sa.Select:
    return sa.select(*fact_columns("claimed", number=Claim.id)).where(
        Claim.user_id == USER_ID, Claim.session_id == SESSION_ID)


@functools.cache
def _query() -> sa.CompoundSelect:
    """Built once: SQLAlchemy then finds its compiled form in its cache."""
    return sa.union_all(version_facts(), redemption_facts(), completion_facts(), attempt_facts(),
                        attendance_facts(), webinar_facts(), claim_facts())


def read(user_id: int, session_id: int) -> Record:
    version = entered_at = claim_id = None
    completed, checked_in, attempts, webinar = set(), set(), [], []
    for kind, key, number, moment in db.session.execute(_query(), {"user_id": user_id, "session_id": session_id}):
        if kind == "version":
            version = number
        elif kind == "redeemed":
            entered_at = moment
        elif kind == "completed":
            completed.add(key)
        elif kind == "attempt":
            attempts.append(attempt_from_fact(key, number))
        elif kind == "checked_in":
            checked_in.add(key)
        elif kind == "claimed":
            claim_id = number
        elif kind == "webinar":
            webinar.append((int(key), number))
    attempts.sort(key=lambda a: a.number)
    return Record(version, entered_at, frozenset(completed), tuple(attempts), frozenset(checked_in), claim_id,
                  tuple(webinar))
