"""Who entered which code when: one row per attendee and session, whatever happens at once."""
import datetime as dt
import threading

import sqlalchemy as sa

from codes.models import Redemption
from codes.redeem import has_redeemed, redeem, redeemed_sessions, redemption_count
from core import clock
from core.db import db
from core.realtime import socketio
from events.models import EventSession


def test_entering_a_code_records_who_and_when(make_session, attendee, now):
    session = make_session()
    assert redeem(attendee.id, session)
    row = db.session.scalars(sa.select(Redemption)).one()
    assert (row.user_id, row.session_id, row.redeemed_at) == (attendee.id, session.id, now)
    assert has_redeemed(attendee.id, session.id)


def test_entering_the_same_code_twice_keeps_one_record_from_the_first_time(make_session, attendee, now):
    session = make_session()
    redeem(attendee.id, session)
    clock.move_by(dt.timedelta(minutes=5))
    assert not redeem(attendee.id, session)
    assert db.session.scalars(sa.select(Redemption.redeemed_at)).all() == [now]
    assert redemption_count(session.id) == 1


def test_twenty_requests_redeeming_at_once_make_one_record(app, make_session, attendee):
    session_id, user_id = make_session().id, attendee.id
    start = threading.Barrier(20)
    outcomes, failures = [], []

    def enter_code():
        try:
            with app.app_context():
                start.wait()  # before taking a connection: the pool has fewer than twenty
                session = db.session.get(EventSession, session_id)
                outcomes.append(redeem(user_id, session))
                db.session.remove()
        except Exception as error:  # reported below: a thread's exception would be lost
            failures.append(error)

    threads = [threading.Thread(target=enter_code) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(outcomes) == [False] * 19 + [True]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 1


def test_the_count_is_per_session_and_has_redeemed_is_per_attendee(make_session, attendee, make_user):
    morning, afternoon = make_session(title="Morning"), make_session(title="Afternoon")
    other = make_user("sam@example.org", "Sam Tech")
    redeem(attendee.id, morning)
    redeem(other.id, morning)
    redeem(other.id, afternoon)
    assert (redemption_count(morning.id), redemption_count(afternoon.id)) == (2, 1)
    assert not has_redeemed(attendee.id, afternoon.id)


def test_an_attendees_redemptions_come_newest_first(make_session, attendee):
    morning, afternoon = make_session(title="Morning"), make_session(title="Afternoon")
    redeem(attendee.id, morning)
    clock.move_by(dt.timedelta(hours=3))
    redeem(attendee.id, afternoon)
    assert [r.session.title for r in redeemed_sessions(attendee.id)] == ["Afternoon", "Morning"]


def test_the_presenter_view_hears_the_new_count_as_attendees_enter_the_code(
    app, client, auth, host, make_session, attendee, make_user
):
    session = make_session()
    auth.login(host)
    presenter = socketio.test_client(app, flask_test_client=client)
    assert presenter.emit("join", {"room": f"presenter:{session.id}"}, callback=True) == {"ok": True}
    presenter.get_received()

    redeem(attendee.id, session)
    redeem(make_user("sam@example.org", "Sam Tech").id, session)
    redeem(attendee.id, session)  # again: no new count

    counts = [m["args"][0] for m in presenter.get_received() if m["name"] == "count"]
    assert counts == [{"session_id": session.id, "count": 1}, {"session_id": session.id, "count": 2}]
    presenter.disconnect()
