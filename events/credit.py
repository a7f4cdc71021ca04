"""Credit hours and CEUs. No Flask, no database.

Credit is kept in whole quarter hours so arithmetic is exact.
ACPE: 10 contact hours = 1 CEU.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


class CreditError(ValueError):
    pass


def parse_hours(text: str) -> int:
    """'1.5' -> 6 quarter hours; only multiples of 0.25 from 0.25 to 99.75."""
    try:
        hours = Decimal(str(text).strip())
    except InvalidOperation:
        raise CreditError("Credit hours are a number, like 1 or 1.5.") from None
    if not hours.is_finite() or hours <= 0:
        raise CreditError("Credit hours must be more than zero, like 1 or 1.5.")
    quarters = hours * 4
    if quarters != quarters.to_integral_value():
        raise CreditError("Credit hours go in steps of a quarter hour: 0.25, 0.5, 0.75, 1, 1.25 …")
    if hours >= 100:
        raise CreditError("Credit hours must be less than 100.")
    return int(quarters)


def hours(quarter_hours: int) -> Decimal:
    return Decimal(quarter_hours) / 4


def ceus(quarter_hours: int) -> Decimal:
    """1.5 hours -> 0.15 CEU; 10 hours -> 1 CEU."""
    return Decimal(quarter_hours) / 40


def _plain(value: Decimal, min_places: int) -> str:
    """Decimal without trailing zeros beyond `min_places`: 1.50 -> '1.5', 0.150 -> '0.15'."""
    text = f"{value:.3f}".rstrip("0")
    whole, _, frac = text.partition(".")
    frac = frac.ljust(min_places, "0")
    return f"{whole}.{frac}" if frac else whole


def format_hours(quarter_hours: int) -> str:
    text = _plain(hours(quarter_hours), 0)
    return f"{text} hour" if text == "1" else f"{text} hours"


def format_ceus(quarter_hours: int) -> str:
    return f"{_plain(ceus(quarter_hours), 2)} CEU"
