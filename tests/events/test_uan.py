"""ACPE UANs: parsed into parts, each wrong part named."""
import pytest

from events.uan import UanError, check_session_uans, looks_like_uan, parse_uan


def test_a_uan_is_parsed_into_its_parts_with_the_topic_in_words():
    uan = parse_uan("0205-0000-26-014-L05-P")
    assert (uan.provider, uan.joint, uan.year, uan.sequence) == ("0205", "0000", "26", "014")
    assert (uan.activity_type, uan.topic, uan.audience) == ("L", "05", "P")
    assert uan.topic_words == "Patient safety"
    assert str(uan) == "0205-0000-26-014-L05-P"


@pytest.mark.parametrize("typed", ["020500002601 4L05P".replace(" ", ""), " 0205-0000-26-014-l05-p ", "0205 0000 26 014 L05 P"])
def test_typed_without_dashes_or_in_lower_case_it_is_the_same_uan(typed):
    assert str(parse_uan(typed)) == "0205-0000-26-014-L05-P"


def test_joint_accreditation_provider_numbers_have_ja_and_seven_digits():
    assert parse_uan("JA0000123-9999-26-014-H01-T").provider == "JA0000123"
    assert str(parse_uan("JA00001239999260 14H01T".replace(" ", ""))) == "JA0000123-9999-26-014-H01-T"


@pytest.mark.parametrize("typed, part", [
    ("205-0000-26-014-L05-P", "provider number “205”"),
    ("JA000012-0000-26-014-L05-P", "provider number “JA000012”"),
    ("0205-1234-26-014-L05-P", "second part “1234”"),
    ("0205-0000-2026-014-L05-P", "year “2026”"),
    ("0205-0000-26-14-L05-P", "activity number “14”"),
    ("0205-0000-26-014-X05-P", "activity type “X”"),
    ("0205-0000-26-014-L09-P", "topic designator “09”"),
    ("0205-0000-26-014-L00-P", "topic designator “00”"),
    ("0205-0000-26-014-L5-P", "type and topic “L5”"),
    ("0205-0000-26-014-L05-X", "last letter “X”"),
    ("0205-0000-26-014-L05", "six parts"),
    ("0205000026014L05", "wrong number of characters"),
])
def test_a_wrong_uan_is_refused_naming_the_wrong_part(typed, part):
    with pytest.raises(UanError, match=part):
        parse_uan(typed)


@pytest.mark.parametrize("topic, words", [("01", "Disease state"), ("02", "HIV/AIDS"), ("03", "Law"), ("04", "General pharmacy"),
                                          ("06", "Immunizations"), ("07", "Compounding"), ("08", "Pain management")])
def test_every_topic_designator_has_words(topic, words):
    assert parse_uan(f"0205-0000-26-014-L{topic}-P").topic_words.startswith(words)


def test_a_live_session_needs_l_and_a_home_study_one_h():
    check_session_uans("0205-0000-26-014-L05-P", None, live=True)
    check_session_uans("0205-0000-26-014-H05-P", None, live=False)
    with pytest.raises(UanError, match="this session is live: its UAN needs L"):
        check_session_uans("0205-0000-26-014-H05-P", None, live=True)
    with pytest.raises(UanError, match="this session is home study: its UAN needs H"):
        check_session_uans(None, "0205-0000-26-014-L05-T", live=False)


def test_the_two_uans_may_differ_only_in_the_last_letter():
    p, t = check_session_uans("0205-0000-26-014-L05-P", "0205-0000-26-014-L05-T", live=True)
    assert p.audience == "P" and t.audience == "T"
    with pytest.raises(UanError, match="same except for the last letter") as refused:
        check_session_uans("0205-0000-26-014-L05-P", "0205-0000-26-015-L05-T", live=True)
    assert refused.value.box == "technician"


def test_a_uan_in_the_wrong_audience_box_is_refused():
    with pytest.raises(UanError, match="put it in the technician UAN box"):
        check_session_uans("0205-0000-26-014-L05-T", None, live=True)


def test_at_least_one_uan_is_needed():
    with pytest.raises(UanError, match="at least one UAN"):
        check_session_uans("", "", live=True)


@pytest.mark.parametrize("typed, shaped", [
    ("0205-0000-26-014-L05-P", True), ("0205000026014L05P", True), ("0205-0000-26-014-l05-p", True),
    ("ABCD2345", False), ("0205-0000", False),
    # nearly a UAN: a label before it, a digit missing or doubled, the audience left off
    ("UAN: 0205-0000-26-014-L05-P", True), ("ACPE UAN #0205-0000-26-014-L05-P", True), ("uan 0205000026014L05P", True),
    ("0205-0000-26-14-L05-P", True), ("0205-00000-26-014-L05-P", True), ("0205-0000-26-014-L05", True),
    ("JA0000123-0000-26-014-H01-T", True),
    # codes are never taken for one (at most 13 characters), nor are other long strings
    ("0205000026014", False), ("PHARMACY2026UPDATE", False), ("UAN", False), ("0205-0000-26-L05-P", False),
])
def test_text_shaped_like_a_uan_is_recognised(typed, shaped):
    assert looks_like_uan(typed) is shaped
