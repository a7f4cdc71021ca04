"""The words of a person's name, as the desk searches them: kept in step with the name,
added by bulk imports, and filled by the migration for people already there."""
import os
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from accounts.models import NameWord, User, search_words
from core.db import db
from tests.conftest import _config, _pg_admin_url


def words_of(user) -> set[str]:
    return set(db.session.scalars(sa.select(NameWord.word).where(NameWord.user_id == user.id)))


def test_a_name_gives_its_words_lower_case_without_accents_each_once():
    assert search_words("Maya Chen") == ["maya", "chen"]
    assert search_words("  José   Álvarez-Ruiz ") == ["jose", "alvarez-ruiz", "alvarez", "ruiz"]
    assert search_words("Dr. Ben (Benny) O'Neil, Jr.") == ["dr", "ben", "benny", "o'neil", "jr"]
    assert search_words("Anne Anne") == ["anne"]
    assert search_words("Marie-Marie Curie") == ["marie-marie", "marie", "curie"]
    assert search_words("") == [] and search_words(" - ") == []
    assert search_words("Ågot Øvre-Ødegård") == ["agot", "øvre-ødegard", "øvre", "ødegard"]  # ø is a letter of its own


def test_a_new_person_and_a_changed_name_keep_their_words_in_step(app):
    maya = User(email="maya@example.org", name="Maya Chen")
    db.session.add(maya)
    db.session.commit()
    assert words_of(maya) == {"maya", "chen"}
    maya.name = "Maya Chen-Okafor"
    db.session.commit()
    assert words_of(maya) == {"maya", "chen-okafor", "chen", "okafor"}
    maya.name = "Maya Okafor"
    db.session.commit()
    assert words_of(maya) == {"maya", "okafor"}
    db.session.delete(maya)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NameWord)) == 0


@pytest.fixture(params=["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else []))
def empty_database(request, tmp_path):
    """A database of its own, to migrate step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steps.sqlite'}"
        return
    server = _pg_admin_url(os.environ["TEST_DATABASE_URL"])
    name = f"claimdesk_steps_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migration_gives_the_people_already_there_their_words(empty_database):
    from app import create_app

    app = create_app(_config(empty_database))
    with app.app_context():
        upgrade(revision="checkin_0003")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (email, name, is_admin, is_organiser, created_at) VALUES "
                                 "('maya@example.org', 'Maya Chen', false, false, '2026-11-01 10:00:00'), "
                                 "('jose@example.org', 'José Álvarez', false, false, '2026-11-01 10:00:00')"))
        upgrade()
        rows = db.session.execute(sa.select(User.name, NameWord.word).join(NameWord).order_by(NameWord.word)).all()
        assert [tuple(row) for row in rows] == [("José Álvarez", "alvarez"), ("Maya Chen", "chen"),
                                                ("José Álvarez", "jose"), ("Maya Chen", "maya")]
        db.session.remove()
        db.engine.dispose()
