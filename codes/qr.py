"""The QR code shown with a session's code: it opens the code-entry page with the code filled in."""
from __future__ import annotations

from urllib.parse import urlsplit

import qrcode
import qrcode.constants
from flask import url_for
from qrcode.image.svg import SvgPathFillImage

from codes.models import SessionCode
from core.db import db
from events.models import EventSession


def entry_url(session: EventSession, code: str) -> str:
    """The attendee's code-entry page for this kind of session, with the code filled in."""
    # By endpoint name: the pages belong to `claims`, which this package never imports.
    endpoint = "claims.enter_live_code" if session.live else "claims.enter_home_study_code"
    return url_for(endpoint, code=code, _external=True)


def short_entry_text(url: str) -> str:
    """The entry page's address without scheme and code, to read off a projector: 'example.org/live'."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def make_svg(url: str) -> str:
    """An SVG QR code (`SvgPathImage` with a white background, so the quiet zone survives dark slides)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=SvgPathFillImage)
    qr.add_data(url)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    label = 'role="img" aria-label="QR code that opens the code entry page with the code filled in"'
    return svg.replace("<svg ", f"<svg {label} ", 1)


def qr_svg(session_code: SessionCode, session: EventSession) -> tuple[str, str]:
    """The session's QR image and the URL it encodes, made once and kept until the code or address changes."""
    url = entry_url(session, session_code.code)
    if session_code.qr_svg is None or session_code.qr_url != url:
        session_code.qr_svg, session_code.qr_url = make_svg(url), url
        db.session.commit()
    return session_code.qr_svg, url
