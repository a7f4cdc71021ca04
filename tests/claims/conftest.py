"""The world of the claim flow: attendees who entered codes and did their steps."""
import pytest

from codes.models import SessionCode
from core.db import db


@pytest.fixture
def attendee(make_user):
    return make_user("pat@example.org", "Pat Pharmacist", profession="pharmacist", eprofile_id="1234567", birth_mmdd="0207")


@pytest.fixture
def code_of():
    def code_of(session):
        return db.session.scalar(db.select(SessionCode.code).where(SessionCode.session_id == session.id))

    return code_of


@pytest.fixture
def evaluated():
    """Fill the course evaluation and every speaker's, as the attendee would."""
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation

    def evaluate(user, session):
        for kind, speakers in (("course", [None]), ("speaker", list(session.speakers))):
            questions = active_questions(session.event, kind)
            for speaker in speakers:
                answers = [Answer(q.id, scale_value=4) if q.scale else Answer(q.id, text_value="Useful") for q in questions]
                submit_evaluation(user.id, session, speaker, questions, answers)

    return evaluate


@pytest.fixture
def entered(code_of):
    """The attendee has entered the session's code (through the real page)."""
    def enter(client, session, page="/live"):
        return client.post(page, data={"code": code_of(session)})

    return enter
