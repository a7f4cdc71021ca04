"""An attendee fills the course evaluation and one per speaker, anonymously."""
import sqlalchemy as sa

from core.db import db
from evaluations import access
from evaluations.models import EvaluationAnswer, EvaluationCompletion, EvaluationQuestion, EvaluationResponse
from evaluations.questions import active_questions
from tests.evaluations.standing import Standing


def _questions(session, kind="course"):
    return {q.text: q for q in active_questions(session.event, kind)}


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_course_evaluation_asks_the_acpe_defaults_as_one_to_five_scales_with_words_at_the_ends(client, logged_in, make_session):
    session = make_session()
    page = client.get(f"/s/{session.id}/evaluation").get_data(as_text=True)
    for text in ("The learning objectives were met", "The content is relevant to my practice",
                 "The activity was free of commercial bias", "Comments (optional)"):
        assert f"<legend>{text}</legend>" in page or f"<label for=" in page and f">{text}</label>" in page
    assert "1 Strongly disagree" in page and "5 Strongly agree" in page
    assert page.count('type="radio"') == 3 * 5


def test_missing_required_answers_are_named_and_chosen_answers_are_kept(client, logged_in, make_session):
    session = make_session()
    q = _questions(session)
    response = client.post(f"/s/{session.id}/evaluation", data={
        f"q{q['The learning objectives were met'].id}": "4",
        f"q{q['Comments'].id}": "Great pace",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please answer the 2 questions marked below" in page
    assert "Choose a number from 1 to 5 for “The content is relevant to my practice”." in page
    assert "Choose a number from 1 to 5 for “The activity was free of commercial bias”." in page
    assert "for “The learning objectives were met”" not in page
    kept = q["The learning objectives were met"].id
    assert f'<input checked id="q{kept}-3" name="q{kept}" required type="radio" value="4">' in page
    assert "Great pace" in page
    assert _count(EvaluationResponse) == 0 and _count(EvaluationCompletion) == 0


def test_answers_are_stored_without_the_attendee_and_the_completion_separately(client, logged_in, make_session):
    session = make_session()
    q = _questions(session)
    response = client.post(f"/s/{session.id}/evaluation", data={
        f"q{q['The learning objectives were met'].id}": "5",
        f"q{q['The content is relevant to my practice'].id}": "4",
        f"q{q['The activity was free of commercial bias'].id}": "1",
        f"q{q['Comments'].id}": "  ",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/s/{session.id}"

    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("evaluation_responses")}
    assert columns == {"id", "session_id", "speaker_id", "kind", "submitted_on"}
    assert not any("user" in c for c in columns)
    stored = db.session.scalars(sa.select(EvaluationResponse)).one()
    assert (stored.session_id, stored.speaker_id, stored.kind) == (session.id, None, "course")
    assert str(stored.submitted_on) == "2026-11-21"  # the date only, in the event's zone
    assert {(a.question_id, a.scale_value) for a in stored.answers} == {
        (q["The learning objectives were met"].id, 5),
        (q["The content is relevant to my practice"].id, 4),
        (q["The activity was free of commercial bias"].id, 1),
    }  # the blank comment is not stored
    completion = db.session.scalars(sa.select(EvaluationCompletion)).one()
    assert (completion.user_id, completion.session_id, completion.target) == (logged_in.id, session.id, "course")


def test_a_second_submit_stores_nothing_more_and_the_page_says_it_was_filled(client, logged_in, make_session):
    session = make_session()
    q = _questions(session)
    answers = {f"q{question.id}": "3" for question in q.values() if question.scale}
    client.post(f"/s/{session.id}/evaluation", data=answers)
    again = client.post(f"/s/{session.id}/evaluation", data=answers, follow_redirects=True)
    assert "You have already filled this evaluation." in again.get_data(as_text=True)
    assert _count(EvaluationResponse) == 1 and _count(EvaluationCompletion) == 1
    page = client.get(f"/s/{session.id}/evaluation").get_data(as_text=True)
    assert "You have already filled this evaluation" in page
    assert f'href="/s/{session.id}"' in page


def test_after_submitting_the_attendee_goes_to_the_next_step(client, logged_in, make_session):
    session = make_session()
    access.set_standing(lambda user_id, session_id: Standing(user_id, session_id, next_url=f"/my-training#session-{session_id}-user-{user_id}"))
    answers = {f"q{question.id}": "5" for question in _questions(session).values() if question.scale}
    response = client.post(f"/s/{session.id}/evaluation", data=answers)
    assert response.headers["Location"] == f"/my-training#session-{session.id}-user-{logged_in.id}"


def test_each_speaker_has_an_evaluation_of_their_own(client, logged_in, make_session):
    session = make_session(speakers=("Dr. Maya Chen", "Lee Park"))
    chen, park = session.speakers
    page = client.get(f"/s/{session.id}/speakers/{park.id}/evaluation").get_data(as_text=True)
    assert "Evaluate the speaker: Lee Park" in page
    assert "The speaker was effective" in page and "The speaker was knowledgeable" in page
    q = _questions(session, "speaker")
    client.post(f"/s/{session.id}/speakers/{park.id}/evaluation", data={
        f"q{q['The speaker was effective'].id}": "5", f"q{q['The speaker was knowledgeable'].id}": "4",
        f"q{q['Comments'].id}": "Clear slides",
    })
    stored = db.session.scalars(sa.select(EvaluationResponse)).one()
    assert (stored.kind, stored.speaker_id) == ("speaker", park.id)
    assert db.session.scalar(sa.select(EvaluationAnswer.text_value).where(EvaluationAnswer.text_value.is_not(None))) == "Clear slides"
    targets = set(db.session.scalars(sa.select(EvaluationCompletion.target)))
    assert targets == {f"speaker:{park.id}"}
    assert "Evaluate the speaker: Dr. Maya Chen" in client.get(f"/s/{session.id}/speakers/{chen.id}/evaluation").get_data(as_text=True)


def test_a_speaker_of_another_session_is_not_found(client, logged_in, make_session):
    session = make_session()
    other = make_session(title="Opioid stewardship", speakers=("Sam Ortiz",))
    response = client.get(f"/s/{session.id}/speakers/{other.speakers[0].id}/evaluation")
    assert response.status_code == 404
    assert client.get(f"/s/{session.id}/speakers/999/evaluation").status_code == 404


def test_evaluations_need_a_login(client, make_session):
    session = make_session()
    response = client.get(f"/s/{session.id}/evaluation")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_attendee_the_gate_refuses_is_sent_to_enter_the_code_first(client, logged_in, make_session):
    session = make_session()
    seen = []
    access.set_standing(lambda user_id, session_id: seen.append((user_id, session_id)) or Standing(user_id, session_id, entered=False))
    for path in (f"/s/{session.id}/evaluation", f"/s/{session.id}/speakers/{session.speakers[0].id}/evaluation",
                 f"/s/{session.id}/posttest"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/s/{session.id}"
    assert seen[0] == (logged_in.id, session.id)
    page = client.get(f"/s/{session.id}").get_data(as_text=True)
    assert "Enter the session code first." in page
    response = client.post(f"/s/{session.id}/evaluation", data={})
    assert response.status_code == 302 and _count(EvaluationCompletion) == 0

    access.set_standing(lambda user_id, session_id: Standing(user_id, session_id, entered=True))
    assert client.get(f"/s/{session.id}/evaluation").status_code == 200


def test_defaults_are_copied_once_so_the_event_keeps_its_own_questions(client, logged_in, make_session):
    session = make_session()
    client.get(f"/s/{session.id}/evaluation")
    client.get(f"/s/{session.id}/speakers/{session.speakers[0].id}/evaluation")
    rows = db.session.scalars(sa.select(EvaluationQuestion).where(EvaluationQuestion.event_id == session.event_id)).all()
    assert sorted((r.kind, r.position) for r in rows) == [
        ("course", 1), ("course", 2), ("course", 3), ("course", 4), ("speaker", 1), ("speaker", 2), ("speaker", 3)]
