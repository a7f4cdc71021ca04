"""Which check-ins count as attending a session: its door always, the entrance only when the host says so."""
import pytest

from checkin.attendance import attended, attended_users, mark_attended
from checkin.models import ENTRANCE, Checkin, session_list
from core.db import db


def check_in(user, event, list_key):
    db.session.add(Checkin(event_id=event.id, list_key=list_key, user_id=user.id, method="scan"))
    db.session.commit()


@pytest.fixture
def two_sessions(event, make_session):
    import datetime as dt

    return (make_session(event=event, title="Morning"),
            make_session(event=event, title="Afternoon", starts_in=dt.timedelta(hours=3)))


def test_entrance_check_in_does_not_count_when_the_setting_is_off(event, attendee, two_sessions):
    morning, _ = two_sessions
    check_in(attendee, event, ENTRANCE)
    assert not event.entrance_counts_for_sessions
    assert not attended(attendee.id, morning)
    assert attended_users(morning) == set()


def test_entrance_check_in_counts_for_every_session_when_the_host_says_so(event, attendee, two_sessions):
    morning, afternoon = two_sessions
    event.entrance_counts_for_sessions = True
    db.session.commit()
    check_in(attendee, event, ENTRANCE)
    assert attended(attendee.id, morning) and attended(attendee.id, afternoon)
    assert attended_users(afternoon) == {attendee.id}


def test_a_check_in_at_the_session_door_counts_for_that_session_only(event, attendee, two_sessions):
    morning, afternoon = two_sessions
    check_in(attendee, event, session_list(morning.id))
    assert attended(attendee.id, morning)
    assert not attended(attendee.id, afternoon)
    assert attended_users(afternoon) == set()


def test_the_entrance_of_another_event_never_counts(event, make_event, attendee, two_sessions):
    morning, _ = two_sessions
    event.entrance_counts_for_sessions = True
    other = make_event(title="Another meeting")
    other.entrance_counts_for_sessions = True
    db.session.commit()
    check_in(attendee, other, ENTRANCE)
    assert not attended(attendee.id, morning)


def test_marking_attendance_twice_records_it_once(event, attendee, host, two_sessions):
    morning, _ = two_sessions
    assert mark_attended(attendee.id, morning, host.id) is True
    assert mark_attended(attendee.id, morning, host.id) is False
    assert db.session.query(Checkin).count() == 1


def test_the_host_sets_entrance_counts_for_sessions_on_the_event_form(client, auth, host, event):
    auth.login(host)
    page = client.get(f"/host/events/{event.id}/edit").get_data(as_text=True)
    assert "A check-in at the entrance counts for every session" in page
    client.post(f"/host/events/{event.id}/edit", data={"title": event.title, "venue": "Ballroom",
                                                        "timezone": "America/New_York", "checkin_required": "y",
                                                        "entrance_counts_for_sessions": "y"})
    db.session.refresh(event)
    assert event.entrance_counts_for_sessions is True
    client.post(f"/host/events/{event.id}/edit", data={"title": event.title, "venue": "Ballroom",
                                                        "timezone": "America/New_York", "checkin_required": "y"})
    db.session.refresh(event)
    assert event.entrance_counts_for_sessions is False


def test_a_new_event_can_say_entrance_check_in_is_enough(client, auth, host):
    from events.models import Event

    auth.login(host)
    client.post("/host/events/new", data={"title": "Winter Summit", "venue": "Hall", "timezone": "America/Chicago",
                                          "checkin_required": "y", "entrance_counts_for_sessions": "y"})
    event = db.session.query(Event).filter_by(title="Winter Summit").one()
    assert event.entrance_counts_for_sessions and event.checkin_required
