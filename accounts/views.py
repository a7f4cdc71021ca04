from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts import throttle
from accounts.forms import LoginForm, LogoutForm, OrganiserForm, PasswordForm, ProfileForm, RegisterForm
from accounts.models import User, find_by_email
from accounts.sessions import end_live_updates, log_in, log_out_everywhere
from core import audit
from core.access import admin_required
from core.db import db

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def _waits(field, throttled: throttle.Throttled) -> tuple[int, dict]:
    """Say on `field` how long to wait; the page's status and headers (429, Retry-After)."""
    field.errors.append(throttled.message())
    return 429, {"Retry-After": str(throttled.seconds())}


def _new_account(form: RegisterForm) -> User | None:
    """The account the form describes, or None when its email has one already."""
    if find_by_email(form.email.data) is not None:
        return None
    user = User(name=form.name.data, email=form.email.data)
    user.set_password(form.password.data)
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # two tabs registering at once
        db.session.rollback()
        return None
    return user


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegisterForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            throttle.admit_registration(request.remote_addr)
        except throttle.Throttled as throttled:
            status, headers = _waits(form.email, throttled)
        else:
            user = _new_account(form)
            if user is None:
                form.email.errors.append("An account with this email already exists. Log in instead.")
            else:
                log_in(user)
                if request.args.get("next"):  # on their way somewhere (a code to enter): the claim asks for the rest
                    flash("Welcome to ClaimDesk.")
                    return redirect(_safe_next(url_for("accounts.profile")))
                flash("Welcome to ClaimDesk. Fill in your profile so your credit can be reported.")
                return redirect(url_for("accounts.profile"))
    return render_template("accounts/register.html", form=form), status, headers


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("events.home")))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        email = form.email.data
        try:
            throttle.admit(email, request.remote_addr)  # before the password is checked, even a right one
        except throttle.Throttled as throttled:
            status, headers = _waits(form.password, throttled)
        else:
            user = find_by_email(email)
            if user is None or not user.check_password(form.password.data):
                throttle.failed(email, request.remote_addr)
                form.password.errors.append("That email and password do not match an account.")
            else:
                throttle.succeeded(email)
                log_in(user)
                return redirect(_safe_next(url_for("events.home")))
    return render_template("accounts/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        log_out_everywhere()
        flash("You are logged out, on this device and any other.")
    return redirect(url_for("events.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data
        current_user.profession = form.profession.data
        current_user.eprofile_id = form.eprofile_id.data or None
        current_user.birth_mmdd = form.birth_mmdd.data or None
        current_user.npi = form.npi.data or None
        current_user.state_licence = form.state_licence.data or None
        db.session.commit()
        flash("Your profile is saved.")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends every other session of this person; this one stays logged in."""
    form = PasswordForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            throttle.admit(user.email, request.remote_addr)  # a stolen cookie must not guess the password here
        except throttle.Throttled as throttled:
            status, headers = _waits(form.current_password, throttled)
        else:
            if not user.check_password(form.current_password.data):
                throttle.failed(user.email, request.remote_addr)
                form.current_password.errors.append("That is not your current password.")
            else:
                throttle.succeeded(user.email)
                user.set_password(form.new_password.data)  # and ends every session so far
                audit.record(user.id, "account.password_changed", f"user:{user.id}")
                db.session.commit()
                end_live_updates(user.id)  # pages open elsewhere stop hearing; this browser's next page joins again
                log_in(user)  # this one again, with the new session epoch
                flash("Your password is changed. Anywhere else you were logged in, you are logged out.")
                return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), status, headers


@bp.get("/admin/users")
@admin_required
def admin_users():
    query = request.args.get("q", "").strip()
    stmt = sa.select(User).order_by(User.name).limit(100)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    users = db.session.scalars(stmt).all()
    return render_template("accounts/admin_users.html", users=users, query=query, form=OrganiserForm())


@bp.post("/admin/users/<int:user_id>/organiser")
@admin_required
def set_organiser(user_id: int):
    user = db.get_or_404(User, user_id)
    form = OrganiserForm()
    if form.validate_on_submit():
        user.is_organiser = form.is_organiser.data
        audit.record(current_user.id, "organiser.granted" if user.is_organiser else "organiser.revoked", f"user:{user.id}")
        db.session.commit()
        flash(f"{user.name} {'may now' if user.is_organiser else 'may no longer'} create events.")
    return redirect(url_for("accounts.admin_users", q=request.args.get("q", "")))
