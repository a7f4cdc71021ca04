"""The steps to credit, as a pure function of what the attendee has done."""
from claims.journey import Facts, Place, place_of, progress
from claims.rules import ClaimRefused, check_identity, claim_options

import pytest


def keys(p):
    return [step.key for step in p.steps]


def test_without_check_in_or_posttest_the_steps_are_code_course_speakers_claim():
    p = progress(Facts(speakers=((7, "Dr. Chen", False), (8, "Lee Park", False))))
    assert keys(p) == ["code", "course", "speaker:7", "speaker:8", "claim"]
    assert p.next_step.key == "course" and not p.ready_to_claim


def test_each_step_knows_its_place_and_what_is_left_after_it():
    steps = progress(Facts(course_done=True, speakers=((7, "Dr. Chen", False), (8, "Lee Park", True)),
                           posttest_required=True)).steps
    assert place_of(steps, "course") == Place(2, 6, "course evaluation", ("speaker evaluation — Dr. Chen", "posttest", "claim credit"))
    assert place_of(steps, "speaker:8") == Place(4, 6, "speaker evaluation — Lee Park",
                                                 ("speaker evaluation — Dr. Chen", "posttest", "claim credit"))
    assert place_of(steps, "posttest") == Place(5, 6, "posttest", ("speaker evaluation — Dr. Chen", "claim credit"))
    assert place_of(steps, "speaker:9") is None


def test_attendance_comes_first_when_the_event_requires_check_in_and_says_what_to_do():
    p = progress(Facts(checkin_required=True))
    assert keys(p)[:2] == ["code", "attendance"]
    assert p.next_step.todo == "Check in at the registration desk: this event requires it for credit."


def test_a_posttest_step_counts_attempts_left():
    p = progress(Facts(course_done=True, posttest_required=True, posttest_attempts_left=2))
    assert p.next_step.key == "posttest"
    assert p.next_step.todo == "Take the posttest again: 2 attempts left."
    assert progress(Facts(course_done=True, posttest_required=True, posttest_attempts_left=1)).next_step.todo.endswith("1 attempt left.")


def test_after_three_failed_posttests_credit_is_no_longer_possible():
    p = progress(Facts(course_done=True, posttest_required=True, posttest_locked_out=True, posttest_attempts_left=0))
    assert p.no_credit == "You have used all 3 posttest attempts. Credit for this session is no longer possible."
    assert p.next_step is None and not p.ready_to_claim


def test_everything_done_but_the_claim_is_ready_to_claim():
    p = progress(Facts(course_done=True, speakers=((7, "Dr. Chen", True),), posttest_required=True, posttest_passed=True))
    assert p.ready_to_claim and p.next_step.key == "claim" and not p.complete
    assert progress(Facts(course_done=True, claimed=True)).complete


def test_claim_options_follow_the_session_s_uans():
    both = claim_options("0205-0000-26-014-L05-P", "0205-0000-26-014-L05-T")
    assert list(both) == ["pharmacist", "technician", "physician", "other"]
    assert "UAN 0205-0000-26-014-L05-T" in both["technician"]
    assert "technician" not in claim_options("0205-0000-26-014-L05-P", None)
    assert "pharmacist" not in claim_options(None, "0205-0000-26-014-L05-T")


def test_cpe_claims_need_e_profile_id_and_a_real_birth_date():
    assert check_identity("pharmacist", "1234567", "0207", "", "") == {
        "eprofile_id": "1234567", "birth_mmdd": "0207", "npi": None, "state_licence": None}
    with pytest.raises(ClaimRefused, match="e-Profile ID") as refused:
        check_identity("technician", "", "0207", "", "")
    assert refused.value.field == "eprofile_id"
    with pytest.raises(ClaimRefused, match="February has no day 30") as refused:
        check_identity("pharmacist", "1234567", "0230", "", "")
    assert refused.value.field == "birth_mmdd"


def test_physicians_give_an_npi_or_a_licence_and_their_birth_date():
    assert check_identity("physician", "", "0207", "1234567893", "")["npi"] == "1234567893"
    assert check_identity("physician", "", "0207", "", "CA A123456")["state_licence"] == "CA A123456"
    with pytest.raises(ClaimRefused, match="NPI, or your state licence"):
        check_identity("physician", "", "0207", "", "")
    with pytest.raises(ClaimRefused, match="last digit does not match"):
        check_identity("physician", "", "0207", "1234567890", "")


def test_other_professions_need_no_identifiers():
    assert check_identity("other", "", "", "", "") == {"eprofile_id": None, "birth_mmdd": None, "npi": None, "state_licence": None}
