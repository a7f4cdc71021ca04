"""Host-only pages ask here: 404 when the event or session does not exist, 403 when it is not the user's."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from core.db import db
from events.models import Event, EventSession, can_manage


def managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


def managed_session(session_id: int) -> EventSession:
    session = db.get_or_404(EventSession, session_id)
    managed_event(session.event_id)
    return session
