"""The rate-limit store (Flask-Limiter): in memory by default, Redis when configured."""
from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


class Budget:
    """A number of events allowed per window for one key, e.g. wrong codes per account."""

    def __init__(self, name: str, rule: str):
        self.name = name
        self.item = parse(rule)

    def spend(self, key: str) -> None:
        limiter.limiter.hit(self.item, self.name, key)

    def used(self, key: str) -> int:
        stats = limiter.limiter.get_window_stats(self.item, self.name, key)
        return self.item.amount - stats.remaining

    def exhausted(self, key: str) -> bool:
        return not limiter.limiter.test(self.item, self.name, key)

    def resets_at(self, key: str) -> float:
        """Seconds since the epoch when the budget has room again."""
        return limiter.limiter.get_window_stats(self.item, self.name, key).reset_time
