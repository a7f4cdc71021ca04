"""ACPE Universal Activity Numbers. No Flask, no database.

Format (ACPE, "Universal Activity Number"): `0205-0000-26-014-L05-P`:
provider number (4 digits, or JA + 7 digits for joint accreditation),
0000 or 9999, two-digit year, three-digit sequence, activity type (L live,
H home study) with a two-digit topic designator, and the audience
(P pharmacist, T technician).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TOPICS = {
    "01": "Disease state management / drug therapy",
    "02": "HIV/AIDS therapy",
    "03": "Law related to pharmacy practice",
    "04": "General pharmacy",
    "05": "Patient safety",
    "06": "Immunizations",
    "07": "Compounding",
    "08": "Pain management / opioids",
}
TYPES = {"L": "live", "H": "home study"}
AUDIENCES = {"P": "pharmacist", "T": "technician"}

# Loose shape used to tell "this is a UAN" from other text (e.g. in the code box).
UAN_SHAPE = re.compile(r"^(JA\d{7}|\d{4})-?\d{4}-?\d{2}-?\d{3}-?[A-Z]\d{2}-?[A-Z]$")


class UanError(ValueError):
    """A UAN that is wrong, saying which part; `box` names the UAN it is about."""

    def __init__(self, message: str, box: str | None = None):
        super().__init__(message)
        self.box = box


@dataclass(frozen=True)
class Uan:
    provider: str
    joint: str
    year: str
    sequence: str
    activity_type: str
    topic: str
    audience: str

    def __str__(self) -> str:
        return f"{self.provider}-{self.joint}-{self.year}-{self.sequence}-{self.activity_type}{self.topic}-{self.audience}"

    @property
    def topic_words(self) -> str:
        return TOPICS[self.topic]

    @property
    def audience_words(self) -> str:
        return AUDIENCES[self.audience]

    def without_audience(self) -> str:
        return str(self)[:-2]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


# What an attendee copies from a certificate or a slide into the code box: a label before it ("UAN:",
# "ACPE UAN #"), a digit too many or too few, the topic or audience cut short. Codes have at most 13
# characters, and this needs 14, so no code is ever taken for a UAN.
_LABEL = re.compile(r"^(ACPE)?(UAN|UNIVERSALACTIVITYNUMBER)?[:#.]*")
_NEAR_UAN = re.compile(r"^(JA)?\d{11,15}[LH]\d{1,3}[PT]?$")


def looks_like_uan(text: str) -> bool:
    """True for text shaped like a UAN, with or without dashes (valid or not), or nearly so: with a label
    before it, or a digit too many or too few."""
    value = _normalise(text)
    if UAN_SHAPE.match(value):
        return True
    bare = _LABEL.sub("", re.sub(r"[-\u2010-\u2015\u2212]", "", value), count=1)
    return len(bare) >= 14 and bool(_NEAR_UAN.match(bare))


def parse_uan(text: str) -> Uan:
    """Parse a UAN typed with or without dashes; raise `UanError` naming the wrong part."""
    value = _normalise(text)
    if not value:
        raise UanError("Enter the UAN, for example 0205-0000-26-014-L05-P.")
    parts = value.split("-") if "-" in value else None
    if parts is None:
        # No dashes: cut by position, after the provider number's own length.
        cut = 9 if value.startswith("JA") else 4
        head, rest = value[:cut], value[cut:]
        if len(rest) != 13:
            raise UanError(
                "A UAN has six parts, like 0205-0000-26-014-L05-P; this one has the wrong number of characters."
            )
        parts = [head, rest[0:4], rest[4:6], rest[6:9], rest[9:12], rest[12:]]
    if len(parts) != 6:
        raise UanError("A UAN has six parts separated by dashes, like 0205-0000-26-014-L05-P.")
    provider, joint, year, sequence, kind, audience = parts
    if not (re.fullmatch(r"\d{4}", provider) or re.fullmatch(r"JA\d{7}", provider)):
        raise UanError(f"The provider number “{provider}” must be 4 digits, or JA followed by 7 digits.")
    if joint not in ("0000", "9999"):
        raise UanError(f"The second part “{joint}” must be 0000, or 9999 for a joint activity.")
    if not re.fullmatch(r"\d{2}", year):
        raise UanError(f"The year “{year}” must be two digits, like 26.")
    if not re.fullmatch(r"\d{3}", sequence):
        raise UanError(f"The activity number “{sequence}” must be three digits, like 014.")
    if not re.fullmatch(r"[A-Z]\d{2}", kind):
        raise UanError(f"The type and topic “{kind}” must be L or H followed by a two-digit topic, like L05.")
    if kind[0] not in TYPES:
        raise UanError(f"The activity type “{kind[0]}” must be L (live) or H (home study).")
    if kind[1:] not in TOPICS:
        raise UanError(f"The topic designator “{kind[1:]}” must be 01 to 08.")
    if audience not in AUDIENCES:
        raise UanError(f"The last letter “{audience}” must be P (pharmacists) or T (technicians).")
    return Uan(provider, joint, year, sequence, kind[0], kind[1:], audience)


def check_session_uans(pharmacist: str | None, technician: str | None, live: bool) -> tuple[Uan | None, Uan | None]:
    """Check a session's one or two UANs together.

    Returns the parsed pair; raises `UanError` when a UAN is for the wrong
    audience or activity type, or when the two differ in more than the last letter.
    """
    if not pharmacist and not technician:
        raise UanError("Give at least one UAN: the pharmacist (…-P) or technician (…-T) one.", "pharmacist")
    expected_type = "L" if live else "H"
    parsed: list[Uan | None] = []
    for text, audience in ((pharmacist, "P"), (technician, "T")):
        if not text:
            parsed.append(None)
            continue
        box = AUDIENCES[audience]
        try:
            uan = parse_uan(text)
        except UanError as error:
            raise UanError(str(error), box) from None
        if uan.audience != audience:
            raise UanError(
                f"{uan} ends in {uan.audience}, so it is for {uan.audience_words}s; "
                f"put it in the {uan.audience_words} UAN box.",
                box,
            )
        if uan.activity_type != expected_type:
            raise UanError(
                f"{uan} is a {TYPES[uan.activity_type]} UAN ({uan.activity_type}), but this session is "
                f"{TYPES[expected_type]}: its UAN needs {expected_type} before the topic.",
                box,
            )
        parsed.append(uan)
    p, t = parsed
    if p and t and p.without_audience() != t.without_audience():
        raise UanError(
            "The pharmacist and technician UANs must be the same except for the last letter (P or T).", "technician"
        )
    return p, t
