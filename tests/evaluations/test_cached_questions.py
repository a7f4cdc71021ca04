"""The questions are rendered once per process and version, for every attendee: nothing of one attendee may
ride along to another, and a host's edit shows at once."""
from __future__ import annotations

import re

from evaluations.questions import active_questions, edit_question


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_what_one_attendee_typed_never_shows_on_anothers_page(client, app, logged_in, make_user, make_session):
    session = make_session()
    comments = next(q for q in active_questions(session.event, "course") if not q.scale)
    # Pat sends the form with only a comment: refused, and the comment is kept for Pat.
    refused = client.post(f"/s/{session.id}/evaluation", data={f"q{comments.id}": "Pat's private note"})
    pat_page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Pat&#39;s private note" in pat_page

    sam = app.test_client()
    sam.post("/login", data={"email": make_user("sam@example.org", "Sam Tech").email, "password": "correct horse battery"})
    sam_page = sam.get(f"/s/{session.id}/evaluation").get_data(as_text=True)
    assert "private note" not in sam_page and "Pat" not in sam_page
    assert "The learning objectives were met" in sam_page
    assert csrf_token(sam_page) != csrf_token(pat_page)  # each page carries its own person's token
    # Pat's own next look is blank again too: answers are not kept across pages.
    assert "private note" not in client.get(f"/s/{session.id}/evaluation").get_data(as_text=True)


def test_a_reworded_question_shows_on_the_next_page(client, logged_in, host, make_session):
    session = make_session()
    assert "The learning objectives were met" in client.get(f"/s/{session.id}/evaluation").get_data(as_text=True)
    first = active_questions(session.event, "course")[0]
    edit_question(first, "Each learning objective was met", True, None, host.id)
    page = client.get(f"/s/{session.id}/evaluation").get_data(as_text=True)
    assert "Each learning objective was met" in page and "The learning objectives were met" not in page
