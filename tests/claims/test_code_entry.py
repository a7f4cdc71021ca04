"""The two code-entry pages: every answer an attendee can get."""
import datetime as dt
import html

import sqlalchemy as sa

from codes.models import Redemption
from core import clock
from core.db import db


def words(response):
    return html.unescape(response.get_data(as_text=True))


def ended(make_session, **kwargs):
    """A session that ended a minute ago: claims are open."""
    return make_session(starts_in=dt.timedelta(minutes=-61), **kwargs)


def test_an_anonymous_attendee_is_sent_to_log_in_with_the_code_kept(client, make_session, code_of):
    session = ended(make_session)
    response = client.post("/live", data={"code": code_of(session).lower()})
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"] and code_of(session) in response.headers["Location"]
    page = words(client.get(f"/live?code={code_of(session)}"))
    assert f'value="{code_of(session)}"' in page


def test_a_code_typed_before_logging_in_is_entered_right_after_and_the_attendee_goes_on(client, attendee, make_session, code_of):
    from tests.conftest import PASSWORD

    session = ended(make_session)
    sent = client.post("/live", data={"code": code_of(session).lower()})
    login = client.post(sent.headers["Location"], data={"email": attendee.email, "password": PASSWORD})
    assert login.headers["Location"] == f"/live?code={code_of(session)}"
    onward = client.get(login.headers["Location"])
    assert onward.headers["Location"] == f"/s/{session.id}/evaluation"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 1
    assert "Code accepted: Anticoagulation update." in words(client.get(onward.headers["Location"]))
    # Only once: the code page afterwards is just the code page.
    assert client.get(f"/live?code={code_of(session)}").status_code == 200


def test_a_new_account_with_a_code_pending_goes_on_to_the_first_step_not_the_profile(client, make_session, code_of):
    session = ended(make_session)
    sent = client.post("/live", data={"code": code_of(session)})
    register = client.post(sent.headers["Location"].replace("/login", "/register"),
                           data={"name": "Nia New", "email": "nia@example.org", "password": "correct horse battery"})
    onward = client.get(register.headers["Location"])
    assert onward.headers["Location"] == f"/s/{session.id}/evaluation"
    page = words(client.get(onward.headers["Location"]))
    assert "Welcome to ClaimDesk." in page and "Fill in your profile" not in page


def test_a_login_without_a_code_pending_enters_nothing(client, attendee, make_session, code_of):
    from tests.conftest import PASSWORD

    session = ended(make_session)
    login = client.post(f"/login?next=/live?code={code_of(session)}", data={"email": attendee.email, "password": PASSWORD})
    assert client.get(login.headers["Location"]).status_code == 200  # the code page, filled in, waiting for Continue
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 0


def test_an_accepted_code_takes_the_attendee_to_the_first_step(client, auth, attendee, make_session, code_of):
    session = ended(make_session)
    auth.login(attendee)
    typed = " " + "-".join(code_of(session).lower()) + " "  # case, spaces and dashes do not matter
    response = client.post("/live", data={"code": typed})
    assert response.headers["Location"] == f"/s/{session.id}/evaluation"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 1
    assert session.title in words(client.get("/training"))


def test_a_code_entered_twice_goes_where_the_attendee_left_off_without_a_duplicate(client, auth, attendee, make_session, code_of, evaluated):
    session = ended(make_session)
    auth.login(attendee)
    client.post("/live", data={"code": code_of(session)})
    evaluated(attendee, session)
    response = client.post("/live", data={"code": code_of(session)})
    assert response.headers["Location"] == f"/training/{session.id}/claim"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 1


def test_a_uan_typed_as_a_code_is_explained(client, auth, attendee, make_session):
    ended(make_session)
    auth.login(attendee)
    for typed in ("0205-0000-26-014-L05-P", "0205000026014L05P", "UAN: 0205-0000-26-014-L05-P", "0205-0000-26-14-L05-P"):
        page = words(client.post("/live", data={"code": typed}))
        assert "That is the activity's UAN, not the session code. The code has 4–13 letters and numbers and is announced at the end of the session." in page
        assert f'value="{typed}"' in page


def test_a_live_code_on_the_home_study_page_points_to_the_live_page_carrying_the_code(client, auth, attendee, make_session, code_of):
    session = ended(make_session)
    auth.login(attendee)
    page = words(client.post("/home-study", data={"code": code_of(session)}))
    assert "enter it on the “Live meetings and conferences” page" in page
    assert f'href="/live?code={code_of(session)}"' in page


def test_a_home_study_code_on_the_live_page_points_to_the_home_study_page(client, auth, attendee, make_session, code_of):
    session = make_session(kind="home_study", starts_in=dt.timedelta(days=-1), length=dt.timedelta(days=365),
                           uan_pharmacist="0205-0000-26-014-H05-P", uan_technician=None)
    auth.login(attendee)
    page = words(client.post("/live", data={"code": code_of(session)}))
    assert "“Home study and on-demand” page" in page
    assert f'href="/home-study?code={code_of(session)}"' in page
    assert client.post("/home-study", data={"code": code_of(session)}).status_code == 302


def test_a_code_typed_before_the_session_ends_says_when_claims_open(client, auth, attendee, make_session, code_of):
    session = make_session()  # ends in 30 minutes
    auth.login(attendee)
    page = words(client.post("/live", data={"code": code_of(session)}))
    assert "open at Sat 21 Nov 2026, 2:30 PM EST, in 30 minutes" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 0
    clock.move_to(session.ends_at)
    assert client.post("/live", data={"code": code_of(session)}).status_code == 302


def test_a_code_typed_after_the_close_says_when_it_closed_and_that_there_are_no_extensions(client, auth, attendee, make_session, code_of):
    session = ended(make_session)
    other = ended(make_session, title="Same time, other room")
    auth.login(attendee)
    clock.move_to(session.closes_at - dt.timedelta(minutes=1))
    assert client.post("/live", data={"code": code_of(session)}).status_code == 302
    clock.move_to(other.closes_at)
    page = words(client.post("/live", data={"code": code_of(other)}))
    assert "closed on Wed 20 Jan 2027, 12:59 PM EST" in page and "ACPE allows no extensions" in page


def test_an_attendee_who_entered_the_code_in_time_is_taken_to_their_record_after_the_close(client, auth, attendee, make_session, code_of):
    session = ended(make_session)
    auth.login(attendee)
    client.post("/live", data={"code": code_of(session)})
    clock.move_to(session.closes_at)
    response = client.post("/live", data={"code": code_of(session)})
    assert response.headers["Location"] == f"/training/{session.id}"
    assert "Closed on Wed 20 Jan 2027, 12:59 PM EST" in words(client.get(response.headers["Location"]))


def test_a_malformed_code_says_what_a_code_looks_like(client, auth, attendee, app):
    auth.login(attendee)
    for typed in ("AB1", "ABCDEFGHJKMNPQ", "AB#CD"):
        page = words(client.post("/live", data={"code": typed}))
        assert "A session code has 4–13 letters and numbers" in page
        assert f'value="{typed}"' in page


def test_an_unknown_code_says_so_without_hinting_at_similar_ones(client, auth, attendee, make_session, code_of):
    session = ended(make_session)
    auth.login(attendee)
    near = code_of(session)[:-1] + ("A" if code_of(session)[-1] != "A" else "B")
    page = words(client.post("/live", data={"code": near}))
    assert "No session has that code." in page
    assert session.title not in page


def test_an_empty_code_asks_for_one(client, auth, attendee, app):
    auth.login(attendee)
    assert "Type the session code announced at the end of the session." in words(client.post("/live", data={"code": "  "}))


def test_each_evaluation_page_says_which_step_it_is_and_what_is_left(client, auth, attendee, make_session, code_of):
    session = ended(make_session, speakers=("Dr. Maya Chen", "Lee Park, PharmD"))
    auth.login(attendee)
    client.post("/live", data={"code": code_of(session)})
    course = words(client.get(f"/s/{session.id}/evaluation"))
    assert "Step 2 of 5:</strong> course evaluation" in course
    assert "Still to do after this: speaker evaluation — Dr. Maya Chen, speaker evaluation — Lee Park, PharmD, claim credit." in course
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation

    questions = active_questions(session.event, "course")
    submit_evaluation(attendee.id, session, None, questions, [Answer(q.id, scale_value=5) if q.scale else Answer(q.id) for q in questions])
    speaker = session.speakers[1]
    page = words(client.get(f"/s/{session.id}/speakers/{speaker.id}/evaluation"))
    assert "Step 4 of 5:</strong> speaker evaluation — Lee Park, PharmD" in page
    assert "Still to do after this: speaker evaluation — Dr. Maya Chen, claim credit." in page


def test_a_code_revealed_early_is_kept_the_evaluations_open_and_the_claim_waits_for_the_window(
        client, auth, attendee, host, make_session, code_of, evaluated):
    from claims.models import Claim
    from codes.redeem import redemption_count
    from codes.setup import reveal

    session = make_session()  # running: it ends, and claims open, at 2:30 PM
    reveal(session, host)
    auth.login(attendee)
    response = client.post("/live", data={"code": code_of(session)})
    assert response.headers["Location"] == f"/s/{session.id}/evaluation"
    assert "Code accepted: Anticoagulation update. Claims open at Sat 21 Nov 2026, 2:30 PM EST; you can fill the " \
           "evaluations now." in words(client.get(response.headers["Location"]))
    assert redemption_count(session.id) == 1  # the presenter's count includes it
    training = words(client.get("/training"))
    assert "Anticoagulation update" in training and "Opens Sat 21 Nov 2026, 2:30 PM EST" in training
    evaluated(attendee, session)
    # Evaluations done: the progress page, which says when claims open and listens for the window.
    progress = words(client.get(f"/training/{session.id}"))
    assert "Opens Sat 21 Nov 2026, 2:30 PM EST" in progress and f'data-window-room="session:{session.id}"' in progress
    refused = words(client.post(f"/training/{session.id}/claim", data={"profession": "pharmacist", "eprofile_id": "1234567",
                                                                       "birth_mmdd": "0207"}))
    assert "Claims for this session open at Sat 21 Nov 2026, 2:30 PM EST." in refused
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0
    clock.move_to(session.ends_at)
    assert "data-window-room" not in words(client.get(f"/training/{session.id}"))
    claimed = client.post(f"/training/{session.id}/claim", data={"profession": "pharmacist", "eprofile_id": "1234567",
                                                                 "birth_mmdd": "0207"})
    assert claimed.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 1


def test_a_code_not_yet_revealed_is_still_refused_before_the_window(client, auth, attendee, make_session, code_of):
    session = make_session()
    auth.login(attendee)
    page = words(client.post("/live", data={"code": code_of(session)}))
    assert "Come back then with the same code." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 0
