"""Webinar attendance from Zoom's participant report: reconnections merged, short stays below the
minimum, unknown emails listed for the host to match by hand, the same file twice changes nothing."""
import datetime as dt
import html
import io

import pytest

from checkin.models import Checkin, WebinarImport, WebinarParticipant, session_list
from checkin.registration import register
from checkin.webinar import ReportRow, default_minimum, merge, read_report
from core.db import db

# As Zoom exports it: the meeting's summary, a blank line, then one row per connection.
ZOOM_REPORT = (
    "\ufeffTopic,Meeting ID,User Name,User Email,Duration (Minutes),Participants\n"
    "Anticoagulation update,812 3456 7890,Harriet Host,harriet@example.org,62,4\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room\n"
    "Alex Attendee,ALEX@example.org,11/21/2026 01:30:10 PM,11/21/2026 02:00:00 PM,30,No,Y,No\n"
    "Alex (phone),alex@example.org,11/21/2026 01:58:00 PM,11/21/2026 02:25:30 PM,28,No,Y,No\n"
    "Sam Short,sam@example.org,11/21/2026 01:30:00 PM,11/21/2026 01:50:00 PM,20,No,Y,No\n"
    "Una Unknown,una@nowhere.example,11/21/2026 01:30:00 PM,11/21/2026 02:29:00 PM,59,Yes,Y,No\n"
    "Pat Pharmacist,pat@example.org,11/21/2026 01:29:00 PM,11/21/2026 02:30:00 PM,61,No,Y,No\n"
).encode()


@pytest.fixture
def webinar(make_session, event):
    return make_session(event=event, title="Anticoagulation update", length=dt.timedelta(hours=1))


@pytest.fixture
def people(make_user, event, attendee):
    pat = make_user("pat@example.org", "Pat Pharmacist", profession="pharmacist")
    sam = make_user("sam@example.org", "Sam Short", profession="technician")
    register(event, attendee)
    return {"alex": attendee, "pat": pat, "sam": sam}


def upload(client, session, content=ZOOM_REPORT, minimum="50", name="participants_81234567890.csv"):
    return client.post(f"/host/sessions/{session.id}/webinar",
                       data={"file": (io.BytesIO(content), name), "minimum_minutes": minimum},
                       content_type="multipart/form-data", follow_redirects=True)


def attendance(session):
    return {(c.user_id, c.method) for c in db.session.query(Checkin).filter_by(list_key=session_list(session.id))}


def test_the_zoom_report_records_attendance_for_people_who_stayed_long_enough(client, auth, host, webinar, people):
    auth.login(host)
    page = upload(client, webinar).get_data(as_text=True)
    assert "The report is imported" in page
    # Alex reconnected: 13:30:10–14:00:00 and 13:58:00–14:25:30 overlap; merged that is 55 min 20 s → 56.
    assert attendance(webinar) == {(people["alex"].id, "webinar"), (people["pat"].id, "webinar")}
    assert "3 attended" not in page and "2 attended · 1 not matched · 1 below minimum" in page
    assert "20 (below minimum)" in page and "Sam Short" in page
    assert "una@nowhere.example" in page
    alex = db.session.query(WebinarParticipant).filter_by(email="alex@example.org").one()
    assert alex.minutes == 56
    checkin = db.session.query(Checkin).filter_by(user_id=people["alex"].id).one()
    assert checkin.registration_id is not None  # Alex registered; Pat did not, and still attended
    assert db.session.query(WebinarParticipant).filter_by(email="harriet@example.org").count() == 0


def test_uploading_the_same_report_again_changes_nothing(client, auth, host, webinar, people):
    auth.login(host)
    upload(client, webinar)
    before = attendance(webinar)
    page = upload(client, webinar, minimum="10").get_data(as_text=True)
    assert "This report was already imported" in page and "nothing changed" in page
    assert attendance(webinar) == before
    assert db.session.query(WebinarImport).count() == 1
    assert db.session.query(WebinarParticipant).count() == 4


def test_the_host_matches_an_unknown_email_by_hand_and_attendance_follows(client, auth, host, webinar, people,
                                                                          make_user, event):
    una = make_user("una.u@example.org", "Una Underwood")
    register(event, una)  # registered with another email than the one she joined the webinar with
    auth.login(host)
    upload(client, webinar)
    report = db.session.query(WebinarImport).one()
    participant = db.session.query(WebinarParticipant).filter_by(email="una@nowhere.example").one()
    page = client.get(f"/host/webinar-imports/{report.id}?find={participant.id}&q=un").get_data(as_text=True)
    assert "Type at least 3 letters." in page
    page = client.get(f"/host/webinar-imports/{report.id}?find={participant.id}&q=underwood").get_data(as_text=True)
    assert "Una Underwood" in page and "una.u@example.org" in page
    page = client.post(f"/host/webinar-participants/{participant.id}/match", data={"user_id": str(una.id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "their attendance is recorded" in page and "matched by hand to una.u@example.org" in page
    assert (una.id, "webinar") in attendance(webinar)
    client.post(f"/host/webinar-participants/{participant.id}/match", data={"user_id": str(una.id)})
    assert len([1 for user_id, _ in attendance(webinar) if user_id == una.id]) == 1


def test_the_host_finds_and_matches_only_the_sessions_people(client, auth, host, webinar, people, make_user,
                                                              make_event, event):
    """Registered for the event or entered the session's code: anyone else is nobody to its host."""
    from codes.redeem import redeem

    una = make_user("una.u@example.org", "Una Underwood")  # registered for another event only
    register(make_event(title="Another Meeting"), una)
    ursula = make_user("ursula@example.org", "Ursula Ulm")  # entered this session's code, not registered
    redeem(ursula.id, webinar)
    auth.login(host)
    upload(client, webinar)
    report = db.session.query(WebinarImport).one()
    participant = db.session.query(WebinarParticipant).filter_by(email="una@nowhere.example").one()
    page = client.get(f"/host/webinar-imports/{report.id}?find={participant.id}&q=underwood").get_data(as_text=True)
    assert "Una Underwood" not in page and "una.u@example.org" not in page and "No account matches" in page
    page = client.get(f"/host/webinar-imports/{report.id}?find={participant.id}&q=ulm").get_data(as_text=True)
    assert "Ursula Ulm" in page
    for user_id in (una.id, 999_999):
        page = client.post(f"/host/webinar-participants/{participant.id}/match", data={"user_id": str(user_id)},
                           follow_redirects=True).get_data(as_text=True)
        assert "Una Underwood" not in page and "That is not the account of anyone registered" in page
    assert una.id not in {user_id for user_id, _ in attendance(webinar)}
    assert db.session.get(WebinarParticipant, participant.id).user_id is None
    client.post(f"/host/webinar-participants/{participant.id}/match", data={"user_id": str(ursula.id)})
    assert (ursula.id, "webinar") in attendance(webinar)


def test_matching_a_short_stay_by_hand_records_no_attendance(client, auth, host, webinar, people, make_user, event):
    register(event, people["sam"])
    auth.login(host)
    upload(client, webinar, minimum="50")
    sam = db.session.query(WebinarParticipant).filter_by(email="sam@example.org").one()
    page = client.post(f"/host/webinar-participants/{sam.id}/match", data={"user_id": str(people["sam"].id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "below the minimum: no attendance" in page
    assert people["sam"].id not in {user_id for user_id, _ in attendance(webinar)}


def test_the_minimum_defaults_to_fifty_of_every_sixty_minutes(client, auth, host, webinar, make_session, event):
    assert default_minimum(webinar) == 50
    longer = make_session(event=event, title="Long", length=dt.timedelta(minutes=90))
    assert default_minimum(longer) == 75
    auth.login(host)
    assert 'value="50"' in client.get(f"/host/sessions/{webinar.id}/webinar").get_data(as_text=True)


def test_a_lower_minimum_counts_the_short_stay(client, auth, host, webinar, people):
    auth.login(host)
    upload(client, webinar, minimum="20")
    assert people["sam"].id in {user_id for user_id, _ in attendance(webinar)}


def test_overlapping_rows_count_once_and_rows_without_times_add_their_duration():
    at = lambda h, m: dt.datetime(2026, 11, 21, h, m)  # noqa: E731
    rows = [ReportRow(1, "A", "a@x.org", 60, at(13, 0), at(14, 0)),
            ReportRow(2, "A", "A@x.org".lower(), 30, at(13, 15), at(13, 45)),  # a second device, inside the first
            ReportRow(3, "B", "", 10, None, None), ReportRow(4, "B", "", 15, None, None)]
    people = {p.name: p.minutes for p in merge(rows)}
    assert people == {"A": 60, "B": 25}


def test_webinar_attendee_reports_and_the_one_row_export_are_read():
    webinar_report = ("Attendee Details\n"
                      "Attended,User Name (Original Name),First Name,Last Name,Email,Join Time,Leave Time,"
                      "Time in Session (minutes),Is Guest\n"
                      "Yes,Kim Lee,Kim,Lee,kim@example.org,2026-11-21 13:30:00,2026-11-21 14:30:00,60,No\n"
                      "No,Nick Noshow,Nick,Noshow,nick@example.org,--,--,--,No\n")
    assert [(r.email, r.minutes) for r in read_report(webinar_report)] == [("kim@example.org", 60)]
    one_row = ("Topic,Meeting ID,User Name,User Email,Duration (Minutes),Participants,Name (Original Name),"
               "User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
               "Update,1,Host,host@example.org,62,2,Kim Lee,kim@example.org,01/06/2026 00:00,01/06/2026 00:52,52,No\n")
    assert [(r.email, r.minutes) for r in read_report(one_row)] == [("kim@example.org", 52)]


def test_a_file_that_is_not_a_participant_report_is_refused_in_plain_words(client, auth, host, webinar):
    auth.login(host)
    page = upload(client, webinar, content=b"colour,size\nred,9\n").get_data(as_text=True)
    assert "We could not find the participants in this file" in page
    page = upload(client, webinar, content=b"").get_data(as_text=True)
    assert "The file is empty." in page
    page = upload(client, webinar, minimum="fifty").get_data(as_text=True)
    assert "Enter the minimum as a whole number of minutes" in page
    assert db.session.query(WebinarImport).count() == 0


def test_no_one_but_the_host_uploads_or_sees_reports(logged_in, client, auth, host, webinar, people, staff, stranger):
    auth.login(host)
    upload(client, webinar)
    report = db.session.query(WebinarImport).one()
    participant = db.session.query(WebinarParticipant).filter_by(email="una@nowhere.example").one()
    for person in (people["alex"], staff, stranger):
        other = logged_in(person)
        assert other.get(f"/host/sessions/{webinar.id}/webinar").status_code == 403
        assert other.get(f"/host/webinar-imports/{report.id}").status_code == 403
        assert other.post(f"/host/webinar-participants/{participant.id}/match",
                          data={"user_id": str(person.id)}).status_code == 403
        assert upload(other, webinar, content=ZOOM_REPORT + b"\n").status_code == 403
    db.session.refresh(participant)
    assert participant.user_id is None


def test_only_minutes_inside_the_scheduled_session_count():
    at = lambda h, m: dt.datetime(2026, 11, 21, h, m)  # noqa: E731
    rows = [ReportRow(1, "Early", "early@x.org", 62, at(13, 58), at(15, 0)),     # joined 2 minutes before 2:00
            ReportRow(2, "Late", "late@x.org", 30, at(14, 45), at(15, 15)),      # stayed 15 minutes after 3:00
            ReportRow(3, "Before", "before@x.org", 20, at(13, 30), at(13, 50)),  # left before it began
            ReportRow(4, "Edge", "edge@x.org", 60, at(14, 0), at(15, 0))]
    people = {p.name: p.minutes for p in merge(rows, within=(at(14, 0), at(15, 0)))}
    assert people == {"Early": 60, "Late": 15, "Before": 0, "Edge": 60}


EARLY_REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Alex Attendee,alex@example.org,11/21/2026 01:00:00 PM,11/21/2026 02:10:00 PM,70,No\n"
).encode()


def test_a_webinar_attendee_below_the_minimum_is_told_the_minutes_recorded_not_to_find_a_desk(
        client, auth, logged_in, host, webinar, people):
    from codes.setup import code_for

    code = code_for(webinar).code
    auth.login(host)
    page = upload(client, webinar, content=EARLY_REPORT).get_data(as_text=True)
    # The session runs 1:30 to 2:30 PM: Alex's 30 minutes in the room before it began do not count.
    assert "Only time inside the scheduled session counts, from Sat 21 Nov 2026, 1:30 PM EST to Sat 21 Nov 2026, 2:30 PM EST" \
        in client.get(f"/host/sessions/{webinar.id}/webinar").get_data(as_text=True)
    assert "40 (below minimum)" in page
    from core import clock
    clock.move_to(webinar.ends_at)  # claims open when the session ends
    alex = logged_in(people["alex"])
    alex.post("/live", data={"code": code})
    training = html.unescape(alex.get(f"/training/{webinar.id}").get_data(as_text=True))
    assert ("The webinar's attendance report records 40 minutes for you; credit needs at least 50. "
            "If that is wrong, ask the event's host to check the report.") in training
    assert "registration desk" not in training
    # Someone the report does not have at all is told so.
    pat = logged_in(people["pat"])
    pat.post("/live", data={"code": code})
    assert "The webinar's attendance report has no one with your account's email." in html.unescape(
        pat.get(f"/training/{webinar.id}").get_data(as_text=True))
