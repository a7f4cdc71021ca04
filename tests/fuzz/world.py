"""The world the fuzzer sends its requests into: real rows behind every kind of id in an address,
people in every role, logged in, and the fields of every form the pages show.

The demo meeting (`flask demo load`: its admin, host, check-in staff and attendee, a session that
ended, one running now and one later) plus the reporting tests' conference after the fact (claims
in every reporting state, check-ins, posttest attempts, evaluations), and on top: posttests with
questions, the attendee's codes, evaluations, claim, answers and check-in, a desk device and a
webinar report with a participant to match.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html.parser
import re
import uuid

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from werkzeug.routing import Rule

from core.db import db

ROLES = ("anonymous", "attendee", "host", "checkin", "admin")
WEBINAR_REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Alex Attendee,attendee@demo.claimdesk.test,11/21/2026 01:30:10 PM,11/21/2026 02:30:00 PM,60,No\n"
    "Una Unknown,una@nowhere.example,11/21/2026 01:30:00 PM,11/21/2026 02:29:00 PM,59,Yes\n"
).encode()


@dataclasses.dataclass
class World:
    app: Flask
    ids: dict[str, list[int]]  # a name of an <int:…> in a route -> real ids of that kind
    texts: dict[str, list[str]]  # a name of another part of a route -> real values
    cookies: dict[str, str | None]  # role -> its session cookie (None: anonymous)
    csrf: dict[str, str]  # role -> a CSRF token of its session
    device_token: str
    # (endpoint, name) -> ids for routes that take something away: rows the rest of the world can do without,
    # so that the desk staff keep their role, the device its token and the attendee their badge all run long.
    expendable: dict[tuple[str, str], list[int]] = dataclasses.field(default_factory=dict)
    fields: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # endpoint -> its forms' field names
    values: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # field name -> values that pass its checks
    backend: str = ""  # "sqlite" or "postgresql"
    exceptions: object = None  # tests.fuzz.inputs.Exceptions

    def client(self, role: str):
        """A new client with the role's session: whatever one request does to its cookie (log out,
        log in as someone else), the next starts from the role as it was."""
        client = self.app.test_client()
        cookie = self.cookies.get(role)
        if cookie is not None:
            client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], cookie)
        return client

    def ids_for(self, endpoint: str, name: str) -> list[int]:
        if (endpoint, name) in self.expendable:
            return self.expendable[endpoint, name]
        if name == "question_id":  # two kinds of question, told apart by the route
            return self.ids["posttest_question_id" if "posttest" in endpoint else "evaluation_question_id"]
        return self.ids.get(name, [])


def build(app: Flask, now: dt.datetime) -> World:
    """Every row the routes can point at; then each role logs in and the pages' forms are read."""
    from accounts.models import User, find_by_email
    from checkin import desk, devices
    from checkin.models import Checkin, Registration, WebinarImport, WebinarParticipant, session_list
    from checkin.webinar import import_report
    from claims.flow import claim_credit
    from claims.models import Claim, OutboxEntry
    from codes.models import SessionCode
    from codes.redeem import redeem
    from evaluations.models import EvaluationQuestion, PosttestQuestion
    from evaluations.posttest import (QuestionDraft, add_posttest_question, posttest_of, save_answers,
                                      save_posttest_settings, submit_attempt)
    from evaluations.questions import active_questions
    from evaluations.responses import Answer, submit_evaluation
    from events.demo import PASSWORD, PEOPLE, load_demo
    from events.models import EventRole, Speaker
    from events.setup import grant_role
    from tests.reporting import world as reporting_world

    hashed = _password_hash(PASSWORD)
    for email, name, _ in PEOPLE:  # made before the demo is, which would hash each password at full cost
        db.session.add(User(email=email, name=name, password_hash=hashed))
    db.session.flush()
    event = load_demo(now)
    people = {role: find_by_email(email) for email, _, role in PEOPLE}
    host, attendee, staff = people["host"], people["attendee"], people["checkin"]
    attendee.eprofile_id, attendee.birth_mmdd = "1234567", "0207"
    ended, live, later = event.sessions

    def person(email, name, **fields):
        user = User(email=email, name=name, **fields)
        db.session.add(user)
        db.session.flush()
        return user

    after = reporting_world.build(host, person)
    for session in (ended, live, after.anticoag):
        save_posttest_settings(session, 70, host.id)
        for n in range(1, 4):
            add_posttest_question(session, QuestionDraft(f"Question {n}?", ["Right", "Wrong", "Also wrong"], 0), host.id)
    for session in (ended, live):
        redeem(attendee.id, session)
    for kind, speakers in (("course", [None]), ("speaker", list(ended.speakers))):
        questions = active_questions(event, kind)
        for speaker in speakers:
            answers = [Answer(q.id, scale_value=4) if q.scale else Answer(q.id, text_value="Useful") for q in questions]
            submit_evaluation(attendee.id, ended, speaker, questions, answers)
    ended_questions = posttest_of(ended).questions
    submit_attempt(attendee.id, ended, {q.id: q.choices[0].id for q in ended_questions})
    claim_credit(attendee, ended, now, profession="pharmacist", eprofile_id="1234567", birth_mmdd="0207")
    live_questions = list(posttest_of(live).questions)
    save_answers(attendee.id, live, {live_questions[0].id: live_questions[0].choices[0].id})
    device, device_token = devices.issue(event, "Desk 2 - east entrance", host)
    spare_device, _ = devices.issue(event, "Spare desk", host)
    spare_staff = person("spare.desk@example.org", "Spare Desk")
    spare_grant = grant_role(after.event, spare_staff.email, "checkin", people["admin"])
    registration = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id,
                                                                   Registration.user_id == attendee.id))
    desk.check_in_registration(event, "entrance", registration.id, uuid.uuid4().hex, "Desk 1", staff)
    import_report(later, WEBINAR_REPORT, "participants.csv", 50, host.id)
    db.session.commit()

    def all_ids(column, *where) -> list[int]:
        return list(db.session.scalars(sa.select(column).where(*where).order_by(column)))

    events = [event.id, after.event.id]
    ids = {
        "event_id": events,
        "session_id": [live.id, ended.id, later.id, after.anticoag.id, after.law.id],
        "speaker_id": all_ids(Speaker.id),
        "evaluation_question_id": all_ids(EvaluationQuestion.id, EvaluationQuestion.event_id == event.id),
        "posttest_question_id": [q.id for q in live_questions] + all_ids(PosttestQuestion.id),
        "grant_id": all_ids(EventRole.id),
        "user_id": [attendee.id, staff.id, host.id, *all_ids(User.id)],
        "entry_id": all_ids(OutboxEntry.id),
        "checkin_id": all_ids(Checkin.id, Checkin.event_id == event.id) + all_ids(Checkin.id),
        "device_id": [device.id],
        "registration_id": [registration.id, *all_ids(Registration.id)],
        "import_id": all_ids(WebinarImport.id),
        "participant_id": all_ids(WebinarParticipant.id),
        "claim_id": all_ids(Claim.id, Claim.user_id == attendee.id) + all_ids(Claim.id),
    }
    texts = {
        "list_key": ["entrance", session_list(live.id), session_list(ended.id), session_list(after.anticoag.id)],
        "kind": ["course", "speaker"],
        "filename": ["socket.io.min.js", "chart.umd.min.js", "ponyfill.js", "zxing_reader.wasm", "css/app.css",
                     "js/desk.js"],
    }
    others = [user.id for user in after.people.values()]
    after_registrations = all_ids(Registration.id, Registration.event_id == after.event.id)
    expendable = {
        ("events.revoke", "grant_id"): [spare_grant.id],
        ("checkin.revoke_desk_device", "device_id"): [spare_device.id],
        ("accounts.set_organiser", "user_id"): [spare_staff.id, *others],
        ("checkin.revoke", "registration_id"): after_registrations,
        ("evaluations.posttest_question_remove", "session_id"): [after.anticoag.id],
        ("evaluations.posttest_question_remove", "question_id"): [q.id for q in posttest_of(after.anticoag).questions],
        ("evaluations.remove_evaluation_question", "event_id"): [after.event.id],
        ("evaluations.remove_evaluation_question", "question_id"): all_ids(
            EvaluationQuestion.id, EvaluationQuestion.event_id == after.event.id),
    }
    badges = list(db.session.scalars(sa.select(Registration.badge_token).order_by(Registration.id)))
    codes = list(db.session.scalars(sa.select(SessionCode.code)))
    values = {
        "code": [registration.badge_token, *badges, *codes], "token": badges,
        "registration_id": [str(i) for i in ids["registration_id"]], "registration": [str(registration.id)],
        "checkin_id": [str(i) for i in ids["checkin_id"]], "user_id": [str(i) for i in ids["user_id"]],
        "question_id": [str(i) for i in ids["posttest_question_id"]],
        "choice_id": [str(c.id) for q in live_questions for c in q.choices],
        "desk": ["Desk 1", "East door"], "list": texts["list_key"], "event": [str(i) for i in events],
        "q": ["maya", "attendee@demo", "Alex Att"], "email": ["wanda@example.org", "attendee@demo.claimdesk.test"],
        "name": ["Wanda Walker"], "profession": ["pharmacist", "technician", "physician"], "reason": ["Wrong person"],
        "eprofile_id": ["1234567"], "birth_mmdd": ["0207"], "npi": ["1234567893"], "password": [PASSWORD],
        "minimum_minutes": ["50"], "pass_mark": ["70"], "position": ["1", "2"], "correct": ["1"],
    }
    world = World(app=app, ids=ids, texts=texts, cookies={"anonymous": None}, csrf={}, device_token=device_token,
                  expendable=expendable, values=values)
    app.config["WTF_CSRF_ENABLED"] = True  # from here on as in production
    _log_in(world, {role: email for email, _, role in PEOPLE}, PASSWORD)
    _read_forms(world)
    return world


@functools.cache
def _password_hash(password: str) -> str:
    """A cheap argon2 hash: the cost is read from the hash at login, and five logins per database at the
    production cost took two seconds of every fuzz run."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


def _log_in(world: World, emails: dict[str, str], password: str) -> None:
    """Each role logs in through the login page, as a person would, and keeps its cookie and CSRF token."""
    cookie_name = world.app.config["SESSION_COOKIE_NAME"]
    for role in ROLES:
        client = world.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = _csrf_in(page)
        if role != "anonymous":
            answer = client.post("/login", data={"email": emails[role], "password": password, "csrf_token": token})
            assert answer.status_code == 302, f"{role} could not log in ({answer.status_code})"
            token = _csrf_in(client.get("/profile").get_data(as_text=True))
        cookie = client.get_cookie(cookie_name)
        world.cookies[role] = cookie.value if cookie else None
        world.csrf[role] = token


def _csrf_in(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


class _Forms(html.parser.HTMLParser):
    """The field names of each form on a page, by the form's action."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", set()))
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name") and self.forms:
            self.forms[-1][1].add(attrs["name"])


def _read_forms(world: World) -> None:
    """GET every page (with real ids) as the admin and as the attendee, and note each form's fields by
    the endpoint it posts to; the JavaScript's own posts are added by hand."""
    adapter = world.app.url_map.bind("localhost")
    world.fields["evaluations.posttest_answer"] = {"question_id", "choice_id"}
    world.fields.update(_api_fields(world.app))
    for rule in world.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "vendor"):
            continue
        path = example_path(world, rule)
        if path is None:
            continue
        for role in ("admin", "attendee"):
            answer = world.client(role).get(path)
            if answer.status_code != 200 or "html" not in answer.content_type:
                continue
            parser = _Forms()
            parser.feed(answer.get_data(as_text=True))
            for action, names in parser.forms:
                target = action.split("?")[0] or path
                try:
                    endpoint, _ = adapter.match(target, method="POST")
                except Exception:  # a form that GETs (a search) or points elsewhere
                    try:
                        endpoint, _ = adapter.match(target, method="GET")
                    except Exception:
                        continue
                world.fields.setdefault(endpoint, set()).update(names)


def _api_fields(app: Flask) -> dict[str, set[str]]:
    """The JSON fields of each API route's body and query, from its OpenAPI document."""
    from checkin.openapi import DOCUMENT

    def resolved(schema: dict) -> dict:
        ref = schema.get("$ref", "")
        return DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema

    fields = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method, operation in DOCUMENT["paths"].get(path, {}).items():
            if method.upper() not in rule.methods:
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                names |= set(resolved(body).get("properties", {}))
            fields[rule.endpoint] = names
    return fields


def example_path(world: World, rule: Rule) -> str | None:
    """The rule's address with the first real value of each part."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if hasattr(converter, "items"):
            values[name] = sorted(converter.items)[0]
        elif world.ids_for(rule.endpoint, name):
            values[name] = world.ids_for(rule.endpoint, name)[0]
        elif world.texts.get(name):
            values[name] = world.texts[name][0]
        else:
            return None
    return fill(rule, {name: str(value) for name, value in values.items()})


def fill(rule: Rule, values: dict[str, str]) -> str:
    """The rule's address with each <…> replaced by its (already quoted) value."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)
