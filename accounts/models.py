from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin

from accounts.profile import PROFESSIONS
from core import clock
from core.db import UTCDateTime, db

_hasher = PasswordHasher()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    # May create events (and so becomes their host); granted by an admin.
    is_organiser: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime(), default=clock.now)

    profession: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    eprofile_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(7))
    birth_mmdd: so.Mapped[Optional[str]] = so.mapped_column(sa.String(4))
    npi: so.Mapped[Optional[str]] = so.mapped_column(sa.String(10))
    state_licence: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    # Counts up when the user logs out or their password changes; every session cookie carries the
    # number it was issued with (`get_id`), and the user loader (app.py) accepts only the current one,
    # so a cookie copied before a log-out gets nothing afterwards.
    session_epoch: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    # Filled only when the user is loaded for a request (app.py): may they open some event's desk?
    staffs_a_desk: so.Mapped[Optional[bool]] = so.query_expression()

    def get_id(self) -> str:
        """What the session cookie holds (Flask-Login): "<id>:<session epoch>"."""
        return f"{self.id}:{self.session_epoch}"

    def end_sessions(self) -> None:
        """Every session cookie issued to this user so far stops working (at the caller's commit)."""
        self.session_epoch = User.session_epoch + 1  # in SQL: two log-outs at once both count

    def set_password(self, password: str) -> None:
        """A new password also ends every session the user has (the caller logs this one in again)."""
        self.password_hash = _hasher.hash(password)
        if sa.inspect(self).has_identity:  # an account being created has no sessions yet
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def profession_label(self) -> str:
        return PROFESSIONS.get(self.profession or "", "Not set")

    def __repr__(self) -> str:  # no personal data in reprs: they end up in logs
        return f"<User {self.id}>"


class NameWord(db.Model):
    """One word of a person's name, as searched: the desk finds "Maya Chen" by "chen" as well as by "maya".

    Kept in step with `User.name` on every flush (see `_keep_name_words`); bulk inserts of
    users add theirs with `name_word_rows`. The key is (word, user): a word prefix is a range of
    that index, read until the search has its first few matches.
    """

    __tablename__ = "name_words"

    word: so.Mapped[str] = so.mapped_column(sa.String(120), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)


def search_words(text: str) -> list[str]:
    """The words of a name or a search, lower-case and without accents, in order and each once.

    "José Álvarez-Ruiz" gives jose, alvarez-ruiz, alvarez, ruiz: a volunteer on a tablet types
    "alvarez" or "ruiz" and finds her, accents or not.
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    words: list[str] = []
    for word in plain.split():
        word = word.strip(".,;:()\"'-")
        for part in [word] + (word.split("-") if "-" in word else []):
            if part and part not in words:
                words.append(part)
    return words


def name_word_rows(user_id: int, name: str) -> list[dict]:
    """The name_words rows of a user inserted in bulk (without the ORM)."""
    return [{"word": word, "user_id": user_id} for word in search_words(name)]


User.name_words = so.relationship(NameWord, cascade="all, delete-orphan", passive_deletes=True)


@sa.event.listens_for(so.Session, "before_flush")
def _keep_name_words(session, _flush_context, _instances) -> None:
    """A new person, or a changed name: the words the desk searches follow."""
    for user in [*session.new, *session.dirty]:
        if not isinstance(user, User) or user in session.deleted:
            continue
        if user in session.new or so.attributes.get_history(user, "name").has_changes():
            words = search_words(user.name or "")
            kept = {w.word: w for w in user.name_words if w.word in words} if user not in session.new else {}
            user.name_words = [kept.get(word) or NameWord(word=word) for word in words]


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
