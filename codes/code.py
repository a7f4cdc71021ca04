"""What a session code is. No Flask, no database.

A code is 4 to 13 letters and digits. Attendees type it case-insensitively,
and spaces and dashes they add (to read it in groups) are ignored. Codes we
generate leave out characters that look alike on a projector or in
handwriting: 0/O and 1/I/L.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from rapidfuzz.distance import DamerauLevenshtein

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MIN_LENGTH, MAX_LENGTH = 4, 13
GENERATED_LENGTH = 8
EXAMPLE = "K7QM 3XPA"

_SHAPE = re.compile(rf"[A-Z0-9]{{{MIN_LENGTH},{MAX_LENGTH}}}")
# Whitespace, and every dash a phone keyboard may produce (hyphen, en, em, minus ...).
_IGNORED = re.compile(r"[\s\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]+")


class CodeError(ValueError):
    """A code a host may not use, in plain words."""


def normalise(typed: str) -> str:
    """The code as stored: upper case, without spaces and dashes."""
    return _IGNORED.sub("", typed or "").upper()


def is_well_formed(code: str) -> bool:
    """True for a normalised code of 4–13 letters (A–Z) and digits."""
    return bool(_SHAPE.fullmatch(code))


def generate(length: int = GENERATED_LENGTH, rng=secrets) -> str:
    """A random code from the alphabet without look-alikes."""
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def typo_reach(code: str) -> int:
    """How many slips (a wrong, missing, extra or swapped character) a mistyped `code` may still show.

    One for codes of up to 5 characters, two for 6 or 7, three for longer ones (generated codes have 8):
    the near neighbours of a 4-character code are about 150 of its 1.7 million possible values, those of an
    8-character code about 2 million of 800 billion, so a random guess is hardly ever near.
    """
    if len(code) <= 5:
        return 1
    return 2 if len(code) <= 7 else 3


def is_near(typed: str, codes: Iterable[str]) -> bool:
    """True when the normalised `typed` is a slip of one of `codes` (and not one of them)."""
    for code in codes:
        reach = typo_reach(code)
        if abs(len(code) - len(typed)) <= reach and 0 < DamerauLevenshtein.distance(typed, code, score_cutoff=reach) <= reach:
            return True
    return False


def check_custom(text: str) -> str:
    """A host's own code, normalised; raise `CodeError` unless it is 4–13 letters and digits."""
    code = normalise(text)
    if not code:
        raise CodeError(f"Type the code you want: {MIN_LENGTH} to {MAX_LENGTH} letters and numbers, like PHARM2026.")
    if not re.fullmatch(r"[A-Z0-9]+", code):
        raise CodeError("A code may use only the letters A to Z and the numbers 0 to 9 (spaces and dashes are left out).")
    if len(code) < MIN_LENGTH:
        raise CodeError(f"A code needs at least {MIN_LENGTH} letters and numbers; this one has {len(code)}.")
    if len(code) > MAX_LENGTH:
        raise CodeError(f"A code can have at most {MAX_LENGTH} letters and numbers; this one has {len(code)}.")
    return code


def grouped(code: str) -> str:
    """The code cut into groups of three or four for reading aloud: 'ABCD EFGH'."""
    if len(code) <= 5:
        return code
    count = -(-len(code) // 4)
    size, longer = divmod(len(code), count)
    groups, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < longer else 0)
        groups.append(code[start:end])
        start = end
    return " ".join(groups)
