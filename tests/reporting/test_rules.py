"""The rules of reporting, alone: deadlines, backoff, and what is sent."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reporting.records import (backoff_delay, classify_rejection, cpe_monitor_fields, idempotency_key, next_attempt,
                               pars_credits, pars_fields, redact, reporting_deadline, split_name)

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc


def test_the_deadline_is_the_end_of_the_60th_day_after_participation_in_the_events_zone():
    deadline = reporting_deadline(dt.date(2026, 11, 21), NEW_YORK)
    assert deadline == dt.datetime(2027, 1, 21, 5, 0, tzinfo=UTC)  # midnight EST starting 21 Jan = 05:00 UTC
    assert deadline.astimezone(NEW_YORK).date() == dt.date(2026, 11, 21) + dt.timedelta(days=61)


def test_the_deadline_counts_calendar_days_across_a_leap_day_and_a_clock_change():
    assert reporting_deadline(dt.date(2028, 1, 15), NEW_YORK).astimezone(NEW_YORK) == \
        dt.datetime(2028, 3, 16, 0, 0, tzinfo=NEW_YORK)  # 29 Feb counted; DST starts 12 Mar
    assert reporting_deadline(dt.date(2028, 1, 15), NEW_YORK) == dt.datetime(2028, 3, 16, 4, 0, tzinfo=UTC)


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap():
    assert backoff_delay(1, rng=lambda: 1.0) == dt.timedelta(seconds=30)
    assert backoff_delay(2, rng=lambda: 1.0) == dt.timedelta(seconds=60)
    assert backoff_delay(5, rng=lambda: 1.0) == dt.timedelta(seconds=480)
    assert backoff_delay(30, rng=lambda: 1.0) == dt.timedelta(hours=6)
    assert backoff_delay(5, rng=lambda: 0.5) == dt.timedelta(seconds=240)
    assert backoff_delay(5, rng=lambda: 0.0) == dt.timedelta(0)


def test_no_retry_is_planned_at_or_after_the_deadline():
    deadline = dt.datetime(2027, 1, 21, 5, 0, tzinfo=UTC)
    now = deadline - dt.timedelta(seconds=30)
    assert next_attempt(now, 1, deadline, rng=lambda: 0.99) == now + dt.timedelta(seconds=29.7)
    assert next_attempt(now, 1, deadline, rng=lambda: 1.0) is None  # exactly at the deadline: too late
    assert next_attempt(now, 2, deadline, rng=lambda: 0.6) is None  # 36 s: past it


def test_idempotency_keys_are_per_claim_target_and_submission():
    assert idempotency_key(12, "cpe_monitor", 1) == "claimdesk-cpe_monitor-12-1"
    assert idempotency_key(12, "cpe_monitor", 2) != idempotency_key(12, "cpe_monitor", 1)
    assert idempotency_key(12, "pars", 1) != idempotency_key(12, "cpe_monitor", 1)


def test_cpe_monitor_gets_the_provider_number_from_the_uan_and_the_action_add():
    fields = cpe_monitor_fields(uan="0205-0000-26-014-L05-T", eprofile_id="1234567", birth_mmdd="0207",
                                participation_date=dt.date(2026, 11, 21))
    assert fields == {"providerNumber": "0205", "eProfileId": "1234567", "birthMMDD": "0207",
                      "uan": "0205-0000-26-014-L05-T", "participationDate": "2026-11-21", "action": "add"}
    joint = cpe_monitor_fields(uan="JA0000123-0000-26-014-L05-P", eprofile_id="1", birth_mmdd="1231",
                               participation_date=dt.date(2026, 1, 2))
    assert joint["providerNumber"] == "JA0000123"


@pytest.mark.parametrize("quarters, credits", [(1, "0.25"), (2, "0.50"), (3, "0.75"), (4, "1.00"), (6, "1.50"),
                                               (399, "99.75")])
def test_pars_credits_go_in_quarter_steps(quarters, credits):
    assert pars_credits(quarters) == Decimal(credits)
    assert (pars_credits(quarters) * 4) % 1 == 0


@pytest.mark.parametrize("stored, first_last", [
    ("Maya Chen", ("Maya", "Chen")),
    ("Dr. Maya Chen, MD", ("Maya", "Chen")),
    ("Chen, Maya", ("Maya", "Chen")),
    ("Mary Ann Smith", ("Mary Ann", "Smith")),
    ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
    ("José de la Cruz", ("José", "de la Cruz")),
    ("Robert Jones Jr.", ("Robert", "Jones")),
    ("  Pat   Lee  ", ("Pat", "Lee")),
    ("Madonna", ("Madonna", "Madonna")),
])
def test_stored_names_split_into_first_and_last_for_pars(stored, first_last):
    assert split_name(stored) == first_last


def test_pars_fields_carry_npi_or_licence_birth_month_and_day_and_a_date_without_time():
    fields = pars_fields(activity_id="ACT-1", learner_name="Dr. Omar Haddad", npi="1234567893", state_licence=None,
                         birth_mmdd="0709", quarter_hours=6, completion_date=dt.date(2026, 11, 21))
    assert fields == {"activityId": "ACT-1", "firstName": "Omar", "lastName": "Haddad", "birthMonth": 7, "birthDay": 9,
                      "creditType": "AMA PRA Category 1 Credit", "credits": "1.50", "completionDate": "2026-11-21",
                      "npi": "1234567893"}
    licensed = pars_fields(activity_id="ACT-1", learner_name="Omar Haddad", npi=None, state_licence="CA A123456",
                           birth_mmdd="1231", quarter_hours=1, completion_date=dt.date(2026, 11, 21))
    assert licensed["stateLicense"] == "CA A123456" and "npi" not in licensed and licensed["credits"] == "0.25"


def test_rejections_are_fixable_only_when_the_attendee_can_fix_them():
    assert classify_rejection("unknown_eprofile_id", "") == ("unknown_eprofile_id", True)
    assert classify_rejection("BIRTH_DATE_MISMATCH", "") == ("birth_date_mismatch", True)
    assert classify_rejection(None, "The birth date does not match NABP's records.") == ("birth_date_mismatch", True)
    assert classify_rejection(None, "Invalid e-Profile ID") == ("unknown_eprofile_id", True)
    assert classify_rejection("participation_date_outside_activity", "x") == ("participation_date_outside_activity", False)
    assert classify_rejection(None, "Something else") == ("rejected", False)


def test_secrets_are_blanked_out_of_error_text():
    assert redact("failed for http://u:s3cret@host", ["s3cret", ""]) == "failed for http://u:•••@host"
