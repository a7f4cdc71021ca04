from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from accounts import profile
from core.forms import StrippedStringField, choices


def _rule(check):
    """Turn a profile rule into a WTForms validator that skips empty values."""

    def validator(form, field):
        if not field.data:
            return
        try:
            field.data = check(field.data)
        except profile.ProfileError as error:
            raise ValidationError(str(error)) from None

    return validator


def _email(form, field):
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError("That does not look like an email address; it should be like name@example.org.") from None


class RegisterForm(FlaskForm):
    name = StrippedStringField("Full name", validators=[DataRequired("Enter your name as it should appear on certificates."), Length(max=120)])
    email = StrippedStringField("Email", validators=[DataRequired("Enter your email address."), _email])
    password = PasswordField("Password", description="At least 10 characters.", validators=[DataRequired("Choose a password."), _rule(profile.check_password)])
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = StrippedStringField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    submit = SubmitField("Log in")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter the password you log in with now.")])
    new_password = PasswordField("New password", description="At least 10 characters.", validators=[DataRequired("Choose a new password."), _rule(profile.check_password)])
    new_password_again = PasswordField("New password again", validators=[
        DataRequired("Type the new password a second time."),
        EqualTo("new_password", "The two new passwords are not the same; type the same one twice."),
    ])
    submit = SubmitField("Change password")


class ProfileForm(FlaskForm):
    name = StrippedStringField("Full name", validators=[DataRequired("Enter your name as it should appear on certificates."), Length(max=120)])
    profession = SelectField(
        "Profession",
        choices=choices([("", "Choose…")] + list(profile.PROFESSIONS.items())),
        validators=[DataRequired("Choose your profession: it decides where your credit is reported.")],
    )
    eprofile_id = StrippedStringField("NABP e-Profile ID", description="Digits only, up to 7, from your NABP e-Profile — for example 1234567.", validators=[_rule(profile.check_eprofile_id)])
    birth_mmdd = StrippedStringField("Birth date (MMDD)", description="Month and day of birth as four digits: 0207 for February 7. No year.", validators=[_rule(profile.check_birth_mmdd)])
    npi = StrippedStringField("NPI", description="Your 10-digit National Provider Identifier, for example 1234567893.", validators=[_rule(profile.check_npi)])
    state_licence = StrippedStringField("State licence", description="If you have no NPI: the state and licence number, for example CA A123456.", validators=[_rule(profile.check_state_licence)])
    submit = SubmitField("Save profile")


class OrganiserForm(FlaskForm):
    is_organiser = BooleanField("May create events")
    submit = SubmitField("Save")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")
