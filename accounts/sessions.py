"""Starting and ending sessions (issue 12).

The session is Flask's signed cookie (core.cookies), so ending one on the server means making
what it holds worthless: it carries the user's session epoch ("<id>:<epoch>", `User.get_id`), and
the user loader (app.py) accepts only the current epoch. A log-out or a new password counts the
epoch up: every cookie issued before, copies included, finds no one afterwards, on every device.
A Flask-Login "remember me" cookie (none is issued today) would carry the same id and end likewise.
The user's open pages also leave their personal live-update room (`end_live_updates`), on every
server process, so a page left open on another device stops hearing about their steps and claims.
"""
from __future__ import annotations

import logging

from flask import g, session
from flask_login import current_user, login_user, logout_user

from accounts.models import User
from core.db import db
from core.realtime import socketio


log = logging.getLogger(__name__)
_kept = {"_flashes"}  # what a log-in carries over from the anonymous session: messages, and what packages name


def keep_across_login(key: str) -> None:
    """Carry the session's `key` over a log-in (claims: the code typed before logging in, entered just after).
    It is data the visitor gave, never a credential: the CSRF secret is always new."""
    _kept.add(key)


def log_in(user: User) -> None:
    """Log `user` in on this browser with a fresh session: a new CSRF secret, nothing kept from before but messages
    and what `keep_across_login` names.

    A form's CSRF token from before the log-in is refused after it, so a token an attacker saw (or set)
    while the visitor was anonymous is no use against the logged-in person.
    """
    kept = {key: session[key] for key in _kept if key in session}
    session.clear()
    session.update(kept)
    g.pop("csrf_token", None)  # Flask-WTF keeps the request's token here as well
    login_user(user)


def end_live_updates(user_id: int) -> None:
    """Take every open page of the user out of their personal room ("user:<id>"), in every process (Socket.IO's
    close_room goes through the message queue when REDIS_URL is set); a page that reconnects must join again,
    which a stale cookie cannot. Never raises: like a push, it only keeps pages from hearing more."""
    try:
        socketio.close_room(f"user:{user_id}")
    except Exception:  # Redis down: the epoch already refuses every request and every re-join
        log.warning("could not close a user's live-update room")


def log_out_everywhere() -> None:
    """End every session of the logged-in user (this one, its copies, other devices) and log this browser out."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        user.end_sessions()
        db.session.commit()
        end_live_updates(user.id)
    logout_user()
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
