"""The demo's registrations: the demo attendee has a badge, and the desk has people to find."""
from __future__ import annotations

import sqlalchemy as sa

from accounts.models import User
from checkin.models import IMPORT, SELF, Registration
from core.db import db
from events.signals import demo_loaded

# Imported registrants without passwords, as after a CSV import.
REGISTRANTS = [
    ("maya.rivera@demo.claimdesk.test", "Maya Rivera", "pharmacist"),
    ("sam.okafor@demo.claimdesk.test", "Sam Okafor", "technician"),
    ("lena.fischer@demo.claimdesk.test", "Lena Fischer", "pharmacist"),
    ("omar.haddad@demo.claimdesk.test", "Omar Haddad", "physician"),
    ("grace.kim@demo.claimdesk.test", "Grace Kim", "pharmacist"),
    ("tomas.novak@demo.claimdesk.test", "Tomás Novák", "technician"),
]


@demo_loaded.connect
def register_demo_people(event, people, **_):
    """Register the demo attendee and a few imported people, once (the demo loads again and again)."""
    wanted = [(people["attendee"], SELF)]
    for email, name, profession in REGISTRANTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, profession=profession)
            db.session.add(user)
            db.session.flush()
        wanted.append((user, IMPORT))
    registered = set(db.session.scalars(sa.select(Registration.user_id).where(Registration.event_id == event.id)))
    for user, source in wanted:
        if user.id not in registered:
            db.session.add(Registration(event_id=event.id, user_id=user.id, source=source))
