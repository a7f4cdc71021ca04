"""The security headers on every response (issue 12), set by flask-talisman, and `Cache-Control: no-store`.

- Content-Security-Policy: scripts, styles and connections only from this server. The few inline scripts
  carry the request's nonce (`nonce="{{ csp_nonce() }}"`); there are no inline styles (no <style>, no
  style="", so style-src needs no 'unsafe-inline'). 'wasm-unsafe-eval' lets the desk's camera compile
  ZXing's WebAssembly; it allows no eval() of script text. 'self' covers Socket.IO's WebSocket to the
  same host. No page may be framed (frame-ancestors 'none', and X-Frame-Options for older browsers).
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin (addresses, some holding a session's
  code, never go to another site; Flask-WTF's HTTPS referrer check still sees ours).
- Cache-Control: no-store on everything but the static files (/static, /vendor, /favicon.ico). Most pages
  show personal data, and so do forms sent back with their errors (a birth date, a set-password link's
  code), to anyone logged in or not: one rule for all leaves no page out.

Talisman is told to leave the session cookie and HTTPS to config.py and the proxy: it redirects nothing,
and sends HSTS only on a request that arrived over HTTPS.
"""
from __future__ import annotations

from flask import Flask, request
from flask_talisman import Talisman

POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'wasm-unsafe-eval'",  # + the request's nonce
    "style-src": "'self'",
    "connect-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Files that are the same for everyone: they keep the caching their own view gives them.
STATIC_ENDPOINTS = frozenset({"static", "vendor", "favicon"})


class _Talisman(Talisman):
    """flask-talisman with its per-request work done once.

    Talisman 1.1.0 looks up the view's own options four times a request and builds the policy's text
    afresh on every response: about 20 of the 30 us it adds to each request (an attendee's page is
    ~1.4 ms; README "Scaling"). No view here sets options of its own (`@talisman(...)`), so the options
    are the same for every request, and each policy's text is too, but for the nonce.
    """

    def __init__(self, app: Flask, **options):
        self._options = None
        self._policy_parts: dict[int, list[str]] = {}
        super().__init__(app, **options)

    def _get_local_options(self):
        if self._options is None:
            self._options = super()._get_local_options()
        return self._options

    def _parse_policy(self, policy):
        nonce = getattr(request, "csp_nonce", None)
        if nonce is None:  # a request turned away before the nonce was made
            return super()._parse_policy(policy)
        parts = self._policy_parts.get(id(policy))
        if parts is None:
            parts = self._policy_parts[id(policy)] = super()._parse_policy(policy).split(nonce)
        return nonce.join(parts)


def init_app(app: Flask) -> None:
    # One Talisman per app: it keeps its app and options on itself.
    _Talisman(
        app,
        content_security_policy=POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
        force_https=False,  # plain HTTP in tests and `make run`; HTTPS is the proxy's (README "The proxy")
        strict_transport_security_include_subdomains=False,  # other hosts under the domain are not ours to bind
        # The session cookie's settings stay config.py's: talisman would otherwise set them.
        session_cookie_secure=False,
        session_cookie_http_only=False,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )

    @app.after_request
    def no_store(response):
        if request.endpoint not in STATIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response
