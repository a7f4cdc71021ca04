"""A completed step is pushed to the attendee's own room, so their other open pages update."""
from flask_login import current_user

from core.realtime import allow_room, socketio
from evaluations.questions import active_questions
from tests.evaluations.conftest import choice_ids


def _my_room(app, client, user):
    # As app.py wires it: only the attendee joins their own room.
    allow_room("user", lambda ident: current_user.is_authenticated and current_user.id == ident)
    sio = socketio.test_client(app, flask_test_client=client)
    assert sio.emit("join", {"room": f"user:{user.id}"}, callback=True) == {"ok": True}
    return sio


def test_each_evaluation_and_a_passed_posttest_is_pushed_as_a_step(app, client, logged_in, make_session, make_posttest):
    session = make_session()
    speaker = session.speakers[0]
    questions = make_posttest(session, count=2)
    sio = _my_room(app, client, logged_in)
    client.post(f"/s/{session.id}/evaluation",
                data={f"q{q.id}": "5" for q in active_questions(session.event, "course") if q.scale})
    client.post(f"/s/{session.id}/speakers/{speaker.id}/evaluation",
                data={f"q{q.id}": "5" for q in active_questions(session.event, "speaker") if q.scale})
    client.post(f"/s/{session.id}/posttest", data={**choice_ids(questions, 0), "submit": "Submit answers"})
    client.post(f"/s/{session.id}/posttest/next")
    client.post(f"/s/{session.id}/posttest", data={**choice_ids(questions, 2), "submit": "Submit answers"})
    pushed = [m["args"][0] for m in sio.get_received() if m["name"] == "step"]
    assert pushed == [
        {"session_id": session.id, "step": "course"},
        {"session_id": session.id, "step": f"speaker:{speaker.id}"},
        {"session_id": session.id, "step": "posttest"},  # only the pass completes the step
    ]
