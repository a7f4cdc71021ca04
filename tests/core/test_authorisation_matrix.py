"""The authorisation matrix: every route, as every role, with ids of another event's and another person's objects.

Issue 12: "Nothing of another event, or another person, leaks." `ROUTES` declares, for every endpoint of
`app.url_map`, who may use it and how to fill its address (and query or body) with the ids of objects that are
not the requester's: event B's, while the roles work for event A; another attendee's; an account that belongs to
nothing. A route missing from `ROUTES` fails `test_every_route_has_a_declared_rule`, so the matrix grows with the app.

The world: event A with its host, its desk staff and an attendee (the roles, with the administrator and an
anonymous visitor), and event B, whose people all carry the surname Xylander (its host, desk staff, registrants,
the people of its webinar report), with "Xylander" also in its posttest and evaluation questions, its desk device's
name, an evaluation comment and its sessions' codes; plus Uma Xylander, an attendee of nothing. A response that
shows any of these to someone who is not B's (or an administrator looking at B's own pages) is a leak.

For each route × role × method × way of filling it, the request must:
- never fail (500) or raise;
- for a role the route does not declare: be refused (302 to the login page, 401, 403 or 404);
- for event B's own pages requested by A's host or desk staff: be refused the same way;
- never show "xylander" (or a code of B's as grouped for reading), except to an administrator on B's own pages.
What a request sent itself (a query, a typed email) is taken out of its answer before looking.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import uuid
from typing import Callable

import pytest
import sqlalchemy as sa

from core import clock
from core.db import db

ANONYMOUS, ATTENDEE, DESK, HOST, ADMIN = "anonymous", "attendee", "desk", "host", "admin"
ROLES = (ANONYMOUS, ATTENDEE, DESK, HOST, ADMIN)  # requests go in this order: the administrator's changes come last
EVERYONE = frozenset(ROLES)
LOGGED_IN = frozenset(ROLES) - {ANONYMOUS}
DESK_STAFF = frozenset({DESK, HOST, ADMIN})  # the event's check-in staff, its hosts, administrators
HOSTS = frozenset({HOST, ADMIN})  # the event's hosts, administrators
ADMINS = frozenset({ADMIN})
MARKER = "xylander"


# --- the declarations ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Fill:
    """One way to fill a route: URL arguments by world attribute name (or literally, with `=`), a query, a body.

    `mixed`: the route is the role's own event's (A) and an object in it is another's (B's or another
    person's); nobody, administrators included, may see that object through it.
    """

    args: tuple[tuple[str, str], ...] = ()
    query: Callable | None = None
    form: Callable | None = None
    json: Callable | None = None
    mixed: bool = False

    def url_args(self, world) -> dict:
        return {name: value[1:] if value.startswith("=") else getattr(world, value) for name, value in self.args}


def fill(mixed: bool = False, query=None, form=None, json=None, **args) -> Fill:
    return Fill(tuple(args.items()), query, form, json, mixed)


@dataclasses.dataclass(frozen=True)
class Route:
    who: frozenset  # the roles that may use the route at all
    scope: str  # "public", "own" (the requester's own things), "event" (an event's, for its staff), "admin"
    fills: tuple[Fill, ...] = (Fill(),)


def route(who, scope, *fills) -> Route:
    return Route(frozenset(who), scope, tuple(fills) or (Fill(),))


def nonce() -> str:
    return uuid.uuid4().hex


def desk_body(**fields):
    return lambda w: {"list": "entrance", "desk": "Desk 1", "nonce": nonce(), **fields}


def api_body(**fields):
    return lambda w: {"desk": "Desk 1", "nonce": nonce(), **fields}


B_EVENT = fill(event_id="b_event")
B_SESSION = fill(session_id="b_session")

ROUTES: dict[str, Route] = {
    # Open to everyone.
    "events.home": route(EVERYONE, "public"),
    "events.event_page": route(EVERYONE, "public", B_EVENT),
    "events.session_page": route(EVERYONE, "public", B_SESSION),
    "events.session_window": route(EVERYONE, "public", B_SESSION),
    "health.health": route(EVERYONE, "public"),
    "health.live": route(EVERYONE, "public"),
    "favicon": route(EVERYONE, "public"),
    "checkin.badge_service_worker": route(EVERYONE, "public"),
    "vendor": route(EVERYONE, "public", fill(filename="=socket.io.min.js")),
    "desk_api.openapi": route(EVERYONE, "public"),
    "accounts.login": route(EVERYONE, "public"),
    "accounts.register": route(EVERYONE, "public"),
    "accounts.logout": route(EVERYONE, "public"),
    "claims.enter_live_code": route(EVERYONE, "public"),
    "claims.enter_home_study_code": route(EVERYONE, "public"),
    "checkin.set_password": route(EVERYONE, "public"),
    # Anyone logged in, about themselves.
    "accounts.profile": route(LOGGED_IN, "own"),
    "accounts.change_password": route(LOGGED_IN, "own"),
    "claims.my_training": route(LOGGED_IN, "own"),
    "claims.progress": route(LOGGED_IN, "own", B_SESSION),
    "claims.claim": route(LOGGED_IN, "own", B_SESSION),
    "claims.certificate": route(LOGGED_IN, "own", B_SESSION),
    "reporting.resubmit": route(LOGGED_IN, "own", fill(claim_id="b_claim")),
    "checkin.register": route(LOGGED_IN, "own", B_EVENT),
    "checkin.my_badge": route(LOGGED_IN, "own", B_EVENT),
    "desk.choose_event": route(LOGGED_IN, "own"),
    "events.host_events": route(LOGGED_IN, "own"),
    "evaluations.course_evaluation": route(LOGGED_IN, "own", B_SESSION),
    "evaluations.speaker_evaluation": route(LOGGED_IN, "own", fill(session_id="b_session", speaker_id="b_speaker")),
    "evaluations.posttest": route(LOGGED_IN, "own", B_SESSION),
    "evaluations.posttest_answer": route(LOGGED_IN, "own", fill(
        session_id="b_session", form=lambda w: {"question_id": w.b_posttest_question, "choice_id": w.b_choice})),
    "evaluations.posttest_next_attempt": route(LOGGED_IN, "own", B_SESSION),
    "events.new_event": route(HOSTS, "own"),  # organisers (A's host) and administrators
    # The event's hosts (and administrators).
    "events.manage_event": route(HOSTS, "event", B_EVENT),
    "events.edit_event": route(HOSTS, "event", B_EVENT),
    "events.new_session": route(HOSTS, "event", B_EVENT),
    "events.edit_session": route(HOSTS, "event", B_SESSION),
    "events.open_session_early": route(HOSTS, "event", B_SESSION),
    "evaluations.host_evaluations": route(HOSTS, "event", B_EVENT),
    "evaluations.add_evaluation_question": route(HOSTS, "event", fill(event_id="b_event", kind="=course")),
    "evaluations.edit_evaluation_question": route(
        HOSTS, "event", fill(event_id="b_event", question_id="b_question"),
        fill(mixed=True, event_id="a_event", question_id="b_question")),
    "evaluations.remove_evaluation_question": route(
        HOSTS, "event", fill(event_id="b_event", question_id="b_question"),
        fill(mixed=True, event_id="a_event", question_id="b_question")),
    "evaluations.host_posttest": route(HOSTS, "event", B_SESSION),
    "evaluations.posttest_question_new": route(HOSTS, "event", B_SESSION),
    "evaluations.posttest_question_edit": route(
        HOSTS, "event", fill(session_id="b_session", question_id="b_posttest_question"),
        fill(mixed=True, session_id="a_session", question_id="b_posttest_question")),
    "evaluations.posttest_question_remove": route(
        HOSTS, "event", fill(session_id="b_session", question_id="b_posttest_question"),
        fill(mixed=True, session_id="a_session", question_id="b_posttest_question")),
    "checkin.registrants": route(HOSTS, "event", B_EVENT,
                                 fill(mixed=True, event_id="a_event", query=lambda w: {"q": "ann"})),
    "checkin.badge_sheet": route(HOSTS, "event", B_EVENT, fill(
        mixed=True, event_id="a_event", form=lambda w: {"registration": [str(i) for i in w.b_registrations]})),
    "checkin.password_letters": route(HOSTS, "event", B_EVENT, fill(
        mixed=True, event_id="a_event", form=lambda w: {"registration": [str(i) for i in w.b_registrations]})),
    "checkin.import_registrants": route(HOSTS, "event", B_EVENT),
    "checkin.revoke": route(HOSTS, "event", fill(registration_id="b_registration")),
    "events.event_staff": route(HOSTS, "event", B_EVENT, fill(event_id="b_event", form=lambda w: {"email": "ann@example.org"})),
    "events.remove_staff": route(HOSTS, "event", fill(event_id="b_event", grant_id="b_grant"),
                                 fill(mixed=True, event_id="a_event", grant_id="b_grant")),
    "checkin.desk_devices": route(HOSTS, "event", B_EVENT),
    "checkin.issue_desk_device": route(HOSTS, "event", B_EVENT),
    "checkin.revoke_desk_device": route(HOSTS, "event", fill(device_id="b_device")),
    "checkin.webinar_report": route(HOSTS, "event", B_SESSION),
    "checkin.webinar_import": route(
        HOSTS, "event", fill(import_id="b_import"),
        fill(mixed=True, import_id="a_import", query=lambda w: {"find": w.b_participant}),
        # A host finds accounts among their own session's people only.
        fill(mixed=True, import_id="a_import", query=lambda w: {"find": w.a_participant, "q": "uma"}),
        fill(mixed=True, import_id="a_import", query=lambda w: {"find": w.a_participant, "q": "ann"})),
    "checkin.match_participant": route(
        HOSTS, "event", fill(participant_id="b_participant", form=lambda w: {"user_id": w.b_person}),
        fill(mixed=True, participant_id="a_participant", form=lambda w: {"user_id": w.b_person}),
        fill(mixed=True, participant_id="a_participant", form=lambda w: {"user_id": w.outsider})),
    "claims.attendees": route(HOSTS, "event", B_SESSION,
                              fill(mixed=True, session_id="a_session", query=lambda w: {"q": "ann"})),
    "claims.mark_attendee": route(
        HOSTS, "event", fill(session_id="b_session", user_id="b_person"),
        fill(mixed=True, session_id="a_session", user_id="b_person"),
        fill(mixed=True, session_id="a_session", user_id="outsider")),
    "codes.present": route(HOSTS, "event", B_SESSION),
    "codes.present_state": route(HOSTS, "event", B_SESSION),
    "codes.reveal_code": route(HOSTS, "event", B_SESSION),
    "codes.qr_image": route(HOSTS, "event", B_SESSION),
    "codes.settings": route(HOSTS, "event", B_SESSION),
    "codes.new_code": route(HOSTS, "event", B_SESSION),
    "reports.event_overview": route(HOSTS, "event", B_EVENT),
    "reports.export": route(HOSTS, "event", fill(event_id="b_event", what="=claims", extension="=csv"),
                            fill(event_id="b_event", what="=evaluations", extension="=csv")),
    "reports.session_detail": route(HOSTS, "event", fill(event_id="b_event", session_id="b_session"),
                                    fill(mixed=True, event_id="a_event", session_id="b_session")),
    "reporting.host_transmissions": route(HOSTS, "event", B_EVENT),
    # The event's desk: its check-in staff, its hosts, administrators.
    "desk.desk_page": route(DESK_STAFF, "event", B_EVENT,
                            fill(mixed=True, event_id="a_event", query=lambda w: {"q": "ann"})),
    "desk.scan": route(DESK_STAFF, "event", fill(event_id="b_event", form=desk_body(code="x")),
                       fill(mixed=True, event_id="a_event", form=lambda w: desk_body(code=w.b_badge)(w))),
    "desk.check_in": route(DESK_STAFF, "event", fill(event_id="b_event", form=desk_body()), *(
        fill(mixed=True, event_id="a_event", form=lambda w, i=i: desk_body(registration_id=str(w.b_registrations[i]))(w))
        for i in range(6))),
    "desk.walk_in": route(DESK_STAFF, "event", fill(event_id="b_event", form=desk_body()),
                          fill(mixed=True, event_id="a_event",
                               form=lambda w: desk_body(name="Walk In", email=w.b_email)(w))),
    "desk_api.lists": route(DESK_STAFF, "event", B_EVENT),
    "desk_api.counters": route(DESK_STAFF, "event", fill(event_id="b_event", list_key="=entrance")),
    "desk_api.state": route(DESK_STAFF, "event", fill(event_id="b_event", list_key="=entrance"),
                            fill(mixed=True, event_id="a_event", list_key="=entrance",
                                 query=lambda w: {"last": "50"})),
    "desk_api.search": route(DESK_STAFF, "event",
                             fill(event_id="b_event", list_key="=entrance", query=lambda w: {"q": "ann"}),
                             fill(mixed=True, event_id="a_event", list_key="=entrance", query=lambda w: {"q": "ann"}),
                             fill(mixed=True, event_id="a_event", list_key="=entrance", query=lambda w: {"q": "uma"})),
    "desk_api.scan": route(DESK_STAFF, "event", fill(event_id="b_event", list_key="=entrance", json=api_body(code="x")),
                           fill(mixed=True, event_id="a_event", list_key="=entrance",
                                json=lambda w: api_body(code=w.b_badge)(w)),
                           fill(mixed=True, event_id="a_event", list_key="b_door", json=api_body(code="x"))),
    "desk_api.check_in": route(
        DESK_STAFF, "event", fill(event_id="b_event", list_key="=entrance", json=api_body(registration_id=1)), *(
            fill(mixed=True, event_id="a_event", list_key="=entrance",
                 json=lambda w, i=i: api_body(registration_id=w.b_registrations[i])(w)) for i in range(6))),
    "desk_api.walk_in": route(
        DESK_STAFF, "event", fill(event_id="b_event", list_key="=entrance", json=api_body(name="X", email="x@y.org")),
        fill(mixed=True, event_id="a_event", list_key="=entrance",
             json=lambda w: api_body(name="Walk In", email=w.b_email)(w)),
        fill(mixed=True, event_id="a_event", list_key="=entrance",
             json=lambda w: api_body(name="Walk In", email=w.outsider_email)(w))),
    "desk_api.undo": route(DESK_STAFF, "event",
                           fill(event_id="b_event", checkin_id="b_checkin", json=api_body(reason="wrong")),
                           fill(mixed=True, event_id="a_event", checkin_id="b_checkin", json=api_body(reason="wrong"))),
    # Administrators.
    "events.admin_events": route(ADMINS, "admin"),
    "events.event_roles": route(ADMINS, "admin", B_EVENT),
    "events.revoke": route(ADMINS, "admin", fill(grant_id="b_grant")),
    "reporting.admin_transmissions": route(ADMINS, "admin"),
    "reporting.retry": route(ADMINS, "admin", fill(entry_id="b_entry")),
    "reporting.cancel": route(ADMINS, "admin", fill(entry_id="b_entry")),
    "accounts.admin_users": route(ADMINS, "admin"),
    "accounts.set_organiser": route(ADMINS, "admin", fill(user_id="outsider")),
}
IGNORED = {"static"}
# What an administrator sees of B on B's own pages shows that these pages would show a leak, were it one.
SHOWN_TO_ADMINISTRATORS = {
    "checkin.registrants", "claims.attendees", "desk.desk_page", "desk_api.state", "desk_api.search",
    "reports.export", "checkin.webinar_import", "evaluations.host_posttest", "evaluations.host_evaluations",
    "checkin.desk_devices", "codes.settings", "events.event_roles", "accounts.admin_users",
}


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def declared_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in IGNORED]


def test_every_route_has_a_declared_rule(app):
    endpoints = {rule.endpoint for rule in declared_rules(app)}
    assert not endpoints - ROUTES.keys(), f"routes without a rule in ROUTES: {sorted(endpoints - ROUTES.keys())}"
    assert not ROUTES.keys() - endpoints, f"rules for routes that no longer exist: {sorted(ROUTES.keys() - endpoints)}"


# --- the world ----------------------------------------------------------------

def _person(email, name, **fields):
    from accounts.models import User

    user = User(email=email, name=name, **fields)
    db.session.add(user)
    db.session.flush()
    return user


def _xylander(email, name, **fields):
    """Event B's people: their surname is the marker."""
    first = name.split()[0]
    return _person(f"{first.lower()}@{MARKER}.example", f"{first} Xylander", **fields)


def _webinar_report(*people) -> bytes:
    rows = "".join(f"{name},{email},11/21/2026 09:00:00 AM,11/21/2026 10:00:00 AM,60,No\n" for name, email in people)
    return ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n" + rows).encode()


def build_world():
    from checkin import desk, devices
    from checkin.models import Checkin, Registration
    from checkin.webinar import import_report
    from claims.models import Claim, OutboxEntry
    from codes.code import grouped
    from codes.redeem import redeem
    from codes.setup import set_custom_code
    from evaluations.posttest import QuestionDraft, add_posttest_question
    from evaluations.questions import active_questions, add_question
    from evaluations.responses import Answer, submit_evaluation
    from events.models import EventRole
    from tests.reporting.world import build

    w = type("World", (), {})()
    # Nobody logs in with a password (hashing one is slow): the clients carry the session cookie.
    admin = _person("ada@example.org", "Ada Admin", is_admin=True, is_organiser=True)
    host_a = _person("hana@example.org", "Hana Host", is_organiser=True)
    desk_a = _person("dev@example.org", "Dev Desk")
    attendee = _person("pat@example.org", "Pat Attendee", profession="pharmacist", eprofile_id="1234567",
                       birth_mmdd="0207")
    host_b = _person(f"hal@{MARKER}.example", "Hal Xylander", is_organiser=True)
    desk_b = _person(f"quinn@{MARKER}.example", "Quinn Xylander")
    outsider = _person(f"uma@{MARKER}.example", "Uma Xylander", profession="pharmacist")
    db.session.commit()
    w.users = {ATTENDEE: attendee, DESK: desk_a, HOST: host_a, ADMIN: admin}

    a = build(host_a, _person, "Pharmacy Update")  # Ann Archer, Ben Baker, …
    b = build(host_b, _xylander, "Other Meeting")  # Ann Xylander, Ben Xylander, …
    db.session.add_all([EventRole(event_id=a.event.id, user_id=desk_a.id, role="checkin"),
                        EventRole(event_id=b.event.id, user_id=desk_b.id, role="checkin")])
    db.session.add(Registration(event_id=a.event.id, user_id=attendee.id))
    db.session.commit()
    redeem(attendee.id, a.anticoag)

    # B's things with the marker in them.
    set_custom_code(b.anticoag, f"{MARKER}1", host_b)
    set_custom_code(b.law, f"{MARKER}2", host_b)
    question = add_question(b.event, "course", "Did the Xylander protocol help?", "text", False, host_b.id)
    posttest_question = add_posttest_question(b.anticoag, QuestionDraft(
        "Which Xylander dose is right?", ["Xylander low", "Xylander high"], 0), host_b.id)
    db.session.commit()
    eve = b.people["eve"]
    course = active_questions(b.event, "course")
    submit_evaluation(eve.id, b.anticoag, None, course, [
        Answer(q.id, scale_value=3) if q.scale else Answer(q.id, text_value="Xylander comment") for q in course])
    device, _token = devices.issue(b.event, "Xylander door", host_b)
    b_report, _ = import_report(b.law, _webinar_report(("Wes Xylander", f"wes@{MARKER}.example"),
                                                       ("Ann Xylander", f"ann@{MARKER}.example")),
                                "b.csv", 50, host_b.id)
    a_report, _ = import_report(a.law, _webinar_report(("Una Unknown", "una@nowhere.example")), "a.csv", 50,
                                host_a.id)
    b_registrations = list(db.session.scalars(sa.select(Registration).where(Registration.event_id == b.event.id)
                                              .order_by(Registration.id)))
    desk.scan(b.event, "entrance", b_registrations[0].badge_token, nonce(), "Desk X", desk_b)  # B's last scans

    w.a_event, w.a_session = a.event.id, a.law.id
    w.b_event, w.b_session, w.b_door = b.event.id, b.anticoag.id, f"session:{b.anticoag.id}"
    w.b_speaker = b.anticoag.speakers[0].id
    w.b_question, w.b_posttest_question = question.id, posttest_question.id
    w.b_choice = posttest_question.choices[0].id
    w.b_registrations = [r.id for r in b_registrations] + [10_000]  # and one that does not exist
    w.b_registration, w.b_badge = b_registrations[0].id, b_registrations[0].badge_token
    w.b_person, w.b_email = b.people["ann"].id, b.people["ann"].email
    w.outsider, w.outsider_email = outsider.id, outsider.email
    w.b_checkin = db.session.scalar(sa.select(Checkin.id).where(Checkin.event_id == b.event.id).limit(1))
    w.b_device = device.id
    w.b_import, w.a_import = b_report.id, a_report.id
    w.b_participant = b_report.participants[0].id
    w.a_participant = a_report.participants[0].id
    w.b_grant = db.session.scalar(sa.select(EventRole.id).where(EventRole.event_id == b.event.id,
                                                                EventRole.role == "host"))
    w.b_claim, w.b_entry = db.session.execute(
        sa.select(Claim.id, OutboxEntry.id).join(OutboxEntry, OutboxEntry.claim_id == Claim.id)
        .where(Claim.user_id == b.people["ben"].id)).one()
    w.markers = (MARKER, grouped(f"{MARKER}1".upper()).lower(), grouped(f"{MARKER}2".upper()).lower())
    db.session.commit()
    return w


# --- the requests -------------------------------------------------------------

def client_as(app, user):
    """A browser-like client with `user`'s session (no password hashing: the cookie Flask-Login reads)."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
    return client


def body_text(response) -> str:
    data = response.get_data()
    if response.mimetype == "application/pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", errors="replace")


def sent_values(query, form, json) -> list[str]:
    values = []
    for part in (query or {}, form or {}, json or {}):
        for value in part.values():
            values.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return [v for v in values if len(v) > 3]


def shows_another(text: str, sent: list[str], markers) -> str | None:
    """The marker a response shows, after taking out what the request itself sent."""
    import html

    for value in sent:
        text = text.replace(value, "").replace(html.escape(value), "")
    lowered = text.lower()
    return next((marker for marker in markers if marker in lowered), None)


def refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response.headers.get("Location", "").startswith("/login")


def requests_in_order(app, role: str):
    """(endpoint, rule, method, fill) for every route. Changes first, then the pages that would show what they
    stored; but an administrator, who may change B, reads B's pages before changing them (SHOWN_TO_ADMINISTRATORS)."""
    planned = []
    for rule in declared_rules(app):
        for method in methods_of(rule):
            for way in ROUTES[rule.endpoint].fills:
                planned.append((rule.endpoint, rule, method, way))
    order = {"GET": 0, "POST": 1} if role == ADMIN else {"POST": 0, "GET": 1}
    # Logging out ends the role's session: last.
    return sorted(planned, key=lambda p: (p[0] == "accounts.logout", order[p[2]], p[0]))


def test_no_route_shows_another_event_s_or_another_person_s_data_to_any_role(app, now, capsys):
    w = build_world()
    problems: list[str] = []
    shown_to_admin: set[str] = set()
    made = 0
    for role in ROLES:
        client = client_as(app, w.users.get(role))
        planned = requests_in_order(app, role)
        for endpoint, rule, method, way in planned:
            declared = ROUTES[endpoint]
            with app.test_request_context():
                from flask import url_for

                path = url_for(endpoint, **way.url_args(w))
            query = way.query(w) if way.query else None
            form = way.form(w) if way.form else None
            json = way.json(w) if way.json else None
            where = f"{role} {method} {path}{'?' + str(query) if query else ''} ({endpoint})"
            try:
                with client.open(path, method=method, query_string=query, data=form, json=json) as response:
                    text = body_text(response)
                # A message kept for the next page (flash) is judged with the request that made it.
                with client.session_transaction() as session:
                    text += "\n".join(message for _category, message in session.pop("_flashes", []))
            except Exception as error:  # noqa: BLE001  (any failure is one of the matrix's findings)
                db.session.rollback()
                problems.append(f"{where}: raised {error!r}")
                continue
            finally:
                made += 1
            status = response.status_code
            if status >= 500:
                problems.append(f"{where}: {status}")
                continue
            may_use = role in declared.who
            others_own = declared.scope in ("event", "admin") and not way.mixed
            if not may_use or (others_own and role != ADMIN):
                if not refused(response):
                    problems.append(f"{where}: {status} {response.headers.get('Location', '')}, not refused")
            shown = shows_another(text, sent_values(query, form, json), w.markers)
            if shown and role == ADMIN and others_own:
                shown_to_admin.add(endpoint)
            elif shown:
                problems.append(f"{where}: {status} shows {shown!r}")
        db.session.rollback()
    routes = len(declared_rules(app))
    with capsys.disabled():
        print(f"\nauthorisation matrix: {routes} routes × {len(ROLES)} roles = {routes * len(ROLES)} route-role "
              f"pairs; {made} requests ({len(planned)} per role)")
    assert not problems, "\n".join(problems)
    assert SHOWN_TO_ADMINISTRATORS <= shown_to_admin, (
        f"B's own pages that showed nothing of B even to an administrator (is the world still built right?): "
        f"{sorted(SHOWN_TO_ADMINISTRATORS - shown_to_admin)}")
