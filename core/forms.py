"""Small form pieces shared by every package."""
from __future__ import annotations

from wtforms import SelectChoice, StringField


class StrippedStringField(StringField):
    """A text field that ignores spaces typed around the value."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.strip()


def choices(pairs) -> list[SelectChoice]:
    """Options for a select or radio field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
