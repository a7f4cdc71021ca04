"""Role checks shared by every package."""
from __future__ import annotations

import functools

from flask import abort
from flask_login import current_user, login_required


def admin_required(view):
    """Only provider administrators get past this."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
