"""Small form pieces shared by every package."""
from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import SelectChoice, StringField
from wtforms.widgets.core import clean_key


class StrippedStringField(StringField):
    """A text field that ignores spaces typed around the value."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.strip()


def choices(pairs) -> list[SelectChoice]:
    """Options for a select or radio field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


# --- rendering: the one `field` macro (templates/core/forms.html) calls these --------------

_VALIDATION_FLAGS = ("required", "disabled", "readonly", "maxlength", "minlength", "pattern")


def _attributes(values: dict) -> str:
    """`key="value"` pairs as WTForms' html_params writes them, in its order (True: the bare name; False/None: left out)."""
    parts = []
    for key, value in sorted(values.items()):
        if value is True:
            parts.append(key)
        elif value is not False and value is not None:
            parts.append(f'{key}="{escape(value)}"')
    return " ".join(parts)


def input_tag(field, **attrs) -> Markup:
    """A text-like field's <input>, as its WTForms widget would write it, for a fraction of the work.

    WTForms' generic attribute machinery was 13% of an attendee's page at the end of a session
    (issue 11's profile); the hot forms (code, claim) are plain inputs and radio buttons.
    """
    values = {"id": field.id, "name": field.name, "type": field.widget.input_type, "value": field._value()}
    flags = field.flags
    for flag in _VALIDATION_FLAGS:
        value = getattr(flags, flag, None)
        if value and flag not in attrs:
            values[flag] = value
    values.update((clean_key(key), value) for key, value in attrs.items())
    return Markup(f"<input {_attributes(values)}>")


def radio_tags(field) -> Markup:
    """A radio field's options, each `<label class="check"><input …> text</label>`."""
    options = []
    required, disabled = bool(getattr(field.flags, "required", False)), bool(getattr(field.flags, "disabled", False))
    for index, (value, label, checked, render_kw) in enumerate(field.iter_choices()):
        attrs = {"id": f"{field.id}-{index}", "name": field.name, "type": "radio", "value": value,
                 "checked": bool(checked), "required": required, "disabled": disabled, **(render_kw or {})}
        options.append(f'<label class="check"><input {_attributes(attrs)}> {escape(label)}</label>')
    return Markup("".join(options))


def fast_input(field) -> bool:
    """Is this field drawn by `input_tag`? Plain inputs only: text, email, password, number, search, tel."""
    return type(field.widget).__name__ in ("TextInput", "EmailInput", "PasswordInput", "NumberInput", "SearchInput",
                                           "TelInput") and not getattr(field, "_datalist", None)


def init_app(app) -> None:
    app.jinja_env.globals.update(input_tag=input_tag, radio_tags=radio_tags, fast_input=fast_input)
