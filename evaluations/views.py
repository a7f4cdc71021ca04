from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.db import db
from evaluations import access
from evaluations.catalogue import question_set
from evaluations.forms import (
    NewQuestionForm, PosttestQuestionForm, PosttestSettingsForm, QuestionForm, answered_fields, blank_fields, chosen_in,
    evaluation_form, posttest_form,
)
from evaluations.models import KINDS, EvaluationQuestion, Posttest, PosttestQuestion
from evaluations.posttest import (
    DEFAULT_PASS_MARK, MAX_ATTEMPTS, PosttestError, QuestionDraft, add_posttest_question, attempts_of,
    edit_posttest_question, posttest_of, remove_posttest_question, save_answers, save_posttest_settings,
    saved_choices, start_attempt, submit_attempt,
)
from evaluations.progress import posttest_status
from evaluations.questions import QuestionError, active_questions, add_question, edit_question, remove_question
from evaluations.responses import Answer, submit_evaluation, target_name
from events import checklist
from events.forms import ConfirmForm
from events.access import managed_event, managed_session
from events.models import Event, EventSession

bp = Blueprint("evaluations", __name__)

GATE_MESSAGE = "Enter the session code first."


def _standing(session_id: int) -> access.Standing:
    """The attendee's standing for the session; 404 when there is none, the session page when the code is missing."""
    found = access.standing(current_user.id, session_id)
    if found is None:
        abort(404)
    if not found.entered:
        flash(GATE_MESSAGE, "error")
        abort(redirect(url_for("events.session_page", session_id=session_id)))
    return found


# --- attendees: evaluations ---------------------------------------------------

@bp.route("/s/<int:session_id>/evaluation", methods=["GET", "POST"])
@login_required
def course_evaluation(session_id: int):
    return _evaluation(_standing(session_id), None)


@bp.route("/s/<int:session_id>/speakers/<int:speaker_id>/evaluation", methods=["GET", "POST"])
@login_required
def speaker_evaluation(session_id: int, speaker_id: int):
    standing = _standing(session_id)
    speaker = standing.session.speaker(speaker_id)
    if speaker is None:
        abort(404)
    return _evaluation(standing, speaker)


def _evaluation(standing: access.Standing, speaker):
    """One evaluation page: the questions (rendered once per version), the answers stored without the attendee."""
    session, user_id, target = standing.session, current_user.id, target_name(speaker)
    if standing.done(target):
        if request.method == "POST":  # a double tap or a second device: nothing more to do
            flash("You have already filled this evaluation.")
            return redirect(standing.next_url())
        return render_template("evaluations/already_done.html", session=session, speaker=speaker,
                               next_url=standing.next_url())
    asked = question_set(session, "course" if speaker is None else "speaker")
    if request.method == "GET":
        return render_template("evaluations/evaluation.html", session=session, speaker=speaker,
                               fields=blank_fields(asked), unanswered=0, place=standing.place(target))
    form = evaluation_form(asked)
    if form.validate_on_submit():
        answers = []
        for question in asked.questions:
            value = form[f"q{question.id}"].data
            if question.scale:
                answers.append(Answer(question.id, scale_value=value))
            else:
                answers.append(Answer(question.id, text_value=(value or "").strip() or None))
        if submit_evaluation(user_id, session, speaker, asked.questions, answers):
            flash("Thank you. Your answers were saved without your name.")
            return redirect(standing.next_url(after=target))
        flash("You have already filled this evaluation.")
        return redirect(standing.next_url())
    unanswered = sum(1 for question in asked.questions if form[f"q{question.id}"].errors)
    return render_template("evaluations/evaluation.html", session=session, speaker=speaker,
                           fields=answered_fields(form, asked), unanswered=unanswered, place=standing.place(target))


# --- attendees: the posttest ----------------------------------------------------

@bp.route("/s/<int:session_id>/posttest", methods=["GET", "POST"])
@login_required
def posttest(session_id: int):
    standing = _standing(session_id)
    session = standing.session
    found = posttest_of(session)
    questions = list(found.questions) if found else []
    if not questions:
        return render_template("evaluations/posttest.html", session=session, state="none",
                               next_url=standing.next_url())
    if request.method == "POST":
        return _posttest_post(standing, questions)
    return _posttest_page(standing, questions)


def _posttest_post(standing: access.Standing, questions: list[PosttestQuestion]):
    session = standing.session
    form = posttest_form(questions, {})
    if not form.validate_on_submit():
        return _posttest_page(standing, questions, form)
    chosen = chosen_in(form, questions)
    try:
        if form.submit.data:
            submit_attempt(current_user.id, session, chosen)
        else:
            save_answers(current_user.id, session, chosen)
            flash("Your answers are saved. You can leave and finish later.")
    except PosttestError as error:
        if error.reason == "unanswered":
            for _, question in error.questions:
                form[f"q{question.id}"].errors.append("Not answered yet.")
        else:
            flash(str(error), "error")
            return redirect(url_for("evaluations.posttest", session_id=session.id))
        return _posttest_page(standing, questions, form, message=str(error))
    return redirect(url_for("evaluations.posttest", session_id=session.id))


def _posttest_page(standing: access.Standing, questions: list[PosttestQuestion], form=None, message: str | None = None):
    session, user_id = standing.session, current_user.id
    status = posttest_status(user_id, session)
    attempts = attempts_of(user_id, session.id)
    current = attempts[-1] if attempts and attempts[-1].open else None
    scored = [a for a in attempts if not a.open]
    shown = next((a for a in scored if a.passed), scored[-1] if scored else None)
    if current is not None or not attempts:
        state = "answering"
        form = form or posttest_form(questions, saved_choices(current))
    elif status.passed:
        state = "passed"
    elif status.locked_out:
        state = "locked_out"
    else:
        state = "failed"
    return render_template(
        "evaluations/posttest.html", session=session, state=state, form=form, questions=questions,
        status=status, attempt_number=current.number if current else len(attempts) + 1, shown=shown,
        message=message, confirm=ConfirmForm(), next_url=standing.next_url(), place=standing.place("posttest"),
    )


@bp.post("/s/<int:session_id>/posttest/answer")
@login_required
def posttest_answer(session_id: int):
    """Autosave of one choice, posted by static/js/posttest.js as the attendee goes."""
    standing = access.standing(current_user.id, session_id)
    if standing is None:
        abort(404)
    if not standing.entered:
        return jsonify(error=GATE_MESSAGE), 403
    session = standing.session
    try:
        question_id, choice_id = int(request.form["question_id"]), int(request.form["choice_id"])
    except (KeyError, ValueError):
        return jsonify(error="That answer could not be read. Please use the Save answers button."), 400
    try:
        save_answers(current_user.id, session, {question_id: choice_id})
    except PosttestError as error:
        status = 400 if error.reason == "not_a_choice" else 409
        return jsonify(error=str(error), reason=error.reason), status
    return jsonify(saved=True, question_id=question_id, choice_id=choice_id)


@bp.post("/s/<int:session_id>/posttest/next")
@login_required
def posttest_next_attempt(session_id: int):
    session = _standing(session_id).session
    if ConfirmForm().validate_on_submit():
        try:
            attempt = start_attempt(current_user.id, session)
        except PosttestError as error:
            flash(str(error), "error")
        else:
            flash(f"Attempt {attempt.number} has started. The answers start empty.")
    return redirect(url_for("evaluations.posttest", session_id=session.id))


# --- hosts: evaluation questions -------------------------------------------------

def _event_question(event: Event, question_id: int) -> EvaluationQuestion:
    question = db.get_or_404(EvaluationQuestion, question_id)
    if question.event_id != event.id or question.retired:
        abort(404)
    return question


def _setup_page(event: Event, bound: dict | None = None, status: int = 200):
    """The set-up page; `bound` holds a submitted form (by question id or 'new-<kind>') to show with its errors."""
    bound = bound or {}
    sections = []
    for kind, title in KINDS.items():
        rows = []
        for question in active_questions(event, kind):
            form = bound.get(question.id) or QuestionForm(prefix=f"q{question.id}", obj=question, formdata=None)
            rows.append((question, form))
        new = bound.get(f"new-{kind}") or NewQuestionForm(prefix=f"new-{kind}", formdata=None)
        sections.append((kind, title, rows, new))
    return render_template("evaluations/host_evaluations.html", event=event, sections=sections,
                           confirm=ConfirmForm()), status


@bp.get("/host/events/<int:event_id>/evaluations")
@login_required
def host_evaluations(event_id: int):
    return _setup_page(managed_event(event_id))


@bp.post("/host/events/<int:event_id>/evaluations/<kind>/add")
@login_required
def add_evaluation_question(event_id: int, kind: str):
    event = managed_event(event_id)
    if kind not in KINDS:
        abort(404)
    form = NewQuestionForm(prefix=f"new-{kind}")
    if form.validate_on_submit():
        try:
            add_question(event, kind, form.text.data, form.type.data, form.required.data, current_user.id)
        except QuestionError as error:
            form.text.errors.append(str(error))
        else:
            flash("Question added.")
            return redirect(url_for("evaluations.host_evaluations", event_id=event.id) + f"#{kind}")
    return _setup_page(event, {f"new-{kind}": form}, 400)


@bp.post("/host/events/<int:event_id>/evaluations/questions/<int:question_id>")
@login_required
def edit_evaluation_question(event_id: int, question_id: int):
    event = managed_event(event_id)
    question = _event_question(event, question_id)
    form = QuestionForm(prefix=f"q{question.id}")
    if form.validate_on_submit():
        try:
            edit_question(question, form.text.data, form.required.data, form.position.data, current_user.id)
        except QuestionError as error:
            form.text.errors.append(str(error))
        else:
            flash("Question saved.")
            return redirect(url_for("evaluations.host_evaluations", event_id=event.id) + f"#{question.kind}")
    return _setup_page(event, {question.id: form}, 400)


@bp.post("/host/events/<int:event_id>/evaluations/questions/<int:question_id>/remove")
@login_required
def remove_evaluation_question(event_id: int, question_id: int):
    event = managed_event(event_id)
    question = _event_question(event, question_id)
    kind = question.kind
    if ConfirmForm().validate_on_submit():
        remove_question(question, current_user.id)
        flash("Question removed. Answers already given to it are kept.")
    return redirect(url_for("evaluations.host_evaluations", event_id=event.id) + f"#{kind}")


# --- hosts: the posttest -----------------------------------------------------------

def _session_question(session: EventSession, question_id: int) -> PosttestQuestion:
    question = db.get_or_404(PosttestQuestion, question_id)
    if question.posttest.session_id != session.id:
        abort(404)
    return question


@bp.route("/host/sessions/<int:session_id>/posttest", methods=["GET", "POST"])
@login_required
def host_posttest(session_id: int):
    session = managed_session(session_id)
    found = posttest_of(session)
    form = PosttestSettingsForm(data={"pass_mark": found.pass_mark_percent if found else DEFAULT_PASS_MARK})
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                save_posttest_settings(session, form.pass_mark.data, current_user.id)
            except PosttestError as error:
                form.pass_mark.errors.append(str(error))
            else:
                flash("Pass mark saved.")
                return redirect(url_for("evaluations.host_posttest", session_id=session.id))
    return render_template("evaluations/host_posttest.html", session=session, posttest=found, form=form,
                           max_attempts=found.max_attempts if found else MAX_ATTEMPTS, confirm=ConfirmForm())


def _question_page(session: EventSession, question: PosttestQuestion | None):
    form = PosttestQuestionForm()
    if request.method == "GET" and question is not None:
        form.text.data, form.position.data = question.text, question.position
        for choice, box in zip(question.choices, form.choice_fields):
            box.data = choice.text
        form.correct.data = next((i for i, c in enumerate(question.choices, start=1) if c.correct), None)
    elif form.validate_on_submit():
        choices, correct = form.draft_values()
        draft = QuestionDraft(form.text.data, choices, correct)
        try:
            if question is None:
                add_posttest_question(session, draft, current_user.id)
            else:
                edit_posttest_question(question, draft, form.position.data, current_user.id)
        except PosttestError as error:
            target = form.correct if error.field in ("choices", "correct") else form.text
            target.errors.append(str(error))
        else:
            flash("Question saved.")
            return redirect(url_for("evaluations.host_posttest", session_id=session.id))
    return render_template("evaluations/host_posttest_question.html", session=session, question=question, form=form)


@bp.route("/host/sessions/<int:session_id>/posttest/questions/new", methods=["GET", "POST"])
@login_required
def posttest_question_new(session_id: int):
    return _question_page(managed_session(session_id), None)


@bp.route("/host/sessions/<int:session_id>/posttest/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def posttest_question_edit(session_id: int, question_id: int):
    session = managed_session(session_id)
    return _question_page(session, _session_question(session, question_id))


@bp.post("/host/sessions/<int:session_id>/posttest/questions/<int:question_id>/remove")
@login_required
def posttest_question_remove(session_id: int, question_id: int):
    session = managed_session(session_id)
    question = _session_question(session, question_id)
    if ConfirmForm().validate_on_submit():
        remove_posttest_question(question, current_user.id)
        flash("Question removed.")
    return redirect(url_for("evaluations.host_posttest", session_id=session.id))


# --- the host's set-up checklist (events.checklist) -------------------------------

def checklist_items(event) -> list[checklist.Item]:
    """The evaluation questions and the posttests of `event`, for its set-up checklist."""
    asked = dict(db.session.execute(
        sa.select(EvaluationQuestion.kind, sa.func.count()).where(EvaluationQuestion.event_id == event.id,
                                                                  ~EvaluationQuestion.retired)
        .group_by(EvaluationQuestion.kind)).all())
    with_posttest = set(db.session.scalars(sa.select(Posttest.session_id).join(Posttest.questions).where(
        Posttest.session_id.in_([s.id for s in event.sessions]))))
    without = [s for s in event.sessions if s.id not in with_posttest]
    course, speaker = asked.get("course", 0), asked.get("speaker", 0)
    items = [checklist.Item(
        20, "Evaluations", f"{checklist.plural(course, 'course question')}, {speaker} for each speaker",
        url_for("evaluations.host_evaluations", event_id=event.id), ready=course > 0)]
    if event.sessions:
        state = (f"{len(with_posttest)} of {checklist.plural(len(event.sessions), 'session')} "
                 f"{'has' if len(with_posttest) == 1 else 'have'} one")
        if without:
            state += f"; {len(without)} without a posttest" + (f": {without[0].title}" if len(without) == 1 else "")
        target = (without or event.sessions)[0]
        items.append(checklist.Item(30, "Posttests", state, url_for("evaluations.host_posttest", session_id=target.id)))
    return items
