"""Rate limits (Flask-Limiter): in memory by default, Redis when configured.

When Redis is unreachable, limits fall back to this process's memory and
go back to Redis once it answers again (Flask-Limiter's
`in_memory_fallback_enabled` for route limits; `Budget` does the same for
itself). During an outage every server process counts on its own, so with N
processes a guesser gets at most N times a budget: never unlimited.
"""
from __future__ import annotations

import ipaddress
import logging
import time

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
RECHECK_SECONDS = 5.0  # while on the fallback, how often to try Redis again


class _Fallback:
    """This process's own counts, used while the shared store does not answer."""

    def __init__(self):
        self.limiter = FixedWindowRateLimiter(MemoryStorage())
        self.since: float | None = None  # when the shared store stopped answering
        self.checked_at = 0.0

    def active(self) -> bool:
        if self.since is None:
            return False
        now = time.monotonic()
        if now - self.checked_at < RECHECK_SECONDS:
            return True
        self.checked_at = now
        try:
            back = limiter.storage.check()
        except Exception:
            back = False
        if back:
            log.warning("rate-limit store answers again after %.0f s: counting there again", now - self.since)
            self.since = None
            return False
        return True

    def start(self, error: Exception) -> None:
        if self.since is None:
            log.warning("rate-limit store unavailable (%s): counting in this process until it is back",
                        type(error).__name__)
            self.since = self.checked_at = time.monotonic()


_fallback = _Fallback()


# Endpoints with a route limit of their own (`route_limit`). Flask-Limiter's before-request hook
# resolves limits, exemptions and meta limits on every request, even where none applies and even for
# requests its `request_filter` exempts: 5% of an attendee's page (issue 11's profile), 36 us of a
# desk scan. Requests to the other endpoints skip it (`_check_limits`).
_limited_endpoints: set[str] = set()


def route_limit(endpoint: str, rule: str, **options):
    """A Flask-Limiter limit on the view of `endpoint` ("blueprint.view"): the one way to limit a route."""
    _limited_endpoints.add(endpoint)
    return limiter.limit(rule, **options)


def init_app(app) -> None:
    """Bind the limiter to `app` (its store from RATELIMIT_STORAGE_URI), with fresh fallback counts."""
    global _fallback
    limiter.init_app(app)
    _fallback = _Fallback()
    hooks = app.before_request_funcs[None]
    hooks[hooks.index(limiter._check_request_limit)] = _check_limits  # in its place: hooks run in order


def _check_limits():
    if request.endpoint not in _limited_endpoints:
        return None
    return limiter._check_request_limit()


def address_key(address: str | None) -> str:
    """The key a per-address budget counts a client under: an IPv4 address as it is, an IPv6 one by its /64.

    One IPv6 subscriber (a home, a phone) is given a whole /64, so counting single IPv6 addresses would give
    a guesser 2^64 budgets. Behind a proxy the address is right only with PROXY_COUNT set (README)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is that IPv4 address
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def storage_in_use() -> str:
    """"shared" or "this process" (for /health)."""
    return "this process" if _fallback.since is not None else "shared"


class Budget:
    """A number of events allowed per window for one key, e.g. wrong codes per account."""

    def __init__(self, name: str, rule: str):
        self.name = name
        self.item = parse(rule)

    def _call(self, method: str, key: str):
        if not _fallback.active():
            try:
                return getattr(limiter.limiter, method)(self.item, self.name, key)
            except Exception as error:  # the shared store is down: never fail open
                _fallback.start(error)
        return getattr(_fallback.limiter, method)(self.item, self.name, key)

    def spend(self, key: str) -> None:
        self._call("hit", key)

    def take(self, key: str) -> bool:
        """Spend one if there is room, in one atomic step: of many requests at once only the budget's worth get True.

        A refused take still counts (within the window it does not lengthen)."""
        return self._call("hit", key)

    def forget(self, key: str) -> None:
        """Start this key's count afresh (e.g. failed log-ins after a successful one)."""
        self._call("clear", key)

    def used(self, key: str) -> int:
        return self.usage(key)[0]

    def usage(self, key: str) -> tuple[int, float]:
        """How much of the budget is spent, and when it has room again (seconds since the epoch): one look-up."""
        stats = self._call("get_window_stats", key)
        return self.item.amount - stats.remaining, stats.reset_time

    def exhausted(self, key: str) -> bool:
        return not self._call("test", key)

    def resets_at(self, key: str) -> float:
        """Seconds since the epoch when the budget has room again."""
        return self._call("get_window_stats", key).reset_time
