"""Rules for what an attendee puts in their profile. No Flask, no database.

Each check returns the cleaned value or raises `ProfileError` with a message
an attendee understands.
"""
from __future__ import annotations

import re

PROFESSIONS = {
    "pharmacist": "Pharmacist",
    "technician": "Pharmacy technician",
    "physician": "Physician",
    "other": "Other health professional",
}

# ACPE: credit is reported to CPE Monitor only for pharmacists and technicians.
CPE_PROFESSIONS = frozenset({"pharmacist", "technician"})

# A real calendar month/day; February has 29 because a birthday can be a leap day.
DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]

MIN_PASSWORD_LENGTH = 10


class ProfileError(ValueError):
    """A value that cannot go in a profile, with the reason in plain words."""


def check_eprofile_id(text: str) -> str:
    """NABP e-Profile ID: 1 to 7 digits, as shown on the NABP profile."""
    value = text.strip()
    if not value.isdigit() or not value.isascii():
        raise ProfileError("The NABP e-Profile ID is digits only, for example 1234567.")
    if len(value) > 7:
        raise ProfileError("The NABP e-Profile ID has at most 7 digits; check it on your NABP profile.")
    return value


def check_birth_mmdd(text: str) -> str:
    """Birth month and day as MMDD, e.g. 0207 for February 7."""
    value = text.strip()
    if len(value) != 4 or not value.isdigit() or not value.isascii():
        raise ProfileError("Enter your birth month and day as four digits, MMDD: 0207 for February 7.")
    month, day = int(value[:2]), int(value[2:])
    if not 1 <= month <= 12:
        raise ProfileError(f"{value[:2]} is not a month: the first two digits are the month, 01 to 12.")
    if not 1 <= day <= DAYS_IN_MONTH[month]:
        raise ProfileError(
            f"{MONTH_NAMES[month - 1]} has no day {day}: the last two digits are the day of the month."
        )
    return value


def describe_mmdd(value: str) -> str:
    """`0207` -> `February 7`."""
    return f"{MONTH_NAMES[int(value[:2]) - 1]} {int(value[2:])}"


def npi_check_digit_ok(npi: str) -> bool:
    """The NPI's tenth digit is a Luhn check digit over the prefix 80840 and the first nine.

    CMS, "Requirements for NPI check digit": the card-issuer prefix 80840
    makes the Luhn formula apply to the 10-digit identifier.
    """
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    # Double every other digit starting from the rightmost of the payload.
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def check_npi(text: str) -> str:
    value = re.sub(r"[\s-]", "", text)
    if not value.isdigit() or not value.isascii() or len(value) != 10:
        raise ProfileError("An NPI is exactly 10 digits, for example 1234567893.")
    if not npi_check_digit_ok(value):
        raise ProfileError("That NPI's last digit does not match the others; check it for a typing mistake.")
    return value


def check_state_licence(text: str) -> str:
    value = text.strip()
    if not 2 <= len(value) <= 40:
        raise ProfileError("Enter the state and licence number, for example: CA A123456.")
    return value


def check_password(text: str) -> str:
    if len(text) < MIN_PASSWORD_LENGTH:
        raise ProfileError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
    return text
