"""What an attendee sees for each thing they may type in the code box."""
import datetime as dt

import pytest

from codes.resolve import CodeRefused, message_for, resolve
from codes.setup import set_custom_code
from core import clock

UAN_WORDS = (
    "That is the activity's UAN, not the session code. The code has 4–13 letters and numbers "
    "and is announced at the end of the session."
)


def refusal(typed, page="live"):
    with pytest.raises(CodeRefused) as refused:
        resolve(typed, page, clock.now())
    return refused.value, message_for(refused.value, typed)


@pytest.fixture
def ended_session(make_session):
    """A live session whose claims opened at its end, a minute ago."""
    session = make_session()
    clock.move_to(session.ends_at + dt.timedelta(minutes=1))
    return session


def test_the_code_as_shown_gives_its_session(ended_session, code_of):
    assert resolve(code_of(ended_session), "live", clock.now()).id == ended_session.id


def test_the_code_typed_in_lower_case_with_spaces_and_dashes_gives_its_session(ended_session, host):
    set_custom_code(ended_session, "PHARM2026", host)
    assert resolve(" pharm-20 26 ", "live", clock.now()).id == ended_session.id


def test_nothing_typed_asks_for_the_code(ended_session):
    refused, words = refusal("  ")
    assert refused.reason == "empty"
    assert words == "Type the session code announced at the end of the session. A session code has 4–13 letters and numbers, like K7QM 3XPA."


@pytest.mark.parametrize("typed", [
    "0205-0000-26-014-L05-P",
    "0205000026014L05P",
    "0205 0000 26 014 l05 t",
    "JA4008162-9999-26-001-H01-P",
])
def test_a_uan_typed_instead_of_the_code_is_called_a_uan(ended_session, typed):
    refused, words = refusal(typed)
    assert refused.reason == "uan"
    assert words == UAN_WORDS


@pytest.mark.parametrize("typed, problem", [
    ("AB2", "(at least 4; you typed 3)"),
    ("ABCDEFGHJKMNP2", "(at most 13; you typed 14)"),
    ("ABCD#2345", "(only letters and numbers; spaces and dashes do not matter)"),
])
def test_wrong_length_or_characters_says_what_a_code_looks_like(ended_session, typed, problem):
    refused, words = refusal(typed)
    assert refused.reason == "malformed"
    assert words == (
        f"That is not a session code. A session code has 4–13 letters and numbers {problem}, like K7QM 3XPA. "
        "Check it against the screen at the end of the session."
    )


def test_a_code_of_four_and_of_thirteen_characters_has_the_shape_of_a_code(ended_session):
    assert refusal("ABCD")[0].reason == "unknown"
    assert refusal("ABCDEFGHJKMNP")[0].reason == "unknown"


def test_an_unknown_code_says_so_without_hinting_at_similar_codes(ended_session, host):
    set_custom_code(ended_session, "PHARM2026", host)
    near, near_words = refusal("PHARM2027")
    far, far_words = refusal("ZZZZ9999")
    assert near.reason == far.reason == "unknown"
    assert near.session is None
    assert near_words == far_words == (
        "No session has that code. Check it against the screen or ask the host; "
        "capitals, spaces and dashes do not matter."
    )


def test_a_live_code_on_the_home_study_page_points_to_the_live_page(ended_session, code_of):
    refused, words = refusal(code_of(ended_session).lower(), page="home_study")
    assert refused.reason == "wrong_page"
    assert refused.info["right_page"] == "live"
    assert refused.info["code"] == code_of(ended_session)
    assert words == "That code is for a live meeting or conference: enter it on the “Live meetings and conferences” page."


def test_a_home_study_code_on_the_live_page_points_to_the_home_study_page(make_home_study, code_of):
    activity = make_home_study()
    assert resolve(code_of(activity), "home_study", clock.now()).id == activity.id
    refused, words = refusal(code_of(activity), page="live")
    assert refused.reason == "wrong_page"
    assert refused.info["right_page"] == "home_study"
    assert words == (
        "That code is for a home-study or on-demand activity: enter it on the “Home study and on-demand” page."
    )


def test_code_typed_the_minute_before_the_session_ends_says_when_claims_open(make_session, code_of):
    session = make_session()  # ends at 2:30 PM New York time, in 30 minutes
    clock.move_to(session.ends_at - dt.timedelta(minutes=1))
    refused, words = refusal(code_of(session))
    assert refused.reason == "not_open"
    assert refused.info["opens_at"] == session.ends_at
    assert words == (
        "Claims for “Anticoagulation update” open at Sat 21 Nov 2026, 2:30 PM EST, in 1 minute. "
        "Come back then with the same code."
    )


def test_code_typed_half_an_hour_early_says_how_long_to_wait(make_session, code_of):
    session = make_session()
    assert refusal(code_of(session))[1].endswith("open at Sat 21 Nov 2026, 2:30 PM EST, in 30 minutes. Come back then with the same code.")


def test_code_typed_at_the_end_minute_is_accepted(make_session, code_of):
    session = make_session()
    clock.move_to(session.ends_at)
    assert resolve(code_of(session), "live", clock.now()).id == session.id


def test_code_typed_the_minute_before_the_close_is_accepted(make_session, code_of):
    session = make_session()
    clock.move_to(session.closes_at - dt.timedelta(minutes=1))
    assert resolve(code_of(session), "live", clock.now()).id == session.id


def test_code_typed_at_the_close_minute_says_when_it_closed_and_that_there_are_no_extensions(make_session, code_of):
    session = make_session()
    clock.move_to(session.closes_at)
    refused, words = refusal(code_of(session))
    assert refused.reason == "closed"
    assert refused.info["closed_at"] == session.closes_at
    assert words == (
        "Claims for “Anticoagulation update” closed on Wed 20 Jan 2027, 1:30 PM EST. "
        "ACPE allows no extensions, so credit can no longer be claimed for this session."
    )


def test_a_closed_sessions_code_reused_by_a_new_session_gives_the_new_one(make_session, host, code_of):
    old = make_session(title="Last season")
    set_custom_code(old, "PHARM2026", host)
    clock.move_to(old.closes_at + dt.timedelta(days=1))
    assert refusal("PHARM2026")[0].reason == "closed"
    new = make_session(title="This season")
    set_custom_code(new, "PHARM2026", host)
    clock.move_to(new.ends_at)
    assert resolve("pharm2026", "live", clock.now()).id == new.id


def test_of_two_closed_sessions_with_one_code_the_latest_is_reported(make_session, host):
    first = make_session(title="First run")
    set_custom_code(first, "PHARM2026", host)
    clock.move_to(first.closes_at)
    second = make_session(title="Second run")
    set_custom_code(second, "PHARM2026", host)
    clock.move_to(second.closes_at + dt.timedelta(days=3))
    refused, _ = refusal("PHARM2026")
    assert (refused.reason, refused.session.id) == ("closed", second.id)


def test_an_unknown_page_is_a_programming_error(ended_session):
    with pytest.raises(ValueError):
        resolve("ABCD2345", "webinar", clock.now())
