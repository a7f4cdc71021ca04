"""`flask demo load`: a meeting today, loaded once."""
import sqlalchemy as sa

from accounts.models import User
from core import clock
from core.db import db
from events.models import Event, EventSession


def test_the_demo_has_an_ended_a_running_and_a_later_session_and_loads_once(runner, now):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "attendee@demo.claimdesk.test" in first.output and "claimdesk-demo" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSession)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4 + 6  # the people, six imported registrants
    states = [s.window.state(clock.now()) for s in db.session.scalars(sa.select(EventSession).order_by(EventSession.starts_at))]
    assert states == ["open", "not_open", "not_open"]
    running = db.session.scalars(sa.select(EventSession).order_by(EventSession.starts_at)).all()[1]
    assert running.starts_at <= clock.now() < running.ends_at
