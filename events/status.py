"""What the session page says about its submission window, at a given moment."""
from __future__ import annotations

import datetime as dt

from events.localtime import describe_duration, format_local, format_local_time
from events.models import EventSession


def window_status(session: EventSession, now: dt.datetime) -> dict:
    """State, words and moments for the session page and its live updates."""
    window = session.window
    zone = session.event.zone
    state = window.state(now)
    note = ""
    if state == "not_open":
        headline = f"Claims open at {format_local(window.opens_at, zone)}"
        detail = f"In {describe_duration(window.opens_at - now)}. Come back when the session ends, or keep this page open: it changes by itself."
    elif state == "open":
        headline = f"Claims are open until {format_local(window.closes_at, zone)}"
        detail = f"{describe_duration(window.closes_at - now)} left to claim credit for this session."
    else:
        headline = f"Claims closed on {format_local(window.closes_at, zone)}"
        detail = "ACPE allows no extensions: credit can no longer be claimed for this session."
    if window.opened_early:
        by = session.opened_early_by.name if session.opened_early_by else "the host"
        note = f"Opened early at {format_local_time(window.opens_at, zone)} by {by}, because the session ended early."
    change = window.next_change(now)
    return {
        "session_id": session.id,
        "state": state,
        "headline": headline,
        "detail": detail,
        "note": note,
        "opens_at": window.opens_at.isoformat(),
        "closes_at": window.closes_at.isoformat(),
        "next_change_at": change.isoformat() if change else None,
        "server_now": now.isoformat(),
    }
