"""Pages: the attendee's report status and resubmission, the administrator's transmissions, the host's problems."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from core import clock
from core.access import admin_required
from core.db import db
from core.edge import whole_number
from events.access import managed_event
from events.forms import ConfirmForm
from events.localtime import format_local
from events.models import Event
from reporting import outbox
from reporting.models import STATES, TARGET_NAMES
from reporting.records import FIXABLE

bp = Blueprint("reporting", __name__)


def report_status(claim) -> Markup:
    """The claim's report status for My Training and the session's progress page (wired in app.py)."""
    entry = outbox.entry_for_claim(claim.id)
    if entry is None:
        return Markup("")
    zone = claim.session.event.zone
    last_day = None
    if entry.deadline_at is not None:
        day = (entry.deadline_at - dt.timedelta(seconds=1)).astimezone(zone)
        last_day = f"{day:%a} {day.day} {day:%b %Y} ({day.tzname()})"
    return Markup(render_template(
        "reporting/_claim_status.html", entry=entry, claim=claim, target_name=TARGET_NAMES.get(entry.target, entry.target),
        fix=FIXABLE.get(entry.rejection_code or ""), zone=zone, format_local=format_local, form=ConfirmForm(),
        now=clock.now(), last_day=last_day))


@bp.post("/training/claims/<int:claim_id>/resubmit")
@login_required
def resubmit(claim_id: int):
    back = request.form.get("back") or ""
    if ConfirmForm().validate_on_submit():
        try:
            entry = outbox.resubmit(current_user, claim_id, clock.now())
        except outbox.ReportingRefused as refused:
            flash(refused.message, "error")
        else:
            flash(f"Resubmitted to {TARGET_NAMES.get(entry.target, entry.target)} with your corrected details.")
    if back.startswith("/training") and "//" not in back:
        return redirect(back)
    return redirect(url_for("claims.my_training"))


def _filters():
    event_id = request.args.get("event", "")
    state = request.args.get("state", "")
    return whole_number(event_id), (state if state in STATES else "")


@bp.get("/admin/reporting")
@admin_required
def admin_transmissions():
    event_id, state = _filters()
    rows = outbox.transmissions(event_id, (state,) if state else ())
    events = db.session.scalars(db.select(Event).order_by(Event.created_at.desc())).all()
    return render_template("reporting/admin.html", rows=rows, counts=outbox.counts_by_state(event_id), events=events,
                           event_id=event_id, state=state, attempts=outbox.attempts_for([r[0].id for r in rows]),
                           form=ConfirmForm(), state_words=outbox.state_words, target_names=TARGET_NAMES,
                           format_local=format_local, states=STATES)


def _admin_action(entry_id: int, action):
    if ConfirmForm().validate_on_submit():
        try:
            entry = action(current_user.id, entry_id, clock.now())
        except outbox.ReportingRefused as refused:
            flash(refused.message, "error")
        else:
            flash(f"Transmission {entry.id} is now {outbox.state_words(entry.state)}.")
    event_id, state = _filters()
    return redirect(url_for("reporting.admin_transmissions", event=event_id or "", state=state))


@bp.post("/admin/reporting/<int:entry_id>/retry")
@admin_required
def retry(entry_id: int):
    return _admin_action(entry_id, outbox.retry_now)


@bp.post("/admin/reporting/<int:entry_id>/cancel")
@admin_required
def cancel(entry_id: int):
    return _admin_action(entry_id, outbox.cancel)


@bp.get("/host/events/<int:event_id>/transmissions")
@login_required
def host_transmissions(event_id: int):
    """What the host must know: claims that were rejected for reasons the attendee cannot fix, or not sent in time."""
    event = managed_event(event_id)
    problems = outbox.transmissions(event.id, ("rejected", "expired"))
    return render_template("reporting/host.html", event=event, problems=problems, counts=outbox.counts_by_state(event.id),
                           state_words=outbox.state_words, target_names=TARGET_NAMES, format_local=format_local,
                           states=STATES)
