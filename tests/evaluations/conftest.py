"""The world of evaluations: an attendee at a session, a posttest with known answers."""
from __future__ import annotations

import pytest

from evaluations import access


@pytest.fixture(autouse=True)
def open_gate(request):
    """Each test starts with the default standing (everyone may fill, then the session page), and leaves it so.

    The app wires the attendee's journey in when it is created, so reset
    after it; the tests of the gate set their own.
    """
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
    access.set_standing(None)
    yield
    access.set_standing(None)


@pytest.fixture
def attendee(make_user):
    return make_user("pat@example.org", "Pat Pharmacist")


@pytest.fixture
def logged_in(auth, attendee):
    auth.login(attendee)
    return attendee


@pytest.fixture
def make_posttest(app, host):
    """A posttest of `count` questions; choice "Right" is correct, "Wrong" is not."""
    from evaluations.posttest import QuestionDraft, add_posttest_question, save_posttest_settings

    def make(session, count=10, pass_mark=70):
        save_posttest_settings(session, pass_mark, host.id)
        return [
            add_posttest_question(session, QuestionDraft(f"Question {n}?", ["Right", "Wrong", "Also wrong"], 0), host.id)
            for n in range(1, count + 1)
        ]

    return make


def choice_ids(questions, right: int) -> dict[str, int]:
    """Form data answering the first `right` questions correctly and the rest wrongly."""
    data = {}
    for n, question in enumerate(questions):
        wanted = "Right" if n < right else "Wrong"
        data[f"q{question.id}"] = next(c.id for c in question.choices if c.text == wanted)
    return data
