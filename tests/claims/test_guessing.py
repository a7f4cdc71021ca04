"""Guessing codes is throttled per account, and only loosely per address."""
import datetime as dt
import html

import time_machine

from claims import guessing


def words(response):
    return html.unescape(response.get_data(as_text=True))


def guess_wrong(client, times):
    for n in range(times):
        client.post("/live", data={"code": f"WRONG{n:04d}"})


def test_ten_wrong_codes_then_even_the_right_one_waits_and_the_page_says_how_long(client, auth, attendee, make_session, code_of):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    auth.login(attendee)
    # The throttle's windows run on the process clock: stop it, and move it.
    with time_machine.travel(dt.datetime.now(dt.timezone.utc), tick=False) as traveller:
        guess_wrong(client, 9)
        assert "No session has that code." in words(client.post("/live", data={"code": "WRONG9999"}))
        response = client.post("/live", data={"code": code_of(session)})
        assert response.status_code == 429
        assert "Too many wrong codes were tried from your account. Wait 15 minutes, then try again." in words(response)
        assert f'value="{code_of(session)}"' in words(response)
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
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


def test_a_venue_address_that_guessed_too_much_stops_guessers_but_not_right_first_codes(logged_in, attendee, make_user, make_session, code_of):
    session = make_session(starts_in=dt.timedelta(minutes=-61))
    for _ in range(guessing.PER_ADDRESS.item.amount):
        guessing.PER_ADDRESS.spend("127.0.0.1")
    sloppy = make_user("sloppy@example.org", "Sloppy")
    sloppy_client, real_client = logged_in(sloppy), logged_in(attendee)
    guessing.PER_ACCOUNT.spend(str(sloppy.id))  # this account has guessed wrong once
    assert sloppy_client.post("/live", data={"code": code_of(session)}).status_code == 429
    assert real_client.post("/live", data={"code": code_of(session)}).status_code == 302
