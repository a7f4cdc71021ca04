"""The provider's reports: what happened at an event and in each session, counted in the database.

Every figure is one GROUP BY over the event's rows, so a report costs a
handful of queries whatever the number of attendees.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from accounts.profile import PROFESSIONS
from checkin.models import ENTRANCE, Checkin, Registration, session_list
from claims.models import Claim, OutboxEntry
from codes.models import Redemption
from core.db import db
from evaluations.models import (
    EvaluationAnswer, EvaluationCompletion, EvaluationQuestion, EvaluationResponse, Posttest, PosttestAnswer,
    PosttestAttempt, PosttestQuestion,
)
from events import credit
from events.models import Event, EventSession, Speaker

# How each state of a claim's transmission counts in the reports. The states
# are the reporting worker's; a claim with no outbox row is not reported
# anywhere (a certificate of attendance only).
REPORT_GROUPS = {
    "accepted": "reported",
    "rejected_fixable": "rejected",
    "rejected": "rejected",
    "expired": "expired",
    "pending": "in_progress",
    "sending": "in_progress",
    "cancelled": "cancelled",
}
GROUP_NAMES = {
    "reported": "Reported",
    "rejected": "Rejected",
    "expired": "Expired",
    "in_progress": "Being reported",
    "cancelled": "Cancelled",
    "not_reported": "Not reported (certificate only)",
    "other": "Other",
}
# The words an export gives each state of one claim.
STATE_NAMES = {
    "accepted": "Reported",
    "rejected_fixable": "Rejected: the attendee can fix it",
    "rejected": "Rejected",
    "expired": "Expired: not reported in time",
    "pending": "Being reported",
    "sending": "Being reported",
    "cancelled": "Cancelled",
    None: "Not reported (certificate only)",
}
SCALE = (1, 2, 3, 4, 5)


def report_group(state: str | None) -> str:
    """The report column a transmission state counts in."""
    if state is None:
        return "not_reported"
    return REPORT_GROUPS.get(state, "other")


def state_name(state: str | None) -> str:
    return STATE_NAMES.get(state, state or "")


def report_group_sql(state_column) -> sa.ColumnElement:
    """`report_group` as a SQL expression over the outbox's state column."""
    whens = [(state_column == state, group) for state, group in REPORT_GROUPS.items()]
    return sa.case((state_column.is_(None), "not_reported"), *whens, else_="other")


@dataclass(frozen=True)
class Credit:
    """A number of claims and the credit they carry."""

    claims: int = 0
    quarter_hours: int = 0

    @property
    def hours(self) -> Decimal:
        return credit.hours(self.quarter_hours)

    @property
    def ceus(self) -> Decimal:
        return credit.ceus(self.quarter_hours)

    @property
    def hours_text(self) -> str:
        return credit.format_hours(self.quarter_hours)

    @property
    def ceus_text(self) -> str:
        return credit.format_ceus(self.quarter_hours)

    def __add__(self, other: "Credit") -> "Credit":
        return Credit(self.claims + other.claims, self.quarter_hours + other.quarter_hours)


@dataclass
class SessionFigures:
    session: EventSession
    door_checkins: int = 0
    code_entries: int = 0
    course_evaluations: int = 0
    speaker_evaluations: int = 0
    posttests_passed: int = 0
    claims_by_profession: dict[str, int] = field(default_factory=dict)
    credits: dict[str, Credit] = field(default_factory=dict)  # by report group

    @property
    def claims(self) -> int:
        return sum(self.claims_by_profession.values())

    def credit(self, group: str) -> Credit:
        return self.credits.get(group, Credit())


@dataclass
class EventReport:
    event: Event
    registrants: int
    revoked: int
    entrance_checkins: int
    people_who_entered_codes: int
    sessions: list[SessionFigures]

    def total(self, name: str) -> int:
        return sum(getattr(figures, name) for figures in self.sessions)

    def claims_by_profession(self) -> dict[str, int]:
        totals: Counter = Counter()
        for figures in self.sessions:
            totals.update(figures.claims_by_profession)
        return {p: totals.get(p, 0) for p in PROFESSIONS}

    def credit(self, group: str) -> Credit:
        total = Credit()
        for figures in self.sessions:
            total += figures.credit(group)
        return total


def _counts(stmt) -> dict[int, int]:
    """An (id, count) query as a dict."""
    return {ident: count for ident, count in db.session.execute(stmt)}


def _session_ids(event_id: int):
    return sa.select(EventSession.id).where(EventSession.event_id == event_id).scalar_subquery()


def session_figures(event: Event, sessions: list[EventSession] | None = None) -> list[SessionFigures]:
    """The figures of each of the event's sessions (or of the given ones), in schedule order."""
    sessions = list(event.sessions) if sessions is None else sessions
    figures = {s.id: SessionFigures(session=s) for s in sessions}
    ids = list(figures)
    if not ids:
        return []

    doors = {session_list(i): i for i in ids}
    for list_key, count in db.session.execute(
        sa.select(Checkin.list_key, sa.func.count()).where(Checkin.event_id == event.id, Checkin.list_key.in_(doors))
        .group_by(Checkin.list_key)
    ):
        figures[doors[list_key]].door_checkins = count

    for session_id, count in db.session.execute(
        sa.select(Redemption.session_id, sa.func.count()).where(Redemption.session_id.in_(ids))
        .group_by(Redemption.session_id)
    ):
        figures[session_id].code_entries = count

    is_course = EvaluationCompletion.target == "course"
    for session_id, course, count in db.session.execute(
        sa.select(EvaluationCompletion.session_id, is_course, sa.func.count())
        .where(EvaluationCompletion.session_id.in_(ids)).group_by(EvaluationCompletion.session_id, is_course)
    ):
        if course:
            figures[session_id].course_evaluations = count
        else:
            figures[session_id].speaker_evaluations = count

    # An attendee passes once; counting people, not passing attempts.
    for session_id, count in db.session.execute(
        sa.select(PosttestAttempt.session_id, sa.func.count(sa.distinct(PosttestAttempt.user_id)))
        .where(PosttestAttempt.session_id.in_(ids), PosttestAttempt.passed.is_(True))
        .group_by(PosttestAttempt.session_id)
    ):
        figures[session_id].posttests_passed = count

    for session_id, profession, count in db.session.execute(
        sa.select(Claim.session_id, Claim.profession, sa.func.count())
        .where(Claim.session_id.in_(ids)).group_by(Claim.session_id, Claim.profession)
    ):
        figures[session_id].claims_by_profession[profession] = count

    group = report_group_sql(OutboxEntry.state).label("report_group")
    for session_id, name, count, quarters in db.session.execute(
        sa.select(Claim.session_id, group, sa.func.count(), sa.func.coalesce(sa.func.sum(Claim.credit_quarter_hours), 0))
        .select_from(Claim).outerjoin(OutboxEntry, OutboxEntry.claim_id == Claim.id)
        .where(Claim.session_id.in_(ids)).group_by(Claim.session_id, group)
    ):
        figures[session_id].credits[name] = Credit(count, int(quarters))

    for item in figures.values():
        item.claims_by_profession = {p: item.claims_by_profession.get(p, 0) for p in PROFESSIONS}
    return [figures[s.id] for s in sessions]


def event_report(event: Event) -> EventReport:
    registered = db.session.execute(
        sa.select(
            sa.func.count().filter(Registration.revoked_at.is_(None)),
            sa.func.count().filter(Registration.revoked_at.is_not(None)),
        ).where(Registration.event_id == event.id)
    ).one()
    entrance = db.session.scalar(
        sa.select(sa.func.count()).select_from(Checkin).where(Checkin.event_id == event.id, Checkin.list_key == ENTRANCE)
    )
    people = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Redemption.user_id))).where(Redemption.session_id.in_(_session_ids(event.id)))
    )
    return EventReport(
        event=event, registrants=registered[0], revoked=registered[1], entrance_checkins=entrance,
        people_who_entered_codes=people, sessions=session_figures(event),
    )


# --- evaluation results -----------------------------------------------------

@dataclass
class QuestionResult:
    question_id: int
    text: str
    scale: bool
    retired: bool
    distribution: dict[int, int] = field(default_factory=lambda: {value: 0 for value in SCALE})
    comments: list[str] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(self.distribution.values()) if self.scale else len(self.comments)

    @property
    def average(self) -> Decimal | None:
        """The mean of the 1–5 answers to two decimals, or None before any answer."""
        if not self.scale or not self.answered:
            return None
        total = sum(value * count for value, count in self.distribution.items())
        return (Decimal(total) / self.answered).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class EvaluationResults:
    """The answers about one thing evaluated: the course, or one speaker."""

    key: str  # "course" or "speaker-<id>"
    label: str
    responses: int
    questions: list[QuestionResult]

    @property
    def scale_questions(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.scale]

    @property
    def text_questions(self) -> list[QuestionResult]:
        return [q for q in self.questions if not q.scale]

    def chart(self) -> dict:
        """What the page's chart draws: per question, how many answered each value from 1 to 5."""
        questions = self.scale_questions
        return {
            "labels": [q.text for q in questions],
            "series": {str(value): [q.distribution.get(value, 0) for q in questions] for value in SCALE},
        }


def evaluation_results(session: EventSession) -> list[EvaluationResults]:
    """The course's results, then each speaker's, with every question asked or answered.

    Questions retired after being answered still show, with the words the
    attendees answered. Comments are listed in no meaningful order (responses
    are anonymous and unordered).
    """
    event_id = session.event_id
    questions = list(db.session.scalars(
        sa.select(EvaluationQuestion).where(EvaluationQuestion.event_id == event_id)
        .order_by(EvaluationQuestion.kind, EvaluationQuestion.position, EvaluationQuestion.id)
    ))
    responses: dict[tuple[str, int | None], int] = {
        (kind, speaker_id): count for kind, speaker_id, count in db.session.execute(
            sa.select(EvaluationResponse.kind, EvaluationResponse.speaker_id, sa.func.count())
            .where(EvaluationResponse.session_id == session.id)
            .group_by(EvaluationResponse.kind, EvaluationResponse.speaker_id)
        )
    }
    scale_counts: dict[tuple[int | None, int], dict[int, int]] = defaultdict(dict)
    for speaker_id, question_id, value, count in db.session.execute(
        sa.select(EvaluationResponse.speaker_id, EvaluationAnswer.question_id, EvaluationAnswer.scale_value,
                  sa.func.count())
        .join(EvaluationResponse, EvaluationResponse.id == EvaluationAnswer.response_id)
        .where(EvaluationResponse.session_id == session.id, EvaluationAnswer.scale_value.is_not(None))
        .group_by(EvaluationResponse.speaker_id, EvaluationAnswer.question_id, EvaluationAnswer.scale_value)
    ):
        scale_counts[(speaker_id, question_id)][value] = count
    comments: dict[tuple[int | None, int], list[str]] = defaultdict(list)
    for speaker_id, question_id, text in db.session.execute(
        sa.select(EvaluationResponse.speaker_id, EvaluationAnswer.question_id, EvaluationAnswer.text_value)
        .join(EvaluationResponse, EvaluationResponse.id == EvaluationAnswer.response_id)
        .where(EvaluationResponse.session_id == session.id, EvaluationAnswer.text_value.is_not(None))
        .order_by(EvaluationAnswer.response_id)
    ):
        comments[(speaker_id, question_id)].append(text)

    def results(kind: str, speaker: Speaker | None) -> EvaluationResults:
        speaker_id = speaker.id if speaker else None
        rows = []
        for question in questions:
            if question.kind != kind:
                continue
            key = (speaker_id, question.id)
            answered = key in scale_counts or key in comments
            if question.retired and not answered:
                continue
            result = QuestionResult(question.id, question.text, question.scale, question.retired)
            for value, count in scale_counts.get(key, {}).items():
                result.distribution[value] = result.distribution.get(value, 0) + count
            result.comments = comments.get(key, [])
            rows.append(result)
        return EvaluationResults(
            key="course" if speaker is None else f"speaker-{speaker.id}",
            label="Course" if speaker is None else speaker.name,
            responses=responses.get((kind, speaker_id), 0),
            questions=rows,
        )

    return [results("course", None)] + [results("speaker", speaker) for speaker in session.speakers]




# --- posttest results ---------------------------------------------------------

@dataclass(frozen=True)
class ChoiceResult:
    text: str
    correct: bool
    chosen: int


@dataclass
class PosttestQuestionResult:
    text: str
    choices: list[ChoiceResult]

    @property
    def answered(self) -> int:
        return sum(choice.chosen for choice in self.choices)

    @property
    def answered_correctly(self) -> int:
        return sum(choice.chosen for choice in self.choices if choice.correct)

    @property
    def percent_correct(self) -> int | None:
        """Whole percent of submitted answers that were right, rounded down; None before any answer."""
        return 100 * self.answered_correctly // self.answered if self.answered else None


@dataclass
class PosttestResults:
    pass_mark: int
    attempts: int  # submitted attempts
    people: int  # who submitted at least one attempt
    passed: int  # who passed
    questions: list[PosttestQuestionResult]

    def chart(self) -> dict:
        """What the page's chart draws: the share of answers that were right, per question."""
        return {"labels": [f"Q{n}" for n, _ in enumerate(self.questions, start=1)],
                "titles": [q.text for q in self.questions],
                "values": [q.percent_correct or 0 for q in self.questions]}


def posttest_results(session: EventSession) -> PosttestResults | None:
    """How the posttest went: per question, how often each choice was picked in submitted attempts."""
    posttest = db.session.scalar(sa.select(Posttest).where(Posttest.session_id == session.id))
    if posttest is None or not posttest.questions:
        return None
    submitted = sa.and_(PosttestAttempt.session_id == session.id, PosttestAttempt.submitted_at.is_not(None))
    attempts, people, passed = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(PosttestAttempt.user_id)),
                  sa.func.count(sa.distinct(sa.case((PosttestAttempt.passed.is_(True), PosttestAttempt.user_id)))))
        .where(submitted)
    ).one()
    chosen = _counts(
        sa.select(PosttestAnswer.choice_id, sa.func.count())
        .join(PosttestAttempt, PosttestAttempt.id == PosttestAnswer.attempt_id)
        .join(PosttestQuestion, PosttestQuestion.id == PosttestAnswer.question_id)
        .where(submitted, PosttestQuestion.posttest_id == posttest.id)
        .group_by(PosttestAnswer.choice_id)
    )
    questions = [
        PosttestQuestionResult(question.text, [
            ChoiceResult(choice.text, choice.correct, chosen.get(choice.id, 0)) for choice in question.choices
        ])
        for question in posttest.questions
    ]
    return PosttestResults(posttest.pass_mark_percent, attempts, people, passed, questions)
