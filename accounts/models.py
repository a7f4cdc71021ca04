from __future__ import annotations

import datetime as dt
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

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

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


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
