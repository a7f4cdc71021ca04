"""The one place that says what time it is.

In production this is the system clock. Tests move it: in-process with
`clock.move_to(...)` (which also stops it there until moved again), and for a server in another process by writing an
offset in seconds to the file named by `CLAIMDESK_CLOCK_FILE` (never set in
production), so nothing ever sleeps to wait for time to pass.
"""
from __future__ import annotations

import datetime as dt
import os

_offset = dt.timedelta(0)
_frozen: dt.datetime | None = None
_file_cache: tuple[float, dt.timedelta] | None = None


def _file_offset() -> dt.timedelta:
    global _file_cache
    path = os.environ.get("CLAIMDESK_CLOCK_FILE")
    if not path:
        return dt.timedelta(0)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return dt.timedelta(0)
    if _file_cache is None or _file_cache[0] != mtime:
        with open(path, encoding="utf-8") as fh:
            text = fh.read().strip() or "0"
        _file_cache = (mtime, dt.timedelta(seconds=float(text)))
    return _file_cache[1]


def now() -> dt.datetime:
    """The current moment, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.timezone.utc) + _offset + _file_offset()


def move_to(moment: dt.datetime) -> None:
    """Make `now()` return `moment` until the clock is moved again."""
    global _frozen
    _frozen = moment.astimezone(dt.timezone.utc)


def move_by(delta: dt.timedelta) -> None:
    move_to(now() + delta)


def reset() -> None:
    global _offset, _frozen
    _offset, _frozen = dt.timedelta(0), None
