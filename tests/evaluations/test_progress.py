"""What claims reads: where an attendee stands with evaluations and the posttest."""
from core.db import db
from evaluations.progress import evaluation_status, posttest_status
from evaluations.questions import active_questions
from tests.evaluations.conftest import choice_ids


def _fill(client, path, questions):
    return client.post(path, data={f"q{q.id}": "5" for q in questions if q.scale})



def speakers(status):
    """Each speaker's id, and whether the attendee evaluated them."""
    return [(speaker.id, done) for speaker, done in status.speakers]

def test_evaluation_status_follows_the_attendee_through_course_and_speakers(client, logged_in, make_session):
    session = make_session(speakers=("Dr. Maya Chen", "Lee Park"))
    chen, park = session.speakers
    status = evaluation_status(logged_in.id, session)
    assert status.course_done is False and status.all_done is False
    assert speakers(status) == [(chen.id, False), (park.id, False)]

    _fill(client, f"/s/{session.id}/evaluation", active_questions(session.event, "course"))
    _fill(client, f"/s/{session.id}/speakers/{park.id}/evaluation", active_questions(session.event, "speaker"))
    status = evaluation_status(logged_in.id, session)
    assert status.course_done and speakers(status) == [(chen.id, False), (park.id, True)] and not status.all_done

    _fill(client, f"/s/{session.id}/speakers/{chen.id}/evaluation", active_questions(session.event, "speaker"))
    status = evaluation_status(logged_in.id, session)
    assert status.all_done and speakers(status) == [(chen.id, True), (park.id, True)]


def test_another_attendees_evaluations_do_not_count(client, auth, logged_in, make_user, make_session):
    session = make_session(speakers=())
    _fill(client, f"/s/{session.id}/evaluation", active_questions(session.event, "course"))
    other = make_user("sam@example.org", "Sam Tech")
    assert evaluation_status(logged_in.id, session).all_done  # no speakers: the course evaluation is all
    assert not evaluation_status(other.id, session).course_done


def test_posttest_status_through_a_fail_and_a_pass(client, logged_in, make_session, make_posttest):
    session = make_session()
    status = posttest_status(logged_in.id, session)
    assert (status.required, status.passed, status.attempts_used, status.attempts_left, status.locked_out,
            status.best_score, status.pass_mark) == (False, False, 0, 3, False, None, 70)

    questions = make_posttest(session, count=10, pass_mark=80)
    assert posttest_status(logged_in.id, session).required
    client.post(f"/s/{session.id}/posttest/answer",
                data={"question_id": questions[0].id, "choice_id": questions[0].choices[0].id})
    assert posttest_status(logged_in.id, session).attempts_used == 0  # open attempts do not count

    client.post(f"/s/{session.id}/posttest", data={**choice_ids(questions, 7), "submit": "Submit answers"})
    status = posttest_status(logged_in.id, session)
    assert (status.passed, status.attempts_used, status.attempts_left, status.locked_out, status.best_score,
            status.pass_mark) == (False, 1, 2, False, 70, 80)

    client.post(f"/s/{session.id}/posttest/next")
    client.post(f"/s/{session.id}/posttest", data={**choice_ids(questions, 9), "submit": "Submit answers"})
    status = posttest_status(logged_in.id, session)
    assert (status.passed, status.attempts_used, status.attempts_left, status.locked_out, status.best_score) == (
        True, 2, 0, False, 90)


def test_posttest_status_after_three_failures_is_locked_out(client, logged_in, make_session, make_posttest):
    session = make_session()
    questions = make_posttest(session, count=3)
    for attempt in range(3):
        if attempt:
            client.post(f"/s/{session.id}/posttest/next")
        client.post(f"/s/{session.id}/posttest", data={**choice_ids(questions, attempt), "submit": "Submit answers"})
    status = posttest_status(logged_in.id, session)
    assert (status.passed, status.attempts_used, status.attempts_left, status.locked_out, status.best_score) == (
        False, 3, 0, True, 66)


def test_a_posttest_with_its_questions_removed_is_not_required(app, host, make_session, make_posttest, attendee):
    from evaluations.posttest import remove_posttest_question

    session = make_session()
    (question,) = make_posttest(session, count=1)
    remove_posttest_question(question, host.id)
    db.session.expire_all()
    assert posttest_status(attendee.id, session).required is False
