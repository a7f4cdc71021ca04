"""The check-in desk page. With JavaScript it talks to /api/v1 (static/js/desk.js);
without, its forms post here and the page answers: scan, search + check in, walk-in."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.profile import PROFESSIONS
from checkin import desk
from checkin.models import ENTRANCE
from core.db import db
from core.edge import whole_number
from events.models import Event

bp = Blueprint("desk", __name__)


@bp.app_context_processor
def desk_link():
    # A function, so only pages that render the link ask; the answer came with the user (app.py's loader).
    return {"may_use_a_desk": lambda: desk.may_use_a_desk(current_user)}


def desk_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not desk.may_use_desk(current_user, event.id):
        abort(403)
    return event


@bp.get("/desk")
@login_required
def choose_event():
    events = desk.desk_events(current_user)
    if len(events) == 1:
        return redirect(url_for("desk.desk_page", event_id=events[0].id))
    return render_template("checkin/desk_events.html", events=events)


def _render(event: Event, *, list_key: str, desk_name: str, answer=None, error=None, query="", results=None,
            walk_in=None, status=200):
    try:
        checkin_list = desk.check_list(event, list_key)
    except desk.DeskError:
        checkin_list = desk.check_list(event, ENTRANCE)
    state = desk.list_state(event, checkin_list.key)
    return render_template(
        "checkin/desk.html", event=event, lists=desk.lists_of(event), checkin_list=checkin_list,
        desk_name=desk_name or "Desk 1", answer=answer, error=error, query=query, results=results, state=state,
        walk_in=walk_in or {}, professions=PROFESSIONS, nonce=uuid.uuid4().hex,
        may_undo=desk.may_undo(current_user, event.id), search_min=desk.SEARCH_MIN,
    ), status


@bp.get("/desk/events/<int:event_id>")
@login_required
def desk_page(event_id: int):
    event = desk_event(event_id)
    list_key = request.args.get("list", ENTRANCE)
    desk_name = " ".join(request.args.get("desk", "").split())[:desk.DESK_MAX]
    query = request.args.get("q", "").strip()[:120]
    results, error = None, None
    if query:
        try:
            results = desk.search(event, list_key, query)
        except desk.DeskError as e:
            error = e.message
    return _render(event, list_key=list_key, desk_name=desk_name, query=query, results=results, error=error)




def _posted(event: Event, operation):
    """Run a desk operation for a plain form post and show the desk with its answer."""
    form = request.form
    event_id = event.id
    list_key, desk_name = form.get("list", ENTRANCE)[:40], " ".join(form.get("desk", "").split())[:desk.DESK_MAX]
    try:
        answer = operation(list_key, desk_name)
    except desk.DeskError as e:
        walk_in = {k: form.get(k, "")[:254] for k in ("name", "email", "profession")}
        return _render(event, list_key=list_key, desk_name=desk_name, error=e.message, walk_in=walk_in, status=400)
    desk.announce(event_id, answer)
    return _render(event, list_key=list_key, desk_name=desk_name, answer=answer)


@bp.post("/desk/events/<int:event_id>/scan")
@login_required
def scan(event_id: int):
    event = desk_event(event_id)
    form = request.form
    return _posted(event, lambda list_key, desk_name: desk.scan(
        event, list_key, form.get("code", "")[:500], form.get("nonce", ""), desk_name, current_user))


@bp.post("/desk/events/<int:event_id>/check-in")
@login_required
def check_in(event_id: int):
    event = desk_event(event_id)
    form = request.form
    ident = form.get("registration_id", "")
    registration_id = whole_number(ident) or 0
    return _posted(event, lambda list_key, desk_name: desk.check_in_registration(
        event, list_key, registration_id, form.get("nonce", ""), desk_name, current_user))


@bp.post("/desk/events/<int:event_id>/walk-in")
@login_required
def walk_in(event_id: int):
    event = desk_event(event_id)
    form = request.form
    return _posted(event, lambda list_key, desk_name: desk.walk_in(
        event, list_key, name=form.get("name", "")[:200], email=form.get("email", "")[:254],
        profession=form.get("profession", "")[:20], nonce=form.get("nonce", ""), desk=desk_name, staff=current_user))
