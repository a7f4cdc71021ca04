"""The desk's domain: scanning, search check-in, walk-ins, undo, counters, search."""
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from checkin import desk
from checkin.models import Checkin, CheckinScan, Registration, session_list
from checkin.registration import revoke
from core import clock
from core.audit import AuditEntry
from core.db import db
from tests.checkin.desk_world import nonce, person, world  # noqa: F401


def count(model, **where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_a_badge_scanned_at_the_entrance_checks_its_owner_in(world):
    badge = world.badges["Maya Chen"]
    answer = desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 1", world.staff)
    assert (answer.result, answer.message, answer.name, answer.profession) == (
        "checked_in", "Checked in", "Maya Chen", "Pharmacist")
    checkin = db.session.get(Checkin, answer.checkin_id)
    assert (checkin.user_id, checkin.list_key, checkin.desk, checkin.method, checkin.checked_in_by_id) == (
        world.people[0].id, "entrance", "Desk 1", "scan", world.staff.id)
    scan = db.session.get(CheckinScan, answer.scan_id)
    assert (scan.result, scan.desk, scan.staff_id, scan.raw_input, scan.registration_id) == (
        "checked_in", "Desk 1", world.staff.id, badge.badge_token, badge.id)


def test_a_scanner_in_lower_case_with_a_trailing_newline_still_reads_the_badge(world):
    badge = world.badges["Omar Diaz"]
    answer = desk.scan(world.event, "entrance", badge.badge_token.lower() + "\r\n", nonce(), "Desk 1", world.staff)
    assert answer.result == "checked_in"


def test_a_second_scan_says_when_where_and_by_whom_the_person_was_checked_in(world, make_user):
    badge = world.badges["Maya Chen"]
    desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 2", world.staff)
    clock.move_by(dt.timedelta(minutes=5))
    answer = desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 1", world.staff)
    assert answer.result == "already_checked_in"
    # 19:00 UTC is 2:00 PM in New York, the event's zone.
    assert answer.message == "Already checked in at 2:00 PM EST at Desk 2 by Dana Desk"
    assert (answer.earlier.desk, answer.earlier.by, answer.name) == ("Desk 2", "Dana Desk", "Maya Chen")
    assert count(Checkin) == 1 and count(CheckinScan) == 2


@pytest.mark.parametrize("raw, result", [("NOTAREALTOKEN", "unknown"), ("", "unknown"), ("A" * 28, "unknown"),
                                         ("💊" * 40, "unknown")])
def test_unknown_codes_are_logged_with_what_was_read(world, raw, result):
    answer = desk.scan(world.event, "entrance", raw, nonce(), "Desk 1", world.staff)
    assert (answer.result, answer.message) == (result, "Unknown code")
    scan = db.session.get(CheckinScan, answer.scan_id)
    assert (scan.result, scan.raw_input, scan.reason, scan.staff_id) == (result, raw[:200], "Unknown code", world.staff.id)
    assert count(Checkin) == 0


def test_a_badge_of_another_event_is_not_registered_here(world):
    answer = desk.scan(world.event, "entrance", world.other_badge.badge_token, nonce(), "Desk 1", world.staff)
    assert (answer.result, answer.message) == ("not_registered", "Not registered for this event")
    assert count(Checkin) == 0 and count(CheckinScan, result="not_registered") == 1


def test_a_revoked_badge_gets_its_own_message(world):
    badge = world.badges["Lee Park"]
    revoke(badge, world.host.id, "lost")
    answer = desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 1", world.staff)
    assert (answer.result, answer.message, answer.name) == ("revoked", "This badge was revoked", "Lee Park")
    assert count(Checkin) == 0 and count(CheckinScan, result="revoked") == 1


def test_a_session_door_is_its_own_list(world):
    badge = world.badges["Maya Chen"]
    door = session_list(world.session.id)
    assert desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 1", world.staff).result == "checked_in"
    assert desk.scan(world.event, door, badge.badge_token, nonce(), "Door A", world.staff).result == "checked_in"
    assert desk.scan(world.event, door, badge.badge_token, nonce(), "Door A", world.staff).result == "already_checked_in"


def test_lists_of_another_event_or_made_up_ones_are_refused(world, make_session):
    other_session = make_session(event=world.other_event)
    badge = world.badges["Maya Chen"]
    for key in (session_list(other_session.id), "session:999999", "session:abc", "exit", ""):
        with pytest.raises(desk.DeskError) as refused:
            desk.scan(world.event, key, badge.badge_token, nonce(), "Desk 1", world.staff)
        assert refused.value.reason == "unknown_list"
    assert count(CheckinScan) == 0


def test_a_scan_needs_a_nonce_and_a_desk_name(world):
    badge = world.badges["Maya Chen"]
    for bad_nonce, desk_name, reason in (("", "Desk 1", "bad_nonce"), ("x y", "Desk 1", "bad_nonce"),
                                         (nonce(), "  ", "desk_required"), (nonce(), "D" * 41, "desk_too_long")):
        with pytest.raises(desk.DeskError) as refused:
            desk.scan(world.event, "entrance", badge.badge_token, bad_nonce, desk_name, world.staff)
        assert refused.value.reason == reason


def test_the_same_nonce_again_answers_as_the_first_time_and_writes_nothing(world):
    badge = world.badges["Maya Chen"]
    first_nonce = nonce()
    first = desk.scan(world.event, "entrance", badge.badge_token, first_nonce, "Desk 1", world.staff)
    desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 2", world.staff)  # a real second scan
    again = desk.scan(world.event, "entrance", badge.badge_token, first_nonce, "Desk 1", world.staff)
    assert again.replayed and not first.replayed
    assert dataclass_fields(again) == dataclass_fields(first)
    assert count(Checkin) == 1 and count(CheckinScan) == 2


def test_a_retried_failed_scan_is_logged_once(world):
    same = nonce()
    first = desk.scan(world.event, "entrance", "NOPE", same, "Desk 1", world.staff)
    again = desk.scan(world.event, "entrance", "NOPE", same, "Desk 1", world.staff)
    assert (again.result, again.scan_id, again.replayed) == ("unknown", first.scan_id, True)
    assert count(CheckinScan) == 1


def dataclass_fields(answer):
    data = answer.as_dict()
    data.pop("replayed")
    return data


def run_together(app, count_, work):
    """`count_` threads that wait at a barrier, then each do `work(i)` in their own app context."""
    barrier = threading.Barrier(count_)
    answers, errors = [None] * count_, []

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)  # before any thread takes a database connection
                answers[i] = work(i)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers


def test_twenty_desks_scanning_one_badge_at_once_check_it_in_once(app, world):
    from events.models import Event

    token, event_id, staff_id = world.badges["Maya Chen"].badge_token, world.event.id, world.staff.id
    db.session.remove()

    def work(i):
        event = db.session.get(Event, event_id)
        from accounts.models import User
        staff = db.session.get(User, staff_id)
        return desk.scan(event, "entrance", token, f"nonce-{i:04d}", f"Desk {i}", staff).result

    results = run_together(app, 20, work)
    assert sorted(results) == ["already_checked_in"] * 19 + ["checked_in"]
    assert count(Checkin) == 1
    assert count(CheckinScan) == 20 and count(CheckinScan, result="already_checked_in") == 19


def test_one_scan_uploaded_twice_at_once_is_logged_once(app, world):
    from accounts.models import User
    from events.models import Event

    token, event_id, staff_id = world.badges["Omar Diaz"].badge_token, world.event.id, world.staff.id
    db.session.remove()

    def work(i):
        return desk.scan(db.session.get(Event, event_id), "entrance", token, "the-same-nonce", "Desk 1",
                         db.session.get(User, staff_id)).as_dict()

    answers = run_together(app, 6, work)
    assert {(a["result"], a["scan_id"], a["checkin_id"]) for a in answers} == {
        ("checked_in", answers[0]["scan_id"], answers[0]["checkin_id"])}
    assert count(Checkin) == 1 and count(CheckinScan) == 1


def test_a_person_found_by_search_is_checked_in_like_a_scan(world):
    badge = world.badges["Omar Diaz"]
    answer = desk.check_in_registration(world.event, "entrance", badge.id, nonce(), "Desk 1", world.staff)
    assert (answer.result, answer.name) == ("checked_in", "Omar Diaz")
    assert db.session.get(Checkin, answer.checkin_id).method == "search"
    again = desk.check_in_registration(world.event, "entrance", badge.id, nonce(), "Desk 1", world.staff)
    assert again.result == "already_checked_in"
    # Another event's registration cannot be checked in by id here.
    other = desk.check_in_registration(world.event, "entrance", world.other_badge.id, nonce(), "Desk 1", world.staff)
    assert other.result == "not_registered"


def test_a_walk_in_is_registered_and_checked_in_in_one_go(world):
    answer = desk.walk_in(world.event, "entrance", name="Wanda Walker", email="Wanda@Example.org",
                          profession="pharmacist", nonce=(n := nonce()), desk="Desk 1", staff=world.staff)
    assert (answer.result, answer.name, answer.profession) == ("checked_in", "Wanda Walker", "Pharmacist")
    registration = db.session.get(Registration, answer.registration_id)
    assert (registration.source, registration.user.email) == ("walk_in", "wanda@example.org")
    assert db.session.get(Checkin, answer.checkin_id).method == "walk_in"
    again = desk.walk_in(world.event, "entrance", name="Wanda Walker", email="wanda@example.org",
                         profession="pharmacist", nonce=n, desk="Desk 1", staff=world.staff)
    assert again.replayed and again.checkin_id == answer.checkin_id
    assert count(Registration, event_id=world.event.id) == 4 and count(Checkin) == 1


NOT_HERE = ("not_registered", "Not registered for this event", "", "", None, None, None)


def told(answer):
    return (answer.result, answer.message, answer.name, answer.profession, answer.registration_id, answer.checkin_id,
            answer.earlier)


def test_another_event_s_registration_answers_not_registered_and_shows_nothing_of_its_person(world):
    other = world.other_badge
    by_badge = desk.scan(world.event, "entrance", other.badge_token, nonce(), "Desk 1", world.staff)
    by_id = desk.check_in_registration(world.event, "entrance", other.id, same := nonce(), "Desk 1", world.staff)
    no_such = desk.check_in_registration(world.event, "entrance", other.id + 1000, nonce(), "Desk 1", world.staff)
    # Another event's id answers exactly as an id that does not exist: stepping through ids learns nothing.
    assert told(by_badge) == told(by_id) == told(no_such) == NOT_HERE
    replayed = desk.check_in_registration(world.event, "entrance", other.id, same, "Desk 1", world.staff)
    assert replayed.replayed and told(replayed) == NOT_HERE
    # Nor does the log or the desks' last scans keep anything of that person.
    assert {scan.registration_id for scan in db.session.scalars(sa.select(CheckinScan))} == {None}
    state = desk.list_state(world.event, "entrance")
    assert [line["name"] for line in state["last_scans"]] == ["", "", ""]
    assert "Sam Stranger" not in repr(state) and count(Checkin) == 0


def test_a_walk_in_with_the_email_of_an_account_registers_nobody_and_names_nobody(world):
    """Whoever stands at the desk may not own the email typed: the desk learns no name and registers no one."""
    for email, reason, says in (
            ("SAM@example.org", "account_exists", "The person can show their badge, or log in"),  # another event's
            ("maya.chen@example.org", "already_registered", "scan their badge, or find them")):  # this event's
        with pytest.raises(desk.DeskError) as refused:
            desk.walk_in(world.event, "entrance", name="Somebody Else", email=email, profession="", nonce=nonce(),
                         desk="Desk 1", staff=world.staff)
        assert (refused.value.reason, refused.value.field) == (reason, "email")
        assert says in refused.value.message
        assert "Sam" not in refused.value.message and "Maya" not in refused.value.message
    assert count(Registration, event_id=world.event.id) == 3 and count(Checkin) == 0 and count(CheckinScan) == 0
    assert db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "registration.walk_in")) is None


def test_a_walk_in_with_a_bad_email_says_which_field(world):
    with pytest.raises(desk.DeskError) as refused:
        desk.walk_in(world.event, "entrance", name="Wanda", email="wanda-at-example", profession="",
                     nonce=nonce(), desk="Desk 1", staff=world.staff)
    assert (refused.value.field, refused.value.message) == ("email", "That does not look like an email address.")
    with pytest.raises(desk.DeskError) as refused:
        desk.walk_in(world.event, "entrance", name="Wanda", email="w@example.org", profession="wizard",
                     nonce=nonce(), desk="Desk 1", staff=world.staff)
    assert refused.value.field == "profession"
    assert count(Registration, event_id=world.event.id) == 3


def test_a_host_undoes_a_wrong_check_in_with_a_reason_and_it_can_be_made_again(world):
    badge = world.badges["Maya Chen"]
    made = desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 1", world.staff)
    undone = desk.undo(world.event, made.checkin_id, "scanned the wrong badge", "Desk 1", world.host)
    assert (undone.result, undone.name) == ("undone", "Maya Chen")
    assert count(Checkin) == 0
    log = db.session.get(CheckinScan, undone.scan_id)
    assert (log.result, log.reason, log.staff_id) == ("undone", "scanned the wrong badge", world.host.id)
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "checkin.undone"))
    assert desk.scan(world.event, "entrance", badge.badge_token, nonce(), "Desk 1", world.staff).result == "checked_in"


def test_only_hosts_undo_and_only_with_a_reason(world):
    made = desk.scan(world.event, "entrance", world.badges["Maya Chen"].badge_token, nonce(), "Desk 1", world.staff)
    for user, reason, code in ((world.staff, "oops", "hosts_only"), (world.host, "  ", "reason_required")):
        with pytest.raises(desk.DeskError) as refused:
            desk.undo(world.event, made.checkin_id, reason, "Desk 1", user)
        assert refused.value.reason == code
    with pytest.raises(desk.DeskError) as refused:
        desk.undo(world.other_event, made.checkin_id, "oops", "Desk 1", world.host)  # host of the other event too
    assert refused.value.reason == "not_checked_in"
    assert count(Checkin) == 1


def test_counters_count_this_list_and_registrations_without_revoked_badges(world):
    desk.scan(world.event, "entrance", world.badges["Maya Chen"].badge_token, nonce(), "Desk 1", world.staff)
    revoke(world.badges["Lee Park"], world.host.id, "cancelled")
    assert desk.counters(world.event, "entrance").as_dict() == {"list": "entrance", "checked_in": 1, "registered": 2}
    door = session_list(world.session.id)
    assert desk.counters(world.event, door).checked_in == 0


def test_list_state_shows_the_last_scans_newest_first(world):
    desk.scan(world.event, "entrance", world.badges["Maya Chen"].badge_token, nonce(), "Desk 1", world.staff)
    desk.scan(world.event, "entrance", "JUNK", nonce(), "Desk 2", world.staff)
    state = desk.list_state(world.event, "entrance")
    assert [(line["result"], line["name"], line["desk"], line["by"]) for line in state["last_scans"]] == [
        ("unknown", "", "Desk 2", "Dana Desk"), ("checked_in", "Maya Chen", "Desk 1", "Dana Desk")]
    assert state["last_scans"][1]["checkin_id"] is not None and state["last_scans"][1]["at_text"] == "2:00 PM EST"


def test_search_finds_names_and_emails_by_their_start_in_any_case(world):
    assert [p["name"] for p in desk.search(world.event, "entrance", "MAY")] == ["Maya Chen"]
    assert [p["name"] for p in desk.search(world.event, "entrance", "omar.d")] == ["Omar Diaz"]
    assert [p["name"] for p in desk.search(world.event, "entrance", "maya c")] == ["Maya Chen"]
    assert desk.search(world.event, "entrance", "sam") == []  # registered for the other event only
    assert desk.search(world.event, "entrance", "%%%") == [] and desk.search(world.event, "entrance", "___") == []


def names_found(world, query):
    return [p["name"] for p in desk.search(world.event, "entrance", query)]


def test_search_finds_a_person_by_any_word_of_their_name(world):
    assert names_found(world, "chen") == ["Maya Chen"]
    assert names_found(world, "Park") == ["Lee Park"]
    assert names_found(world, "chen ma") == ["Maya Chen"]  # every word counts, in any order
    assert names_found(world, "chen lee") == []
    assert names_found(world, "aya") == []  # the start of a word, not the middle


def test_search_ignores_accents_and_finds_each_part_of_a_double_name(world):
    jose = person("jar@example.org", "José Álvarez-Ruiz")
    db.session.add(Registration(event_id=world.event.id, user_id=jose.id))
    db.session.commit()
    for query in ("jose", "José", "alvarez", "ÁLV", "ruiz", "alvarez-ruiz", "jose ruiz"):
        assert names_found(world, query) == ["José Álvarez-Ruiz"], query


def test_search_follows_a_changed_name(world):
    world.people[0].name = "Maya Okafor"
    db.session.commit()
    assert names_found(world, "okafor") == ["Maya Okafor"]
    assert names_found(world, "chen") == []


def test_search_says_who_is_already_checked_in(world):
    desk.scan(world.event, "entrance", world.badges["Lee Park"].badge_token, nonce(), "Desk 3", world.staff)
    [lee] = desk.search(world.event, "entrance", "lee")
    assert (lee["checked_in"], lee["checked_in_text"]) == (True, "2:00 PM EST at Desk 3")


def test_search_needs_three_letters_and_never_gives_the_whole_list(world):
    for i in range(15):
        db.session.add(Registration(event_id=world.event.id, user_id=person(f"jo{i:02d}@example.org", f"Jo Smith {i:02d}").id))
    db.session.commit()
    for short in ("", "jo", "  j "):
        with pytest.raises(desk.DeskError) as refused:
            desk.search(world.event, "entrance", short)
        assert refused.value.reason == "query_too_short"
    found = desk.search(world.event, "entrance", "jo s")
    assert len(found) == desk.SEARCH_LIMIT and found[0]["name"] == "Jo Smith 00"
