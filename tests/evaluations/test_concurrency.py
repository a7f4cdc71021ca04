"""Twenty taps at once, against the real database: one of each thing, never two."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from core.db import db
from evaluations.models import (
    EvaluationAnswer, EvaluationCompletion, EvaluationQuestion, EvaluationResponse, PosttestAnswer, PosttestAttempt,
)
from evaluations.questions import active_questions
from tests.conftest import Auth
from tests.evaluations.conftest import choice_ids

THREADS = 20


def _at_once(app, user, request) -> list:
    """Run `request(client)` from THREADS threads at the same moment, each logged in as `user` in its own app context.

    One log-in, its cookie in every thread: twenty log-ins of one account at once would be a burst the
    log-in throttle (accounts/throttle.py) lets only a few of through."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    first = app.test_client()
    Auth(first).login(user.email)
    cookie = first.get_cookie("session").value

    def run():
        try:
            with app.app_context():
                client = app.test_client()
                client.set_cookie("session", cookie)
                barrier.wait()
                results.append(request(client))
        except Exception as error:  # reported below, so a failure in a thread fails the test
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_twenty_simultaneous_submits_store_one_response_and_one_completion(app, attendee, make_session):
    session = make_session()
    data = {f"q{q.id}": "4" for q in active_questions(session.event, "course") if q.scale}
    statuses = _at_once(app, attendee, lambda c: c.post(f"/s/{session.id}/evaluation", data=data).status_code)
    assert statuses == [302] * THREADS
    db.session.expire_all()
    assert _count(EvaluationCompletion) == 1
    assert _count(EvaluationResponse) == 1
    assert _count(EvaluationAnswer) == 3


def test_twenty_first_visits_at_once_copy_the_default_questions_once(app, attendee, make_session):
    session = make_session()
    statuses = _at_once(app, attendee, lambda c: c.get(f"/s/{session.id}/evaluation").status_code)
    assert statuses == [200] * THREADS
    assert _count(EvaluationQuestion, EvaluationQuestion.event_id == session.event_id) == 7


def test_twenty_simultaneous_posttest_submits_score_the_attempt_once(app, attendee, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=5)
    data = {**choice_ids(questions, 2), "submit": "Submit answers"}
    statuses = _at_once(app, attendee, lambda c: c.post(f"/s/{session.id}/posttest", data=data).status_code)
    assert statuses == [302] * THREADS
    db.session.expire_all()
    attempts = db.session.scalars(sa.select(PosttestAttempt)).all()
    assert [(a.number, a.score_percent, a.passed) for a in attempts] == [(1, 40, False)]
    assert _count(PosttestAnswer) == 5


def test_twenty_autosaves_of_one_question_at_once_keep_one_answer(app, attendee, make_session, make_posttest):
    session = make_session()
    (question,) = make_posttest(session, count=1)
    choice = question.choices[1].id
    statuses = _at_once(app, attendee, lambda c: c.post(
        f"/s/{session.id}/posttest/answer", data={"question_id": question.id, "choice_id": choice}).status_code)
    assert statuses == [200] * THREADS
    db.session.expire_all()
    assert _count(PosttestAttempt) == 1
    assert db.session.scalars(sa.select(PosttestAnswer.choice_id)).all() == [choice]
