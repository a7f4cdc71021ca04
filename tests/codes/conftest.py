"""The world of session codes: attendees, home-study activities, a browser to look at QR codes."""
from __future__ import annotations

import datetime as dt

import pytest

@pytest.fixture
def attendee(make_user):
    return make_user("avery@example.org", "Avery Attendee", profession="pharmacist")


@pytest.fixture
def make_home_study(make_session):
    """A home-study activity: offered from yesterday for a year."""

    def make(**fields):
        fields.setdefault("title", "Opioid stewardship (on demand)")
        fields.setdefault("starts_in", dt.timedelta(days=-1))
        fields.setdefault("length", dt.timedelta(days=365))
        return make_session(
            kind="home_study", uan_pharmacist="0205-0000-26-015-H08-P", uan_technician=None, **fields
        )

    return make


@pytest.fixture
def code_of():
    from codes.setup import code_for

    return lambda session: code_for(session).code
