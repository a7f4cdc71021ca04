"""Fixtures for the scaled set-up: our own Redis, and server processes on one PostgreSQL database.

These tests need PostgreSQL (TEST_DATABASE_URL), as a provider running
several processes does; without it they are not collected.
"""
from __future__ import annotations

import os
import uuid

import psycopg
import pytest

from tests.scale.servers import Cluster, RedisServer

ADMIN_URL = (os.environ.get("TEST_DATABASE_URL") or "").replace("postgresql+psycopg://", "postgresql://")
collect_ignore_glob = [] if ADMIN_URL else ["test_*.py"]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_database():
    """A fresh, empty PostgreSQL database (postgresql://… URL), dropped after the test."""
    name = f"claimdesk_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cluster(tmp_path, pg_database, redis_server):
    """Two server processes (cluster.urls[0] is "A", [1] is "B") on one database and our Redis."""
    cluster = Cluster(tmp_path, pg_database, redis_server.url, processes=2)
    cluster.migrate()
    cluster.start()
    yield cluster
    cluster.stop()
