"""Posttest scores: whole percent, rounded down, and a score at the pass mark passes."""
import pytest

from evaluations.scoring import passed, score_percent


def test_seven_of_ten_is_seventy_and_passes_a_seventy_mark():
    assert score_percent(7, 10) == 70
    assert passed(70, 70)


def test_one_below_the_mark_fails():
    assert not passed(69, 70)


def test_two_of_three_scores_66_and_fails_a_67_mark_it_truly_falls_short_of():
    assert score_percent(2, 3) == 66  # 66.67 rounded down, never up into a pass
    assert not passed(score_percent(2, 3), 67)
    assert passed(score_percent(2, 3), 66)


def test_a_fraction_just_under_the_mark_is_never_rounded_up_to_it():
    # 699 of 1000 is 69.9%: fails at 70.
    assert score_percent(699, 1000) == 69
    assert not passed(score_percent(699, 1000), 70)


def test_all_and_none_correct():
    assert score_percent(3, 3) == 100
    assert score_percent(0, 4) == 0
    assert passed(100, 100)


def test_a_posttest_without_questions_cannot_be_scored():
    with pytest.raises(ValueError):
        score_percent(0, 0)
    with pytest.raises(ValueError):
        score_percent(4, 3)
