"""The world of the desk tests: an event with a session, its host, its check-in
staff, registered attendees with badges, and a second event with its own staff."""
from __future__ import annotations

import dataclasses
import re
import uuid

import pytest

from core.db import db


@dataclasses.dataclass
class World:
    event: object
    session: object
    host: object
    staff: object
    people: list
    badges: dict  # name -> registration
    other_event: object
    other_staff: object
    other_badge: object


def person(email: str, name: str, **fields):
    """Someone who never logs in in the story (no password: hashing one is slow)."""
    from accounts.models import User

    user = User(email=email, name=name, **fields)
    db.session.add(user)
    db.session.flush()
    return user


def nonce() -> str:
    return uuid.uuid4().hex


def issue_device_token(host_client, event, name="Desk 2 - east entrance") -> str:
    """The host issues a token on the event's desk devices page and copies it from there."""
    page = host_client.post(f"/host/events/{event.id}/desk-devices", data={"name": name})
    assert page.status_code == 200, page.status_code
    return re.search(r'<code id="device-token">([^<]+)</code>', page.get_data(as_text=True)).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(app, now, make_user, make_event, make_session, host):
    from checkin.models import Registration
    from events.models import EventRole

    event = make_event()
    session = make_session(event=event)
    staff = make_user("dana@example.org", "Dana Desk")
    db.session.add(EventRole(event_id=event.id, user_id=staff.id, role="checkin"))
    people = [person("maya.chen@example.org", "Maya Chen", profession="pharmacist"),
              person("omar.diaz@example.org", "Omar Diaz", profession="technician"),
              person("lee.park@example.org", "Lee Park", profession="physician")]
    badges = {}
    for attendee in people:
        registration = Registration(event_id=event.id, user_id=attendee.id)
        db.session.add(registration)
        badges[attendee.name] = registration
    other_event = make_event(title="Another Meeting")
    other_staff = make_user("olga@example.org", "Olga Other")
    db.session.add(EventRole(event_id=other_event.id, user_id=other_staff.id, role="checkin"))
    other_badge = Registration(event_id=other_event.id, user_id=person("sam@example.org", "Sam Stranger").id)
    db.session.add(other_badge)
    db.session.commit()
    return World(event, session, host, staff, people, badges, other_event, other_staff, other_badge)
