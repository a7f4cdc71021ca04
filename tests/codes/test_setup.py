"""Every session gets a code; a host may choose their own; codes are unique while sessions are open."""
import datetime as dt

import pytest
import sqlalchemy as sa

from codes import code as rules
from codes.models import SessionCode
from codes.setup import CodeTaken, code_for, new_random_code, set_custom_code
from core import clock
from core.audit import AuditEntry
from core.db import db


@pytest.fixture
def next_codes(monkeypatch):
    """Make the generator hand out the given codes in order (to stage a clash)."""

    def use(*codes):
        sequence = iter(codes)
        monkeypatch.setattr(rules, "generate", lambda *a, **k: next(sequence))

    return use


def test_a_new_session_gets_an_eight_character_code_without_look_alikes(make_session):
    session = make_session()
    stored = db.session.scalar(sa.select(SessionCode).where(SessionCode.session_id == session.id))
    assert len(stored.code) == 8 and set(stored.code) <= set(rules.ALPHABET)
    assert stored.revealed_at is None


def test_a_generated_code_taken_by_an_open_session_is_drawn_again(make_session, next_codes, code_of):
    next_codes("HXRT4K9M", "HXRT4K9M", "PQ7WZ3NC")
    first = make_session(title="Morning")
    second = make_session(title="Afternoon")
    assert code_of(first) == "HXRT4K9M"
    assert code_of(second) == "PQ7WZ3NC"


def test_a_code_is_unique_even_against_sessions_not_open_yet(make_session, next_codes, code_of):
    next_codes("HXRT4K9M", "HXRT4K9M", "PQ7WZ3NC")
    make_session(title="Tomorrow", starts_in=dt.timedelta(days=1))
    assert code_of(make_session(title="Today")) == "PQ7WZ3NC"


def test_a_code_of_a_closed_session_may_be_given_again(make_session, next_codes, code_of):
    next_codes("HXRT4K9M", "HXRT4K9M")
    old = make_session(title="Last year")
    clock.move_to(old.closes_at)
    new = make_session(title="This year")
    assert code_of(old) == code_of(new) == "HXRT4K9M"


def test_the_minute_before_a_session_closes_its_code_is_still_taken(make_session, next_codes, code_of):
    next_codes("HXRT4K9M", "HXRT4K9M", "PQ7WZ3NC")
    old = make_session(title="Ending")
    clock.move_to(old.closes_at - dt.timedelta(minutes=1))
    assert code_of(make_session(title="New")) == "PQ7WZ3NC"


def test_host_replaces_the_code_with_their_own_and_it_is_stored_normalised(make_session, host, code_of):
    session = make_session()
    set_custom_code(session, "pharm-2026", host)
    assert code_of(session) == "PHARM2026"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "code.changed"))
    assert (entry.actor_id, entry.subject, entry.detail) == (host.id, f"session:{session.id}", "custom")


def test_host_code_used_by_another_open_session_is_refused_whatever_the_case(make_session, host, code_of):
    first, second = make_session(title="Morning"), make_session(title="Afternoon")
    set_custom_code(first, "PHARM2026", host)
    before = code_of(second)
    with pytest.raises(CodeTaken) as refused:
        set_custom_code(second, "pharm 2026", host)
    assert str(refused.value) == (
        "Another session that is still open uses PHARM2026. Choose a different code, or keep the one ClaimDesk made."
    )
    assert code_of(second) == before


def test_host_code_of_a_session_that_closed_may_be_used_again(make_session, host, code_of):
    first = make_session(title="Morning")
    set_custom_code(first, "PHARM2026", host)
    clock.move_to(first.closes_at)
    second = make_session(title="Next year")
    set_custom_code(second, "PHARM2026", host)
    assert code_of(second) == "PHARM2026"


def test_setting_the_same_code_again_changes_nothing_and_logs_nothing(make_session, host):
    session = make_session()
    set_custom_code(session, "PHARM2026", host)
    set_custom_code(session, "Pharm2026", host)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "code.changed")) == 1


def test_changing_the_code_forgets_the_cached_qr(make_session, host):
    session = make_session()
    stored = code_for(session)
    stored.qr_svg, stored.qr_url = "<svg/>", "http://localhost/live?code=X"
    db.session.commit()
    set_custom_code(session, "PHARM2026", host)
    assert (stored.qr_svg, stored.qr_url) == (None, None)


def test_a_new_random_code_replaces_the_old_one_and_is_logged(make_session, host, code_of):
    session = make_session()
    old = code_of(session)
    new_random_code(session, host)
    assert code_of(session) != old
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "code.changed"))
    assert entry.detail == "generated"


def test_a_session_stored_without_a_code_gets_one_when_first_needed(make_session, code_of):
    session = make_session()
    db.session.execute(sa.delete(SessionCode))
    db.session.commit()
    assert len(code_of(session)) == 8
