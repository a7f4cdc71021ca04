"""Guessing codes is throttled per account and per address, and a venue's typos never stop the venue."""
import datetime as dt
import html
import random

import pytest
import sqlalchemy as sa
import time_machine

from accounts.models import User
from claims import flow, guessing
from codes import code as rules
from codes.resolve import CodeRefused
from codes.setup import set_custom_code
from core import clock
from core.db import db

NETWORK_WAIT = "Too many unknown codes were tried from this network in the last hour"


def words(response):
    return html.unescape(response.get_data(as_text=True))


def guess_wrong(client, times, start=0):
    for n in range(start, start + times):
        client.post("/live", data={"code": f"WRONG{n:04d}"})


@pytest.fixture
def frozen():
    """The throttle's windows run on the process clock: stop it, and move it."""
    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False) as traveller:
        yield traveller


def test_ten_wrong_codes_then_even_the_right_one_waits_and_the_page_says_how_long(client, auth, attendee, make_session, code_of, frozen):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    guess_wrong(client, 9)
    assert "No session has that code." in words(client.post("/live", data={"code": "WRONG9999"}))
    response = client.post("/live", data={"code": code_of(session)})
    assert response.status_code == 429
    assert "Too many wrong codes were tried from your account. Wait 15 minutes, then try again." in words(response)
    assert f'value="{code_of(session)}"' in words(response)
    frozen.shift(dt.timedelta(minutes=15, seconds=1))
    assert client.post("/live", data={"code": code_of(session)}).status_code == 302


def test_nine_wrong_codes_do_not_block_the_right_one(client, auth, attendee, make_session, code_of):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    guess_wrong(client, 9)
    assert client.post("/live", data={"code": code_of(session)}).status_code == 302


def test_mistyped_shapes_and_uans_are_not_counted_as_guesses(client, auth, attendee, make_session, code_of):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    for _ in range(12):
        client.post("/live", data={"code": "AB"})
        client.post("/live", data={"code": "0205-0000-26-014-L05-P"})
    assert client.post("/live", data={"code": code_of(session)}).status_code == 302


def test_someone_guessing_on_another_account_never_blocks_the_real_attendee(logged_in, attendee, make_user, make_session, code_of):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    guessing_client = logged_in(make_user("guesser@example.org", "Guesser"))
    real_client = logged_in(attendee)
    guess_wrong(guessing_client, 12)
    assert guessing_client.post("/live", data={"code": code_of(session)}).status_code == 429
    assert real_client.post("/live", data={"code": code_of(session)}).status_code == 302


# --- an attacker with any number of fresh accounts on one address ----------------------------

def test_fresh_accounts_on_one_address_get_twenty_guesses_an_hour_then_the_page_says_whose_limit(
        logged_in, attendee, make_user, make_session, code_of, frozen):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    assert guessing.PER_ADDRESS.item.amount == 20
    for n, account in enumerate(_users(19)):  # a new account for every guess: the account's own limit never bites
        with pytest.raises(CodeRefused, match="unknown"):
            flow.enter_code(account, f"GUESS{n:04d}", "live", "127.0.0.1", clock.now())
    twentieth = logged_in(make_user("fresh20@example.org", "Fresh Account")).post("/live", data={"code": "GUESS0020"})
    assert "No session has that code." in words(twentieth)
    response = logged_in(make_user("fresh21@example.org", "Fresh Account")).post("/live", data={"code": "GUESS0021"})
    assert response.status_code == 429
    assert NETWORK_WAIT in words(response)
    assert "Wait 60 minutes, or try again on mobile data." in words(response)
    assert 'value="GUESS0021"' in words(response)
    # Everyone on that address waits, and is told it is the network's limit, not their account's.
    real = logged_in(attendee).post("/live", data={"code": code_of(session)})
    assert real.status_code == 429 and NETWORK_WAIT in words(real)
    frozen.shift(dt.timedelta(minutes=59, seconds=59))
    assert logged_in(attendee).post("/live", data={"code": code_of(session)}).status_code == 429
    frozen.shift(dt.timedelta(seconds=2))
    assert logged_in(attendee).post("/live", data={"code": code_of(session)}).status_code == 302


def test_over_a_day_one_address_gets_at_most_twenty_guesses_an_hour_however_many_accounts(app, make_session, host, frozen):
    make_session(starts_in=dt.timedelta(minutes=-61))
    custom = make_session(title="Four-letter code", starts_in=dt.timedelta(minutes=-61))
    set_custom_code(custom, "RX42", host)  # the weakest code the app allows
    accounts = _users(400)
    rng = random.Random(12)
    answered = 0
    for hour in range(24):
        for attempt in range(200):  # far more than the limit, spread over fresh accounts
            account = accounts[(hour * 200 + attempt) % len(accounts)]
            guess = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(4))
            if guess == "RX42":
                continue
            try:
                flow.enter_code(account, guess, "live", "203.0.113.9", clock.now())
            except guessing.Throttled as throttled:
                assert throttled.whose in ("address", "account")
            except CodeRefused:
                answered += 1
        frozen.shift(dt.timedelta(hours=1))
    assert answered <= 20 * 24
    assert answered >= 20 * 23  # the limit is what stops them, hour after hour


def _users(count: int, start: int = 0) -> list[User]:
    """`count` accounts at once (a plenary's worth is too many to register one by one in a test)."""
    db.session.execute(sa.insert(User), [
        {"name": f"Attendee {n}", "email": f"attendee{n}@example.org", "password_hash": "-"}
        for n in range(start, start + count)])
    db.session.commit()
    users = list(db.session.scalars(sa.select(User).where(User.email.like("attendee%")).order_by(User.id)))
    for user in users:  # each commit would expire thousands of objects the story only needs the ids of
        db.session.expunge(user)
    return users


# --- a venue: thousands of phones on one address, each mistyping ---------------------------

def _slip(code: str, rng: random.Random) -> str:
    """What a thumb on a phone does to a code: one character wrong, missing, doubled or swapped."""
    at = rng.randrange(len(code))
    kind = rng.choice(("wrong", "missing", "extra", "swapped"))
    if kind == "wrong":
        return code[:at] + rng.choice([c for c in rules.ALPHABET if c != code[at]]) + code[at + 1:]
    if kind == "missing":
        return code[:at] + code[at + 1:]
    if kind == "extra":
        return code[:at] + code[at] + code[at:]
    at = min(at, len(code) - 2)
    if code[at] == code[at + 1]:
        return _slip(code, rng)
    return code[:at] + code[at + 1] + code[at] + code[at + 2:]


def test_three_thousand_attendees_behind_one_address_who_each_mistype_all_get_in(app, make_session, code_of, frozen):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    make_session(title="The room next door", starts_in=dt.timedelta(minutes=-61))
    code = code_of(session)
    attendees = _users(3000)
    rng = random.Random(2026)
    venue = "198.51.100.7"
    typed_wrong = 0
    for attendee in attendees:
        # Once or twice wrong (the second time sometimes with two slips), then right.
        attempts = [_slip(code, rng)]
        if rng.random() < 0.5:
            second = _slip(code, rng)
            attempts.append(_slip(second, rng) if rng.random() < 0.5 and len(second) == len(code) else second)
        for typo in attempts:
            if rules.normalise(typo) == code:
                continue
            with pytest.raises(CodeRefused):
                flow.enter_code(attendee, typo, "live", venue, clock.now())
            typed_wrong += 1
        entered, created = flow.enter_code(attendee, code.lower(), "live", venue, clock.now())
        assert entered.id == session.id and created
    assert typed_wrong > 4000  # two hundred times what the address allows for codes that are nobody's
    from codes.redeem import redemption_count
    assert redemption_count(session.id) == 3000


def test_a_slip_of_a_session_that_closed_or_opens_in_two_days_counts_against_the_address(app, make_session, code_of, frozen):
    closed = make_session(title="Yesterday", starts_in=dt.timedelta(days=-90))
    later = make_session(title="The day after tomorrow", starts_in=dt.timedelta(days=2))
    today = make_session(title="Today", starts_in=dt.timedelta(minutes=-61))
    [pat] = _users(1)
    from codes.resolve import is_a_slip
    now = clock.now()
    assert is_a_slip(_one_wrong(code_of(today)), now)
    assert not is_a_slip(_one_wrong(code_of(closed)), now)
    assert not is_a_slip(_one_wrong(code_of(later)), now)
    used_before = guessing.PER_ADDRESS.used("192.0.2.1")
    with pytest.raises(CodeRefused):
        flow.enter_code(pat, _one_wrong(code_of(later)), "live", "192.0.2.1", now)
    assert guessing.PER_ADDRESS.used("192.0.2.1") == used_before + 1
    with pytest.raises(CodeRefused):
        flow.enter_code(pat, _one_wrong(code_of(today)), "live", "192.0.2.1", now)
    assert guessing.PER_ADDRESS.used("192.0.2.1") == used_before + 1  # a slip: the account pays, not the venue
    assert guessing.PER_ACCOUNT.used(str(pat.id)) == 2


def _one_wrong(code: str) -> str:
    replacement = "X" if code[0] != "X" else "Y"
    return replacement + code[1:]


# --- what counts as a slip (codes.code.is_near, pure) --------------------------------------

@pytest.mark.parametrize("typed, near", [
    ("RX43", True),    # one wrong character
    ("XR42", True),    # two swapped
    ("RX4", True),     # one missing (the code page refuses a 3-character shape before asking)
    ("RX422", True),   # one extra
    ("RY43", False),   # two wrong: a 4-character code allows one slip
    ("RX42", False),   # the code itself is not a slip of it
    ("AB12", False),
])
def test_a_short_code_allows_one_slip(typed, near):
    assert rules.is_near(typed, ["RX42"]) is near


@pytest.mark.parametrize("typed, near", [
    ("K7QM3XPB", True),     # one wrong
    ("K7QN3XBB", True),     # three wrong
    ("K7QN3YBB", False),    # four wrong
    ("7KQM3XAP", True),     # two swaps
    ("K7QM3XP", True),      # one missing
    ("K7QM3", True),        # three missing
    ("K7QM", False),        # half of it
])
def test_a_generated_code_of_eight_allows_three_slips(typed, near):
    assert rules.is_near(typed, ["K7QM3XPA"]) is near


def test_a_code_of_five_allows_one_slip_of_six_or_seven_two_and_of_eight_three():
    assert [rules.typo_reach("A" * n) for n in (4, 5, 6, 7, 8, 13)] == [1, 1, 2, 2, 3, 3]
    assert not rules.is_near("ABXYE", ["ABCDE"])
    assert rules.is_near("ABXYEF", ["ABCDEF"])
    assert not rules.is_near("ABXYZG", ["ABCDEFG"])
    assert rules.is_near("ABXYZFGH", ["ABCDEFGH"])


def test_one_ipv6_subscriber_is_one_address_however_many_of_its_addresses_it_guesses_from(app, make_session, frozen):
    make_session(starts_in=dt.timedelta(minutes=-61))
    accounts = _users(21)
    for n, account in enumerate(accounts[:20]):  # each guess from another address of the same /64
        with pytest.raises(CodeRefused, match="unknown"):
            flow.enter_code(account, f"GUESS{n:04d}", "live", f"2001:db8:1:2::{n + 1:x}", clock.now())
    with pytest.raises(guessing.Throttled) as refused:
        flow.enter_code(accounts[20], "GUESS9999", "live", "2001:db8:1:2:ffff::9", clock.now())
    assert refused.value.whose == "address"
