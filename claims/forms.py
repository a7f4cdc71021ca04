from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField

from core.forms import StrippedStringField


class CodeForm(FlaskForm):
    code = StrippedStringField("Session code", description="4 to 13 letters and numbers, announced at the end of the session.")
    submit = SubmitField("Continue")


class ClaimForm(FlaskForm):
    profession = RadioField("I claim credit as a", validate_choice=False)
    eprofile_id = StrippedStringField("NABP e-Profile ID", description="Digits only, up to 7 — for example 1234567.")
    birth_mmdd = StrippedStringField("Birth date (MMDD)", description="Month and day: 0207 for February 7.")
    npi = StrippedStringField("NPI", description="10 digits, for example 1234567893.")
    state_licence = StrippedStringField("State licence (if no NPI)", description="For example: CA A123456.")
    submit = SubmitField("Claim credit")
