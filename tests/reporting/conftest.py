"""The world of the provider's reports: a finished conference, its host, and people who must not see it."""
from __future__ import annotations

import pytest

from tests.reporting.world import build


@pytest.fixture
def world(app, now, host, make_user):
    return build(host, make_user)


@pytest.fixture
def other_host(make_user):
    return make_user("olga@example.org", "Olga Otherhost", is_organiser=True)


@pytest.fixture
def desk_staff(make_user, world, host):
    from events.setup import grant_role

    staff = make_user("desk@example.org", "Dan Desk")
    grant_role(world.event, staff.email, "checkin", host)
    return staff


@pytest.fixture
def admin(make_user):
    return make_user("ada@example.org", "Ada Admin", is_admin=True)
