from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core import clock
from core.access import admin_required
from core.db import db
from core.realtime import push
from events import credit, uan
from events.forms import ConfirmForm, EventForm, GrantRoleForm, SessionForm
from events.localtime import WallClockError, format_local, format_span, moment_from_local
from events.models import Event, EventRole, EventSession, can_manage, hosted_events
from events.setup import SetupError, create_event, grant_role, open_early, parse_speakers, revoke_role, save_session
from events.status import window_status
from events.window import ScheduleError, check_schedule

bp = Blueprint("events", __name__)


def _managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


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
    response = jsonify(window_status(session, clock.now()))
    response.headers["Cache-Control"] = "no-store"
    return response


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
    if form.validate_on_submit():
        event = create_event(
            current_user, title=form.title.data, venue=form.venue.data or "",
            timezone=form.timezone.data, checkin_required=form.checkin_required.data,
        )
        flash("Event created. Now add its sessions.")
        return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/host/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    event = _managed_event(event_id)
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
    event = _managed_event(event_id)
    return render_template("events/manage_event.html", event=event, now=clock.now(), format_local=format_local)


def _fill_session(form: SessionForm, session: EventSession, event: Event):
    """Check the form against the domain rules; return speakers or None with errors on the form."""
    ok = True
    zone = event.zone
    moments = {}
    for field in (form.starts_at, form.ends_at):
        try:
            moments[field.name] = moment_from_local(field.data, zone)
        except WallClockError as error:
            field.errors.append(str(error))
            ok = False
    if ok:
        try:
            check_schedule(moments["starts_at"], moments["ends_at"])
        except ScheduleError as error:
            form.ends_at.errors.append(str(error))
            ok = False
    try:
        quarters = credit.parse_hours(form.credit_hours.data)
    except credit.CreditError as error:
        form.credit_hours.errors.append(str(error))
        ok = False
    try:
        p, t = uan.check_session_uans(form.uan_pharmacist.data, form.uan_technician.data, live=form.kind.data == "live")
    except uan.UanError as error:
        target = form.uan_technician if error.box == "technician" else form.uan_pharmacist
        target.errors.append(str(error))
        ok = False
    try:
        speakers = parse_speakers(form.speakers.data or "")
    except SetupError as error:
        form.speakers.errors.append(str(error))
        ok = False
    if not ok:
        return None
    session.title = form.title.data
    session.kind = form.kind.data
    session.starts_at, session.ends_at = moments["starts_at"], moments["ends_at"]
    session.credit_quarter_hours = quarters
    session.uan_pharmacist = str(p) if p else None
    session.uan_technician = str(t) if t else None
    return speakers


@bp.route("/host/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(event_id: int):
    event = _managed_event(event_id)
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
    session = db.get_or_404(EventSession, session_id)
    event = _managed_event(session.event_id)
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
    session = db.get_or_404(EventSession, session_id)
    _managed_event(session.event_id)
    if ConfirmForm().validate_on_submit():
        try:
            open_early(session, current_user)
        except SetupError as error:
            flash(str(error), "error")
        else:
            push(f"session:{session.id}", "window", window_status(session, clock.now()))
            flash("Claims are open now. This was recorded with your name and the time.")
    return redirect(url_for("events.session_page", session_id=session.id))


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
