"""The posttest: the host's questions, and the attendee's attempts (at most three, ACPE-style).

Domain operations only: views call these and turn a `PosttestError` into words.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from core import audit, clock
from core.db import db
from core.realtime import push
from evaluations import scoring
from evaluations.models import (
    DEFAULT_PASS_MARK, MAX_ATTEMPTS, Posttest, PosttestAnswer, PosttestAttempt, PosttestChoice, PosttestQuestion,
)
from events.models import EventSession

MIN_CHOICES, MAX_CHOICES = 2, 6


class PosttestError(ValueError):
    """A refusal with a reason code the view turns into words."""

    def __init__(self, reason: str, message: str, field: str | None = None, questions: list | None = None):
        super().__init__(message)
        self.reason = reason
        self.field = field
        self.questions = questions or []


# --- the host's set-up ------------------------------------------------------

def posttest_of(session: EventSession) -> Posttest | None:
    return db.session.scalar(sa.select(Posttest).where(Posttest.session_id == session.id))


def _posttest_for_editing(session: EventSession) -> Posttest:
    posttest = posttest_of(session)
    if posttest is None:
        posttest = Posttest(session_id=session.id, pass_mark_percent=DEFAULT_PASS_MARK, max_attempts=MAX_ATTEMPTS)
        db.session.add(posttest)
        db.session.flush()
    return posttest


def save_posttest_settings(session: EventSession, pass_mark: int, actor_id: int, max_attempts: int = MAX_ATTEMPTS) -> Posttest:
    if not 1 <= pass_mark <= 100:
        raise PosttestError("pass_mark", "The pass mark is a percentage from 1 to 100.", "pass_mark")
    if not 1 <= max_attempts <= MAX_ATTEMPTS:
        raise PosttestError("max_attempts", f"ACPE allows at most {MAX_ATTEMPTS} attempts.", "max_attempts")
    posttest = _posttest_for_editing(session)
    posttest.pass_mark_percent, posttest.max_attempts = pass_mark, max_attempts
    audit.record(actor_id, "posttest.settings_saved", f"session:{session.id}", f"pass_mark:{pass_mark}")
    db.session.commit()
    return posttest


@dataclass
class QuestionDraft:
    """What the host typed for one question: the choice texts in order, and which one is correct (0-based)."""

    text: str
    choices: list[str] = field(default_factory=list)
    correct: int | None = None

    def checked(self) -> tuple[str, list[str], int]:
        """Blank choice boxes are dropped; the question must still have 2–6 choices, one of them correct."""
        text = (self.text or "").strip()
        if not text:
            raise PosttestError("text", "Write the question.", "text")
        kept = [(i, c.strip()) for i, c in enumerate(self.choices) if c and c.strip()]
        if len(kept) < MIN_CHOICES:
            raise PosttestError("choices", f"Give at least {MIN_CHOICES} choices.", "choices")
        if len(kept) > MAX_CHOICES:
            raise PosttestError("choices", f"Give at most {MAX_CHOICES} choices.", "choices")
        if any(len(c) > 500 for _, c in kept):
            raise PosttestError("choices", "Keep each choice under 500 characters.", "choices")
        positions = [i for i, _ in kept]
        if self.correct is None:
            raise PosttestError("correct", "Mark which choice is correct.", "correct")
        if self.correct not in positions:
            raise PosttestError("correct", "The choice marked correct is empty. Mark a choice that has text.", "correct")
        return text, [c for _, c in kept], positions.index(self.correct)


def _place(posttest: Posttest, question: PosttestQuestion, position: int | None) -> None:
    others = [q for q in posttest.questions if q is not question]
    index = len(others) if position is None else min(max(position - 1, 0), len(others))
    others.insert(index, question)
    for number, q in enumerate(others, start=1):
        q.position = number


def add_posttest_question(session: EventSession, draft: QuestionDraft, actor_id: int) -> PosttestQuestion:
    text, choices, correct = draft.checked()
    posttest = _posttest_for_editing(session)
    question = PosttestQuestion(text=text)
    question.choices = [PosttestChoice(position=i, text=c, correct=i == correct) for i, c in enumerate(choices, start=0)]
    posttest.questions.append(question)
    _place(posttest, question, None)
    db.session.flush()
    audit.record(actor_id, "posttest.question_added", f"session:{session.id}", f"question:{question.id}")
    db.session.commit()
    return question


def edit_posttest_question(question: PosttestQuestion, draft: QuestionDraft, position: int | None, actor_id: int) -> None:
    """Change a question in place. Scores already given stay as they were; open attempts see the change.

    A choice that disappears takes with it the answers that chose it, so an
    attendee whose saved choice was removed is asked to answer again.
    """
    text, choices, correct = draft.checked()
    question.text = text
    existing = list(question.choices)
    kept = []
    for i, choice_text in enumerate(choices):
        choice = existing[i] if i < len(existing) else PosttestChoice()
        choice.position, choice.text, choice.correct = i, choice_text, i == correct
        kept.append(choice)
    question.choices = kept
    _place(question.posttest, question, position)
    audit.record(actor_id, "posttest.question_edited", f"session:{question.posttest.session_id}", f"question:{question.id}")
    db.session.commit()


def remove_posttest_question(question: PosttestQuestion, actor_id: int) -> None:
    posttest = question.posttest
    audit.record(actor_id, "posttest.question_removed", f"session:{posttest.session_id}", f"question:{question.id}")
    posttest.questions.remove(question)
    for number, q in enumerate(posttest.questions, start=1):
        q.position = number
    db.session.commit()


# --- the attendee's attempts ------------------------------------------------

def _questions(session: EventSession) -> tuple[Posttest, list[PosttestQuestion]]:
    posttest = posttest_of(session)
    if posttest is None or not posttest.questions:
        raise PosttestError("no_posttest", "This session has no posttest.")
    return posttest, list(posttest.questions)


def attempts_of(user_id: int, session_id: int) -> list[PosttestAttempt]:
    return list(db.session.scalars(
        sa.select(PosttestAttempt)
        .where(PosttestAttempt.user_id == user_id, PosttestAttempt.session_id == session_id)
        .order_by(PosttestAttempt.number)
    ))


def _may_start(posttest: Posttest, attempts: list[PosttestAttempt]) -> None:
    if any(a.passed for a in attempts):
        raise PosttestError("passed", "You have already passed this posttest.")
    if len(attempts) >= posttest.max_attempts:
        raise PosttestError(
            "locked_out",
            f"You have used all {posttest.max_attempts} attempts. Credit for this session is no longer possible.",
        )


def start_attempt(user_id: int, session: EventSession) -> PosttestAttempt:
    """Start the attendee's next attempt, empty; return the open one if there is one.

    Refused after a pass, and after the last allowed attempt (ACPE: at most three).
    """
    posttest, _ = _questions(session)
    for _ in range(2):
        attempts = attempts_of(user_id, session.id)
        if attempts and attempts[-1].open:
            return attempts[-1]
        _may_start(posttest, attempts)
        attempt = PosttestAttempt(user_id=user_id, session_id=session.id, number=len(attempts) + 1, started_at=clock.now())
        db.session.add(attempt)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:  # started at the same moment on another device
            db.session.rollback()
            continue
        return attempt
    raise PosttestError("busy", "Please try again.")


def _first_attempt(user_id: int, session: EventSession) -> PosttestAttempt:
    """Start attempt 1; if another request got there first, the attendee's latest attempt, whatever its state.

    Callers check that the attempt they get is still open: never start a
    later attempt here, only the attendee's explicit "Start attempt N" does.
    """
    attempt = PosttestAttempt(user_id=user_id, session_id=session.id, number=1, started_at=clock.now())
    db.session.add(attempt)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return attempts_of(user_id, session.id)[-1]
    return attempt


def _attempt_for_answers(user_id: int, session: EventSession) -> PosttestAttempt:
    """The open attempt; the first one starts with the first answer saved."""
    attempts = attempts_of(user_id, session.id)
    if attempts and attempts[-1].open:
        return attempts[-1]
    if not attempts:
        return _first_attempt(user_id, session)
    posttest, _ = _questions(session)
    _may_start(posttest, attempts)
    raise PosttestError("no_open_attempt", "This attempt was already submitted. Start a new attempt to answer again.")


def saved_choices(attempt: PosttestAttempt | None) -> dict[int, int]:
    """question id -> chosen choice id, for an attempt."""
    if attempt is None:
        return {}
    rows = db.session.execute(
        sa.select(PosttestAnswer.question_id, PosttestAnswer.choice_id).where(PosttestAnswer.attempt_id == attempt.id)
    )
    return {question_id: choice_id for question_id, choice_id in rows}


def _hold_open(attempt: PosttestAttempt) -> bool:
    """Lock the attempt's row for this transaction if it is still open.

    Saving an answer and scoring the attempt both take this lock first, so a
    late answer can never slip into an attempt after (or while) it is scored.
    """
    held = db.session.execute(
        sa.update(PosttestAttempt)
        .where(PosttestAttempt.id == attempt.id, PosttestAttempt.submitted_at.is_(None))
        .values(number=PosttestAttempt.number)
        .execution_options(synchronize_session=False)
    ).rowcount
    return held == 1


def _check_choices(questions: list[PosttestQuestion], chosen: dict[int, int]) -> None:
    valid = {q.id: {c.id for c in q.choices} for q in questions}
    for question_id, choice_id in chosen.items():
        if choice_id not in valid.get(question_id, ()):
            raise PosttestError("not_a_choice", "That answer is not one of the question's choices. Please reload the page.")


def save_answers(user_id: int, session: EventSession, chosen: dict[int, int]) -> PosttestAttempt:
    """Keep the attendee's choices (question id -> choice id) in their open attempt."""
    _, questions = _questions(session)
    _check_choices(questions, chosen)
    for _ in range(2):
        attempt = _attempt_for_answers(user_id, session)
        if not _hold_open(attempt):
            db.session.rollback()
            continue  # scored a moment ago: the next round says so
        try:
            _store(attempt, chosen)
            db.session.commit()
        except sa.exc.IntegrityError:  # the same answer saved twice at once: the retry updates it
            db.session.rollback()
            continue
        return attempt
    raise PosttestError("busy", "Your answer could not be saved. Please try again.")


def _store(attempt: PosttestAttempt, chosen: dict[int, int]) -> None:
    if not chosen:
        return
    existing = {
        answer.question_id: answer
        for answer in db.session.scalars(
            sa.select(PosttestAnswer).where(
                PosttestAnswer.attempt_id == attempt.id, PosttestAnswer.question_id.in_(list(chosen))
            )
        )
    }
    for question_id, choice_id in chosen.items():
        if question_id in existing:
            existing[question_id].choice_id = choice_id
        else:
            db.session.add(PosttestAnswer(attempt_id=attempt.id, question_id=question_id, choice_id=choice_id))
    db.session.flush()


def submit_attempt(user_id: int, session: EventSession, chosen: dict[int, int] | None = None) -> PosttestAttempt:
    """Keep any last choices, then score the open attempt, once.

    Refused, naming the unanswered questions, while any question has no
    answer (the answers given are kept). Submitting an attempt that is
    already scored (a double tap, a second device) scores nothing again and
    returns it as it was scored.
    """
    posttest, questions = _questions(session)
    chosen = chosen or {}
    _check_choices(questions, chosen)
    for _ in range(2):
        attempts = attempts_of(user_id, session.id)
        if attempts and not attempts[-1].open:
            return attempts[-1]
        attempt = attempts[-1] if attempts else _first_attempt(user_id, session)
        if not _hold_open(attempt):
            db.session.rollback()
            continue
        try:
            _store(attempt, chosen)
        except sa.exc.IntegrityError:
            db.session.rollback()
            continue
        answers = saved_choices(attempt)
        missing = [(number, q) for number, q in enumerate(questions, start=1) if q.id not in answers]
        if missing:
            db.session.commit()  # keep what was chosen
            names = ", ".join(str(number) for number, _ in missing)
            plural = "s" if len(missing) > 1 else ""
            raise PosttestError(
                "unanswered", f"Answer every question before you submit. Not answered yet: question{plural} {names}.",
                questions=missing,
            )
        correct_ids = {c.id for q in questions for c in q.choices if c.correct}
        correct = sum(1 for q in questions if answers[q.id] in correct_ids)
        score = scoring.score_percent(correct, len(questions))
        did_pass = scoring.passed(score, posttest.pass_mark_percent)
        db.session.execute(
            sa.update(PosttestAttempt)
            .where(PosttestAttempt.id == attempt.id)
            .values(submitted_at=clock.now(), score_percent=score, passed=did_pass)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.session.refresh(attempt)
        if did_pass:
            push(f"user:{user_id}", "step", {"session_id": session.id, "step": "posttest"})
        return attempt
    raise PosttestError("busy", "Your answers could not be submitted. Please try again.")
