from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from core.forms import StrippedStringField, choices
from events.localtime import is_known_zone, zone_choices
from events.models import KINDS, ROLES

WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeField(DateTimeLocalField):
    """A date and time in the event's zone, with a plain message when unreadable."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date and time like 2026-11-21 14:00.") from None


class EventForm(FlaskForm):
    title = StrippedStringField("Title", validators=[DataRequired("Give the event a title."), Length(max=200)])
    venue = StrippedStringField("Venue", description="Where it happens, or “Online” for a webinar.", validators=[Length(max=200)])
    timezone = SelectField("Time zone", description="Session times are typed and shown in this zone.", validators=[DataRequired("Choose the event's time zone.")])
    checkin_required = BooleanField("Attendees must check in to get credit")
    entrance_counts_for_sessions = BooleanField(
        "A check-in at the entrance counts for every session",
        description="Leave this off when each session's door is scanned, or attendance comes from a webinar report.")
    submit = SubmitField("Save event")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No zone chosen for the host: the browser's own is picked (static/js/zone.js), else they choose.
        self.timezone.choices = [("", "Choose the time zone")] + choices(zone_choices())
        self.timezone.validate_choice = False  # checked below, in plain words

    def validate_timezone(self, field):
        if not is_known_zone(field.data):
            raise ValidationError("Choose the event's time zone from the list.")


class SessionForm(FlaskForm):
    title = StrippedStringField("Title", validators=[DataRequired("Give the session a title."), Length(max=200)])
    kind = RadioField("Type", choices=choices(KINDS.items()), default="live", validators=[InputRequired("Choose live or home study.")])
    starts_at = LocalDateTimeField("Starts", format=WHEN_FORMATS, validators=[InputRequired("Enter when the session starts, like 2026-11-21 14:00.")])
    ends_at = LocalDateTimeField("Ends", format=WHEN_FORMATS, validators=[InputRequired("Enter when the session ends, like 2026-11-21 15:30.")])
    credit_hours = StrippedStringField("Credit hours", description="In quarter hours: 0.25, 0.5, 1, 1.5 …", validators=[DataRequired("Enter the credit hours, like 1.5.")])
    uan_pharmacist = StrippedStringField("Pharmacist UAN", description="Ends in -P, for example 0205-0000-26-014-L05-P.")
    uan_technician = StrippedStringField("Technician UAN", description="Ends in -T; the same as the pharmacist UAN but for the last letter.")
    speakers = TextAreaField("Speakers", description="One per line: the name with any credentials (Lee Park, PharmD), then a comma and an email if you have one.")
    submit = SubmitField("Save session")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keep what was typed even when it cannot be read as a date.
        for field in (self.starts_at, self.ends_at):
            field.render_kw = {"placeholder": "2026-11-21T14:00"}


class GrantRoleForm(FlaskForm):
    email = StrippedStringField("Email of the person", validators=[DataRequired("Enter the email of the person's account.")])
    role = SelectField("Role", choices=choices(ROLES.items()))
    submit = SubmitField("Grant")


class StaffForm(FlaskForm):
    email = StrippedStringField("Email of the person", validators=[DataRequired("Enter the email of the person's account.")],
                                description="They need a ClaimDesk account; they then see this event's desk under “Check-in desk”.")
    submit = SubmitField("Add to check-in staff")


class ConfirmForm(FlaskForm):
    """A button that posts, with CSRF: for actions with nothing to type."""

    submit = SubmitField("Confirm")
