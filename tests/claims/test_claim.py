"""Claiming credit: once, for one profession, inside the window, with its outbox row."""
import datetime as dt
import html
import io
import threading

import pypdf
import pytest
import sqlalchemy as sa

from claims.flow import claim_credit
from claims.rules import ClaimRefused

from claims.models import Claim, OutboxEntry
from core import clock
from core.db import db


def words(response):
    return html.unescape(response.get_data(as_text=True))


CLAIM = {"profession": "pharmacist", "eprofile_id": "1234567", "birth_mmdd": "0207", "npi": "", "state_licence": ""}


def ready(client, auth, attendee, make_session, entered, evaluated, **kwargs):
    """An ended session whose code the attendee entered and whose evaluations they filled."""
    session = make_session(starts_in=dt.timedelta(minutes=-61), **kwargs)
    auth.login(attendee)
    entered(client, session)
    evaluated(attendee, session)
    return session


def test_the_claim_form_is_prefilled_from_the_profile(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    page = words(client.get(f"/training/{session.id}/claim"))
    assert 'value="1234567"' in page and 'value="0207"' in page
    assert "Pharmacist — ACPE credit, UAN 0205-0000-26-014-L05-P" in page
    assert "Pharmacy technician — ACPE credit, UAN 0205-0000-26-014-L05-T" in page


def test_a_pharmacist_claims_and_sees_hours_ceus_uan_and_when_it_reaches_cpe_monitor(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    response = client.post(f"/training/{session.id}/claim", data=CLAIM, follow_redirects=True)
    page = words(response)
    assert "Credit claimed ✓" in page
    assert "1.5 hours (0.15 CEU)" in page and "0205-0000-26-014-L05-P" in page
    assert "Being reported to CPE Monitor." in page and "within a day" not in page
    claim = db.session.scalar(sa.select(Claim))
    assert (claim.profession, claim.uan, claim.eprofile_id, claim.birth_mmdd) == ("pharmacist", "0205-0000-26-014-L05-P", "1234567", "0207")
    assert claim.participation_date == dt.date(2026, 11, 21)
    outbox = db.session.scalar(sa.select(OutboxEntry))
    assert (outbox.claim_id, outbox.target, outbox.state) == (claim.id, "cpe_monitor", "pending")


def test_a_technician_claim_carries_the_t_uan(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    client.post(f"/training/{session.id}/claim", data={**CLAIM, "profession": "technician"})
    assert db.session.scalar(sa.select(Claim.uan)) == "0205-0000-26-014-L05-T"


def test_a_profession_the_session_does_not_offer_is_refused(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated, uan_technician=None)
    page = words(client.post(f"/training/{session.id}/claim", data={**CLAIM, "profession": "technician"}))
    assert "Choose one of the professions this session offers credit for." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0


def test_an_impossible_birth_date_is_refused_and_what_was_typed_is_kept(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    page = words(client.post(f"/training/{session.id}/claim", data={**CLAIM, "birth_mmdd": "0230", "eprofile_id": "7654321"}))
    assert "February has no day 30" in page
    assert 'value="0230"' in page and 'value="7654321"' in page
    # Said at the top, where a phone shows it, linking to the field.
    summary, claim_form = page.index('class="error-summary"'), page.index('<form method="post" novalidate data-once')
    assert summary < claim_form and '<a href="#birth_mmdd">Birth date (MMDD): February has no day 30' in page[summary:claim_form]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0


def test_a_second_claim_or_another_profession_is_refused_with_the_reason(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    client.post(f"/training/{session.id}/claim", data=CLAIM)
    response = client.post(f"/training/{session.id}/claim", data={**CLAIM, "profession": "technician"})
    assert response.status_code == 302
    # The page it leads to says why, in the claim rule's words.
    page = words(client.get(response.headers["Location"]))
    assert "You claimed credit for this session on Sat 21 Nov 2026, 2:00 PM EST (pharmacist). " \
           "Credit is claimed once, for one profession, and cannot be changed." in page
    with pytest.raises(ClaimRefused, match="claimed once, for one profession, and cannot be changed") as refused:
        claim_credit(attendee, session, clock.now(), profession="technician", eprofile_id="1234567", birth_mmdd="0207")
    assert refused.value.reason == "already_claimed"
    assert db.session.scalar(sa.select(Claim.profession)) == "pharmacist"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 1


def test_a_claim_at_the_closing_minute_is_refused(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    clock.move_to(session.closes_at)
    page = words(client.post(f"/training/{session.id}/claim", data=CLAIM))
    assert "closed on Wed 20 Jan 2027, 12:59 PM EST. ACPE allows no extensions." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0


def test_a_claim_a_minute_before_the_close_is_accepted(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    clock.move_to(session.closes_at - dt.timedelta(minutes=1))
    client.post(f"/training/{session.id}/claim", data=CLAIM)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 1


def test_steps_left_undone_are_named(client, auth, attendee, make_session, entered):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    entered(client, session)
    page = words(client.post(f"/training/{session.id}/claim", data=CLAIM))
    assert "Finish these steps first. Fill the course evaluation. Evaluate Dr. Maya Chen." in page


def test_a_physician_claims_with_an_npi_and_it_goes_to_pars(client, auth, make_user, make_session, entered, evaluated):
    doctor = make_user("doc@example.org", "Dr. Dana Doe", profession="physician")
    session = ready(client, auth, doctor, make_session, entered, evaluated)
    page = words(client.post(f"/training/{session.id}/claim", data={"profession": "physician", "npi": "1234567893", "birth_mmdd": "1231"}, follow_redirects=True))
    assert "Being reported to ACCME PARS." in page
    assert db.session.scalar(sa.select(OutboxEntry.target)) == "pars"


def test_other_professions_get_a_certificate_but_nothing_is_reported(client, auth, make_user, make_session, entered, evaluated):
    nurse = make_user("nurse@example.org", "Nia Nurse", profession="other")
    session = ready(client, auth, nurse, make_session, entered, evaluated)
    client.post(f"/training/{session.id}/claim", data={"profession": "other"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 0


def test_fifty_taps_at_once_make_one_claim(app, client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    session_id, user_id = session.id, attendee.id
    db.session.remove()
    start = threading.Barrier(50)
    outcomes = []

    def tap():
        start.wait(timeout=30)  # all fifty tap together (before taking a database connection from the pool)
        with app.app_context():
            from accounts.models import User
            from events.models import EventSession

            user, target = db.session.get(User, user_id), db.session.get(EventSession, session_id)
            try:
                claim_credit(user, target, clock.now(), **{k: v for k, v in CLAIM.items() if k not in ("npi", "state_licence")})
                outcomes.append("claimed")
            except ClaimRefused as refused:
                outcomes.append(refused.reason)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("claimed") == 1
    assert set(outcomes) == {"claimed", "already_claimed"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 1


def test_the_certificate_says_what_was_attended_and_that_it_is_not_a_statement_of_credit(client, auth, attendee, make_session, entered, evaluated):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    assert client.get(f"/training/{session.id}/certificate.pdf").status_code == 302  # not before the claim
    client.post(f"/training/{session.id}/claim", data=CLAIM)
    response = client.get(f"/training/{session.id}/certificate.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Certificate of Attendance", "Pat Pharmacist", "Anticoagulation update", "Sat 21 Nov 2026",
                     "1.5 hours (0.15 CEU)", "0205-0000-26-014-L05-P", "not a statement of credit",
                     "CPE Monitor is the official record"):
        assert expected in text, expected


def test_a_name_beyond_latin_1_is_printed_on_the_certificate_as_written(client, auth, attendee, make_session, entered, evaluated):
    attendee.name = "Nguyễn Thị Ánh"
    db.session.commit()
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    client.post(f"/training/{session.id}/claim", data=CLAIM)
    response = client.get(f"/training/{session.id}/certificate.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "Nguyễn Thị Ánh" in text and "Anticoagulation update" in text and "?" not in text


def test_someone_else_cannot_see_my_progress_or_certificate(client, auth, attendee, make_user, make_session, entered, evaluated, logged_in):
    session = ready(client, auth, attendee, make_session, entered, evaluated)
    client.post(f"/training/{session.id}/claim", data=CLAIM)
    stranger = logged_in(make_user("stranger@example.org", "Stranger"))
    assert stranger.get(f"/training/{session.id}").status_code == 302
    assert stranger.get(f"/training/{session.id}/certificate.pdf").status_code == 302
    assert "Pat Pharmacist" not in words(stranger.get("/training"))
