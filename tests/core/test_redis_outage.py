"""With REDIS_URL: when Redis stops, pushes pause without raising and rate limits count in this process;
when it is back, both go back to Redis without a restart."""
import json

import pytest
import redis

from core import lease as lease_module
from core import ratelimit
from core.lease import Lease
from core.ratelimit import Budget, storage_in_use
from core.realtime import CHANNEL, push, queue
from tests.scale.servers import wait_until


def test_pushes_pause_while_redis_is_down_and_resume_when_it_is_back(redis_app, redis_server):
    listener = redis.Redis.from_url(redis_server.url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(CHANNEL)
    push("session:1", "window", {"state": "open"})
    message = wait_until(lambda: listener.get_message(timeout=0.1), 5, "the push on the Redis channel")
    assert json.loads(message["data"])["room"] == "session:1"
    listener.close()

    redis_server.stop()
    push("session:1", "window", {"state": "closed"})  # neither raises nor keeps trying
    assert queue().paused_until > 0

    redis_server.start()
    listener = redis.Redis.from_url(redis_server.url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(CHANNEL)

    def pushed_through():  # the pause after the failure lasts a second: poll
        push("session:1", "window", {"state": "again"})
        return listener.get_message(timeout=0.2)

    assert json.loads(wait_until(pushed_through, 10, "pushes to resume")["data"])["data"] == [{"state": "again"}]
    listener.close()


@pytest.fixture
def quick_recheck(monkeypatch):
    monkeypatch.setattr(ratelimit, "RECHECK_SECONDS", 0.0)


def test_budgets_count_in_this_process_while_redis_is_down_and_never_open_up(redis_app, redis_server, quick_recheck):
    budget = Budget("test-guesses", "3 per 15 minutes")
    budget.spend("pat")
    assert budget.used("pat") == 1 and storage_in_use() == "shared"

    redis_server.stop()
    assert not budget.exhausted("pat")  # a fresh count here: at most one more budget per process
    for _ in range(3):
        budget.spend("pat")
    assert budget.exhausted("pat") and storage_in_use() == "this process"

    redis_server.start()  # an empty Redis (no persistence): the shared count starts again
    assert not budget.exhausted("pat")
    assert storage_in_use() == "shared"
    for _ in range(3):
        budget.spend("pat")
    assert budget.exhausted("pat")
    keys = redis.Redis.from_url(redis_server.url).keys("*test-guesses*")
    assert keys, "counted in Redis again"


def test_one_lease_holder_at_a_time_and_a_lapsed_lease_is_taken_over(redis_server):
    first = Lease("watch", redis_server.url, ttl=60)
    second = Lease("watch", redis_server.url, ttl=60)
    assert first.hold() and not second.hold()
    assert first.hold() and not second.hold()  # renewed, still first's
    first.release()
    assert second.hold() and not first.hold()

    # the holder stops renewing (it died): its lease lapses, another takes over
    redis.Redis.from_url(redis_server.url).pexpire(second.key, 1)
    wait_until(first.hold, 5, "the lapsed lease to be taken over")
    assert not second.hold()


def test_without_redis_there_is_one_process_and_it_holds(redis_server):
    assert Lease("watch", None).hold()
    redis_server.stop()
    assert Lease("watch", redis_server.url).hold()  # pushes cannot cross processes now: each serves its own
    assert not Lease("send", redis_server.url, when_unreachable=False).hold()
    assert lease_module.Lease("watch", redis_server.url).held is False
