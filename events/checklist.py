"""The set-up checklist on a host's event page: what is ready, what is left, and a link to each.

Each package says what it sets up for an event through `add_source` (an extension point, README
"Extension points"): events its sessions and check-in staff, evaluations the questions and
posttests, check-in the registrants and badges, codes the presenter views. The page shows them in
`order`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from core.db import db
from events.models import Event, EventRole


@dataclass(frozen=True)
class Item:
    order: int  # where it stands in the list (sessions 10, evaluations 20, ...)
    title: str  # "Evaluations"
    state: str  # "5 course questions, 3 per speaker", in the host's words
    url: str
    ready: bool = True  # False: something the host still has to do before attendees come


Source = Callable[[Event], list[Item]]
_sources: list[Source] = []


def add_source(source: Source) -> None:
    """`source(event) -> [Item]`: a package's part of the checklist."""
    if source not in _sources:
        _sources.append(source)


def items(event: Event) -> list[Item]:
    return sorted((item for source in [_own_items, *_sources] for item in source(event)), key=lambda item: item.order)


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def _own_items(event: Event) -> list[Item]:
    sessions = event.sessions
    staff = db.session.scalar(sa.select(sa.func.count()).select_from(EventRole)
                              .where(EventRole.event_id == event.id, EventRole.role == "checkin"))
    return [
        Item(10, "Sessions", plural(len(sessions), "session") if sessions else "No sessions yet: add the first.",
             url_for("events.new_session", event_id=event.id), ready=bool(sessions)),
        Item(40, "Check-in staff", plural(staff, "person", "people") if staff else "Only you, so far.",
             url_for("events.event_staff", event_id=event.id)),
    ]
