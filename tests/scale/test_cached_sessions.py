"""Each server process keeps sessions and questions in memory: a host's edit on one process shows on the
other's very next request (the event's version is read with every attendee page, events.catalogue)."""
from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.scale.servers import Browser
from tests.scale.test_across_processes import seed


def question_ids(cluster, session_id: int) -> dict[str, int]:
    from core.db import db
    from evaluations.models import EvaluationQuestion
    from events.models import EventSession

    app = cluster.app()
    with app.app_context():
        event_id = db.session.scalar(sa.select(EventSession.event_id).where(EventSession.id == session_id))
        rows = db.session.execute(sa.select(EvaluationQuestion.text, EvaluationQuestion.id).where(
            EvaluationQuestion.event_id == event_id, EvaluationQuestion.kind == "course",
            EvaluationQuestion.retired.is_(False))).all()
        db.session.remove()
        db.engine.dispose()
    return {"event_id": event_id, **dict(rows)}


def test_a_hosts_edit_on_one_process_shows_on_the_others_next_request(cluster):
    a, b = cluster.urls
    world = seed(cluster, attendees=1)
    session_id = world["session_id"]
    pat, host = Browser(), Browser()
    pat.login(b, world["people"][0], PASSWORD)
    host.login(a, world["host"], PASSWORD)

    # Pat entered the code on B, which now has the session and its questions in memory.
    entered = pat.submit(b, "/live", values={"code": world["code"]})
    assert entered.location == f"/s/{session_id}/evaluation"
    page = pat.get(b, entered.location).body
    assert "Keynote" in page and "The learning objectives were met" in page

    # The host, on A, rewords a question and renames the session and its speaker.
    ids = question_ids(cluster, session_id)
    question = ids["The learning objectives were met"]
    saved = host.submit(a, f"/host/events/{ids['event_id']}/evaluations",
                        action=f"/host/events/{ids['event_id']}/evaluations/questions/{question}",
                        values={f"q{question}-text": "Each learning objective was met"})
    assert saved.status == 302, saved.body[:300]
    edited = host.submit(a, f"/host/sessions/{session_id}/edit",
                         values={"title": "Keynote: anticoagulation", "speakers": "Dr. Rivera"})
    assert edited.status == 302, edited.body[:500]

    # Pat's very next page on B shows the edit: the new words, the new title, the new speaker.
    page = pat.get(b, f"/s/{session_id}/evaluation").body
    assert "Each learning objective was met" in page and "The learning objectives were met" not in page
    assert "Keynote: anticoagulation" in page
    answered = pat.submit(b, f"/s/{session_id}/evaluation",
                          choose=lambda name, options: "4" if "4" in options else options[0])
    assert answered.status == 302
    assert "Evaluate the speaker: Dr. Rivera" in pat.get(b, answered.location).body
