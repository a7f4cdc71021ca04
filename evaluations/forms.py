from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.forms import StrippedStringField
from evaluations.models import QUESTION_TYPES
from evaluations.posttest import MAX_CHOICES

SCALE = [SelectChoice(1, "1 Strongly disagree"), SelectChoice(2, "2"), SelectChoice(3, "3"), SelectChoice(4, "4"),
         SelectChoice(5, "5 Strongly agree")]


class ChoiceOfField(RadioField):
    """Radio buttons where choosing nothing means 'not answered', never 'an invalid choice'."""

    def __init__(self, label=None, validators=None, message="Choose one of the answers.", **kwargs):
        super().__init__(label, validators, coerce=int, invalid_choice_message=message, **kwargs)
        self.message = message
        self.type = "RadioField"  # the shared `field` macro renders it as a fieldset of radio buttons

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0]:
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = None
                self.process_errors.append(self.message)

    def pre_validate(self, form):
        if self.data is not None:
            super().pre_validate(form)


def evaluation_form(asked):
    """The evaluation form of a question set (evaluations.catalogue), bound to the request.

    Its class is made once per question set and version, not per request.
    """
    return _form_class(asked)()


def blank_fields(asked) -> Markup:
    """The fields of the unanswered form: the same for every attendee, so rendered once per question set.

    Nothing of the attendee is in it (the CSRF token is rendered by the page around it).
    """
    if asked.blank_html is None:
        blank = _form_class(asked)(formdata=None, meta={"csrf": False})
        asked.blank_html = answered_fields(blank, asked)
    return asked.blank_html


def answered_fields(form, asked) -> Markup:
    """The fields of a submitted form, with the attendee's answers and what was refused."""
    return Markup(render_template("evaluations/_fields.html", form=form, questions=asked.questions))


def _form_class(asked):
    if asked.form_class is None:
        asked.form_class = _evaluation_form_class(asked.questions)
    return asked.form_class


def _evaluation_form_class(questions):
    """A form with one field per question: a 1–5 scale or a comment box."""

    class EvaluationForm(FlaskForm):
        submit = SubmitField("Send evaluation")

    for question in questions:
        label = question.text if question.required else f"{question.text} (optional)"
        if question.scale:
            message = f"Choose a number from 1 to 5 for “{question.text}”."
            validators = [InputRequired(message)] if question.required else [Optional()]
            field = ChoiceOfField(label, validators, message=message, choices=SCALE)
        else:
            validators = [InputRequired(f"Write an answer to “{question.text}”.") if question.required else Optional(),
                          Length(max=4000, message="Please keep this under 4,000 characters.")]
            field = TextAreaField(label, validators)
        setattr(EvaluationForm, f"q{question.id}", field)
    return EvaluationForm


def posttest_form(questions, saved: dict[int, int]):
    """One radio group per question, with the attendee's saved choices selected."""

    class PosttestForm(FlaskForm):
        save = SubmitField("Save answers")
        submit = SubmitField("Submit answers")

    for number, question in enumerate(questions, start=1):
        field = ChoiceOfField(
            f"{number}. {question.text}", [Optional()], message="Choose one of the answers.",
            choices=[SelectChoice(choice.id, choice.text) for choice in question.choices],
        )
        setattr(PosttestForm, f"q{question.id}", field)
    return PosttestForm(data={f"q{qid}": cid for qid, cid in saved.items()})


def chosen_in(form, questions) -> dict[int, int]:
    """question id -> choice id for every question answered on the form."""
    chosen = {}
    for question in questions:
        value = form[f"q{question.id}"].data
        if value is not None:
            chosen[question.id] = value
    return chosen


# --- hosts ------------------------------------------------------------------

class QuestionForm(FlaskForm):
    """An evaluation question as the host edits it."""

    text = StrippedStringField("Question", validators=[InputRequired("Write the question."), Length(max=500)])
    required = BooleanField("Attendees must answer it")
    position = IntegerField("Place", validators=[Optional(), NumberRange(min=1, max=99, message="Give a place from 1 to 99.")])
    submit = SubmitField("Save")


class NewQuestionForm(FlaskForm):
    text = StrippedStringField("New question", description="For example: The handouts were useful.",
                               validators=[InputRequired("Write the question."), Length(max=500)])
    type = RadioField("Answered with", choices=[SelectChoice(value, label) for value, label in QUESTION_TYPES.items()], default="scale")
    required = BooleanField("Attendees must answer it", default=True)
    submit = SubmitField("Add question")


class PosttestSettingsForm(FlaskForm):
    pass_mark = IntegerField(
        "Pass mark (%)", description="The lowest score that passes, from 1 to 100. ACPE activities often use 70.",
        validators=[InputRequired("Enter the pass mark, like 70."),
                    NumberRange(min=1, max=100, message="The pass mark is a percentage from 1 to 100.")],
    )
    submit = SubmitField("Save pass mark")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pass_mark.render_kw = {"inputmode": "numeric"}


class PosttestQuestionForm(FlaskForm):
    text = TextAreaField("Question", validators=[InputRequired("Write the question."), Length(max=2000)])
    position = IntegerField("Place", validators=[Optional(), NumberRange(min=1, max=999, message="Give a place from 1.")])
    submit = SubmitField("Save question")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One box per choice, up to six; blank boxes are left out.
        self.choice_fields = [self[f"choice_{i}"] for i in range(1, MAX_CHOICES + 1)]

    def draft_values(self) -> tuple[list[str], int | None]:
        choices = [(f.data or "") for f in self.choice_fields]
        correct = self.correct.data
        return choices, (correct - 1 if correct else None)


for _i in range(1, MAX_CHOICES + 1):
    setattr(PosttestQuestionForm, f"choice_{_i}", StrippedStringField(f"Choice {_i}", validators=[Length(max=500)]))
PosttestQuestionForm.correct = ChoiceOfField(
    "Correct choice", [Optional()], message="Mark which choice is correct.",
    choices=[SelectChoice(i, f"Choice {i}") for i in range(1, MAX_CHOICES + 1)],
)

