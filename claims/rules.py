"""Who may claim what, and where it is reported. No Flask, no database."""
from __future__ import annotations

from accounts.profile import PROFESSIONS, ProfileError, check_birth_mmdd, check_eprofile_id, check_npi, check_state_licence

# Where a claim by each profession is reported; None: certificate of attendance only.
TARGETS = {"pharmacist": "cpe_monitor", "technician": "cpe_monitor", "physician": "pars", "other": None}


class ClaimRefused(Exception):
    """A claim that cannot be made, with the reason in plain words."""

    def __init__(self, reason: str, message: str, field: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field


def claim_options(uan_pharmacist: str | None, uan_technician: str | None) -> dict[str, str]:
    """Professions this session's credit can be claimed for, with the credit each gets."""
    options = {}
    if uan_pharmacist:
        options["pharmacist"] = f"Pharmacist — ACPE credit, UAN {uan_pharmacist}"
    if uan_technician:
        options["technician"] = f"Pharmacy technician — ACPE credit, UAN {uan_technician}"
    options["physician"] = "Physician — AMA PRA Category 1 Credit™"
    options["other"] = f"{PROFESSIONS['other']} — certificate of attendance"
    return options


def check_identity(profession: str, eprofile_id: str, birth_mmdd: str, npi: str, state_licence: str) -> dict:
    """The identifiers the claim is reported with, checked again; raises ClaimRefused naming the field."""
    values = {"eprofile_id": None, "birth_mmdd": None, "npi": None, "state_licence": None}
    if TARGETS.get(profession) == "cpe_monitor":
        if not eprofile_id:
            raise ClaimRefused("missing", "Enter your NABP e-Profile ID: CPE Monitor records your credit under it.", "eprofile_id")
        values["eprofile_id"] = _checked(check_eprofile_id, eprofile_id, "eprofile_id")
        if not birth_mmdd:
            raise ClaimRefused("missing", "Enter your birth month and day as MMDD, for example 0207.", "birth_mmdd")
        values["birth_mmdd"] = _checked(check_birth_mmdd, birth_mmdd, "birth_mmdd")
    elif profession == "physician":
        if npi:
            values["npi"] = _checked(check_npi, npi, "npi")
        elif state_licence:
            values["state_licence"] = _checked(check_state_licence, state_licence, "state_licence")
        else:
            raise ClaimRefused("missing", "Enter your NPI, or your state licence if you have no NPI.", "npi")
        if not birth_mmdd:
            raise ClaimRefused("missing", "Enter your birth month and day as MMDD, for example 0207: PARS asks for it.", "birth_mmdd")
        values["birth_mmdd"] = _checked(check_birth_mmdd, birth_mmdd, "birth_mmdd")
    return values


def _checked(check, value: str, field: str) -> str:
    try:
        return check(value)
    except ProfileError as error:
        raise ClaimRefused("invalid", str(error), field) from None
