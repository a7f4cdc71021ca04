from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core import clock
from core.access import admin_required
from core.db import db
from core.realtime import push
from events import credit
from events.access import managed_event, managed_session
from events import checklist
from events.forms import ConfirmForm, EventForm, GrantRoleForm, SessionForm, StaffForm
from events.localtime import format_local, format_span
from events.models import Event, EventRole, EventSession, can_manage, hosted_events
from events.setup import (SessionInputError, SetupError, check_session_input, create_event, grant_role, last_zone_of,
                          open_early, revoke_role, save_session)
from events.status import window_status

bp = Blueprint("events", __name__)


# --- public pages -----------------------------------------------------------

@bp.get("/")
def home():
    now = clock.now()
    upcoming = db.session.scalars(
        sa.select(Event).join(EventSession).where(EventSession.closes_at > now).distinct().order_by(Event.id.desc()).limit(20)
    ).all()
    return render_template("events/home.html", events=upcoming)


@bp.get("/events/<int:event_id>")
def event_page(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template("events/event.html", event=event, now=clock.now(), format_local=format_local)


@bp.get("/s/<int:session_id>")
def session_page(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    return render_template(
        "events/session.html",
        session=session,
        status=window_status(session, clock.now()),
        format_span=format_span,
        can_manage=can_manage(current_user, session.event),
        confirm=ConfirmForm(),
    )


@bp.get("/s/<int:session_id>/window.json")
def session_window(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    return jsonify(window_status(session, clock.now()))


# --- hosts ------------------------------------------------------------------

@bp.get("/host/events")
@login_required
def host_events():
    return render_template("events/host_events.html", events=hosted_events(current_user))


@bp.route("/host/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    if not (current_user.is_organiser or current_user.is_admin):
        abort(403)
    form = EventForm()
    if request.method == "GET":
        form.timezone.data = last_zone_of(current_user)
    if form.validate_on_submit():
        event = create_event(
            current_user, title=form.title.data, venue=form.venue.data or "",
            timezone=form.timezone.data, checkin_required=form.checkin_required.data,
            entrance_counts_for_sessions=form.entrance_counts_for_sessions.data,
        )
        flash("Event created. Now add its sessions.")
        return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/host/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    event = managed_event(event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit():
        zone_changed = form.timezone.data != event.timezone
        form.populate_obj(event)
        if zone_changed:
            for session in event.sessions:
                session.refresh_window()
        db.session.commit()
        flash("Event saved.")
        return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event)


@bp.get("/host/events/<int:event_id>")
@login_required
def manage_event(event_id: int):
    event = managed_event(event_id)
    return render_template("events/manage_event.html", event=event, now=clock.now(), format_local=format_local,
                           checklist=checklist.items(event))


def _fill_session(form: SessionForm, session: EventSession, event: Event):
    """Put the typed session on `session`; return its speakers, or None with the reasons on the form."""
    try:
        values, speakers = check_session_input(
            event, kind=form.kind.data, starts_local=form.starts_at.data, ends_local=form.ends_at.data,
            credit_hours=form.credit_hours.data, uan_pharmacist=form.uan_pharmacist.data,
            uan_technician=form.uan_technician.data, speakers=form.speakers.data or "",
        )
    except SessionInputError as error:
        for name, message in error.errors.items():
            getattr(form, name).errors.append(message)
        return None
    session.title = form.title.data
    for name, value in values.items():
        setattr(session, name, value)
    return speakers


@bp.route("/host/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(event_id: int):
    event = managed_event(event_id)
    form = SessionForm()
    if form.validate_on_submit():
        session = EventSession(event=event)
        speakers = _fill_session(form, session, event)
        if speakers is not None:
            save_session(session, speakers, current_user)
            flash("Session saved.")
            return redirect(url_for("events.manage_event", event_id=event.id))
        db.session.rollback()
    return render_template("events/session_form.html", form=form, event=event, session=None)


@bp.route("/host/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    session = managed_session(session_id)
    event = session.event
    form = SessionForm()
    if request.method == "GET":
        zone = event.zone
        form.title.data = session.title
        form.kind.data = session.kind
        form.starts_at.data = session.starts_at.astimezone(zone).replace(tzinfo=None)
        form.ends_at.data = session.ends_at.astimezone(zone).replace(tzinfo=None)
        form.credit_hours.data = str(credit.hours(session.credit_quarter_hours))
        form.uan_pharmacist.data = session.uan_pharmacist or ""
        form.uan_technician.data = session.uan_technician or ""
        form.speakers.data = "\n".join(f"{s.name}, {s.email}" if s.email else s.name for s in session.speakers)
    elif form.validate_on_submit():
        speakers = _fill_session(form, session, event)
        if speakers is not None:
            save_session(session, speakers, current_user)
            push(f"session:{session.id}", "window", window_status(session, clock.now()))
            flash("Session saved.")
            return redirect(url_for("events.manage_event", event_id=event.id))
        db.session.rollback()
    return render_template("events/session_form.html", form=form, event=event, session=session)


@bp.post("/host/sessions/<int:session_id>/open-early")
@login_required
def open_session_early(session_id: int):
    session = managed_session(session_id)
    if ConfirmForm().validate_on_submit():
        try:
            open_early(session, current_user)
        except SetupError as error:
            flash(str(error), "error")
        else:
            push(f"session:{session.id}", "window", window_status(session, clock.now()))
            flash("Claims are open now. This was recorded with your name and the time.")
    return redirect(url_for("events.session_page", session_id=session.id))


@bp.route("/host/events/<int:event_id>/staff", methods=["GET", "POST"])
@login_required
def event_staff(event_id: int):
    """The event's host adds and removes its check-in staff (each change is in the audit log)."""
    event = managed_event(event_id)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            grant = grant_role(event, form.email.data, "checkin", current_user)
        except SetupError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{grant.user.name} is check-in staff for this event.")
            return redirect(url_for("events.event_staff", event_id=event.id))
    staff = db.session.scalars(sa.select(EventRole).where(EventRole.event_id == event.id, EventRole.role == "checkin")
                               .order_by(EventRole.id)).all()
    return render_template("events/staff.html", event=event, form=form, staff=staff, remove=ConfirmForm())


@bp.post("/host/events/<int:event_id>/staff/<int:grant_id>/remove")
@login_required
def remove_staff(event_id: int, grant_id: int):
    event = managed_event(event_id)
    grant = db.session.get(EventRole, grant_id)
    if grant is None or grant.event_id != event.id or grant.role != "checkin":
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = grant.user.name
        revoke_role(grant, current_user)
        flash(f"{name} is no longer check-in staff for this event.")
    return redirect(url_for("events.event_staff", event_id=event.id))


# --- administrators ---------------------------------------------------------

@bp.route("/admin/events/<int:event_id>/roles", methods=["GET", "POST"])
@admin_required
def event_roles(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            grant_role(event, form.email.data, form.role.data, current_user)
        except SetupError as error:
            form.email.errors.append(str(error))
        else:
            flash("Role granted.")
            return redirect(url_for("events.event_roles", event_id=event.id))
    grants = db.session.scalars(sa.select(EventRole).where(EventRole.event_id == event.id).order_by(EventRole.role, EventRole.id)).all()
    return render_template("events/roles.html", event=event, form=form, grants=grants, revoke=ConfirmForm())


@bp.post("/admin/roles/<int:grant_id>/revoke")
@admin_required
def revoke(grant_id: int):
    grant = db.get_or_404(EventRole, grant_id)
    event_id = grant.event_id
    if ConfirmForm().validate_on_submit():
        revoke_role(grant, current_user)
        flash("Role removed.")
    return redirect(url_for("events.event_roles", event_id=event_id))


@bp.get("/admin/events")
@admin_required
def admin_events():
    events = db.session.scalars(sa.select(Event).order_by(Event.id.desc())).all()
    return render_template("events/admin_events.html", events=events)
