"""A host reads what happened at the event and in each session, counted from the records."""
from __future__ import annotations

import pytest

from core.db import db
from reporting.reports import event_report, report_group, session_figures


def test_the_event_counts_registrants_without_revoked_badges_and_shows_those_apart(world):
    report = event_report(world.event)
    assert report.registrants == 4
    assert report.revoked == 1
    assert report.entrance_checkins == 3
    assert report.people_who_entered_codes == 4


def test_each_session_counts_door_checkins_codes_evaluations_and_posttest_passes(world):
    anticoag, law = session_figures(world.event)
    assert anticoag.session.id == world.anticoag.id
    assert (anticoag.door_checkins, anticoag.code_entries) == (2, 4)
    assert (anticoag.course_evaluations, anticoag.speaker_evaluations) == (3, 3)
    # Ben failed once and then passed: one person, counted once; Cal never passed.
    assert anticoag.posttests_passed == 2
    assert (law.door_checkins, law.code_entries, law.course_evaluations, law.speaker_evaluations,
            law.posttests_passed) == (1, 1, 1, 0, 0)


def test_claims_count_by_profession(world):
    anticoag, law = session_figures(world.event)
    assert anticoag.claims_by_profession == {"pharmacist": 1, "technician": 1, "physician": 1, "other": 1}
    assert anticoag.claims == 4
    assert law.claims_by_profession == {"pharmacist": 1, "technician": 0, "physician": 0, "other": 0}
    assert event_report(world.event).claims_by_profession() == {
        "pharmacist": 2, "technician": 1, "physician": 1, "other": 1}


def test_credits_reported_rejected_and_waiting_follow_the_transmission_state(world):
    anticoag, law = session_figures(world.event)
    reported = anticoag.credit("reported")
    assert (reported.claims, reported.hours_text, reported.ceus_text) == (1, "1.5 hours", "0.15 CEU")
    assert anticoag.credit("rejected").claims == 1
    assert anticoag.credit("in_progress").claims == 1
    assert anticoag.credit("not_reported").claims == 1  # "other": a certificate only
    assert law.credit("expired").claims == 1
    assert law.credit("expired").hours_text == "1 hour"
    total = event_report(world.event).credit("reported")
    assert (total.claims, total.quarter_hours) == (1, 6)


def test_every_state_the_worker_records_counts_in_its_column(world):
    from claims.models import Claim, OutboxEntry

    entry = db.session.scalar(db.select(OutboxEntry).join(Claim).where(Claim.user_id == world.people["cal"].id))
    for state, group in (("sending", "in_progress"), ("rejected", "rejected"), ("cancelled", "cancelled"),
                         ("accepted", "reported")):
        entry.state = state
        db.session.commit()
        anticoag, _ = session_figures(world.event)
        assert anticoag.credit(group).claims == (2 if group in ("reported", "rejected") else 1), state


def test_report_groups_of_transmission_states():
    assert report_group("accepted") == "reported"
    assert report_group("rejected_fixable") == report_group("rejected") == "rejected"
    assert report_group("pending") == report_group("sending") == "in_progress"
    assert report_group("expired") == "expired"
    assert report_group("cancelled") == "cancelled"
    assert report_group(None) == "not_reported"
    assert report_group("something_new") == "other"


def test_another_events_records_do_not_count(world, other_host, make_user):
    from tests.reporting.world import build

    def person(email, name, **fields):
        return make_user("x-" + email, name, **fields)

    build(other_host, person, "Another Conference")
    report = event_report(world.event)
    assert (report.registrants, report.revoked, report.entrance_checkins, report.people_who_entered_codes) == (4, 1, 3, 4)
    assert [f.claims for f in report.sessions] == [4, 1]


def test_an_event_without_sessions_has_an_empty_report(make_event):
    report = event_report(make_event())
    assert report.sessions == [] and report.registrants == 0


def test_the_host_sees_the_overview_with_each_session(world, host, logged_in):
    page = logged_in(host).get(f"/host/events/{world.event.id}/reports/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Reports: Pharmacy Update" in text
    assert "Registrations revoked" in text
    assert "Anticoagulation update" in text and "Immunization law" in text
    assert f"/host/events/{world.event.id}/reports/sessions/{world.anticoag.id}" in text
    assert "1 claim · 1.5 hours · 0.15 CEU" in text  # reported, for the whole event


def test_the_event_management_page_links_to_the_reports(world, host, logged_in):
    page = logged_in(host).get(f"/host/events/{world.event.id}")
    assert f'href="/host/events/{world.event.id}/reports/"' in page.get_data(as_text=True)


def test_an_administrator_sees_any_events_reports(world, admin, logged_in):
    client = logged_in(admin)
    assert client.get(f"/host/events/{world.event.id}/reports/").status_code == 200
    assert client.get(f"/host/events/{world.event.id}/reports/sessions/{world.law.id}").status_code == 200


@pytest.mark.parametrize("who", ["other_host", "desk_staff", "attendee"])
def test_no_one_else_sees_the_reports_or_exports(world, logged_in, request, who):
    user = world.people["ann"] if who == "attendee" else request.getfixturevalue(who)
    client = logged_in(user)
    base = f"/host/events/{world.event.id}/reports"
    for path in ("/", f"/sessions/{world.anticoag.id}", "/claims.csv", "/claims.xlsx", "/sessions.csv",
                 "/evaluations.xlsx"):
        assert client.get(base + path).status_code == 403, path


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(world, client):
    response = client.get(f"/host/events/{world.event.id}/reports/claims.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_of_another_event_or_an_unknown_event_is_not_found(world, host, other_host, logged_in, make_event,
                                                                       make_session):
    elsewhere = make_session(event=make_event(title="Elsewhere", owner=other_host))
    client = logged_in(host)
    assert client.get(f"/host/events/{world.event.id}/reports/sessions/{elsewhere.id}").status_code == 404
    assert client.get("/host/events/999999/reports/").status_code == 404
    assert client.get(f"/host/events/{world.event.id}/reports/people.csv").status_code == 404
