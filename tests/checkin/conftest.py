"""The world of registrations: an event, its host, attendees and check-in staff."""
from __future__ import annotations

import pytest

from core.db import db


@pytest.fixture
def event(make_event, now):
    return make_event(checkin_required=True)


@pytest.fixture
def attendee(make_user):
    return make_user("alex@example.org", "Alex Attendee", profession="pharmacist")


@pytest.fixture
def staff(make_user, event):
    """Check-in staff of the event: the desk, nothing more."""
    from events.models import EventRole

    person = make_user("dev@example.org", "Dev Desk")
    db.session.add(EventRole(event_id=event.id, user_id=person.id, role="checkin"))
    db.session.commit()
    return person


@pytest.fixture
def stranger(make_user):
    """A logged-in user who is neither host nor staff of the event (another event's host)."""
    return make_user("olga@example.org", "Olga Other", is_organiser=True)
