"""An overloaded process makes requests wait their turn instead of failing them."""
from __future__ import annotations

import threading

import pytest

from core.db import db
from tests.conftest import _config


@pytest.fixture
def one_slot_app(database_url):
    from app import create_app

    app = create_app({**_config(database_url), "MAX_REQUESTS_IN_FLIGHT": 1})
    holding, release = threading.Event(), threading.Event()

    @app.get("/test/hold")
    def hold():
        holding.set()
        release.wait(10)
        return "held"

    yield app, holding, release
    release.set()
    with app.app_context():
        db.engine.dispose()


def test_a_request_beyond_the_limit_waits_for_a_free_slot_then_succeeds(one_slot_app):
    app, holding, release = one_slot_app
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", app.test_client().get("/test/hold")))
    first.start()
    assert holding.wait(10)
    second_done = threading.Event()

    def second():
        answers["second"] = app.test_client().get("/health")
        second_done.set()

    threading.Thread(target=second).start()
    # The one slot is taken: the second request has not been answered, nor failed.
    assert not second_done.wait(0.3)
    release.set()
    assert second_done.wait(10)
    first.join(10)
    assert answers["first"].status_code == 200 and answers["second"].status_code == 200


def test_liveness_is_answered_even_when_every_slot_is_taken(one_slot_app):
    app, holding, release = one_slot_app
    first = threading.Thread(target=lambda: app.test_client().get("/test/hold"))
    first.start()
    assert holding.wait(10)
    assert app.test_client().get("/health/live").status_code == 200
    release.set()
    first.join(10)
