"""The submission window: ACPE's 60 days, to the minute, in the event's zone."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from events.window import ScheduleError, submission_window

NY = ZoneInfo("America/New_York")
UTC = dt.timezone.utc


def local(zone, *args):
    return dt.datetime(*args, tzinfo=zone).astimezone(UTC)


def test_opens_at_the_scheduled_end_and_not_a_minute_before():
    window = submission_window(local(NY, 2026, 11, 21, 14, 0), local(NY, 2026, 11, 21, 15, 30), NY)
    assert window.state(local(NY, 2026, 11, 21, 15, 29)) == "not_open"
    assert window.state(local(NY, 2026, 11, 21, 15, 29, 59)) == "not_open"
    assert window.state(local(NY, 2026, 11, 21, 15, 30)) == "open"
    assert window.state(local(NY, 2026, 11, 21, 15, 31)) == "open"


def test_closes_sixty_days_after_the_start_at_the_same_local_minute():
    window = submission_window(local(NY, 2026, 11, 21, 14, 0), local(NY, 2026, 11, 21, 15, 30), NY)
    assert window.closes_at == local(NY, 2027, 1, 20, 14, 0)
    assert window.state(local(NY, 2027, 1, 20, 13, 59)) == "open"
    assert window.state(local(NY, 2027, 1, 20, 13, 59, 59)) == "open"
    assert window.state(local(NY, 2027, 1, 20, 14, 0)) == "closed"
    assert window.state(local(NY, 2027, 1, 20, 14, 1)) == "closed"


def test_a_session_crossing_midnight_counts_from_its_start_day():
    window = submission_window(local(NY, 2026, 11, 21, 23, 30), local(NY, 2026, 11, 22, 0, 45), NY)
    assert window.opens_at == local(NY, 2026, 11, 22, 0, 45)
    assert window.closes_at == local(NY, 2027, 1, 20, 23, 30)


def test_winter_session_closing_after_the_march_change_keeps_the_wall_clock_minute():
    # 60 days after 15 Jan (EST, UTC-5) is 16 Mar, after clocks sprang forward (EDT, UTC-4).
    window = submission_window(local(NY, 2027, 1, 15, 9, 0), local(NY, 2027, 1, 15, 10, 0), NY)
    closes_local = window.closes_at.astimezone(NY)
    assert (closes_local.month, closes_local.day, closes_local.hour, closes_local.minute) == (3, 16, 9, 0)
    assert closes_local.tzname() == "EDT"
    # Not simply 60 x 24 hours: that would be an hour later on the local clock.
    assert window.closes_at == local(NY, 2027, 1, 15, 9, 0) + dt.timedelta(days=60) - dt.timedelta(hours=1)


def test_autumn_session_closing_after_the_november_change():
    window = submission_window(local(NY, 2026, 10, 1, 9, 0), local(NY, 2026, 10, 1, 10, 0), NY)
    closes_local = window.closes_at.astimezone(NY)
    assert (closes_local.month, closes_local.day, closes_local.hour, closes_local.tzname()) == (11, 30, 9, "EST")


def test_non_us_time_zone_uses_that_zone_s_calendar():
    berlin = ZoneInfo("Europe/Berlin")
    # Berlin changes clocks on 28 Mar 2027, two weeks after the US.
    window = submission_window(local(berlin, 2027, 1, 30, 18, 0), local(berlin, 2027, 1, 30, 19, 0), berlin)
    closes_local = window.closes_at.astimezone(berlin)
    assert (closes_local.month, closes_local.day, closes_local.hour) == (3, 31, 18)
    assert closes_local.tzname() == "CEST"
    tokyo = ZoneInfo("Asia/Tokyo")
    window = submission_window(local(tokyo, 2026, 12, 31, 23, 0), local(tokyo, 2027, 1, 1, 0, 30), tokyo)
    assert window.closes_at == local(tokyo, 2027, 3, 1, 23, 0)


def test_leap_day_is_one_of_the_sixty_days():
    window = submission_window(local(NY, 2028, 1, 15, 10, 0), local(NY, 2028, 1, 15, 11, 0), NY)
    assert window.closes_at.astimezone(NY).date() == dt.date(2028, 3, 15)  # 2028 has 29 February
    window = submission_window(local(NY, 2027, 1, 15, 10, 0), local(NY, 2027, 1, 15, 11, 0), NY)
    assert window.closes_at.astimezone(NY).date() == dt.date(2027, 3, 16)


def test_session_on_leap_day_closes_sixty_days_later():
    window = submission_window(local(NY, 2028, 2, 29, 10, 0), local(NY, 2028, 2, 29, 11, 0), NY)
    assert window.closes_at == local(NY, 2028, 4, 29, 10, 0)


def test_seconds_of_the_start_do_not_shift_the_closing_minute():
    window = submission_window(local(NY, 2026, 11, 21, 14, 0, 42), local(NY, 2026, 11, 21, 15, 0), NY)
    assert window.closes_at == local(NY, 2027, 1, 20, 14, 0)


def test_close_falling_in_the_spring_gap_is_read_with_the_winter_offset():
    # 60 days before 14 Mar 2027 02:30 (a time New York skips) is 13 Jan 02:30.
    window = submission_window(local(NY, 2027, 1, 13, 2, 30), local(NY, 2027, 1, 13, 3, 30), NY)
    assert window.closes_at == dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_end_before_start_is_refused():
    with pytest.raises(ScheduleError, match="end after it starts"):
        submission_window(local(NY, 2026, 11, 21, 15, 0), local(NY, 2026, 11, 21, 14, 0), NY)
    with pytest.raises(ScheduleError):
        submission_window(local(NY, 2026, 11, 21, 15, 0), local(NY, 2026, 11, 21, 15, 0), NY)


def test_opened_early_moves_the_opening_but_never_the_closing():
    start, end = local(NY, 2026, 11, 21, 14, 0), local(NY, 2026, 11, 21, 15, 30)
    early = local(NY, 2026, 11, 21, 15, 10)
    window = submission_window(start, end, NY, opened_early_at=early)
    assert window.opens_at == early and window.opened_early
    assert window.state(early - dt.timedelta(seconds=1)) == "not_open"
    assert window.state(early) == "open"
    assert window.closes_at == submission_window(start, end, NY).closes_at


def test_an_early_open_after_the_end_changes_nothing():
    start, end = local(NY, 2026, 11, 21, 14, 0), local(NY, 2026, 11, 21, 15, 30)
    window = submission_window(start, end, NY, opened_early_at=end + dt.timedelta(minutes=5))
    assert window.opens_at == end and not window.opened_early
