"""At most so many requests of one server process at work at once.

Under gevent every request that reaches the database holds a pooled
connection while it waits for the CPU; when a process is overloaded the
pool runs dry and requests fail after `pool_timeout`. Letting only as many
requests in as there are connections makes the rest wait their turn, as
they would on SQLite, instead of failing: slow under overload, never lost.
"""
from __future__ import annotations

import threading  # gevent's monkey-patching makes this semaphore cooperative

from flask import Flask, g, request

# Answered without the database, so a saturated process still says it is alive.
_EXEMPT = ("/health/live", "/static/", "/vendor/")


def init_app(app: Flask, limit: int) -> None:
    if limit <= 0:
        return
    slots = threading.BoundedSemaphore(limit)

    @app.before_request
    def wait_for_a_slot():
        if request.path.startswith(_EXEMPT):
            return
        slots.acquire()
        g.admitted = True

    @app.teardown_request
    def free_the_slot(_exc):
        if g.pop("admitted", False):
            slots.release()
