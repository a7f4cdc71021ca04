"""The session cookie: Flask's signed cookie, with its signer made once per key instead of twice per request,
Secure whenever the request came over HTTPS.

Flask builds a new itsdangerous serializer (and derives its key) to open and again to save every
session; that was 2% of an attendee's page at the end of a session (issue 11's profile).

Secure: Flask's SESSION_COOKIE_SECURE is one setting for every request; here a request made over
HTTPS (as the server saw it, or as PROXY_COUNT trusted proxies said: app.py) always gets a Secure
cookie, so serving over HTTPS is enough, and SESSION_COOKIE_SECURE=1 still forces it.
"""
from __future__ import annotations

from flask import has_request_context, request
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

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)
