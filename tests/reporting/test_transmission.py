"""Completed claims to CPE Monitor and PARS, against a real stand-in service: accepted, rejected, fixed, retried."""
import datetime as dt
import html
import json
import logging

import sqlalchemy as sa

from core import clock
from core.audit import AuditEntry
from core.db import db
from reporting.models import TransmissionAttempt
from reporting.worker import Worker
from tests.reporting.standin import PASSWORD


def words(response):
    return html.unescape(response.get_data(as_text=True))


def run_worker(app):
    worker = Worker(app.config)
    try:
        return worker.run_once()
    finally:
        worker.close()
        db.session.expire_all()


def credits_for(standin, claim):
    return [c for c in standin.stats()["credits"] if c["key"].startswith(f"claimdesk-cpe_monitor-{claim.id}-")
            or c["key"].startswith(f"claimdesk-pars-{claim.id}-")]


def test_a_batch_is_reported_with_one_fix_by_the_attendee_and_one_retried_after_timeouts(
        app, now, to_standin, standin, attendees, ended_session, claimed, entry_of, logged_in):
    first, mismatched, unlucky, fourth = attendees(4)
    # NABP has the second pharmacist born on 2 July; they claimed with 7 February.
    standin.tell(nabp={first.eprofile_id: "0207", mismatched.eprofile_id: "0702", unlucky.eprofile_id: "0207",
                       fourth.eprofile_id: "0207"},
                 script={unlucky.eprofile_id: ["hang", "500"]})
    claims = {user.id: claimed(user, ended_session) for user in (first, mismatched, unlucky, fourth)}

    assert run_worker(app) == 4

    assert entry_of(claims[first.id]).state == "accepted"
    assert entry_of(claims[fourth.id]).state == "accepted"
    rejected = entry_of(claims[mismatched.id])
    assert (rejected.state, rejected.rejection_code, rejected.fixable) == ("rejected_fixable", "birth_date_mismatch", True)
    waiting = entry_of(claims[unlucky.id])
    assert waiting.state == "pending" and waiting.attempts == 1 and "timed out" in waiting.last_error
    assert now < waiting.next_attempt_at <= now + dt.timedelta(seconds=30)

    # The attendee sees what to fix, with the deadline, on My Training.
    phone = logged_in(mismatched)
    page = words(phone.get("/training"))
    assert "CPE Monitor did not accept this credit." in page
    assert "Your birth month and day do not match what NABP has for your e-Profile ID." in page
    assert "resubmit by the end of Wed 20 Jan 2027 (EST), the reporting deadline" in page
    assert "Resubmit to CPE Monitor" in page
    # Resubmitting unchanged details is refused in words; nothing is queued.
    phone.post(f"/training/claims/{claims[mismatched.id].id}/resubmit", data={})
    assert "Your profile still has the details that were rejected." in words(phone.get("/training"))
    assert entry_of(claims[mismatched.id]).state == "rejected_fixable"
    # They fix the profile and resubmit.
    phone.post("/profile", data={"name": mismatched.name, "profession": "pharmacist", "eprofile_id": mismatched.eprofile_id,
                                 "birth_mmdd": "0702", "npi": "", "state_licence": ""})
    phone.post(f"/training/claims/{claims[mismatched.id].id}/resubmit", data={"back": "/training"})
    resubmitted = entry_of(claims[mismatched.id])
    assert resubmitted.state == "pending" and resubmitted.idempotency_key.endswith("-2")
    assert resubmitted.claim.birth_mmdd == "0702"
    assert db.session.scalar(sa.select(AuditEntry.detail).where(AuditEntry.action == "report.resubmitted")) == "changed: birth_mmdd"

    run_worker(app)  # the resubmission is due now; the unlucky one is not yet
    assert entry_of(claims[mismatched.id]).state == "accepted"
    assert entry_of(claims[unlucky.id]).attempts == 1

    clock.move_to(entry_of(claims[unlucky.id]).next_attempt_at)
    run_worker(app)  # HTTP 500: still temporary
    again = entry_of(claims[unlucky.id])
    assert again.state == "pending" and again.attempts == 2 and again.last_error == "HTTP 500 from cpe_monitor"
    clock.move_to(again.next_attempt_at)
    run_worker(app)
    assert entry_of(claims[unlucky.id]).state == "accepted"

    assert "Reported to CPE Monitor ✓" in words(phone.get("/training"))
    assert "Reported to CPE Monitor ✓" in words(phone.get(f"/training/{ended_session.id}"))
    for claim in claims.values():
        assert len(credits_for(standin, claim)) == 1
    # What was sent is recorded; credentials never appear in what is stored.
    sent = json.loads(entry_of(claims[mismatched.id]).sent_payload)
    assert sent["birthMMDD"] == "0702" and sent["providerNumber"] == "0205" and sent["action"] == "add"
    attempts = db.session.scalars(sa.select(TransmissionAttempt)).all()
    assert len(attempts) == 7
    assert all(PASSWORD not in (a.request_summary + (a.error or "")) for a in attempts)
    assert all(r["has_basic_auth"] and PASSWORD not in r["path"] for r in standin.stats()["requests"])


def test_the_uan_for_the_claimed_profession_and_the_live_date_are_sent(app, now, to_standin, standin, make_user,
                                                                       ended_session, claimed, caplog):
    tech = make_user("tia@example.org", "Tia Tech", profession="technician", eprofile_id="7654321", birth_mmdd="1231")
    claimed(tech, ended_session, profession="technician")
    # Alembic's logging set-up (run by the migrations) disables loggers that existed before it: turn ours back on.
    for name in ("reporting.worker", "reporting.transmitters", "httpcore.connection", "httpcore.http11"):
        logging.getLogger(name).disabled = False
    with caplog.at_level(logging.DEBUG):
        run_worker(app)
    assert "reporting: recorded 1 outcomes" in caplog.text and "connect_tcp" in caplog.text
    assert PASSWORD not in caplog.text and "7654321" not in caplog.text and "1231" not in caplog.text
    (credit,) = standin.stats()["credits"]
    assert credit["uan"] == "0205-0000-26-014-L05-T"
    assert credit["participationDate"] == ended_session.starts_at.astimezone(ended_session.event.zone).date().isoformat()


def test_a_physicians_claim_goes_to_pars_with_split_name_credits_and_activity_id(app, now, to_standin, standin,
                                                                                  make_user, ended_session, claimed, entry_of):
    doctor = make_user("omar@example.org", "Dr. Omar Haddad", profession="physician", npi="1234567893", birth_mmdd="0709")
    claim = claimed(doctor, ended_session, profession="physician")
    run_worker(app)
    assert entry_of(claim).state == "accepted"
    (credit,) = standin.stats()["credits"]
    assert credit["path"] == "/pars"
    assert (credit["firstName"], credit["lastName"], credit["npi"]) == ("Omar", "Haddad", "1234567893")
    assert (credit["birthMonth"], credit["birthDay"], credit["credits"]) == (7, 9, "1.50")
    assert credit["activityId"] == "ACT-2026-0042" and credit["completionDate"] == "2026-11-21"


def test_a_rejection_the_attendee_cannot_fix_goes_to_the_host(app, now, to_standin, standin, attendees, ended_session,
                                                              claimed, entry_of, logged_in, host):
    (pharmacist,) = attendees(1)
    standin.tell(activity_dates={"0205-0000-26-014-L05-P": ["2026-01-01", "2026-06-30"]})
    claim = claimed(pharmacist, ended_session)
    run_worker(app)
    assert entry_of(claim).state == "rejected"
    page = words(logged_in(pharmacist).get("/training"))
    assert "did not accept this credit: The date of participation is outside the activity's dates." in page
    assert "Resubmit" not in page
    host_page = words(logged_in(host).get(f"/host/events/{ended_session.event_id}/transmissions"))
    assert pharmacist.name in host_page and "The date of participation is outside the activity's dates." in host_page
    assert logged_in(pharmacist).get(f"/host/events/{ended_session.event_id}/transmissions").status_code == 403


def test_a_claim_past_its_reporting_deadline_is_never_sent(app, now, to_standin, standin, attendees, ended_session,
                                                           claimed, entry_of, logged_in, host):
    late, retried = attendees(2)
    standin.tell(script={retried.eprofile_id: ["500"]})
    late_claim, retried_claim = claimed(late, ended_session), claimed(retried, ended_session)
    # The worker was down: the first time it runs for the late claim, the deadline has passed.
    from reporting.worker import prepare
    prepare(now)
    db.session.execute(sa.text("UPDATE claim_outbox SET deadline_at = :at WHERE claim_id = :id"),
                       {"at": now.replace(tzinfo=None), "id": late_claim.id})
    db.session.commit()
    run_worker(app)
    assert entry_of(late_claim).state == "expired"
    assert credits_for(standin, late_claim) == [] and not any(
        k.startswith(f"claimdesk-cpe_monitor-{late_claim.id}-") for k in standin.stats()["receipts_by_key"])
    # A temporary failure whose retry would fall after the deadline is not retried.
    assert entry_of(retried_claim).state == "pending"
    clock.move_to(entry_of(retried_claim).deadline_at)
    run_worker(app)
    assert entry_of(retried_claim).state == "expired"
    assert standin.stats()["receipts_by_key"] == {f"claimdesk-cpe_monitor-{retried_claim.id}-1": 1}
    assert "the 60-day reporting deadline passed" in words(logged_in(late).get("/training"))
    assert late.name in words(logged_in(host).get(f"/host/events/{ended_session.event_id}/transmissions"))


def test_file_batch_is_the_default_and_writes_json_and_csv(app, now, attendees, ended_session, claimed, entry_of,
                                                           tmp_path, logged_in):
    app.config["REPORTING_BATCH_DIR"] = str(tmp_path / "batches")
    first, second = attendees(2)
    claims = [claimed(first, ended_session), claimed(second, ended_session)]
    run_worker(app)
    entries = [entry_of(c) for c in claims]
    assert all(e.state == "accepted" and e.method == "file" for e in entries)
    (json_file,) = (tmp_path / "batches").glob("cpe_monitor-*.json")
    (csv_file,) = (tmp_path / "batches").glob("cpe_monitor-*.csv")
    # They hold e-Profile IDs and birth dates: readable by the server's own user only.
    assert {oct(f.stat().st_mode & 0o777) for f in (json_file, csv_file)} == {oct(0o600)}
    batch = json.loads(json_file.read_text())
    assert [r["claimId"] for r in batch["records"]] == [c.id for c in claims]
    assert batch["records"][0]["eProfileId"] == first.eprofile_id and batch["records"][0]["action"] == "add"
    lines = csv_file.read_text().splitlines()
    assert lines[0].startswith("idempotencyKey,claimId,providerNumber,eProfileId,birthMMDD,uan,participationDate,action")
    assert len(lines) == 3
    assert entries[0].note == f"written to batch file {csv_file.name}"
    assert "Sent to the provider for reporting to CPE Monitor ✓" in words(logged_in(first).get("/training"))


def test_an_event_can_use_the_service_while_others_use_batch_files(app, now, standin, service_config, attendees,
                                                                  make_event, make_session, claimed, entry_of, tmp_path):
    app.config.update(service_config, REPORTING_METHOD="file", REPORTING_BATCH_DIR=str(tmp_path))
    by_service = make_session(event=make_event(title="Service meeting"), starts_in=dt.timedelta(minutes=-90))
    by_file = make_session(event=make_event(title="File meeting"), starts_in=dt.timedelta(minutes=-90))
    app.config["REPORTING_EVENT_METHODS"] = {str(by_service.event_id): "service"}
    one, two = attendees(2)
    a, b = claimed(one, by_service), claimed(two, by_file)
    run_worker(app)
    assert (entry_of(a).method, entry_of(b).method) == ("service", "file")
    assert len(standin.stats()["credits"]) == 1


def test_a_connection_refused_is_temporary(app, now, to_standin, attendees, ended_session, claimed, entry_of):
    app.config["CPE_MONITOR_URL"] = "http://127.0.0.1:9/cpe-monitor"  # nothing listens on the discard port
    (pharmacist,) = attendees(1)
    claim = claimed(pharmacist, ended_session)
    run_worker(app)
    entry = entry_of(claim)
    assert entry.state == "pending" and entry.last_error.startswith("could not connect")


def test_a_push_tells_the_attendees_open_page_when_the_report_state_changes(app, now, to_standin, standin, attendees,
                                                                             ended_session, claimed, logged_in):
    from core.realtime import socketio

    (pharmacist,) = attendees(1)
    claimed(pharmacist, ended_session)
    browser = logged_in(pharmacist)
    socket = socketio.test_client(app, flask_test_client=browser)
    assert socket.emit("join", {"room": f"user:{pharmacist.id}"}, callback=True) == {"ok": True}
    socket.get_received()
    run_worker(app)
    pushed = [m for m in socket.get_received() if m["name"] == "report"]
    assert pushed and pushed[0]["args"][0] == {"session_id": ended_session.id, "state": "accepted"}
    socket.disconnect()


def test_a_pars_claim_waits_while_no_activity_id_is_configured(app, now, to_standin, standin, make_user, ended_session,
                                                               claimed, entry_of):
    app.config["PARS_ACTIVITY_ID"] = ""
    doctor = make_user("omar@example.org", "Omar Haddad", profession="physician", npi="1234567893", birth_mmdd="0709")
    claim = claimed(doctor, ended_session, profession="physician")
    run_worker(app)
    entry = entry_of(claim)
    assert entry.state == "pending" and "no PARS activity ID" in entry.last_error
    assert standin.stats()["requests"] == []
    app.config["PARS_ACTIVITY_IDS"] = {str(ended_session.event_id): "ACT-EVENT-7"}
    clock.move_to(entry.next_attempt_at)
    run_worker(app)
    assert entry_of(claim).state == "accepted"
    assert standin.stats()["credits"][0]["activityId"] == "ACT-EVENT-7"
