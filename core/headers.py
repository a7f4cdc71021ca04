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


def init_app(app: Flask) -> None:
    # One Talisman per app: it keeps its app and options on itself.
    Talisman(
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
