"""Desk devices: scanner apps and tablets that use one event's desk API with a token of their own.

A host (or an administrator) issues a token to a named desk ("Desk 2 - east
entrance") for one event. The token is 32 random bytes from `secrets`
(URL-safe, 43 characters), shown once when it is issued; only its SHA-256 is
kept, so a copy of the database opens no desk. The device sends it as
`Authorization: Bearer <token>`; its scans are logged under its name.

A request is authenticated by one indexed query on the hash (no cache), so a
revoked device is refused on its very next request by every server process.
Looking up by hash needs no constant-time comparison: the database finds the
row by the hash of what was sent, and nothing about a wrong guess depends on
how much of a real token it shared.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

import sqlalchemy as sa

from accounts.models import User
from checkin.desk import DESK_MAX
from checkin.models import DeskDevice
from core import audit, clock
from core.db import db
from events.models import Event

TOKEN_BYTES = 32
NAME_MAX = DESK_MAX  # the device's name is the desk name its scans are logged under
# How stale "last used" may get: writing it on every request would make every search a write.
LAST_USED_EVERY = dt.timedelta(minutes=1)


class DeviceError(Exception):
    """Issuing or revoking refused; `message` is plain words for the host."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


class DeviceRefused(Exception):
    """A request with a device token that may not use this event's desk: status, reason code, plain words."""

    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise DeviceError("Give the desk a name, for example “Desk 2 - east entrance”.", "name")
    if len(name) > NAME_MAX:
        raise DeviceError(f"The name is too long ({NAME_MAX} characters at most).", "name")
    return name


def issue(event: Event, name: str, actor: User) -> tuple[DeskDevice, str]:
    """A new device for `event`'s desk and its token: the only time the token exists outside the device."""
    name = check_name(name)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    device = DeskDevice(event_id=event.id, name=name, token_sha256=token_hash(token), issued_at=clock.now(),
                        issued_by_id=actor.id)
    db.session.add(device)
    db.session.flush()
    audit.record(actor.id, "desk_device.issued", f"event:{event.id}", f"device:{device.id} {name}")
    db.session.commit()
    return device, token


def revoke(device: DeskDevice, actor: User) -> None:
    """The device's token opens nothing from its next request on (every process asks the database)."""
    if device.is_revoked:
        return
    device.revoked_at = clock.now()
    device.revoked_by_id = actor.id
    audit.record(actor.id, "desk_device.revoked", f"event:{device.event_id}", f"device:{device.id} {device.name}")
    db.session.commit()


def devices_of(event: Event) -> list[DeskDevice]:
    """The event's devices, those still in use first, newest first."""
    return list(db.session.scalars(sa.select(DeskDevice).where(DeskDevice.event_id == event.id)
                                   .order_by(DeskDevice.revoked_at.is_not(None), DeskDevice.id.desc())))


def device_of(event: Event, device_id: int) -> DeskDevice | None:
    return db.session.scalar(sa.select(DeskDevice).where(DeskDevice.id == device_id, DeskDevice.event_id == event.id))


@functools.cache
def _authentication_query() -> sa.Select:
    # The device by its token's hash (unique index) and the event named in the address, in one round trip.
    return (sa.select(DeskDevice, Event).select_from(DeskDevice)
            .outerjoin(Event, Event.id == sa.bindparam("event_id"))
            .where(DeskDevice.token_sha256 == sa.bindparam("token_sha256")))


def authenticate(token: str, event_id: int) -> tuple[DeskDevice, Event]:
    """The device whose token this is and the event it may use; DeviceRefused otherwise.

    401 for a token that is unknown or revoked, then the API's own rules: 404 for an event that does
    not exist, 403 for another event's (the answer names no one and shows nothing of that event).
    """
    row = db.session.execute(_authentication_query(),
                             {"token_sha256": token_hash(token), "event_id": event_id}).first()
    if row is None:
        raise DeviceRefused(401, "unknown_device_token",
                            "This desk device's token is not known. Ask the event's host for a new one.")
    device, event = row
    if device.revoked_at is not None:
        raise DeviceRefused(401, "device_revoked",
                            "This desk device was disconnected by the event's host. Ask them for a new token.")
    if event is None:
        raise DeviceRefused(404, "not_found", "There is no such event.")
    if device.event_id != event.id:
        raise DeviceRefused(403, "forbidden", "This desk device is for another event.")
    now = clock.now()
    if device.last_used_at is None or now - device.last_used_at >= LAST_USED_EVERY:
        # Its own short transaction, at most once a minute per device.
        device.last_used_at = now
        db.session.commit()
    return device, event
