from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.validators import DataRequired

from core.forms import StrippedStringField


class CustomCodeForm(FlaskForm):
    code = StrippedStringField(
        "Your own code",
        description="4 to 13 letters and numbers, for example PHARM2026. Capitals, spaces and dashes do not matter.",
        validators=[DataRequired("Type the code you want, like PHARM2026.")],
    )
    submit = SubmitField("Use this code")
