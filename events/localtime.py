"""Showing moments in an event's local time. No Flask, no database."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from events.window import from_wall_clock, local_wall_clock

# Offered first in the time-zone list: where most ACPE/ACCME events happen.
COMMON_ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
]


def zone_choices() -> list[tuple[str, str]]:
    others = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return [(z, z.replace("_", " ")) for z in COMMON_ZONES] + [(z, z.replace("_", " ")) for z in others if z not in COMMON_ZONES] + [("UTC", "UTC")]


def is_known_zone(name: str) -> bool:
    return name == "UTC" or name in available_timezones()


def format_local(moment: dt.datetime, zone: ZoneInfo) -> str:
    """'Sat 21 Nov 2026, 2:05 PM EST' in the event's zone."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{local:%a} {local.day} {local:%b %Y}, {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"


def format_local_time(moment: dt.datetime, zone: ZoneInfo) -> str:
    """'2:05 PM EST'."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"


def describe_duration(delta: dt.timedelta) -> str:
    """'2 days 3 hours', '1 hour 5 minutes', 'less than a minute'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "less than a minute"
    days, rest = divmod(seconds, 86400)
    hrs, rest = divmod(rest, 3600)
    mins = rest // 60
    parts = []
    for amount, unit in ((days, "day"), (hrs, "hour"), (mins, "minute")):
        if amount:
            parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
    return " ".join(parts[:2])


class WallClockError(ValueError):
    pass


def moment_from_local(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC moment of a local time typed by a host; refuses times skipped by a clock change."""
    moment = from_wall_clock(wall, zone)
    if local_wall_clock(moment, zone) != wall:
        raise WallClockError(
            f"{wall:%H:%M} on {wall:%d %b %Y} does not exist in {zone.key}: the clocks jump forward then."
        )
    return moment


def format_span(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """'Sat 21 Nov 2026, 2:00 PM EST to 3:30 PM EST'; the end's date only when it differs."""
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    end_text = format_local_time(end, zone) if same_day else format_local(end, zone)
    return f"{format_local(start, zone)} to {end_text}"
