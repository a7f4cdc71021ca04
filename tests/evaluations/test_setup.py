"""A host sets up the event's evaluation questions and a session's posttest."""
import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db
from evaluations.models import EvaluationAnswer, EvaluationQuestion, Posttest
from evaluations.posttest import PosttestError, save_posttest_settings
from evaluations.questions import active_questions


def _course(session):
    return active_questions(session.event, "course")


def test_only_the_events_host_may_set_up_evaluations(client, auth, attendee, make_session):
    session = make_session()
    paths = [f"/host/events/{session.event_id}/evaluations", f"/host/sessions/{session.id}/posttest",
             f"/host/sessions/{session.id}/posttest/questions/new"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(attendee)
    for path in paths:
        assert client.get(path).status_code == 403
    assert client.post(f"/host/events/{session.event_id}/evaluations/course/add",
                       data={"new-course-text": "Sneaky", "new-course-type": "scale"}).status_code == 403
    assert client.post(f"/host/sessions/{session.id}/posttest", data={"pass_mark": "1"}).status_code == 403


def test_another_events_host_may_not_either(client, auth, make_user, make_session, make_event):
    session = make_session()
    other_host = make_user("otto@example.org", "Otto Other", is_organiser=True)
    make_event(title="Someone else's", owner=other_host)
    auth.login(other_host)
    assert client.get(f"/host/events/{session.event_id}/evaluations").status_code == 403


def test_host_sees_the_defaults_and_edits_adds_reorders_and_removes(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    page = client.get(f"/host/events/{session.event_id}/evaluations").get_data(as_text=True)
    assert "The learning objectives were met" in page and "The speaker was knowledgeable" in page
    objectives, relevance, bias, comments = _course(session)

    response = client.post(f"/host/events/{session.event_id}/evaluations/questions/{relevance.id}", data={
        f"q{relevance.id}-text": "The content is relevant to my daily practice",
        f"q{relevance.id}-required": "y", f"q{relevance.id}-position": "1",
    })
    assert response.status_code == 302
    assert [q.text for q in _course(session)] == [
        "The content is relevant to my daily practice", "The learning objectives were met",
        "The activity was free of commercial bias", "Comments"]

    client.post(f"/host/events/{session.event_id}/evaluations/course/add", data={
        "new-course-text": "The handouts were useful", "new-course-type": "scale", "new-course-required": "y"})
    assert _course(session)[-1].text == "The handouts were useful"
    assert [q.position for q in _course(session)] == [1, 2, 3, 4, 5]

    client.post(f"/host/events/{session.event_id}/evaluations/questions/{bias.id}/remove")
    assert "The activity was free of commercial bias" not in [q.text for q in _course(session)]
    assert db.session.get(EvaluationQuestion, bias.id) is None  # never answered: deleted
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.subject == f"event:{session.event_id}")).all()
    assert {"evaluation.question_edited", "evaluation.question_added", "evaluation.question_removed"} <= set(actions)


def test_an_empty_question_is_refused_and_what_was_typed_is_kept(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    client.get(f"/host/events/{session.event_id}/evaluations")
    response = client.post(f"/host/events/{session.event_id}/evaluations/speaker/add", data={
        "new-speaker-text": "   ", "new-speaker-type": "text"})
    assert response.status_code == 400
    assert "Write the question." in response.get_data(as_text=True)
    first = _course(session)[0]
    response = client.post(f"/host/events/{session.event_id}/evaluations/questions/{first.id}", data={
        f"q{first.id}-text": "x" * 501, f"q{first.id}-position": "abc"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "x" * 501 in page


def test_rewording_an_answered_question_keeps_the_old_answers_with_the_old_words(client, auth, host, attendee, make_session):
    session = make_session()
    auth.login(attendee)
    questions = _course(session)
    client.post(f"/s/{session.id}/evaluation", data={f"q{q.id}": "4" for q in questions if q.scale})
    objectives = questions[0]
    auth.logout()
    auth.login(host)
    client.post(f"/host/events/{session.event_id}/evaluations/questions/{objectives.id}", data={
        f"q{objectives.id}-text": "Every learning objective was met", f"q{objectives.id}-required": "y",
        f"q{objectives.id}-position": "1"})
    db.session.expire_all()
    old = db.session.get(EvaluationQuestion, objectives.id)
    assert old.retired and old.text == "The learning objectives were met"
    answer = db.session.scalars(sa.select(EvaluationAnswer).where(EvaluationAnswer.question_id == old.id)).one()
    assert answer.scale_value == 4
    new = _course(session)[0]
    assert new.text == "Every learning objective was met" and new.replaces_id == old.id and new.id != old.id

    # Removing an answered question retires it; its answers stay.
    bias = next(q for q in _course(session) if q.text == "The activity was free of commercial bias")
    client.post(f"/host/events/{session.event_id}/evaluations/questions/{bias.id}/remove")
    db.session.expire_all()
    assert db.session.get(EvaluationQuestion, bias.id).retired
    assert db.session.scalar(sa.select(sa.func.count()).where(EvaluationAnswer.question_id == bias.id)) == 1
    assert bias.id not in [q.id for q in _course(session)]


def test_a_question_only_made_optional_stays_the_same_row(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    first = _course(session)[0]
    client.post(f"/host/events/{session.event_id}/evaluations/questions/{first.id}", data={
        f"q{first.id}-text": first.text, f"q{first.id}-position": "1"})
    db.session.expire_all()
    assert _course(session)[0].id == first.id and not _course(session)[0].required


def test_host_builds_a_posttest_with_one_correct_choice_per_question(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    assert "No questions yet" in client.get(f"/host/sessions/{session.id}/posttest").get_data(as_text=True)
    response = client.post(f"/host/sessions/{session.id}/posttest/questions/new", data={
        "text": "Which drug needs INR monitoring?", "choice_1": "Warfarin", "choice_2": "", "choice_3": "Apixaban",
        "correct": "1"})
    assert response.status_code == 302
    posttest = db.session.scalars(sa.select(Posttest)).one()
    assert posttest.pass_mark_percent == 70 and posttest.max_attempts == 3
    question = posttest.questions[0]
    assert [(c.text, c.correct) for c in question.choices] == [("Warfarin", True), ("Apixaban", False)]
    page = client.get(f"/host/sessions/{session.id}/posttest").get_data(as_text=True)
    assert "Warfarin <strong>(correct)</strong>" in page and "Attempts allowed: 3" in page

    client.post(f"/host/sessions/{session.id}/posttest", data={"pass_mark": "80"})
    db.session.expire_all()
    assert db.session.scalars(sa.select(Posttest)).one().pass_mark_percent == 80


def test_posttest_questions_need_two_choices_and_a_correct_one_with_text(client, auth, host, make_session):
    session = make_session()
    auth.login(host)
    url = f"/host/sessions/{session.id}/posttest/questions/new"
    page = client.post(url, data={"text": "Pick one", "choice_1": "Only", "correct": "1"}).get_data(as_text=True)
    assert "Give at least 2 choices." in page and 'value="Only"' in page
    page = client.post(url, data={"text": "Pick one", "choice_1": "A", "choice_2": "B"}).get_data(as_text=True)
    assert "Mark which choice is correct." in page
    page = client.post(url, data={"text": "Pick one", "choice_1": "A", "choice_2": "B", "correct": "4"}).get_data(as_text=True)
    assert "The choice marked correct is empty." in page
    page = client.post(f"/host/sessions/{session.id}/posttest", data={"pass_mark": "101"}).get_data(as_text=True)
    assert "The pass mark is a percentage from 1 to 100." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posttest)) == 0


def test_more_than_three_attempts_cannot_be_set(app, host, make_session):
    session = make_session()
    with pytest.raises(PosttestError) as refused:
        save_posttest_settings(session, 70, host.id, max_attempts=4)
    assert refused.value.reason == "max_attempts"


def test_host_edits_and_removes_a_posttest_question(client, auth, host, make_session, make_posttest):
    session = make_session()
    first, second = make_posttest(session, count=2)
    auth.login(host)
    page = client.get(f"/host/sessions/{session.id}/posttest/questions/{first.id}").get_data(as_text=True)
    assert 'value="Right"' in page
    client.post(f"/host/sessions/{session.id}/posttest/questions/{first.id}", data={
        "text": "Question one, reworded?", "choice_1": "Yes", "choice_2": "No", "correct": "2", "position": "2"})
    db.session.expire_all()
    posttest = db.session.scalars(sa.select(Posttest)).one()
    assert [q.text for q in posttest.questions] == ["Question 2?", "Question one, reworded?"]
    assert [(c.text, c.correct) for c in posttest.questions[1].choices] == [("Yes", False), ("No", True)]
    client.post(f"/host/sessions/{session.id}/posttest/questions/{second.id}/remove")
    db.session.expire_all()
    assert [q.text for q in db.session.scalars(sa.select(Posttest)).one().questions] == ["Question one, reworded?"]


def test_a_huge_place_for_a_question_is_refused_in_plain_words(client, auth, host, make_session, make_posttest):
    session = make_session()
    first, _second = make_posttest(session, count=2)
    _objectives, relevance, _bias, _comments = _course(session)
    auth.login(host)
    huge = "9" * 30  # past every integer the database or Python's C code takes
    page = client.post(f"/host/sessions/{session.id}/posttest/questions/{first.id}", data={
        "text": "Question one?", "choice_1": "Yes", "choice_2": "No", "correct": "1", "position": huge})
    assert page.status_code == 200 and "Give a place from 1." in page.get_data(as_text=True)
    answer = client.post(f"/host/events/{session.event_id}/evaluations/questions/{relevance.id}", data={
        f"q{relevance.id}-text": relevance.text, f"q{relevance.id}-required": "y", f"q{relevance.id}-position": huge})
    assert answer.status_code < 500
    db.session.expire_all()
    assert [q.position for q in db.session.scalars(sa.select(Posttest)).one().questions] == [1, 2]
