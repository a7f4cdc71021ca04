"""The session cookie: Flask's signed cookie, with its signer made once per key instead of twice per request.

Flask builds a new itsdangerous serializer (and derives its key) to open and again to save every
session; that was 2% of an attendee's page at the end of a session (issue 11's profile).
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class SignedCookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self._made: tuple[tuple, object] | None = None

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = self._made
        if made is None or made[0] != key:
            made = self._made = (key, super().get_signing_serializer(app))
        return made[1]
