"""`flask demo load`: a meeting today to click through, loaded once."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask.cli import AppGroup

from accounts.models import User, find_by_email
from core import clock
from core.db import db
from events.models import Event, EventRole, EventSession, Speaker
from events.signals import demo_loaded, session_created

demo_cli = AppGroup("demo", help="The demo event.")

PASSWORD = "claimdesk-demo"
PEOPLE = [
    ("admin@demo.claimdesk.test", "Ada Admin", "admin"),
    ("host@demo.claimdesk.test", "Harriet Host", "host"),
    ("desk@demo.claimdesk.test", "Dev Desk", "checkin"),
    ("attendee@demo.claimdesk.test", "Alex Attendee", "attendee"),
]


def machine_zone() -> str:
    """The IANA name of this machine's time zone, or UTC when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


def _user(email: str, name: str) -> User:
    user = find_by_email(email)
    if user is None:
        user = User(email=email, name=name)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def load_demo(now: dt.datetime) -> Event:
    """Create the demo once; on later runs move its sessions to today."""
    people = {role: _user(email, name) for email, name, role in PEOPLE}
    people["admin"].is_admin = True
    people["admin"].is_organiser = True
    people["host"].is_organiser = True
    attendee = people["attendee"]
    if attendee.profession is None:
        attendee.profession = "pharmacist"
    event = db.session.query(Event).filter_by(demo_key="demo").one_or_none()
    if event is None:
        event = Event(
            title="Pharmacy Update 2026 (demo)", venue="Grand Ballroom, Convention Center",
            timezone=machine_zone(), checkin_required=False, demo_key="demo", created_by_id=people["host"].id,
        )
        db.session.add(event)
        db.session.flush()
        db.session.add(EventRole(event_id=event.id, user_id=people["host"].id, role="host"))
        db.session.add(EventRole(event_id=event.id, user_id=people["checkin"].id, role="checkin"))
        year = f"{now.year % 100:02d}"
        plans = [
            ("Anticoagulation update", 6, f"0205-0000-{year}-101-L01-P", f"0205-0000-{year}-101-L01-T", ["Dr. Maya Chen"]),
            ("Opioid stewardship in community pharmacy", 4, f"0205-0000-{year}-102-L08-P", None, ["Dr. Sam Ortiz", "Lee Park, PharmD"]),
            ("Immunization law and practice", 4, f"0205-0000-{year}-103-L06-P", f"0205-0000-{year}-103-L06-T", ["Jordan Blake, JD"]),
        ]
        for title, quarters, p, t, speakers in plans:
            session = EventSession(title=title, kind="live", credit_quarter_hours=quarters, uan_pharmacist=p, uan_technician=t)
            session.speakers = [Speaker(name=name, position=i) for i, name in enumerate(speakers)]
            event.sessions.append(session)
    # One session already ended, one running now, one later today.
    minute = now.replace(second=0, microsecond=0)
    times = [(-150, -60), (-30, 45), (90, 150)]
    for session, (start, end) in zip(event.sessions, times):
        session.starts_at = minute + dt.timedelta(minutes=start)
        session.ends_at = minute + dt.timedelta(minutes=end)
        session.opened_early_at = None
        session.opened_early_by_id = None
        session.refresh_window()
    new_sessions = [session for session in event.sessions if session.id is None]
    db.session.flush()
    for session in new_sessions:
        session_created.send(session)
    demo_loaded.send(event, people=people)
    db.session.commit()
    return event


@demo_cli.command("load")
def load() -> None:
    """Load the demo event and people (safe to run again)."""
    event = load_demo(clock.now())
    click.echo(f"Demo event “{event.title}” in {event.timezone}.")
    click.echo(f"Demo people (password for all: {PASSWORD}):")
    for email, name, role in PEOPLE:
        click.echo(f"  {role:9} {email}")
