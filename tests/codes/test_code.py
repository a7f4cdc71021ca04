"""What a session code is: its alphabet, its length, how typing is forgiven."""
import random

import pytest

from codes import code
from codes.code import CodeError


def test_generated_codes_have_no_look_alike_characters():
    for look_alike in "0O1IL":
        assert look_alike not in code.ALPHABET
    assert set(code.ALPHABET) == set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_a_generated_code_has_eight_characters_from_the_alphabet():
    generated = [code.generate() for _ in range(200)]
    assert all(len(c) == 8 and set(c) <= set(code.ALPHABET) for c in generated)
    assert len(set(generated)) == 200


def test_generation_can_be_made_repeatable_with_a_seeded_generator():
    assert code.generate(rng=random.Random(7)) == code.generate(rng=random.Random(7))
    assert len(code.generate(length=5, rng=random.Random(7))) == 5


@pytest.mark.parametrize("typed, stored", [
    ("abcd efgh", "ABCDEFGH"),
    ("ab-cd-ef-gh", "ABCDEFGH"),
    ("  Ab Cd\tEf\u00a0gh\n", "ABCDEFGH"),
    ("ab\u2013cd\u2014ef\u2011gh", "ABCDEFGH"),  # dashes a phone keyboard makes
    ("", ""),
])
def test_typing_ignores_case_spaces_and_dashes(typed, stored):
    assert code.normalise(typed) == stored


def test_a_host_code_of_four_and_of_thirteen_characters_is_accepted():
    assert code.check_custom("ab12") == "AB12"
    assert code.check_custom("pharm-2026-ce1") == "PHARM2026CE1"
    assert code.check_custom("PHARMACY2026X") == "PHARMACY2026X"


def test_a_host_code_may_use_letters_that_generated_codes_avoid():
    assert code.check_custom("ONCOLOGY10") == "ONCOLOGY10"


@pytest.mark.parametrize("typed, words", [
    ("AB1", "at least 4 letters and numbers; this one has 3"),
    ("PHARMACY2026XY", "at most 13 letters and numbers; this one has 14"),
    ("AB!CD", "only the letters A to Z and the numbers 0 to 9"),
    ("ÉCOLE2026", "only the letters A to Z and the numbers 0 to 9"),
    ("  - ", "Type the code you want"),
])
def test_a_host_code_too_short_too_long_or_with_other_characters_is_refused(typed, words):
    with pytest.raises(CodeError) as refused:
        code.check_custom(typed)
    assert words in str(refused.value)


@pytest.mark.parametrize("stored, shown", [
    ("ABCD", "ABCD"),
    ("ABCDE", "ABCDE"),
    ("ABCDEF", "ABC DEF"),
    ("ABCDEFGH", "ABCD EFGH"),
    ("ABCDEFGHJ", "ABC DEF GHJ"),
    ("PHARMACY2026X", "PHAR MAC Y20 26X"),
])
def test_the_code_is_shown_in_groups_of_three_or_four(stored, shown):
    assert code.grouped(stored) == shown
