"""The administrator's transmissions page: by state, by event, with attempts; retry now and cancel, audit-logged."""
import datetime as dt
import html
import re

import sqlalchemy as sa

from core import clock
from core.audit import AuditEntry
from core.db import db
from tests.reporting.test_transmission import run_worker


def words(response):
    """The page's text as a reader sees it: no tags, single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_the_admin_sees_transmissions_by_state_with_their_attempts_and_errors(
        app, now, to_standin, standin, attendees, ended_session, claimed, make_user, logged_in, make_event, make_session):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    fine, failing = attendees(2)
    standin.tell(script={failing.eprofile_id: ["500"]})
    claimed(fine, ended_session), claimed(failing, ended_session)
    other = make_session(event=make_event(title="Other meeting"), starts_in=dt.timedelta(minutes=-90))
    third = make_user("third@example.org", "Third Pharmacist", profession="pharmacist", eprofile_id="5555555", birth_mmdd="0101")
    claimed(third, other)
    run_worker(app)

    page = words(logged_in(admin).get("/admin/reporting"))
    assert "accepted: 2" in page and "waiting to be sent: 1" in page and "rejected: 0" in page
    assert "Last error: HTTP 500 from cpe_monitor" in page
    assert "temporary · POST " in page and "/cpe-monitor key=claimdesk-cpe_monitor-" in page
    by_event = words(logged_in(admin).get(f"/admin/reporting?event={other.event_id}"))
    assert "Third Pharmacist" in by_event and failing.name not in by_event and "accepted: 1" in by_event
    by_state = words(logged_in(admin).get("/admin/reporting?state=pending"))
    assert failing.name in by_state and fine.name not in by_state
    # Junk filters are ignored, not a server error.
    assert logged_in(admin).get("/admin/reporting?event=abc&state=nonsense").status_code == 200


def test_retry_now_makes_a_waiting_transmission_due_at_once_and_is_audit_logged(
        app, now, to_standin, standin, attendees, ended_session, claimed, entry_of, make_user, logged_in):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    (pharmacist,) = attendees(1)
    standin.tell(script={pharmacist.eprofile_id: ["500"]})
    claim = claimed(pharmacist, ended_session)
    run_worker(app)
    waiting = entry_of(claim)
    assert waiting.state == "pending"
    clock.move_to(now + dt.timedelta(seconds=1))
    if waiting.next_attempt_at > clock.now():
        assert run_worker(app) == 0  # not due yet
    logged_in(admin).post(f"/admin/reporting/{waiting.id}/retry")
    assert entry_of(claim).next_attempt_at == clock.now()
    run_worker(app)
    assert entry_of(claim).state == "accepted"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.subject == f"claim:{claim.id}")) == "report.retried"


def test_cancel_stops_a_transmission_and_retry_is_refused_past_the_deadline(
        app, now, attendees, ended_session, claimed, entry_of, make_user, logged_in):
    admin = make_user("ada@example.org", "Ada Admin", is_admin=True)
    (pharmacist,) = attendees(1)
    claim = claimed(pharmacist, ended_session)
    from reporting.worker import prepare
    prepare(now)
    entry = entry_of(claim)
    browser = logged_in(admin)
    browser.post(f"/admin/reporting/{entry.id}/cancel")
    assert entry_of(claim).state == "cancelled"
    assert run_worker(app) == 0
    assert "Reporting to CPE Monitor was cancelled by the provider." in words(logged_in(pharmacist).get("/training"))
    assert "report.cancelled" in db.session.scalars(sa.select(AuditEntry.action)).all()
    # Cancelled by mistake: retry brings it back (a new request, so a new key) — but never after the deadline.
    clock.move_to(entry_of(claim).deadline_at)
    page = words(browser.post(f"/admin/reporting/{entry.id}/retry", follow_redirects=True))
    assert "The reporting deadline has passed" in page
    assert entry_of(claim).state == "cancelled"
    clock.move_to(now)
    browser.post(f"/admin/reporting/{entry.id}/retry")
    assert entry_of(claim).state == "pending" and entry_of(claim).idempotency_key.endswith("-2")
    # An accepted one can be neither cancelled nor retried.
    run_worker(app)
    page = words(browser.post(f"/admin/reporting/{entry.id}/cancel", follow_redirects=True))
    assert "A transmission that is accepted cannot be cancelled." in page


def test_only_administrators_see_the_transmissions_page(app, now, attendees, host, logged_in, client):
    (pharmacist,) = attendees(1)
    assert logged_in(pharmacist).get("/admin/reporting").status_code == 403
    assert logged_in(host).get("/admin/reporting").status_code == 403
    assert client.get("/admin/reporting").status_code == 302


def test_an_attendee_cannot_resubmit_someone_elses_claim(app, now, to_standin, standin, attendees, ended_session,
                                                          claimed, entry_of, logged_in):
    owner, other = attendees(2)
    standin.tell(nabp={owner.eprofile_id: "1111", other.eprofile_id: "0207"})
    claim = claimed(owner, ended_session)
    run_worker(app)
    assert entry_of(claim).state == "rejected_fixable"
    page = words(logged_in(other).post(f"/training/claims/{claim.id}/resubmit", follow_redirects=True))
    assert "There is no report of yours to resubmit here." in page
    assert entry_of(claim).state == "rejected_fixable"
