"""Registrations, badges and attendance imports: the attendee's and the host's pages.
(The check-in desk has its own module.)"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from accounts.models import User
from accounts.sessions import log_in
from checkin import badge, devices, registration as registrations, webinar
from checkin import demo  # noqa: F401  (adds the demo's registrations when `flask demo load` runs)
from checkin.attendance import belongs, person_of
from checkin.badge_sheet import MAX_BADGES, badge_sheet_pdf
from checkin.forms import DeskDeviceForm, ImportForm, MatchForm, RevokeForm, SetPasswordForm, WebinarReportForm
from checkin.models import DeskDevice, Registration, WebinarImport, WebinarParticipant
from core import audit, clock
from core.db import db
from core.edge import whole_number
from events import checklist
from events.access import managed_event, managed_session
from events.forms import ConfirmForm
from events.localtime import format_local
from events.models import Event

bp = Blueprint("checkin", __name__)
STATIC_JS = Path(__file__).resolve().parents[1] / "static" / "js"
PER_PAGE = 50


# --- attendees ----------------------------------------------------------------

@bp.app_context_processor
def registration_lookup():
    """`my_registration(event)` for the event page, which belongs to `events` and so cannot import this package."""
    def my_registration(event: Event) -> Registration | None:
        if not current_user.is_authenticated:
            return None
        return registrations.registration_for(event, current_user.id)

    return {"my_registration": my_registration}


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    event = db.get_or_404(Event, event_id)
    if ConfirmForm().validate_on_submit():
        registrations.register(event, current_user)
        flash("You are registered. Show your badge at the desk when you arrive.")
    return redirect(url_for("events.event_page", event_id=event.id))


@bp.get("/events/<int:event_id>/badge")
@login_required
def my_badge(event_id: int):
    """The attendee's own badge: only ever the logged-in person's, so there is nothing to guess."""
    event = db.get_or_404(Event, event_id)
    mine = registrations.registration_for(event, current_user.id)
    # Never kept by a browser's or a proxy's cache (core.headers); the page's service worker keeps it for offline use.
    return render_template(
        "checkin/badge.html", event=event, registration=mine,
        qr=badge.qr_svg(mine.badge_token) if mine and not mine.is_revoked else None, register_form=ConfirmForm())


@bp.get("/badge-sw.js")
def badge_service_worker():
    """The service worker that keeps a badge page for when the phone is offline.

    Served from here (not /static) so it may control the badge pages under /events/.
    """
    response = make_response((STATIC_JS / "badge-sw.js").read_bytes())
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = "/events/"
    return response


@bp.route("/welcome", methods=["GET", "POST"])
def set_password():
    """A person whose account was made for them (imported, walk-in) chooses a password
    with the signed link the host gave them. The link's code travels after '#', so it
    never reaches a server log; the page's script puts it into the form."""
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = registrations.set_first_password(form.token.data, form.password.data,
                                                    current_app.config["SECRET_KEY"])
        except registrations.RegistrationError as error:
            form.token.errors.append(str(error))
        else:
            log_in(user)
            flash("Your password is saved. Check your profile so your credit can be reported.")
            return redirect(url_for("accounts.profile"))
    return render_template("checkin/welcome.html", form=form)


# --- hosts: registrants -----------------------------------------------------------

def _registrant_query(event: Event, query: str):
    stmt = (sa.select(Registration).join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event.id).order_by(sa.func.lower(User.name), Registration.id))
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    return stmt


@bp.get("/host/events/<int:event_id>/registrants")
@login_required
def registrants(event_id: int):
    event = managed_event(event_id)
    query = request.args.get("q", "").strip()[:100]
    page = db.paginate(_registrant_query(event, query), page=whole_number(request.args.get("page")) or 1,
                       per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                              .where(Registration.event_id == event.id))
    batches = [(start // MAX_BADGES + 1, start + 1, min(start + MAX_BADGES, total))
               for start in range(0, total, MAX_BADGES)]
    return render_template("checkin/registrants.html", event=event, page=page, query=query, total=total,
                           batches=batches, form=ConfirmForm())


def _selected(event: Event) -> list[Registration]:
    """The registrations ticked on the list (at most one page's worth is ever posted)."""
    ids = [number for number in map(whole_number, request.form.getlist("registration")) if number][:MAX_BADGES]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Registration).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.id.in_(ids))
        .order_by(sa.func.lower(User.name), Registration.id)))


@bp.post("/host/events/<int:event_id>/badges.pdf")
@login_required
def badge_sheet(event_id: int):
    """Badges for the ticked registrants, or for one batch of everyone (MAX_BADGES a file, bounded memory)."""
    event = managed_event(event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("checkin.registrants", event_id=event.id))
    batch = whole_number(request.form.get("batch"))
    if batch and batch <= 100_000:
        chosen = db.session.scalars(_registrant_query(event, "").options(sa.orm.joinedload(Registration.user))
                                    .offset((batch - 1) * MAX_BADGES).limit(MAX_BADGES)).all()
    else:
        chosen = _selected(event)
    if not chosen:
        flash("Tick the people whose badges you want, or choose a batch of everyone.", "error")
        return redirect(url_for("checkin.registrants", event_id=event.id))
    audit.record(current_user.id, "badges.printed", f"event:{event.id}", f"{len(chosen)} badges")
    db.session.commit()
    response = make_response(badge_sheet_pdf(chosen, title=f"Badges - {event.title}"))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="badges-event-{event.id}.pdf"'
    return response


@bp.post("/host/events/<int:event_id>/password-links")
@login_required
def password_letters(event_id: int):
    """Printable set-your-password letters for ticked registrants whose account has no password yet."""
    event = managed_event(event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("checkin.registrants", event_id=event.id))
    people = [r.user for r in _selected(event) if not r.user.password_hash]
    if not people:
        flash("None of the ticked people needs a set-password link: they all have a password.", "error")
        return redirect(url_for("checkin.registrants", event_id=event.id))
    secret = current_app.config["SECRET_KEY"]
    base = url_for("checkin.set_password", _external=True)
    letters = [(person, f"{base}#{registrations.password_link_token(person, secret)}") for person in people]
    audit.record(current_user.id, "password_links.made", f"event:{event.id}", f"{len(letters)} links")
    db.session.commit()
    expires = clock.now() + dt.timedelta(days=registrations.PASSWORD_LINK_DAYS)
    return render_template("checkin/password_letters.html", event=event, letters=letters, expires=expires)


@bp.route("/host/events/<int:event_id>/registrants/import", methods=["GET", "POST"])
@login_required
def import_registrants(event_id: int):
    event = managed_event(event_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.stream.read(registrations.MAX_IMPORT_BYTES + 1)
        report = registrations.import_registrants(event, raw, current_user.id)
    return render_template("checkin/import.html", event=event, form=form, report=report)


@bp.route("/host/registrations/<int:registration_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(registration_id: int):
    chosen = db.get_or_404(Registration, registration_id)
    event = managed_event(chosen.event_id)
    form = RevokeForm()
    if form.validate_on_submit() and not chosen.is_revoked:
        try:
            registrations.revoke(chosen, current_user.id, form.reason.data)
        except registrations.RegistrationError as error:
            form.reason.errors.append(str(error))
        else:
            flash(f"The badge of {chosen.user.name} is revoked: it no longer checks anyone in.")
            return redirect(url_for("checkin.registrants", event_id=event.id, q=chosen.user.email))
    return render_template("checkin/revoke.html", event=event, registration=chosen, form=form)


# --- hosts: desk devices ----------------------------------------------------------

def _desk_devices_page(event: Event, form: DeskDeviceForm, issued=None, token: str = "", status: int = 200):
    # The token is shown once: never kept by a browser's or a proxy's cache (core.headers: no page is).
    return render_template(
        "checkin/desk_devices.html", event=event, form=form, devices=devices.devices_of(event), issued=issued,
        token=token, qr=badge.qr_svg(token, "QR code of the desk device's token") if token else None,
        lists_url=url_for("desk_api.lists", event_id=event.id, _external=True),
        openapi_url=url_for("desk_api.openapi", _external=True), format_local=format_local,
        revoke_form=ConfirmForm()), status


@bp.get("/host/events/<int:event_id>/desk-devices")
@login_required
def desk_devices(event_id: int):
    """Scanner apps and tablets that use this event's desk with a token of their own."""
    return _desk_devices_page(managed_event(event_id), DeskDeviceForm())


@bp.post("/host/events/<int:event_id>/desk-devices")
@login_required
def issue_desk_device(event_id: int):
    event = managed_event(event_id)
    form = DeskDeviceForm()
    if not form.validate_on_submit():
        return _desk_devices_page(event, form, status=400)
    try:
        device, token = devices.issue(event, form.name.data, current_user)
    except devices.DeviceError as error:
        form.name.errors.append(error.message)
        return _desk_devices_page(event, form, status=400)
    return _desk_devices_page(event, DeskDeviceForm(formdata=None), issued=device, token=token)


@bp.post("/host/desk-devices/<int:device_id>/revoke")
@login_required
def revoke_desk_device(device_id: int):
    device = db.get_or_404(DeskDevice, device_id)
    event = managed_event(device.event_id)
    if ConfirmForm().validate_on_submit():
        devices.revoke(device, current_user)
        flash(f"{device.name} is disconnected: its token no longer opens the desk.")
    return redirect(url_for("checkin.desk_devices", event_id=event.id))


# --- hosts: webinar attendance ------------------------------------------------------

@bp.route("/host/sessions/<int:session_id>/webinar", methods=["GET", "POST"])
@login_required
def webinar_report(session_id: int):
    session = managed_session(session_id)
    form = WebinarReportForm()
    if request.method == "GET":
        form.minimum_minutes.data = webinar.default_minimum(session)
    elif form.validate_on_submit():
        raw = form.file.data.stream.read(webinar.MAX_REPORT_BYTES + 1)
        try:
            report, new = webinar.import_report(session, raw, form.file.data.filename or "",
                                                form.minimum_minutes.data, current_user.id)
        except webinar.WebinarReportError as error:
            form.file.errors.append(str(error))
        else:
            if new:
                flash("The report is imported. Attendance is recorded for everyone who stayed long enough.")
            else:
                flash(f"This report was already imported on {report.uploaded_at:%Y-%m-%d at %H:%M} UTC; "
                      "nothing changed.")
            return redirect(url_for("checkin.webinar_import", import_id=report.id))
    imports = db.session.scalars(sa.select(WebinarImport).where(WebinarImport.session_id == session.id)
                                 .order_by(WebinarImport.id.desc())).all()
    zone = session.event.zone
    scheduled = (format_local(session.starts_at, zone), format_local(session.ends_at, zone))
    return render_template("checkin/webinar.html", session=session, form=form, imports=imports, scheduled=scheduled)


def _managed_import(import_id: int):
    report = db.get_or_404(WebinarImport, import_id)
    return report, managed_session(report.session_id)


@bp.get("/host/webinar-imports/<int:import_id>")
@login_required
def webinar_import(import_id: int):
    report, session = _managed_import(import_id)
    finding = None
    candidates = []
    find = whole_number(request.args.get("find"))
    query = request.args.get("q", "").strip()[:100]
    if find:
        finding = db.session.get(WebinarParticipant, find)
        if finding is None or finding.import_id != report.id:
            abort(404)
        if len(query) >= 3:
            # Among the session's people only (its event's registrants, those who entered its code):
            # a host never searches the accounts of everyone else.
            like = f"%{query.lower()}%"
            candidates = db.session.scalars(sa.select(User).where(
                sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)), belongs(User.id, session))
                .order_by(User.name).limit(20)).all()
    groups = {"unmatched": [], "attended": [], "below_minimum": []}
    for participant in report.participants:
        groups[webinar.status(participant)].append(participant)
    return render_template("checkin/webinar_import.html", report=report, session=session, groups=groups, finding=finding, query=query, candidates=candidates, form=MatchForm())


@bp.post("/host/webinar-participants/<int:participant_id>/match")
@login_required
def match_participant(participant_id: int):
    participant = db.get_or_404(WebinarParticipant, participant_id)
    report, session = _managed_import(participant.import_id)
    form = MatchForm()
    if form.validate_on_submit():
        user_id = whole_number(form.user_id.data)
        # The same words for an account that is not the session's and for one that does not exist.
        user = person_of(session, user_id) if user_id else None
        if user is None:
            flash("That is not the account of anyone registered for this event or who entered this session's "
                  "code. Search again.", "error")
        elif webinar.match_by_hand(participant, user, current_user.id):
            flash(f"Matched to {user.name}; their attendance is recorded.")
        elif webinar.status(participant) == "below_minimum":
            flash(f"Matched to {user.name}, but {participant.minutes} minutes is below the minimum: no attendance.")
        else:
            flash(f"Matched to {user.name}; they already had attendance for this session.")
    return redirect(url_for("checkin.webinar_import", import_id=report.id))


# --- the host's set-up checklist (events.checklist) -------------------------------

def checklist_items(event: Event) -> list[checklist.Item]:
    """Registrants and their badges, for the event's set-up checklist."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event.id))
    state = (f"{checklist.plural(total, 'person', 'people')} registered, each with a badge" if total
             else "No one registered yet: import a list, or attendees register on the event page")
    if event.checkin_required:
        state += "; check-in is required for credit"
    return [checklist.Item(50, "Registrants and badges", state, url_for("checkin.registrants", event_id=event.id))]
