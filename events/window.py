"""The submission window of a live session. No Flask, no database.

ACPE: credit for a live activity may be claimed from the end of the session
until 60 days after it started; no extensions. The 60 days are calendar days
in the event's time zone, ending at the same local wall-clock minute.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SUBMISSION_DAYS = 60


class ScheduleError(ValueError):
    """A schedule that cannot be right, in plain words."""


@dataclass(frozen=True)
class SubmissionWindow:
    opens_at: dt.datetime  # aware, UTC
    closes_at: dt.datetime  # aware, UTC
    opened_early: bool

    def state(self, now: dt.datetime) -> str:
        """'not_open' before the opening minute, 'open' from it, 'closed' from the closing minute."""
        if now < self.opens_at:
            return "not_open"
        if now < self.closes_at:
            return "open"
        return "closed"

    def next_change(self, now: dt.datetime) -> dt.datetime | None:
        if now < self.opens_at:
            return self.opens_at
        if now < self.closes_at:
            return self.closes_at
        return None


def local_wall_clock(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive local time the event's clocks show at `moment`."""
    return moment.astimezone(zone).replace(tzinfo=None)


def from_wall_clock(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC moment when the event's clocks show `wall`.

    In the spring-forward gap a wall time does not exist; it is read with the
    offset in force before the change (02:30 becomes 03:30 summer time). In
    the autumn repeat, the first of the two moments is used.
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(dt.timezone.utc)


def check_schedule(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ScheduleError("The session must end after it starts; check the start and end times.")


def submission_window(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    zone: ZoneInfo,
    opened_early_at: dt.datetime | None = None,
) -> SubmissionWindow:
    """When claims for a live session open and close.

    Opens at the scheduled end, or earlier when a host opened it early
    because the session really ended early. Closes 60 calendar days after the
    scheduled start, at the same local minute in the event's time zone.
    """
    check_schedule(starts_at, ends_at)
    start_wall = local_wall_clock(starts_at, zone).replace(second=0, microsecond=0)
    closes_at = from_wall_clock(start_wall + dt.timedelta(days=SUBMISSION_DAYS), zone)
    opens_at = ends_at
    opened_early = opened_early_at is not None and opened_early_at < ends_at
    if opened_early:
        opens_at = opened_early_at
    return SubmissionWindow(opens_at=opens_at, closes_at=closes_at, opened_early=opened_early)
