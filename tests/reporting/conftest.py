"""The world of reporting: claimed credit, a stand-in CPE Monitor and PARS listening on a free port, and a
finished conference with its host and people who must not see its reports."""
from __future__ import annotations

import datetime as dt
import threading

import httpx
import pytest

from core.db import db
from tests.reporting.standin import PASSWORD, USER, make_server
from tests.reporting.world import build


@pytest.fixture
def standin():
    """The stand-in services, in a thread of this process; `.url`, `.tell(...)`, `.stats()`."""
    server, state = make_server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    state.tell = lambda **body: httpx.post(f"{state.url}/control", json=body).raise_for_status()
    yield state
    state.hang.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def service_config(standin):
    """Configuration sending every event's claims to the stand-in, with short timeouts."""
    return {
        "REPORTING_METHOD": "service",
        "CPE_MONITOR_URL": f"{standin.url}/cpe-monitor", "CPE_MONITOR_USER": USER, "CPE_MONITOR_PASSWORD": PASSWORD,
        "PARS_URL": f"{standin.url}/pars", "PARS_USER": USER, "PARS_PASSWORD": PASSWORD,
        "PARS_ACTIVITY_ID": "ACT-2026-0042",
        "REPORTING_CONNECT_TIMEOUT": 0.5, "REPORTING_READ_TIMEOUT": 0.5,
    }


@pytest.fixture
def to_standin(app, service_config):
    app.config.update(service_config)
    return service_config


@pytest.fixture
def ended_session(make_session):
    """A live session that ended half an hour ago: its claim window is open."""
    return make_session(starts_in=dt.timedelta(minutes=-90))


@pytest.fixture
def claimed():
    """The attendee entered the code, filled the evaluations and claimed credit, through the claim flow."""
    from claims.flow import claim_credit
    from codes.redeem import redeem
    from core import clock
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation

    def claim(user, session, profession="pharmacist", **identity):
        redeem(user.id, session)
        for kind, speakers in (("course", [None]), ("speaker", list(session.speakers))):
            questions = active_questions(session.event, kind)
            for speaker in speakers:
                answers = [Answer(q.id, scale_value=4) if q.scale else Answer(q.id, text_value="Useful") for q in questions]
                submit_evaluation(user.id, session, speaker, questions, answers)
        if not identity:
            identity = ({"npi": user.npi, "birth_mmdd": user.birth_mmdd} if profession == "physician"
                        else {"eprofile_id": user.eprofile_id, "birth_mmdd": user.birth_mmdd})
        return claim_credit(user, session, clock.now(), profession=profession, **identity)

    return claim


@pytest.fixture
def attendees(make_user):
    """Pharmacists numbered 1..n, e-Profile IDs 100000n, born on 0207."""
    def make(n):
        return [make_user(f"pharm{i}@example.org", f"Pharmacist Number{i}", profession="pharmacist",
                          eprofile_id=str(1000000 + i), birth_mmdd="0207") for i in range(1, n + 1)]

    return make


@pytest.fixture
def entry_of():
    from claims.models import OutboxEntry

    def entry(claim):
        db.session.expire_all()
        return db.session.scalar(db.select(OutboxEntry).where(OutboxEntry.claim_id == claim.id))

    return entry



@pytest.fixture
def world(app, now, host, make_user):
    return build(host, make_user)


@pytest.fixture
def other_host(make_user):
    return make_user("olga@example.org", "Olga Otherhost", is_organiser=True)


@pytest.fixture
def desk_staff(make_user, world, host):
    from events.setup import grant_role

    staff = make_user("desk@example.org", "Dan Desk")
    grant_role(world.event, staff.email, "checkin", host)
    return staff


@pytest.fixture
def admin(make_user):
    return make_user("ada@example.org", "Ada Admin", is_admin=True)
