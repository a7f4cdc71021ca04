"""Guessing passwords is slowed per account with growing waits, never locked; an address is limited only loosely
(a venue is one address); registrations are limited per address."""
import datetime as dt
import html

import pytest
import time_machine

from accounts import throttle
from accounts.models import find_by_email
from core.ratelimit import address_key
from tests.conftest import PASSWORD
from tests.core.conftest import redis_app, redis_server  # noqa: F401  (the Redis fixtures of tests/core)

WRONG = "not the password at all"


def words(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def log_in(client, password, email="pat@example.org"):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def traveller(app):
    """The limits' windows run on the process clock: stop it, and move it."""
    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False) as traveller:
        yield traveller


def wait_message(minutes: int) -> str:
    return f"Too many attempts for this account. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def test_five_wrong_passwords_then_even_the_right_one_waits_and_the_page_says_how_long(client, make_user, traveller):
    make_user()
    for _ in range(5):
        response = log_in(client, WRONG)
        assert response.status_code == 200 and "That email and password do not match an account." in words(response)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    page = words(response)
    assert wait_message(1) in page
    assert 'value="pat@example.org"' in page  # the email typed is kept
    assert "do not match" not in page  # the password was not even checked
    assert client.get("/profile").status_code == 302

    traveller.shift(dt.timedelta(minutes=1, seconds=1))
    assert log_in(client, PASSWORD).status_code == 302


def test_each_further_failure_doubles_the_wait_up_to_half_an_hour_and_nothing_locks(client, make_user, traveller):
    make_user()
    for _ in range(5):
        log_in(client, WRONG)
    for minutes in (1, 2, 4, 8, 16, 30, 30, 30):
        response = log_in(client, PASSWORD)
        assert response.status_code == 429 and wait_message(minutes) in words(response), minutes
        traveller.shift(dt.timedelta(minutes=minutes) - dt.timedelta(seconds=5))
        assert log_in(client, PASSWORD).status_code == 429  # not yet
        traveller.shift(dt.timedelta(seconds=6))
        assert "do not match" in words(log_in(client, WRONG))  # the wait is over: one more try
    assert log_in(client, PASSWORD).status_code == 429
    traveller.shift(dt.timedelta(minutes=30, seconds=1))
    assert log_in(client, PASSWORD).status_code == 302  # after 13 failures the right password still works


def test_a_successful_log_in_starts_the_count_afresh(client, make_user, traveller):
    make_user()
    for _ in range(4):
        log_in(client, WRONG)
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        log_in(client, WRONG)
    assert log_in(client, PASSWORD).status_code == 302


def test_the_count_is_forgotten_a_day_after_the_first_failure(client, make_user, traveller):
    make_user()
    for _ in range(5):
        log_in(client, WRONG)
    traveller.shift(dt.timedelta(days=1, seconds=1))
    for _ in range(4):
        log_in(client, WRONG)
    assert log_in(client, PASSWORD).status_code == 302


def test_what_a_guesser_gets_on_one_account_in_an_hour_and_in_a_day(app, traveller):
    """The arithmetic of accounts/throttle.py: a guesser trying as often as let, every 30 seconds, from ever new addresses."""
    tries = []
    elapsed, step = dt.timedelta(0), dt.timedelta(seconds=30)
    while elapsed < dt.timedelta(days=1):
        while True:
            address = f"198.51.100.{len(tries) % 250}"
            try:
                throttle.admit("pat@example.org", address)
            except throttle.Throttled:
                break
            tries.append(elapsed)
            throttle.failed("pat@example.org", address)
        traveller.shift(step)
        elapsed += step
    minutes = [int(t.total_seconds() // 60) for t in tries]
    assert minutes[:11] == [0, 0, 0, 0, 0, 1, 3, 7, 15, 31, 61]
    assert len([m for m in minutes if m < 60]) == 10
    assert len([m for m in minutes if 300 <= m < 360]) == 2
    assert len(tries) == 56  # never 100 in a day (NIST SP 800-63B: at most 100 consecutive failures)


def admitted_of(attempts: int) -> int:
    admitted = 0
    for _ in range(attempts):
        try:
            throttle.admit("pat@example.org", "198.51.100.1")
        except throttle.Throttled:
            continue
        admitted += 1
    return admitted


def test_attempts_in_flight_at_once_get_the_free_ones_and_one_more(app, traveller):
    """A burst: every request takes its place before any password is checked."""
    assert admitted_of(50) == throttle.FREE_FAILURES + 1
    # Attempts cut short by a server error (never counted as failures) leave one try a minute, not a lock.
    traveller.shift(dt.timedelta(minutes=1, seconds=1))
    assert admitted_of(50) == 1


def test_a_burst_after_a_wait_gets_one_try(app, traveller):
    for _ in range(5):
        throttle.admit("pat@example.org", "198.51.100.1")
        throttle.failed("pat@example.org", "198.51.100.1")
    traveller.shift(dt.timedelta(minutes=1, seconds=1))
    assert admitted_of(50) == 1


def test_an_unknown_email_is_slowed_the_same_so_refusals_tell_nothing(client, make_user):
    for _ in range(5):
        assert "do not match" in words(log_in(client, WRONG, email="nobody@example.org"))
    response = log_in(client, WRONG, email="nobody@example.org")
    assert response.status_code == 429 and wait_message(1) in words(response)


def test_the_email_is_counted_whatever_its_case_and_never_stored_as_typed(client, make_user):
    make_user()
    for email in ("Pat@Example.org", "pat@example.org ", "PAT@EXAMPLE.ORG", "pat@example.org", "Pat@example.ORG"):
        log_in(client, WRONG, email=email)
    assert log_in(client, PASSWORD).status_code == 429
    assert throttle._account("pat@example.org") != "pat@example.org" and "@" not in throttle._account("x@y")


def test_guessing_on_one_account_never_slows_another(client, logged_in, make_user):
    make_user()
    sam = make_user("sam@example.org", "Sam Pharmacist")
    for _ in range(8):
        log_in(client, WRONG)
    assert log_in(client, PASSWORD).status_code == 429
    other = logged_in(sam)  # the same address
    assert other.get("/profile").status_code == 200


def test_a_venue_address_full_of_typos_still_lets_every_first_try_through(app, client, make_user):
    make_user()
    sloppy = make_user("sloppy@example.org", "Sloppy")
    for _ in range(throttle.ADDRESS_FAILURES.item.amount):
        throttle.ADDRESS_FAILURES.spend("127.0.0.1")
    assert log_in(client, PASSWORD).status_code == 302  # no failure of its own: never stopped
    client.post("/logout")
    throttle.FAILURES.spend(throttle._account(sloppy.email))  # this account has failed once
    response = log_in(client, PASSWORD, email=sloppy.email)
    assert response.status_code == 429
    assert "Too many failed log-ins from your network. Try again in 15 minutes." in words(response)


def test_the_address_allows_a_venue_of_thousands_mistyping(app):
    """5,000 people over an hour, one in five mistyping once: about 250 failures in any 15 minutes."""
    assert throttle.ADDRESS_FAILURES.item.amount >= 4 * 250
    assert throttle.ADDRESS_FAILURES.item.get_expiry() == 15 * 60


def test_a_wrong_current_password_on_the_password_page_counts_as_a_guess(client, auth, make_user, traveller):
    pat = make_user()
    auth.login(pat)
    form = {"current_password": WRONG, "new_password": "a new long password", "new_password_again": "a new long password"}
    for _ in range(5):
        assert "That is not your current password." in words(client.post("/profile/password", data=form))
    response = client.post("/profile/password", data={**form, "current_password": PASSWORD})
    assert response.status_code == 429 and wait_message(1) in words(response)
    traveller.shift(dt.timedelta(minutes=1, seconds=1))
    assert client.post("/profile/password", data={**form, "current_password": PASSWORD}).status_code == 302


def test_registrations_are_limited_per_address_and_the_form_keeps_what_was_typed(app, client, traveller):
    for _ in range(throttle.REGISTRATIONS.item.amount):
        throttle.REGISTRATIONS.spend("127.0.0.1")
    response = client.post("/register", data={"name": "Pat Pharmacist", "email": "pat@example.org",
                                              "password": "long enough pw"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "3600"
    page = words(response)
    assert "Too many accounts were made from your network in the last hour. Try again in 60 minutes." in page
    assert 'value="Pat Pharmacist"' in page and 'value="pat@example.org"' in page
    assert find_by_email("pat@example.org") is None

    traveller.shift(dt.timedelta(hours=1, seconds=1))
    response = client.post("/register", data={"name": "Pat Pharmacist", "email": "pat@example.org",
                                              "password": "long enough pw"})
    assert response.status_code == 302 and find_by_email("pat@example.org") is not None


def test_registrations_allow_a_venue_of_first_timers(app, client):
    assert throttle.REGISTRATIONS.item.amount == 1000 and throttle.REGISTRATIONS.item.get_expiry() == 3600
    for n in range(3):
        response = client.post("/register", data={"name": f"First Timer {n}", "email": f"first{n}@example.org",
                                                  "password": "long enough pw"})
        assert response.status_code == 302
        client.post("/logout")
    assert throttle.REGISTRATIONS.used("127.0.0.1") == 3


def test_a_form_with_mistakes_is_not_counted_as_a_registration(app, client):
    client.post("/register", data={"name": "Pat", "email": "pat.example.org", "password": "short"})
    assert throttle.REGISTRATIONS.used("127.0.0.1") == 0


@pytest.mark.parametrize("address, key", [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.9", "203.0.113.9"),
    (None, "unknown"),
    ("not an address", "not an address"),
])
def test_an_ipv6_client_counts_by_its_64_as_one_subscriber(address, key):
    assert address_key(address) == key


# --- with REDIS_URL: counted in Redis, shared by every server process ------------

def test_with_redis_the_counts_are_shared_and_hold_no_email(make_user, redis_app, redis_server):
    import redis

    make_user()
    client = redis_app.test_client()
    for _ in range(5):
        assert "do not match" in words(log_in(client, WRONG))
    assert log_in(client, PASSWORD).status_code == 429
    keys = [key.decode() for key in redis.Redis.from_url(redis_server.url).keys("*")]
    assert any("login-failures-account" in key for key in keys)
    assert not any("example.org" in key or "pat" in key for key in keys)


def test_with_redis_down_log_ins_still_work_and_are_still_limited(make_user, redis_app, redis_server):
    make_user()
    client = redis_app.test_client()
    redis_server.stop()
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(5):
        assert "do not match" in words(log_in(client, WRONG))
    assert log_in(client, PASSWORD).status_code == 429  # counted in this process meanwhile: never open
