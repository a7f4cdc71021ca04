"""The provider's reports: pages for the event's hosts and administrators, and their exports."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, stream_with_context
from flask_login import current_user, login_required

from core import audit, clock
from core.db import db
from events.access import managed_event
from events.localtime import format_local
from events.models import EventSession
from reporting import exports
from reporting.reports import GROUP_NAMES, SCALE, evaluation_results, event_report, posttest_results, session_figures

bp = Blueprint("reports", __name__, url_prefix="/host/events/<int:event_id>/reports")

TABLES = {
    "claims": lambda event: exports.claims_table(event.id),
    "sessions": exports.sessions_table,
    "evaluations": exports.evaluations_table,
}
CSV_TYPE = "text/csv"  # Werkzeug adds "; charset=utf-8" to text types
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@login_required
def event_overview(event_id: int):
    event = managed_event(event_id)
    return render_template("reports/event.html", event=event, report=event_report(event),
                           groups=GROUP_NAMES, format_local=format_local)


@bp.get("/sessions/<int:session_id>")
@login_required
def session_detail(event_id: int, session_id: int):
    event = managed_event(event_id)
    session = db.get_or_404(EventSession, session_id)
    if session.event_id != event.id:
        abort(404)
    figures = session_figures(event, [session])[0]
    return render_template("reports/session.html", event=event, session=session, figures=figures,
                           results=evaluation_results(session), posttest=posttest_results(session), scale=SCALE,
                           groups=GROUP_NAMES,
                           format_local=format_local)


@bp.get("/<any(claims, sessions, evaluations):what>.<any(csv, xlsx):extension>")
@login_required
def export(event_id: int, what: str, extension: str):
    event = managed_event(event_id)
    # Who took a copy of the attendees' names and e-mail addresses, and when.
    audit.record(current_user.id, "report.exported", f"event:{event.id}", f"{what}.{extension}")
    db.session.commit()
    table = TABLES[what](event)
    name = exports.filename(event, what, clock.now().astimezone(event.zone).date(), extension)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if extension == "csv":
        # The byte-order mark tells Excel the file is UTF-8, so names keep their accents.
        lines = stream_with_context(_with_bom(exports.csv_lines(table)))
        return Response(lines, mimetype=CSV_TYPE, headers=headers)
    path = exports.write_xlsx(table)
    return Response(exports.FileChunks(path), mimetype=XLSX_TYPE, headers=headers, direct_passthrough=True)


def _with_bom(lines):
    yield "\ufeff"
    yield from lines
