"""My Training: every session with a code entered, its steps and its deadline."""
import datetime as dt
import html

from checkin.models import Checkin
from core import clock
from core.db import db
from core.realtime import socketio


def words(response):
    return html.unescape(response.get_data(as_text=True))


def test_my_training_lists_sessions_newest_first_with_steps_and_the_last_moment(client, auth, attendee, make_session, entered, make_event):
    first = make_session(title="First session", starts_in=dt.timedelta(minutes=-90))
    second = make_session(title="Second session", starts_in=dt.timedelta(minutes=-61), event=make_event(title="Other meeting"))
    auth.login(attendee)
    entered(client, first)
    clock.move_by(dt.timedelta(minutes=5))
    entered(client, second)
    page = words(client.get("/training"))
    listing = page[page.index('<div id="training">'):]
    assert listing.index("Second session") < listing.index("First session")
    assert "Incomplete" in page
    assert "Closes in 59 days 22 hours — Wed 20 Jan 2027, 12:59 PM EST" in page
    assert "Fill the course evaluation." in page


def test_a_completed_session_shows_as_complete_with_its_certificate(client, auth, attendee, make_session, entered, evaluated):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    entered(client, session)
    evaluated(attendee, session)
    client.post(f"/training/{session.id}/claim", data={"profession": "pharmacist", "eprofile_id": "1234567", "birth_mmdd": "0207"})
    page = words(client.get("/training"))
    assert "Complete" in page and "certificate of attendance" in page


def test_when_check_in_is_required_the_step_says_to_check_in_until_the_host_marks_it(client, auth, attendee, host, make_event, make_session, entered, evaluated, logged_in):
    session = make_session(event=make_event(checkin_required=True), starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    entered(client, session)
    evaluated(attendee, session)
    page = words(client.get(f"/training/{session.id}"))
    assert "Check in at the registration desk: this event requires it for credit." in page
    page = words(client.post(f"/training/{session.id}/claim", data={"profession": "pharmacist", "eprofile_id": "1234567", "birth_mmdd": "0207"}))
    assert "Finish these steps first. Check in at the registration desk" in page
    host_client = logged_in(host)
    assert "Pat Pharmacist" in words(host_client.get(f"/host/sessions/{session.id}/attendees"))
    host_client.post(f"/host/sessions/{session.id}/attendees/{attendee.id}/attended")
    assert db.session.query(Checkin).count() == 1
    client.post(f"/training/{session.id}/claim", data={"profession": "pharmacist", "eprofile_id": "1234567", "birth_mmdd": "0207"})
    assert "Credit claimed ✓" in words(client.get(f"/training/{session.id}"))


def test_only_the_event_s_host_sees_and_marks_its_attendees(client, auth, attendee, make_session, make_user, logged_in):
    session = make_session()
    other = logged_in(make_user("other@example.org", "Other Host", is_organiser=True))
    assert other.get(f"/host/sessions/{session.id}/attendees").status_code == 403
    assert other.post(f"/host/sessions/{session.id}/attendees/{attendee.id}/attended").status_code == 403
    auth.login(attendee)
    assert client.get(f"/host/sessions/{session.id}/attendees").status_code == 403


def test_a_host_marks_only_the_session_s_people_and_anyone_else_is_a_404_that_names_nobody(
        client, auth, host, attendee, make_session, make_event, make_user, entered, logged_in):
    from checkin.registration import register

    session = make_session(starts_in=dt.timedelta(minutes=-61))
    registered = make_user("rita@example.org", "Rita Registered")
    register(session.event, registered)
    elsewhere = make_user("zora@example.org", "Zora Zelenka")  # registered for another event only
    register(make_event(title="Another Meeting", owner=make_user("oh@example.org", "Other Host", is_organiser=True)),
             elsewhere)
    nobody = make_user("nina@example.org", "Nina Nowhere")  # an account that belongs to nothing
    auth.login(attendee)
    entered(client, session)
    host_client = logged_in(host)
    path = f"/host/sessions/{session.id}/attendees/{{}}/attended"
    for person in (elsewhere, nobody):
        refused = host_client.post(path.format(person.id), follow_redirects=True)
        assert refused.status_code == 404
        assert person.name not in refused.get_data(as_text=True) and person.email not in refused.get_data(as_text=True)
    missing = host_client.post(path.format(999_999))
    assert missing.status_code == 404 and missing.get_data() == refused.get_data()
    assert db.session.query(Checkin).count() == 0
    # Entered the code, or registered for the event: these are the session's people.
    for person in (attendee, registered):
        page = words(host_client.post(path.format(person.id), follow_redirects=True))
        assert f"{person.name} is marked as attended." in page
    assert {c.user_id for c in db.session.query(Checkin)} == {attendee.id, registered.id}


def test_a_step_done_on_another_device_is_pushed_to_my_open_pages(app, client, auth, attendee, make_session, entered, evaluated):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    entered(client, session)
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.emit("join", {"room": f"user:{attendee.id}"}, callback=True) == {"ok": True}
    evaluated(attendee, session)
    steps = [m["args"][0]["step"] for m in sio.get_received() if m["name"] == "step"]
    assert steps == ["course", f"speaker:{session.speakers[0].id}"]


def test_no_one_joins_another_attendee_s_room(app, client, auth, attendee, make_user):
    other = make_user("other@example.org", "Other")
    anonymous = socketio.test_client(app)
    assert anonymous.emit("join", {"room": f"user:{attendee.id}"}, callback=True) == {"ok": False}
    auth.login(attendee)
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.emit("join", {"room": f"user:{other.id}"}, callback=True) == {"ok": False}
    assert sio.emit("join", {"room": f"user:{attendee.id}"}, callback=True) == {"ok": True}
