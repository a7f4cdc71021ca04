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


def qr_modules(token: str) -> list[list[bool]]:
    """The QR code of a badge token as rows of dark (True) and light modules, quiet zone included."""
    import qrcode
    import qrcode.constants

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(token)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_svg(token: str, label: str = "Your badge QR code") -> str:
    """The badge's QR code as inline SVG: black on a white square with a wide quiet
    zone, readable in sunlight, scaling to any size, nothing else to fetch.
    (Also the QR of a desk device's token, with its own `label`.)"""
    import qrcode
    import qrcode.constants
    from qrcode.image.svg import SvgPathFillImage

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=SvgPathFillImage)
    qr.add_data(token)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
