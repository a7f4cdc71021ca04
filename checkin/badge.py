"""What a badge token is. No Flask, no database.

A badge carries a random token in its QR code. It is the only secret on the
badge: 28 characters from an alphabet of 31 (no 0/O, 1/I/L, so a token read
aloud or typed from a smudged print still works) give about 138 bits, more
than the 128 a token that opens a registration needs. Scanners in keyboard
mode may send it in either case; tokens compare in upper case.
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 28
_SHAPE = re.compile(rf"[{ALPHABET}]{{{LENGTH}}}")
_IGNORED = re.compile(r"\s+")


def new_token(rng=secrets) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(LENGTH))


def normalise(scanned: str) -> str:
    """The token as stored: upper case, without the spaces or line ends a scanner may add."""
    return _IGNORED.sub("", scanned or "").upper()


def is_well_formed(token: str) -> bool:
    return bool(_SHAPE.fullmatch(token))
