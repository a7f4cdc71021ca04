"""Who is registered for an event: self-registration, registration by staff
(CSV import, walk-ins), and revoking a badge."""
from __future__ import annotations

import sqlalchemy as sa

from accounts.models import User, find_by_email
from accounts.profile import PROFESSIONS
from checkin.models import SELF, Registration
from core import audit, clock
from core.db import db
from events.models import Event


class RegistrationError(ValueError):
    """A registration that cannot be made, with the form field it concerns."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def registration_for(event: Event, user_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.user_id == user_id))


def register(event: Event, user: User, source: str = SELF) -> Registration:
    """Register `user` for `event`; registering twice gives the first registration back."""
    existing = registration_for(event, user.id)
    if existing:
        return existing
    registration = Registration(event_id=event.id, user_id=user.id, source=source)
    db.session.add(registration)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same person registered at the same moment elsewhere
        db.session.rollback()
        return registration_for(event, user.id)
    return registration


def register_person(event: Event, *, email: str, name: str, profession: str, source: str,
                    actor_id: int | None) -> tuple[Registration, bool]:
    """Register someone by email for staff (import, walk-in); an account without a
    password is made for a new email, and its owner can set one later.

    Returns the registration and whether it is new. Raises RegistrationError.
    """
    email = (email or "").strip().lower()
    name = " ".join((name or "").split())
    profession = (profession or "").strip().lower()
    if "@" not in email or "." not in email.rsplit("@", 1)[-1] or len(email) > 254 or " " in email:
        raise RegistrationError("That does not look like an email address.", "email")
    user = find_by_email(email)
    if user is None:
        if not name:
            raise RegistrationError("Give the person's name.", "name")
        if len(name) > 120:
            raise RegistrationError("The name is too long (120 characters at most).", "name")
        if profession and profession not in PROFESSIONS:
            raise RegistrationError(f"Profession must be one of: {', '.join(PROFESSIONS)}.", "profession")
        user = User(email=email, name=name, profession=profession or None)
        db.session.add(user)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # created at the same moment elsewhere
            db.session.rollback()
            user = find_by_email(email)
    existing = registration_for(event, user.id)
    if existing:
        return existing, False
    registration = Registration(event_id=event.id, user_id=user.id, source=source)
    db.session.add(registration)
    audit.record(actor_id, f"registration.{source}", f"event:{event.id}", f"user:{user.id}")
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return registration_for(event, user.id), False
    return registration, True


def revoke(registration: Registration, actor_id: int, reason: str) -> None:
    """Revoke a badge (lost, shared, cancelled): its QR code no longer checks anyone in."""
    if registration.is_revoked:
        return
    registration.revoked_at = clock.now()
    registration.revoked_by_id = actor_id
    registration.revoke_reason = (reason or "").strip()[:200]
    audit.record(actor_id, "registration.revoked", f"event:{registration.event_id}", f"registration:{registration.id}")
    db.session.commit()
