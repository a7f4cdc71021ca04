import pytest

from tests.scale.servers import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own on a free port (never the shared one), which it may stop and start."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_app(database_url, redis_server):
    """The app configured with REDIS_URL (message queue and rate-limit store), as a scaled server runs it."""
    from app import create_app
    from core.db import db
    from tests.conftest import _config

    app = create_app({**_config(database_url), "REDIS_URL": redis_server.url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    create_app(_config(database_url))  # leave the shared Socket.IO and limiter objects as other tests expect
