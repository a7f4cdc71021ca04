"""Two server processes on one PostgreSQL and one Redis: pushes cross processes, and a Redis outage loses nothing."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.scale.servers import Browser, LiveClient, wait_until


def seed(cluster, attendees: int = 3):
    """A host, a session that ended a minute ago (claims open), and pharmacists with complete profiles."""
    from accounts.models import User
    from codes.models import SessionCode
    from core import clock
    from core.db import db
    from events.models import EventSession, Speaker
    from events.setup import create_event
    from events.signals import session_created

    app = cluster.app()
    with app.app_context():
        def person(email, **fields):
            user = User(email=email, name=email.split("@")[0].title(), **fields)
            user.set_password(PASSWORD)
            db.session.add(user)
            return user

        host = person("harriet@example.org", is_organiser=True)
        people = [person(f"p{i}@example.org", profession="pharmacist", eprofile_id=str(1234560 + i), birth_mmdd="0207")
                  for i in range(attendees)]
        db.session.flush()
        event = create_event(host, title="Scale meeting", venue="Hall", timezone="America/Chicago")
        now = clock.now().replace(second=0, microsecond=0)
        session = EventSession(title="Keynote", kind="live", starts_at=now - dt.timedelta(minutes=61),
                               ends_at=now - dt.timedelta(minutes=1), credit_quarter_hours=4,
                               uan_pharmacist="0205-0000-26-014-L05-P", uan_technician="0205-0000-26-014-L05-T")
        session.speakers = [Speaker(name="Dr. Keynote", position=0)]
        event.sessions.append(session)
        session.refresh_window()
        db.session.flush()
        session_created.send(session)
        db.session.commit()
        code = db.session.scalar(sa.select(SessionCode.code).where(SessionCode.session_id == session.id))
        result = {"host": host.email, "people": [p.email for p in people], "session_id": session.id, "code": code}
        db.session.remove()
        db.engine.dispose()
        return result


def claims_for(cluster, session_id: int) -> list[str]:
    from accounts.models import User
    from claims.models import Claim, OutboxEntry
    from core.db import db

    app = cluster.app()
    with app.app_context():
        emails = list(db.session.scalars(sa.select(User.email).join(Claim, Claim.user_id == User.id)
                                         .where(Claim.session_id == session_id).order_by(User.email)))
        outbox = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry))
        db.session.remove()
        db.engine.dispose()
    assert outbox == len(emails)
    return emails


def claim_credit(browser: Browser, base: str, code: str) -> None:
    """An attendee's whole path over plain forms: code, course evaluation, speaker evaluation, claim."""
    answer = lambda name, options: "pharmacist" if "pharmacist" in options else ("4" if "4" in options else options[0])
    response = browser.submit(base, "/live", values={"code": code})
    assert response.status == 302, response.body[:300]
    location = response.location
    for _ in range(3):
        response = browser.submit(base, location, choose=answer)
        assert response.status == 302, (location, response.status)
        location = response.location
    assert "/training/" in location, location


def current_code(cluster, session_id: int) -> str:
    from codes.models import SessionCode
    from core.db import db

    app = cluster.app()
    with app.app_context():
        code = db.session.scalar(sa.select(SessionCode.code).where(SessionCode.session_id == session_id))
        db.session.remove()
        db.engine.dispose()
    return code


def reveal(browser: Browser, base: str, session_id: int):
    page = f"/host/sessions/{session_id}/present"
    response = browser.submit(base, page, action=f"/host/sessions/{session_id}/reveal")
    assert response.status == 302
    return response


def health(base: str) -> dict:
    response = Browser().get(base, "/health")
    return {"status_code": response.status, **json.loads(response.body)}


def test_a_reveal_on_one_process_reaches_a_presenter_on_the_other_and_an_outage_loses_nothing(cluster, redis_server):
    a, b = cluster.urls
    world = seed(cluster)
    host = Browser()
    host.login(a, world["host"], PASSWORD)
    presenter_on_b = LiveClient(b, host)
    presenter_on_b.join(f"presenter:{world['session_id']}")

    reveal(host, a, world["session_id"])
    assert presenter_on_b.wait_for("revealed") == [{"session_id": world["session_id"]}]
    assert health(b) == {"status_code": 200, "database": "ok", "redis": "ok", "pushes": "listening",
                         "rate_limits": "shared", "status": "ok"}

    # Redis stops: code entry and claims go on, on both processes.
    redis_server.stop()
    first, second, third = (Browser() for _ in range(3))
    first.login(a, world["people"][0], PASSWORD)
    second.login(b, world["people"][1], PASSWORD)
    claim_credit(first, a, world["code"])
    claim_credit(second, b, world["code"].lower())  # typed in lower case on the other process
    assert health(a)["status"] == "degraded" and health(a)["redis"] == "down"
    assert claims_for(cluster, world["session_id"]) == world["people"][:2]

    # Redis is back: B's listener re-subscribes and asks its pages to re-fetch,
    # then a new push from A reaches B, with no server restarted.
    redis_server.start()
    presenter_on_b.wait_for("resync", timeout=15)
    wait_until(lambda: health(b)["pushes"] == "listening", 10, "B to listen again")

    def new_code_reaches_b():  # A drops pushes for a second after a failed one: poll, never sleep
        before = len(presenter_on_b.events("code_changed"))
        page = f"/host/sessions/{world['session_id']}/code"
        assert host.submit(a, page, action=page + "/new").status == 302
        wait_until(lambda: len(presenter_on_b.events("code_changed")) > before, 2, "the new code on B")

    wait_until(lambda: _quietly(new_code_reaches_b), 15, "a push from A to reach B after the outage")
    third.login(b, world["people"][2], PASSWORD)
    claim_credit(third, b, current_code(cluster, world["session_id"]))
    assert claims_for(cluster, world["session_id"]) == world["people"]
    assert health(a)["status"] == "ok"
    presenter_on_b.close()


def _quietly(attempt) -> bool:
    try:
        attempt()
        return True
    except AssertionError:
        return False


def test_a_cli_command_reaches_pages_on_every_process(cluster):
    a, b = cluster.urls
    world = seed(cluster, attendees=1)
    attendee = Browser()
    attendee.login(a, world["people"][0], PASSWORD)
    pages = [LiveClient(url, attendee) for url in (a, b)]
    for page in pages:
        page.join(f"session:{world['session_id']}")

    done = cluster.run_cli("live", "resync", "--room", f"session:{world['session_id']}")
    assert done.returncode == 0, done.stderr
    for page in pages:
        page.wait_for("resync")
        page.close()


def test_a_log_out_on_one_process_takes_the_persons_open_pages_on_the_other_out_of_their_room(cluster):
    import re

    from accounts.models import User
    from core.db import db

    a, b = cluster.urls
    world = seed(cluster, attendees=1)
    email = world["people"][0]
    app = cluster.app()
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        db.session.remove()
        db.engine.dispose()
    phone, laptop = Browser(), Browser()
    phone.login(a, email, PASSWORD)
    laptop.login(b, email, PASSWORD)
    page = LiveClient(b, laptop)  # My Training left open on the laptop, served by process B
    page.join(f"user:{user_id}")
    page.join(f"session:{world['session_id']}")
    assert cluster.run_cli("live", "resync", "--room", f"user:{user_id}").returncode == 0
    page.wait_for("resync")

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', phone.get(a, "/profile").body).group(1)
    assert phone.request(a + "/logout", {"csrf_token": token}).status == 302  # on the phone, process A
    assert cluster.run_cli("live", "resync", "--room", f"user:{user_id}").returncode == 0
    assert cluster.run_cli("live", "resync", "--room", f"session:{world['session_id']}").returncode == 0
    # Pushes through Redis arrive in order: once the session room's has come, the user room's would have.
    page.wait_for("resync", count=2)
    assert len(page.events("resync")) == 2
    page.close()


def test_a_check_in_at_a_desk_on_one_process_reaches_a_desk_on_the_other(cluster):
    from accounts.models import User
    from checkin.models import Registration
    from core.db import db
    from events.models import Event
    from events.setup import grant_role

    a, b = cluster.urls
    world = seed(cluster, attendees=2)
    app = cluster.app()
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        host = db.session.scalar(sa.select(User).where(User.email == world["host"]))
        staff = User(email="dana@example.org", name="Dana Desk")
        staff.set_password(PASSWORD)
        db.session.add(staff)
        db.session.commit()
        grant_role(event, staff.email, "checkin", host)
        people = db.session.scalars(sa.select(User).where(User.email.in_(world["people"])).order_by(User.email))
        registrations = [Registration(event_id=event.id, user_id=person.id) for person in people]
        db.session.add_all(registrations)
        db.session.commit()
        event_id, token = event.id, registrations[0].badge_token
        db.session.remove()
        db.engine.dispose()

    desk_a, desk_b = Browser(), Browser()
    desk_a.login(a, "dana@example.org", PASSWORD)
    desk_b.login(b, "dana@example.org", PASSWORD)
    watching_on_b = LiveClient(b, desk_b)
    watching_on_b.join(f"desk:{event_id}")

    page = f"/desk/events/{event_id}?list=entrance&desk=Desk+A"
    answer = desk_a.submit(a, page, action=f"/desk/events/{event_id}/scan", values={"code": token})
    assert answer.status in (200, 302), answer.status

    line = watching_on_b.wait_for("desk.scan")[0]
    assert line["result"] == "checked_in" and line["desk"] == "Desk A"
    counters = watching_on_b.wait_for("desk.counters")[-1]
    assert counters["checked_in"] == 1 and counters["registered"] == 2
    # Desk B's own page, served by process B, agrees.
    state = json.loads(desk_b.get(b, f"/api/v1/events/{event_id}/lists/entrance/state").body)
    assert state["counters"]["checked_in"] == 1
    watching_on_b.close()


def test_the_reporting_worker_in_its_own_process_tells_the_attendees_page_on_a_server(tmp_path, pg_database, redis_server):
    from tests.scale.servers import Cluster

    # The servers leave transmission to `flask reporting worker` (Procfile: worker).
    cluster = Cluster(tmp_path, pg_database, redis_server.url, processes=1,
                      env={"REPORTING_WORKER": "off", "REPORTING_BATCH_DIR": str(tmp_path / "batches")})
    cluster.migrate()
    cluster.start()
    try:
        (server,) = cluster.urls
        world = seed(cluster, attendees=1)
        attendee = Browser()
        attendee.login(server, world["people"][0], PASSWORD)
        claim_credit(attendee, server, world["code"])
        my_training = LiveClient(server, attendee)
        app = cluster.app()
        with app.app_context():
            from accounts.models import User
            from core.db import db

            user_id = db.session.scalar(sa.select(User.id).where(User.email == world["people"][0]))
            db.session.remove()
            db.engine.dispose()
        my_training.join(f"user:{user_id}")

        done = cluster.run_cli("reporting", "worker", "--once")
        assert done.returncode == 0, done.stderr
        pushed = my_training.wait_for("report")
        assert {"session_id": world["session_id"], "state": "accepted"} in pushed
        page = attendee.get(server, "/training")
        assert "Sent to the provider for reporting to CPE Monitor" in page.body
        my_training.close()
    finally:
        cluster.stop()
