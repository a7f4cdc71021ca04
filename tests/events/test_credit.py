"""Credit hours in quarter hours; 10 hours = 1 CEU."""
import pytest

from events.credit import CreditError, ceus, format_ceus, format_hours, parse_hours


@pytest.mark.parametrize("typed, quarters", [("0.25", 1), ("1", 4), ("1.5", 6), (" 2.75 ", 11), ("99.75", 399)])
def test_hours_in_quarter_steps_are_accepted(typed, quarters):
    assert parse_hours(typed) == quarters


@pytest.mark.parametrize("typed, reason", [
    ("1.3", "steps of a quarter hour"), ("0.1", "steps of a quarter hour"), ("0", "more than zero"),
    ("-1", "more than zero"), ("abc", "a number"), ("", "a number"), ("100", "less than 100"), ("nan", "more than zero"),
])
def test_other_hours_are_refused_saying_why(typed, reason):
    with pytest.raises(CreditError, match=reason):
        parse_hours(typed)


@pytest.mark.parametrize("quarters, hours, ceu", [
    (6, "1.5 hours", "0.15 CEU"), (4, "1 hour", "0.10 CEU"), (40, "10 hours", "1.00 CEU"),
    (1, "0.25 hours", "0.025 CEU"), (3, "0.75 hours", "0.075 CEU"),
])
def test_hours_show_with_ceus(quarters, hours, ceu):
    assert format_hours(quarters) == hours
    assert format_ceus(quarters) == ceu


def test_ceu_arithmetic_is_exact():
    assert ceus(6) * 10 == 1.5 and str(ceus(6)) == "0.15"
