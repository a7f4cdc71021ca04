"""Posttest scoring: plain arithmetic, no Flask, no database.

The score is the percentage of correct answers rounded *down* to a whole
number. Rounding down is the one rule that never turns a fail into a pass:
for a whole-number pass mark m, floor(x) >= m exactly when x >= m. So 7 of
10 (70%) passes a 70% mark, and 2 of 3 (66.67%) scores 66 and fails a 67%
mark, as it truly falls short of it (rounding to nearest would have passed it).
"""
from __future__ import annotations


def score_percent(correct: int, total: int) -> int:
    """The share of correct answers in whole percent, rounded down."""
    if total <= 0:
        raise ValueError("a posttest with no questions cannot be scored")
    if not 0 <= correct <= total:
        raise ValueError("correct answers must be between 0 and the number of questions")
    return (100 * correct) // total


def passed(score: int, pass_mark: int) -> bool:
    """A score at the pass mark passes."""
    return score >= pass_mark
