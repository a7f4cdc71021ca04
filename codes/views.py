"""Host pages for a session's code: its settings, and the presenter view for the projector."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from codes import code as rules
from codes.forms import CustomCodeForm
from codes.models import SessionCode
from codes.qr import entry_url, qr_svg, short_entry_text
from codes.redeem import redemption_count
from codes.setup import code_for, new_random_code, reveal, set_custom_code
from core import clock
from core.db import db
from core.realtime import push
from events import checklist
from events.forms import ConfirmForm
from events.localtime import format_local
from events.access import managed_session
from events.models import EventSession, can_manage
from events.status import window_status

bp = Blueprint("codes", __name__)


def may_watch_presenter(session_id: int) -> bool:
    """Who may join `presenter:<id>`: the event's hosts and administrators."""
    session = db.session.get(EventSession, session_id)
    return session is not None and can_manage(current_user, session.event)


def count_words(count: int) -> str:
    return "attendee has entered the code" if count == 1 else "attendees have entered the code"


def presenter_state(session: EventSession, session_code: SessionCode) -> dict:
    """What a presenter view shows; the code only once revealed."""
    count = redemption_count(session.id)
    state = {
        "session_id": session.id,
        "revealed": session_code.revealed,
        "code": None,
        "code_grouped": None,
        "entry_url": None,
        "count": count,
        "count_words": count_words(count),
        "window": window_status(session, clock.now()),
    }
    if session_code.revealed:
        url = entry_url(session, session_code.code)
        state.update(code=session_code.code, code_grouped=rules.grouped(session_code.code), entry_url=url)
    return state


@bp.get("/host/sessions/<int:session_id>/present")
@login_required
def present(session_id: int):
    session = managed_session(session_id)
    session_code = code_for(session)
    state = presenter_state(session, session_code)
    qr = url = None
    if session_code.revealed:
        svg, url = qr_svg(session_code, session)
        qr = Markup(svg)  # made by us from the code and our own address
    return render_template(
        "codes/present.html", session=session, state=state, status=state["window"], qr=qr,
        entry_url=url, short_entry=short_entry_text(url) if url else None, confirm=ConfirmForm(),
    )


@bp.get("/host/sessions/<int:session_id>/present.json")
@login_required
def present_state(session_id: int):
    session = managed_session(session_id)
    return jsonify(presenter_state(session, code_for(session)))


@bp.post("/host/sessions/<int:session_id>/reveal")
@login_required
def reveal_code(session_id: int):
    session = managed_session(session_id)
    if ConfirmForm().validate_on_submit():
        reveal(session, current_user)
        push(f"presenter:{session.id}", "revealed", {"session_id": session.id})
    return redirect(url_for("codes.present", session_id=session.id))


@bp.get("/host/sessions/<int:session_id>/qr.svg")
@login_required
def qr_image(session_id: int):
    """The QR as a file, for hosts who put it on their own slides."""
    session = managed_session(session_id)
    svg, _ = qr_svg(code_for(session), session)
    response = Response('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="session-{session.id}-qr.svg"'
    return response


@bp.route("/host/sessions/<int:session_id>/code", methods=["GET", "POST"])
@login_required
def settings(session_id: int):
    session = managed_session(session_id)
    session_code = code_for(session)
    form = CustomCodeForm()
    if form.validate_on_submit():
        before = session_code.code
        try:
            changed = set_custom_code(session, form.code.data, current_user).code != before
        except rules.CodeError as error:
            form.code.errors.append(str(error))
        else:
            push(f"presenter:{session.id}", "code_changed", {"session_id": session.id})
            flash(f"The code is now {rules.grouped(session_code.code)}." if changed else "That is already the code.")
            return redirect(url_for("codes.settings", session_id=session.id))
    return render_template(
        "codes/settings.html", session=session, session_code=session_code, form=form,
        grouped=rules.grouped(session_code.code), confirm=ConfirmForm(),
        entry_url=entry_url(session, session_code.code), format_local=format_local,
    )


@bp.post("/host/sessions/<int:session_id>/code/new")
@login_required
def new_code(session_id: int):
    session = managed_session(session_id)
    if ConfirmForm().validate_on_submit():
        session_code = new_random_code(session, current_user)
        push(f"presenter:{session.id}", "code_changed", {"session_id": session.id})
        flash(f"The code is now {rules.grouped(session_code.code)}.")
    return redirect(url_for("codes.settings", session_id=session.id))


# --- the host's set-up checklist (events.checklist) -------------------------------

def checklist_items(event) -> list[checklist.Item]:
    """The presenter views: the one to open next, and how many codes are shown."""
    if not event.sessions:
        return []
    now = clock.now()
    upcoming = [s for s in event.sessions if s.ends_at > now]
    shown = db.session.scalar(sa.select(sa.func.count()).select_from(SessionCode).where(
        SessionCode.session_id.in_([s.id for s in event.sessions]), SessionCode.revealed_at.is_not(None)))
    state = f"{shown} of {checklist.plural(len(event.sessions), 'code')} shown"
    if upcoming:
        state += f"; next: {upcoming[0].title}, at its end"
    target = (upcoming or event.sessions)[0]
    return [checklist.Item(60, "Presenter views", state, url_for("codes.present", session_id=target.id))]
