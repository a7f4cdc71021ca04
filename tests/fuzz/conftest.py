"""One world per module and database for the fuzzer: building it (and logging five people in) for
every example would cost more than the examples. The app runs as in production where it matters
here: CSRF checked, exceptions handled by the app's own error pages rather than raised to the test."""
from __future__ import annotations

import pytest

from core import clock
from tests.conftest import NOW, forget_cached_copies, forget_the_story, make_app
from tests.fuzz.inputs import TALLY, Exceptions
from tests.fuzz.world import build


@pytest.fixture(scope="module")
def world(database_url):
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        clock.move_to(NOW)
        built = build(app, NOW)
        built.backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        built.exceptions = Exceptions(app)
        yield built
        forget_the_story()
    clock.reset()
    forget_cached_copies()


def pytest_terminal_summary(terminalreporter):
    if TALLY.sent:
        terminalreporter.section("fuzz")
        for line in TALLY.lines():
            terminalreporter.write_line(line)
