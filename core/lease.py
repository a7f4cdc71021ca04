"""A lease: one process at a time does a job, across all server processes.

With several server processes (REDIS_URL set), a job that must run once, like
the window watcher or the embedded reporting worker, asks `lease.hold()`
before each round. The holder renews its lease each round; if it stops (the
process died or hangs), the lease lapses after `ttl` seconds and another
process takes over. Without REDIS_URL there is one process and it always holds.

When Redis does not answer, `hold()` answers True: pushes cannot cross
processes then, so each process serving its own clients is exactly right,
and nothing can be doubled. Jobs that must never run twice even then (sending
claims) must not rely on that: they pass `when_unreachable=False`.
"""
from __future__ import annotations

import logging
import uuid

log = logging.getLogger(__name__)

# Take the lease if it is free, renew it if it is ours; 1 when held.
_TAKE_OR_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease:
    def __init__(self, name: str, redis_url: str | None, ttl: float = 5.0, when_unreachable: bool = True):
        self.name = name
        self.key = f"claimdesk:lease:{name}"
        self.token = uuid.uuid4().hex
        self.ttl_ms = int(ttl * 1000)
        self.when_unreachable = when_unreachable
        self.held = redis_url is None
        self._reachable = True
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def hold(self) -> bool:
        """Take or renew the lease; True while this process holds it. Call it more often than `ttl`."""
        if self._redis is None:
            return True
        import redis

        try:
            held = bool(self._redis.eval(_TAKE_OR_RENEW, 1, self.key, self.token, self.ttl_ms))
        except redis.RedisError as error:
            if self._reachable:
                log.warning("lease %s: Redis unavailable (%s)", self.name, type(error).__name__)
            self._reachable = False
            self.held = False
            return self.when_unreachable
        self._reachable = True
        if held != self.held:
            log.info("lease %s %s by this process", self.name, "taken" if held else "held elsewhere, not")
        self.held = held
        return held

    def release(self) -> None:
        """Give the lease up at once (on shutdown), so another process need not wait for it to lapse."""
        if self._redis is None:
            return
        import redis

        try:
            self._redis.eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError:
            pass
        self.held = False
