from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, PasswordField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from accounts import profile
from core.forms import StrippedStringField


class RevokeForm(FlaskForm):
    reason = StrippedStringField("Why is this badge revoked?", description="For example: lost badge, cancelled, shared.",
                                 validators=[DataRequired("Say why the badge is revoked."), Length(max=200)])
    submit = SubmitField("Revoke badge")


class DeskDeviceForm(FlaskForm):
    name = StrippedStringField("Desk name", description="Where the device works, e.g. “Desk 2 - east entrance”. "
                                                        "Its scans are logged under this name.",
                               validators=[DataRequired("Give the desk a name."), Length(max=40)])
    submit = SubmitField("Issue a token")


class ImportForm(FlaskForm):
    file = FileField("Registrants file (CSV)",
                     description="A header row naming the columns name, email and profession, then one person a row. "
                                 "Save it from your spreadsheet as “CSV”.",
                     validators=[FileRequired("Choose the CSV file to import.")])
    submit = SubmitField("Import registrants")


class MinutesField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the minimum as a whole number of minutes, like 50.") from None


class WebinarReportForm(FlaskForm):
    file = FileField("Participant report (CSV)",
                     description="From Zoom: Reports → Usage → the meeting's Participants → Export, with "
                                 "“Show unique users” unticked.",
                     validators=[FileRequired("Choose the participant report to upload.")])
    minimum_minutes = MinutesField(
        "Minimum minutes to count as attended",
        validators=[InputRequired("Enter the minimum number of minutes, like 50."),
                    NumberRange(1, 24 * 60, "Enter a number of minutes between 1 and 1440.")])
    submit = SubmitField("Upload report")



class MatchForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("This is them")


class SetPasswordForm(FlaskForm):
    token = StrippedStringField("Set-up code", description="Filled in for you when you open the link you were given.",
                                validators=[DataRequired("Open the link you were given, or paste its code here.")])
    password = PasswordField("Choose a password", description="At least 10 characters.",
                             validators=[DataRequired("Choose a password.")])
    submit = SubmitField("Save my password")

    def validate_password(self, field):
        try:
            profile.check_password(field.data)
        except profile.ProfileError as error:
            raise ValidationError(str(error)) from None
