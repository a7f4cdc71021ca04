from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask import session as browser_session  # the signed cookie; `session` here is an event's session
from flask_login import current_user, login_required

from accounts.sessions import keep_across_login
from checkin.attendance import attended_users, mark_attended, person_of
from claims import flow, guessing
from claims.certificate import certificate_pdf
from claims.forms import ClaimForm, CodeForm
from claims.journey import Place, Step, place_of
from claims.rules import ClaimRefused, claim_options
from codes.code import normalise
from codes.redeem import has_redeemed
from codes.resolve import CodeRefused, message_for
from core import clock
from core.realtime import push
from events import credit
from events.forms import ConfirmForm
from events.localtime import describe_duration, format_local
from events.access import managed_session

bp = Blueprint("claims", __name__)

PAGES = {
    "live": ("Live meetings and conferences", "claims.enter_live_code"),
    "home_study": ("Home study and on-demand", "claims.enter_home_study_code"),
}


PENDING = "pending_code"  # a code typed before logging in: (page, code), entered as soon as they are logged in
keep_across_login(PENDING)


def _enter(page: str):
    form = CodeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    pending = browser_session.get(PENDING) if current_user.is_authenticated else None
    if pending and request.method == "GET":
        # They pressed Continue before logging in or registering: carry on from there, without asking again.
        del browser_session[PENDING]
        if pending[0] == page:
            form.code.data = pending[1]
            return _accept(page, form)
    if form.validate_on_submit():
        if not current_user.is_authenticated:
            code = normalise(form.code.data or "")[:13]
            browser_session[PENDING] = (page, code)
            flash("Log in or create an account to claim your credit. Your code is kept.")
            return redirect(url_for("accounts.login", next=url_for(PAGES[page][1], code=code)))
        return _accept(page, form)
    return _code_page(page, form)


def _accept(page: str, form: CodeForm):
    """Enter the code in `form` for the attendee: on to their next step, or the code page saying why not."""
    typed = form.code.data or ""
    user_id = current_user.id  # read before the commit below expires the user
    other_page = None
    try:
        entered, created = flow.enter_code(current_user, typed, page, request.remote_addr or "unknown", clock.now())
    except guessing.Throttled as throttled:
        form.code.errors.append(throttled.message())
        return _code_page(page, form, status=429)
    except CodeRefused as refused:
        form.code.errors.append(message_for(refused, typed))
        if refused.reason == "wrong_page":
            right = "home_study" if page == "live" else "live"
            other_page = (PAGES[right][0], url_for(PAGES[right][1], code=normalise(typed)))
        elif refused.reason in ("not_open", "closed") and refused.session is not None \
                and has_redeemed(user_id, refused.session.id):
            return redirect(url_for("claims.progress", session_id=refused.session.id))
        return _code_page(page, form, other_page=other_page)
    now = clock.now()
    if entered.window.state(now) == "not_open":  # revealed early: kept, and the claim waits
        opens = format_local(entered.opens_at, entered.event.zone)
        flash(f"Code accepted: {entered.title}. Claims open at {opens}; you can fill the evaluations now."
              if created else f"Welcome back: {entered.title}. Claims open at {opens}.")
    else:
        flash(f"Code accepted: {entered.title}." if created else f"Welcome back: {entered.title}.")
    return redirect(next_url(flow.standing(user_id, entered.id, now)))


def _code_page(page: str, form: CodeForm, *, status: int = 200, other_page=None):
    other = "home_study" if page == "live" else "live"
    return render_template("claims/enter_code.html", form=form, title=PAGES[page][0], page=page, other_page=other_page,
                           switch=(PAGES[other][0], url_for(PAGES[other][1]))), status


@bp.route("/live", methods=["GET", "POST"])
def enter_live_code():
    return _enter("live")


@bp.route("/home-study", methods=["GET", "POST"])
def enter_home_study_code():
    return _enter("home_study")


def step_url(step: Step, session) -> str | None:
    if step.key == "course":
        return url_for("evaluations.course_evaluation", session_id=session.id)
    if step.key.startswith("speaker:"):
        return url_for("evaluations.speaker_evaluation", session_id=session.id, speaker_id=int(step.key.split(":")[1]))
    if step.key == "posttest":
        return url_for("evaluations.posttest", session_id=session.id)
    if step.key == "claim":
        return url_for("claims.claim", session_id=session.id)
    return None


def next_url(journey: flow.Journey) -> str:
    """Straight to the next thing to do; the progress page when that is not a page."""
    step = journey.step_now  # none while the claim waits for the window: the progress page says when
    url = step_url(step, journey.session) if step else None
    return url or url_for("claims.progress", session_id=journey.session.id)


class AttendeeStanding:
    """What the evaluation pages need to know of an attendee's journey (evaluations.access.Standing)."""

    def __init__(self, journey: flow.Journey):
        self.journey = journey
        self.session = journey.session
        self.entered = journey.entered

    def done(self, target: str) -> bool:
        return target in self.journey.record.completed

    def next_url(self, after: str | None = None) -> str:
        return next_url(self.journey.after(after) if after else self.journey)

    def place(self, target: str) -> Place | None:
        return place_of(self.journey.progress.steps, target)


def attendee_standing(user_id: int, session_id: int) -> AttendeeStanding | None:
    """The evaluation pages' view of the journey (wired in app.py); None when there is no such session."""
    journey = flow.standing(user_id, session_id, clock.now())
    return AttendeeStanding(journey) if journey else None


def _entered_journey(session_id: int, now) -> flow.Journey:
    """The attendee's journey for a session whose code they entered; 404 or a redirect otherwise."""
    journey = flow.standing(current_user.id, session_id, now)
    if journey is None:
        abort(404)
    if not journey.entered:
        flash("Enter the session code first: it is announced at the end of the session.")
        page = "claims.enter_live_code" if journey.session.live else "claims.enter_home_study_code"
        abort(redirect(url_for(page)))
    return journey


def deadline_words(journey: flow.Journey, now) -> str:
    zone = journey.session.event.zone
    closes = format_local(journey.closes_at, zone)
    if journey.window_state == "closed":
        return f"Closed on {closes}"
    if journey.window_state == "not_open":
        return f"Opens {format_local(journey.session.opens_at, zone)} · closes {closes}"
    return f"Closes in {describe_duration(journey.closes_at - now)} — {closes}"


def _training_context():
    now = clock.now()
    journeys = flow.my_training(current_user, now)
    return {"journeys": journeys, "now": now, "deadline_words": deadline_words, "step_url": step_url}


@bp.get("/training")
@login_required
def my_training():
    if request.args.get("part") == "list":
        return render_template("claims/_training_list.html", **_training_context())
    return render_template("claims/my_training.html", **_training_context())


@bp.get("/training/<int:session_id>")
@login_required
def progress(session_id: int):
    now = clock.now()
    journey = _entered_journey(session_id, now)
    session = journey.session
    return render_template("claims/progress.html", journey=journey, session=session, now=now,
                           deadline_words=deadline_words, step_url=step_url, credit=credit)


@bp.route("/training/<int:session_id>/claim", methods=["GET", "POST"])
@login_required
def claim(session_id: int):
    now = clock.now()
    journey = _entered_journey(session_id, now)
    session = journey.session
    if journey.record.claim_id is not None:
        if request.method == "POST":  # e.g. the other profession's form, left open in another tab
            flash(flow.already_claimed(journey.claim).message, "error")
        return redirect(url_for("claims.progress", session_id=session.id))
    options = claim_options(session.uan_pharmacist, session.uan_technician)
    form = ClaimForm()
    form.profession.choices = list(options.items())
    if request.method == "GET":
        form.profession.data = current_user.profession if current_user.profession in options else None
        form.eprofile_id.data = current_user.eprofile_id or ""
        form.birth_mmdd.data = current_user.birth_mmdd or ""
        form.npi.data = current_user.npi or ""
        form.state_licence.data = current_user.state_licence or ""
    refusal = None
    if form.validate_on_submit():
        try:
            flow.claim_credit(current_user, session, now, profession=form.profession.data or "",
                              eprofile_id=form.eprofile_id.data or "", birth_mmdd=form.birth_mmdd.data or "",
                              npi=form.npi.data or "", state_licence=form.state_licence.data or "", current=journey)
        except ClaimRefused as refused:
            if refused.field and hasattr(form, refused.field):
                getattr(form, refused.field).errors.append(refused.message)
            else:
                refusal = refused.message
            if refused.reason == "already_claimed":
                flash(refused.message, "error")
                return redirect(url_for("claims.progress", session_id=session.id))
        else:
            return redirect(url_for("claims.progress", session_id=session.id, claimed=1))
    return render_template("claims/claim.html", form=form, session=session, journey=journey, refusal=refusal,
                           deadline_words=deadline_words, now=now)


@bp.get("/training/<int:session_id>/certificate.pdf")
@login_required
def certificate(session_id: int):
    journey = _entered_journey(session_id, clock.now())
    session = journey.session
    claim = journey.claim
    if claim is None:
        flash("The certificate is ready once you have claimed credit for this session.")
        return redirect(url_for("claims.progress", session_id=session.id))
    response = make_response(certificate_pdf(claim))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-session-{session.id}.pdf"'
    return response


# --- hosts: who entered the code, and attendance by hand ---------------------

@bp.get("/host/sessions/<int:session_id>/attendees")
@login_required
def attendees(session_id: int):
    session = managed_session(session_id)
    query = request.args.get("q", "").strip()
    return render_template("claims/attendees.html", session=session, rows=flow.session_attendees(session, query),
                           attended=attended_users(session), claimed=flow.claimed_users(session), query=query,
                           form=ConfirmForm(), format_local=format_local)


@bp.post("/host/sessions/<int:session_id>/attendees/<int:user_id>/attended")
@login_required
def mark_attendee(session_id: int, user_id: int):
    session = managed_session(session_id)
    # Only someone who belongs to the session (registered for its event, or entered its code); anyone
    # else, and an account that does not exist, is the same 404 that names nobody.
    person = person_of(session, user_id)
    if person is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if mark_attended(person.id, session, current_user.id):
            push(f"user:{person.id}", "step", {"session_id": session.id, "step": "attendance"})
            flash(f"{person.name} is marked as attended.")
        else:
            flash(f"{person.name} was already marked as attended.")
    return redirect(url_for("claims.attendees", session_id=session.id, q=request.args.get("q", "")))
