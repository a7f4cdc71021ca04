"""Hosts set up events and sessions; administrators grant roles."""
import datetime as dt
import html

import sqlalchemy as sa

from core import clock
from core.audit import AuditEntry
from core.db import db
from events.models import Event, EventRole, EventSession

SESSION_FORM = {
    "title": "Anticoagulation update", "kind": "live",
    "starts_at": "2026-11-21T14:00", "ends_at": "2026-11-21T15:30", "credit_hours": "1.5",
    "uan_pharmacist": "0205-0000-26-014-L05-P", "uan_technician": "0205-0000-26-014-L05-T",
    "speakers": "Dr. Maya Chen, maya@example.org\nLee Park",
}


def new_event(client, **fields):
    data = {"title": "Pharmacy Update", "venue": "Ballroom", "timezone": "America/Chicago", "checkin_required": "y", **fields}
    return client.post("/host/events/new", data=data)


def test_an_organiser_creates_an_event_and_becomes_its_host(client, auth, host):
    auth.login(host)
    response = new_event(client)
    event = db.session.scalar(sa.select(Event))
    assert response.headers["Location"] == f"/host/events/{event.id}"
    assert (event.title, event.timezone, event.checkin_required) == ("Pharmacy Update", "America/Chicago", True)
    assert db.session.scalar(sa.select(EventRole.role).where(EventRole.user_id == host.id)) == "host"


def test_an_attendee_cannot_create_events(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/host/events/new").status_code == 403
    assert new_event(client).status_code == 403


def test_an_unknown_time_zone_is_refused(client, auth, host):
    auth.login(host)
    page = html.unescape(new_event(client, timezone="Mars/Olympus_Mons").get_data(as_text=True))
    assert "Choose the event's time zone from the list." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_a_host_adds_a_session_typed_in_the_event_s_local_time(client, auth, host, make_event):
    event = make_event(timezone="America/Chicago")
    auth.login(host)
    response = client.post(f"/host/events/{event.id}/sessions/new", data=SESSION_FORM)
    assert response.status_code == 302
    session = db.session.scalar(sa.select(EventSession))
    assert session.starts_at == dt.datetime(2026, 11, 21, 20, 0, tzinfo=dt.timezone.utc)  # 14:00 CST
    assert session.credit_quarter_hours == 6
    assert [(s.name, s.email) for s in session.speakers] == [("Dr. Maya Chen", "maya@example.org"), ("Lee Park", None)]
    assert session.closes_at == dt.datetime(2027, 1, 20, 20, 0, tzinfo=dt.timezone.utc)


def post_session(client, event, **changes):
    return client.post(f"/host/events/{event.id}/sessions/new", data={**SESSION_FORM, **changes}).get_data(as_text=True)


def test_end_before_start_is_refused_and_the_form_keeps_what_was_typed(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    page = post_session(client, event, starts_at="2026-11-21T15:30", ends_at="2026-11-21T14:00")
    assert "The session must end after it starts" in page
    assert 'value="2026-11-21T15:30"' in page and 'value="Anticoagulation update"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSession)) == 0


def test_an_unreadable_time_is_refused_in_plain_words_and_kept(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    page = post_session(client, event, starts_at="tomorrow at two")
    assert "Enter a date and time like 2026-11-21 14:00." in page
    assert 'value="tomorrow at two"' in page


def test_a_time_skipped_by_the_spring_change_is_refused(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    page = post_session(client, event, starts_at="2027-03-14T02:30", ends_at="2027-03-14T04:00")
    assert "does not exist in America/New_York" in page


def test_credit_hours_must_be_quarter_hours(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    assert "steps of a quarter hour" in post_session(client, event, credit_hours="1.3")


def test_a_wrong_uan_is_refused_naming_the_part(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    page = post_session(client, event, uan_pharmacist="0205-0000-26-014-L09-P", uan_technician="")
    assert "The topic designator “09” must be 01 to 08." in page
    assert 'value="0205-0000-26-014-L09-P"' in page


def test_a_home_study_uan_on_a_live_session_is_refused(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    page = post_session(client, event, uan_pharmacist="0205-0000-26-014-H05-P", uan_technician="")
    assert "its UAN needs L before the topic" in page


def test_two_uans_differing_in_more_than_the_last_letter_are_refused(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    page = post_session(client, event, uan_technician="0205-0000-26-015-L05-T")
    assert "same except for the last letter" in page


def test_a_speaker_line_with_a_bad_email_is_refused(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    assert "Line 2: “lee(at)example” does not look like an email address." in post_session(
        client, event, speakers="Dr. Maya Chen\nLee Park, lee(at)example")


def test_hosts_edit_their_own_events_only(client, auth, make_user, make_event):
    other_host = make_user("other@example.org", "Other Host", is_organiser=True)
    event = make_event()
    auth.login(other_host)
    assert client.get(f"/host/events/{event.id}").status_code == 403
    assert client.get(f"/host/events/{event.id}/edit").status_code == 403
    assert client.post(f"/host/events/{event.id}/sessions/new", data=SESSION_FORM).status_code == 403


def test_a_host_edits_a_session_and_its_window_follows(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    form = client.get(f"/host/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="2026-11-21T13:30"' in form  # shown in New York time
    client.post(f"/host/sessions/{session.id}/edit", data={**SESSION_FORM, "starts_at": "2026-11-21T15:00", "ends_at": "2026-11-21T16:00"})
    db.session.refresh(session)
    assert session.opens_at == dt.datetime(2026, 11, 21, 21, 0, tzinfo=dt.timezone.utc)


def test_another_host_cannot_edit_the_session(client, auth, make_user, make_session):
    session = make_session()
    auth.login(make_user("other@example.org", is_organiser=True))
    assert client.get(f"/host/sessions/{session.id}/edit").status_code == 403
    assert client.post(f"/host/sessions/{session.id}/open-early").status_code == 403


def test_a_host_opens_claims_early_and_it_is_recorded(client, auth, host, make_session):
    session = make_session()
    clock.move_by(dt.timedelta(minutes=20))  # ten minutes before the scheduled end
    auth.login(host)
    response = client.post(f"/host/sessions/{session.id}/open-early", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Claims are open until" in page
    assert "Opened early at 2:20 PM EST by Harriet Host, because the session ended early." in page
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.opened_early"))
    assert entry.actor_id == host.id and entry.at == clock.now()


def test_claims_cannot_be_opened_early_before_the_session_starts_or_after_its_end(client, auth, host, make_session):
    later = make_session(starts_in=dt.timedelta(hours=2))
    auth.login(host)
    page = client.post(f"/host/sessions/{later.id}/open-early", follow_redirects=True).get_data(as_text=True)
    assert "has not started yet" in page
    ended = make_session(starts_in=dt.timedelta(hours=-3))
    page = client.post(f"/host/sessions/{ended.id}/open-early", follow_redirects=True).get_data(as_text=True)
    assert "already open" in page


def test_an_admin_grants_host_and_check_in_roles_per_event(client, auth, make_user, make_event):
    admin = make_user("admin@example.org", "Ada Admin", is_admin=True)
    desk = make_user("desk@example.org", "Dev Desk")
    event = make_event()
    auth.login(admin)
    client.post(f"/admin/events/{event.id}/roles", data={"email": "desk@example.org", "role": "checkin"})
    client.post(f"/admin/events/{event.id}/roles", data={"email": "desk@example.org", "role": "checkin"})
    roles = db.session.scalars(sa.select(EventRole).where(EventRole.user_id == desk.id)).all()
    assert [r.role for r in roles] == ["checkin"]
    page = client.post(f"/admin/events/{event.id}/roles", data={"email": "nobody@example.org", "role": "host"}).get_data(as_text=True)
    assert "No account has that email" in page


def test_check_in_staff_cannot_manage_the_event(client, auth, make_user, make_event):
    desk = make_user("desk@example.org", "Dev Desk")
    event = make_event()
    db.session.add(EventRole(event_id=event.id, user_id=desk.id, role="checkin"))
    db.session.commit()
    auth.login(desk)
    assert client.get(f"/host/events/{event.id}").status_code == 403


def test_only_admins_grant_roles(client, auth, host, make_event):
    event = make_event()
    auth.login(host)
    assert client.get(f"/admin/events/{event.id}/roles").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_credentials_after_a_comma_are_part_of_the_speakers_name(client, auth, host, make_event):
    from events.setup import parse_speakers

    event = make_event()
    auth.login(host)
    post_session(client, event, speakers="Sam Reyes, PharmD\nLee Park, PharmD, BCPS, lee@example.org\nDr. Maya Chen, maya@example.org")
    session = db.session.scalars(sa.select(EventSession).where(EventSession.event_id == event.id)).one()
    assert [(s.name, s.email) for s in session.speakers] == [
        ("Sam Reyes, PharmD", None), ("Lee Park, PharmD, BCPS", "lee@example.org"), ("Dr. Maya Chen", "maya@example.org")]
    assert [(s.name, s.email) for s in parse_speakers("Ann Lu, Pharm.D.\nBo Kim, MD, PhD")] == [
        ("Ann Lu, Pharm.D.", None), ("Bo Kim, MD, PhD", None)]


def test_a_new_event_starts_in_the_zone_of_the_hosts_last_event_or_asks(client, auth, host):
    auth.login(host)
    first = client.get("/host/events/new").get_data(as_text=True)
    assert '<option value="">Choose the time zone</option>' in first and "<option selected" not in first
    assert "data-browser-zone" in first and "js/zone.js" in first
    assert "Choose the event's time zone." in html.unescape(new_event(client, timezone="").get_data(as_text=True))
    new_event(client, timezone="Europe/Berlin")
    again = client.get("/host/events/new").get_data(as_text=True)
    assert '<option selected value="Europe/Berlin">Europe/Berlin</option>' in again
    assert 'selected value="America/New_York"' not in again


def test_the_host_adds_and_removes_check_in_staff_of_their_own_event(client, auth, logged_in, host, make_user, make_event):
    desk = make_user("desk@example.org", "Dev Desk")
    event = make_event()
    auth.login(host)
    assert 'href="/host/events/%d/staff"' % event.id in client.get(f"/host/events/{event.id}").get_data(as_text=True)
    page = html.unescape(client.post(f"/host/events/{event.id}/staff", data={"email": "Desk@Example.org"},
                                     follow_redirects=True).get_data(as_text=True))
    assert "Dev Desk is check-in staff for this event." in page
    assert logged_in(desk).get(f"/desk/events/{event.id}").status_code == 200
    grant = db.session.scalar(sa.select(EventRole).where(EventRole.user_id == desk.id))
    assert grant.role == "checkin"
    refused = html.unescape(client.post(f"/host/events/{event.id}/staff", data={"email": "nobody@example.org"}).get_data(as_text=True))
    assert "No account has that email. Ask the person to register first." in refused and 'value="nobody@example.org"' in refused
    page = html.unescape(client.post(f"/host/events/{event.id}/staff/{grant.id}/remove", follow_redirects=True).get_data(as_text=True))
    assert "Dev Desk is no longer check-in staff for this event." in page
    assert logged_in(desk).get(f"/desk/events/{event.id}").status_code == 403
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor_id == host.id)).all()
    assert "role.granted.checkin" in actions and "role.revoked.checkin" in actions


def test_a_host_manages_staff_of_their_own_event_only(client, auth, logged_in, host, make_user, make_event):
    other_host = make_user("olga@example.org", "Olga Otherhost", is_organiser=True)
    desk = make_user("desk@example.org", "Dev Desk")
    mine, theirs = make_event(), make_event(title="Their event")
    theirs_grant = EventRole(event_id=theirs.id, user_id=desk.id, role="checkin")
    host_grant = db.session.scalar(sa.select(EventRole).where(EventRole.event_id == mine.id, EventRole.role == "host"))
    db.session.add(theirs_grant)
    db.session.commit()
    auth.login(other_host)
    assert client.get(f"/host/events/{mine.id}/staff").status_code == 403
    assert client.post(f"/host/events/{mine.id}/staff", data={"email": "desk@example.org"}).status_code == 403
    mine_client = logged_in(host)
    # Another event's grant through my event's address, or my own host role: not found, nothing removed.
    assert mine_client.post(f"/host/events/{mine.id}/staff/{theirs_grant.id}/remove").status_code == 404
    assert mine_client.post(f"/host/events/{mine.id}/staff/{host_grant.id}/remove").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventRole)) == 3
    assert "Dev Desk" not in mine_client.get(f"/host/events/{mine.id}/staff").get_data(as_text=True)


def test_the_event_page_lists_what_is_set_up_and_what_is_left_each_with_a_link(client, auth, host, make_user, make_event,
                                                                                make_session):
    from evaluations.posttest import QuestionDraft, add_posttest_question

    event = make_event()
    auth.login(host)
    empty = html.unescape(client.get(f"/host/events/{event.id}").get_data(as_text=True))
    assert "No sessions yet: add the first." in empty and f'href="/host/events/{event.id}/sessions/new"' in empty

    tested = make_session(event=event, title="Anticoagulation update")
    make_session(event=event, title="Immunization law", starts_in=dt.timedelta(hours=2))
    add_posttest_question(tested, QuestionDraft("Which drug needs INR checks?", ["Warfarin", "Apixaban"], 0), host.id)
    desk = make_user("desk@example.org", "Dev Desk")
    client.post(f"/host/events/{event.id}/staff", data={"email": desk.email})
    page = html.unescape(client.get(f"/host/events/{event.id}").get_data(as_text=True))
    checklist = page[page.index('<ul class="checklist">'):page.index("</ul>", page.index('<ul class="checklist">'))]
    titles = [line.split(">")[1].split("<")[0] for line in checklist.split('<a href="')[1:]]
    assert titles == ["Sessions", "Evaluations", "Posttests", "Check-in staff", "Registrants and badges", "Presenter views"]
    assert "2 sessions" in checklist
    assert "1 of 2 sessions has one; 1 without a posttest: Immunization law" in checklist
    immunization = db.session.scalar(sa.select(EventSession.id).where(EventSession.title == "Immunization law"))
    assert f'href="/host/sessions/{immunization}/posttest"' in checklist
    assert f'href="/host/events/{event.id}/evaluations"' in checklist
    assert "1 person" in checklist and "No one registered yet" in checklist
    assert "0 of 2 codes shown; next: Anticoagulation update, at its end" in checklist
