"""An attendee takes the posttest: answers kept as they go, scored on submit, at most three attempts."""
import datetime as dt

import pytest
import sqlalchemy as sa

from core import clock
from core.db import db
from evaluations import access
from evaluations.models import PosttestAnswer, PosttestAttempt
from evaluations.posttest import PosttestError, start_attempt, submit_attempt
from tests.evaluations.conftest import choice_ids
from tests.evaluations.standing import Standing


def _submit(client, session, questions, right):
    return client.post(f"/s/{session.id}/posttest", data={**choice_ids(questions, right), "submit": "Submit answers"},
                       follow_redirects=True).get_data(as_text=True)


def test_an_autosaved_answer_is_checked_when_the_attendee_comes_back(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=3)
    wrong = next(c for c in questions[1].choices if c.text == "Wrong")
    response = client.post(f"/s/{session.id}/posttest/answer", data={"question_id": questions[1].id, "choice_id": wrong.id})
    assert response.get_json() == {"saved": True, "question_id": questions[1].id, "choice_id": wrong.id}
    page = client.get(f"/s/{session.id}/posttest").get_data(as_text=True)
    assert f'<input checked id="q{questions[1].id}-1" name="q{questions[1].id}" type="radio" value="{wrong.id}">' in page
    assert page.count("checked") == 1
    # Changing the answer replaces it.
    right = next(c for c in questions[1].choices if c.text == "Right")
    client.post(f"/s/{session.id}/posttest/answer", data={"question_id": questions[1].id, "choice_id": right.id})
    assert db.session.scalars(sa.select(PosttestAnswer.choice_id)).all() == [right.id]


def test_an_answer_that_is_not_a_choice_of_the_question_is_refused(client, logged_in, make_session, make_posttest):
    session = make_session()
    first, second = make_posttest(session, count=2)
    response = client.post(f"/s/{session.id}/posttest/answer",
                           data={"question_id": first.id, "choice_id": second.choices[0].id})
    assert response.status_code == 400
    assert "not one of the question's choices" in response.get_json()["error"]
    assert client.post(f"/s/{session.id}/posttest/answer", data={"question_id": "x"}).status_code == 400


def test_without_javascript_save_answers_keeps_the_whole_form(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=3)
    data = choice_ids(questions[:2], right=1)
    page = client.post(f"/s/{session.id}/posttest", data={**data, "save": "Save answers"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Your answers are saved" in page
    for name, value in data.items():
        assert f'name="{name}" type="radio" value="{value}">' in page
        assert f'<input checked id="{name}-' in page
    assert page.count("<input checked") == 2


def test_submitting_with_unanswered_questions_names_them_and_keeps_the_answers(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=4)
    data = choice_ids(questions, right=4)
    del data[f"q{questions[1].id}"], data[f"q{questions[3].id}"]
    response = client.post(f"/s/{session.id}/posttest", data={**data, "submit": "Submit answers"})
    page = response.get_data(as_text=True)
    assert "Not answered yet: questions 2, 4." in page
    # Beside each of the two questions, and in the summary at the top linking to them.
    assert page.count('<p class="error" role="alert">Not answered yet.</p>') == 2
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert summary.count(": Not answered yet.</a>") == 2
    assert page.count("<input checked") == 2
    attempt = db.session.scalars(sa.select(PosttestAttempt)).one()
    assert attempt.submitted_at is None and attempt.score_percent is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosttestAnswer)) == 2  # kept for later


def test_a_failed_attempt_shows_the_score_and_two_attempts_left(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=10)
    page = _submit(client, session, questions, right=6)
    assert "You scored 60% — the pass mark is 70%" in page
    assert "You have 2 attempts left." in page
    assert "Start attempt 2" in page
    # The next attempt starts empty.
    page = client.post(f"/s/{session.id}/posttest/next", follow_redirects=True).get_data(as_text=True)
    assert "Attempt 2 has started" in page and "Attempt 2 of 3" in page
    assert "<input checked" not in page


def test_exactly_the_pass_mark_passes(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=10, pass_mark=70)
    page = _submit(client, session, questions, right=7)
    assert "You scored 70% — the pass mark is 70%" in page
    assert "You passed." in page
    assert "attempts left" not in page
    with pytest.raises(PosttestError) as refused:
        start_attempt(logged_in.id, session)
    assert refused.value.reason == "passed"


def test_three_failures_lock_the_attendee_out_and_a_fourth_attempt_is_refused(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=10)
    _submit(client, session, questions, right=5)
    client.post(f"/s/{session.id}/posttest/next")
    page = _submit(client, session, questions, right=6)
    assert "You have 1 attempt left." in page
    client.post(f"/s/{session.id}/posttest/next")
    page = _submit(client, session, questions, right=6)
    assert "You scored 60% — the pass mark is 70%" in page
    assert "You have used all 3 attempts. Credit for this session is no longer possible." in page
    assert "Start attempt" not in page

    with pytest.raises(PosttestError) as refused:
        start_attempt(logged_in.id, session)
    assert refused.value.reason == "locked_out"
    page = client.post(f"/s/{session.id}/posttest/next", follow_redirects=True).get_data(as_text=True)
    assert "Credit for this session is no longer possible." in page
    response = client.post(f"/s/{session.id}/posttest/answer",
                           data={"question_id": questions[0].id, "choice_id": questions[0].choices[0].id})
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosttestAttempt)) == 3


def test_submitting_the_same_attempt_twice_scores_it_once(client, logged_in, make_session, make_posttest, now):
    session = make_session()
    questions = make_posttest(session, count=10)
    _submit(client, session, questions, right=5)
    first = db.session.scalars(sa.select(PosttestAttempt)).one()
    submitted_at = first.submitted_at
    clock.move_by(dt.timedelta(seconds=3))
    page = _submit(client, session, questions, right=10)  # the second tap, even with other answers
    assert "You scored 50% — the pass mark is 70%" in page
    db.session.expire_all()
    attempt = db.session.scalars(sa.select(PosttestAttempt)).one()
    assert (attempt.score_percent, attempt.passed, attempt.submitted_at) == (50, False, submitted_at)
    again = submit_attempt(logged_in.id, session, None)
    assert again.id == attempt.id and again.score_percent == 50


def test_a_session_without_a_posttest_says_so(client, logged_in, make_session):
    session = make_session()
    page = client.get(f"/s/{session.id}/posttest").get_data(as_text=True)
    assert "This session has no posttest." in page


def test_the_gate_also_guards_the_autosave(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=1)
    access.set_standing(lambda user_id, session_id: Standing(user_id, session_id, entered=False))
    response = client.post(f"/s/{session.id}/posttest/answer",
                           data={"question_id": questions[0].id, "choice_id": questions[0].choices[0].id})
    assert response.status_code == 403 and response.get_json()["error"] == "Enter the session code first."
    response = client.post(f"/s/{session.id}/posttest", data={"submit": "Submit answers"})
    assert response.status_code == 302 and response.headers["Location"] == f"/s/{session.id}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosttestAttempt)) == 0
