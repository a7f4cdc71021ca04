"""Database setup: one SQLAlchemy instance, UTC timestamps, SQLite pragmas."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic batch migrations on SQLite can find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as naive UTC; always returns aware UTC.

    SQLite keeps no zone, PostgreSQL's `timestamp` neither: storing UTC
    everywhere keeps both databases and every comparison the same.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL for concurrent readers, enforced foreign keys, and a wait instead of 'database is locked'."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# --- facts: many small look-ups in one statement ---------------------------------

# The parameters every fact query is written against.
USER_ID = sa.bindparam("user_id", type_=sa.Integer)
SESSION_ID = sa.bindparam("session_id", type_=sa.Integer)


def fact_columns(kind: str, key=None, number=None, moment=None) -> list:
    """The four columns of one part of a facts UNION ALL: kind, key (text), number (integer), moment (UTC).

    Each package writes the part about its own tables (`codes.redeem.redemption_facts`, ...); the
    claims journey joins them into one statement, so a page learns everything about one attendee and
    one session in a single round trip.
    """
    def typed(value, type_):
        return sa.cast(sa.null(), type_) if value is None else sa.type_coerce(value, type_)

    return [sa.literal_column(f"'{kind}'", sa.String).label("kind"), typed(key, sa.String).label("key"),
            typed(number, sa.Integer).label("number"), typed(moment, UTCDateTime()).label("moment")]
