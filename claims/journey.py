"""The steps to credit for one attendee and one session. No Flask, no database.

Code accepted → attendance confirmed (when the event requires check-in) →
course evaluation → one evaluation per speaker → posttest (when there is
one) → claim credit.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Facts:
    checkin_required: bool = False
    attended: bool = False
    course_done: bool = False
    speakers: tuple[tuple[int, str, bool], ...] = ()  # (speaker id, name, done)
    posttest_required: bool = False
    posttest_passed: bool = False
    posttest_locked_out: bool = False
    posttest_attempts_left: int = 3
    claimed: bool = False
    # Attendance from webinar reports: (minimum, minutes recorded for the attendee or None) per report.
    webinar: tuple[tuple[int, int | None], ...] = ()


@dataclass(frozen=True)
class Step:
    key: str  # "code", "attendance", "course", "speaker:<id>", "posttest", "claim"
    label: str
    done: bool
    todo: str = ""  # what to do, in the attendee's words, while not done
    name: str = ""  # the step itself, for "Step 2 of 5: speaker evaluation — Lee Park"


@dataclass(frozen=True)
class Progress:
    steps: list[Step] = field(default_factory=list)
    no_credit: str = ""  # why credit can no longer be had, if so

    @property
    def next_step(self) -> Step | None:
        if self.no_credit:
            return None
        return next((step for step in self.steps if not step.done), None)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def ready_to_claim(self) -> bool:
        return not self.no_credit and all(step.done for step in self.steps if step.key != "claim")


@dataclass(frozen=True)
class Place:
    """Where a step stands in the journey: "Step 2 of 5: speaker evaluation — Lee Park", and what is left after it."""

    number: int
    total: int
    name: str
    left: tuple[str, ...]


def place_of(steps: list[Step], key: str) -> Place | None:
    """The place of the step `key` among `steps`; None when the journey has no such step."""
    for number, step in enumerate(steps, start=1):
        if step.key == key:
            left = tuple(other.name for other in steps if not other.done and other.key != key)
            return Place(number, len(steps), step.name, left)
    return None


def _attendance_todo(facts: Facts) -> str:
    """What to do about attendance: at a venue, the desk; for a webinar, what its report recorded."""
    if not facts.webinar:
        return "Check in at the registration desk: this event requires it for credit."
    recorded = [(minutes, minimum) for minimum, minutes in facts.webinar if minutes is not None]
    if not recorded:
        return ("The webinar's attendance report has no one with your account's email. If you attended, "
                "ask the event's host to match you in the report by hand.")
    minutes, minimum = max(recorded)
    return (f"The webinar's attendance report records {minutes} minute{'s' if minutes != 1 else ''} for you; "
            f"credit needs at least {minimum}. If that is wrong, ask the event's host to check the report.")


def progress(facts: Facts) -> Progress:
    steps = [Step("code", "Session code accepted", True, name="session code")]
    if facts.checkin_required:
        steps.append(Step("attendance", "Attendance confirmed", facts.attended, _attendance_todo(facts), "attendance"))
    steps.append(Step("course", "Course evaluation", facts.course_done, "Fill the course evaluation.", "course evaluation"))
    for speaker_id, name, done in facts.speakers:
        steps.append(Step(f"speaker:{speaker_id}", f"Evaluation of {name}", done, f"Evaluate {name}.",
                          f"speaker evaluation — {name}"))
    if facts.posttest_required:
        left = facts.posttest_attempts_left
        todo = "Take the posttest." if left == 3 else f"Take the posttest again: {left} attempt{'s' if left != 1 else ''} left."
        steps.append(Step("posttest", "Posttest passed", facts.posttest_passed, todo, "posttest"))
    steps.append(Step("claim", "Credit claimed", facts.claimed, "Claim your credit.", "claim credit"))
    no_credit = ""
    if facts.posttest_required and facts.posttest_locked_out and not facts.posttest_passed:
        no_credit = "You have used all 3 posttest attempts. Credit for this session is no longer possible."
    return Progress(steps, no_credit)
