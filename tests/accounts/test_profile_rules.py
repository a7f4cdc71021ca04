"""Profile rules: e-Profile ID, birth MMDD, NPI, password."""
import pytest

from accounts.profile import (
    ProfileError, check_birth_mmdd, check_eprofile_id, check_npi, check_password, describe_mmdd, npi_check_digit_ok,
)


@pytest.mark.parametrize("typed", ["1", "1234567", " 7654321 "])
def test_eprofile_id_of_one_to_seven_digits_is_accepted(typed):
    assert check_eprofile_id(typed) == typed.strip()


@pytest.mark.parametrize("typed, reason", [
    ("12345678", "at most 7 digits"),
    ("12a4", "digits only"),
    ("", "digits only"),
    ("-123", "digits only"),
    ("１２３", "digits only"),  # full-width digits are not ASCII digits
])
def test_eprofile_id_refused_with_the_reason(typed, reason):
    with pytest.raises(ProfileError, match=reason):
        check_eprofile_id(typed)


@pytest.mark.parametrize("typed", ["0101", "0207", "0229", "0430", "1231", "0131"])
def test_real_month_days_are_accepted(typed):
    assert check_birth_mmdd(typed) == typed


@pytest.mark.parametrize("typed, reason", [
    ("0230", "February has no day 30"),
    ("0431", "April has no day 31"),
    ("1301", "13 is not a month"),
    ("0001", "00 is not a month"),
    ("0100", "January has no day 0"),
    ("0132", "January has no day 32"),
    ("207", "four digits"),
    ("02071", "four digits"),
    ("02/07", "four digits"),
])
def test_impossible_month_days_are_refused_saying_why(typed, reason):
    with pytest.raises(ProfileError, match=reason):
        check_birth_mmdd(typed)


def test_mmdd_reads_as_words():
    assert describe_mmdd("0207") == "February 7"


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1679576722"])
def test_npis_with_a_correct_luhn_check_digit_are_accepted(npi):
    assert npi_check_digit_ok(npi)
    assert check_npi(npi) == npi


@pytest.mark.parametrize("npi", ["1234567890", "1234567894", "1245319598"])
def test_npi_with_a_wrong_check_digit_is_refused(npi):
    with pytest.raises(ProfileError, match="last digit does not match"):
        check_npi(npi)


@pytest.mark.parametrize("npi", ["123456789", "12345678933", "12345678a3"])
def test_npi_must_be_ten_digits(npi):
    with pytest.raises(ProfileError, match="exactly 10 digits"):
        check_npi(npi)


def test_password_needs_ten_characters():
    assert check_password("a" * 10)
    with pytest.raises(ProfileError, match="at least 10"):
        check_password("a" * 9)
