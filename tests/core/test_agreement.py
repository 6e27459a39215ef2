"""Agreement figures: Krippendorff's uα, Cohen's κ and percent agreement."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from desktop.core import agreement
from desktop.core.agreement import coding, unitizing_alpha


def _book(units: list[tuple[int, int, int]]) -> agreement.Coding:
    """Units written as in the book: first and last position, counted from 1."""
    return coding(60, [(first - 1, last, value) for first, last, value in units])


def test_krippendorff_2019_three_observers_example() -> None:
    """Krippendorff, Content Analysis (4th ed., 2019, §12.6, fig. 12.11): three observers
    unitize a continuum of 60 with values 1-7; the book gives uα = .510. The units are those
    of the figure (as transcribed by a published re-implementation; the book itself was not
    at hand)."""
    alex = _book([(1, 7, 1), (8, 13, 2), (31, 32, 5), (33, 37, 6), (38, 44, 6), (45, 60, 7)])
    paul = _book([(1, 7, 1), (8, 13, 3), (14, 21, 5), (33, 44, 6)])
    suzan = _book([(1, 7, 1), (8, 13, 4), (14, 21, 5), (33, 37, 6), (38, 41, 6), (42, 44, 6)])
    alpha = unitizing_alpha(60, [alex, paul, suzan], values=7)
    assert alpha is not None
    assert round(alpha, 3) == 0.510


def test_a_case_worked_by_hand_from_the_formula() -> None:
    """Ten code points; A tags 0-4 and B tags 2-6 with the same value.

    Observed coincidences over both orders of the pair, divided by m - 1 = 1:
    l(1,1) = 4 (points 2, 3), l(1,φ) = l(φ,1) = 4 (points 0, 1, 4, 5), l(φ,φ) = 8
    (points 6-9), so l.. = 20, l1. = 8, lφ. = 12 and Do = 8.
    Pairs inside one segment: units 4² + 4² = 32, untagged text counts its length, 6 + 6.
    De = 2 · 12 · 8 / (20 - 44 / 20) = 192 / 17.8, so uα = 1 - 8 · 17.8 / 192 = 31/120.
    """
    a = coding(10, [(0, 4, 1)])
    b = coding(10, [(2, 6, 1)])
    alpha = unitizing_alpha(10, [a, b], values=1)
    assert alpha == pytest.approx(float(Fraction(31, 120)), abs=1e-12)


def test_identical_tagging_scores_one() -> None:
    spans = [(0, 10, 1), (20, 35, 3), (50, 60, 2)]
    two = [coding(100, spans), coding(100, list(reversed(spans)))]
    assert unitizing_alpha(100, two) == 1.0
    assert unitizing_alpha(100, [*two, coding(100, spans)]) == 1.0


def test_disjoint_spans_score_at_or_below_zero() -> None:
    a = coding(100, [(0, 10, 1), (40, 50, 3)])
    b = coding(100, [(20, 30, 1), (60, 70, 3)])
    alpha = unitizing_alpha(100, [a, b])
    assert alpha is not None and alpha <= 0


def test_same_spans_other_verdicts_score_lower_than_same_verdicts() -> None:
    a = coding(100, [(0, 10, 1), (40, 50, 3)])
    same = coding(100, [(0, 10, 1), (40, 50, 3)])
    other = coding(100, [(0, 10, 3), (40, 50, 1)])
    shifted = coding(100, [(2, 12, 1), (40, 50, 3)])
    scores = [unitizing_alpha(100, [a, c]) for c in (same, shifted, other)]
    assert scores[0] == 1.0
    assert scores[0] > scores[1] > scores[2]  # type: ignore[operator]


def test_undefined_alpha_is_none_never_nan() -> None:
    one = coding(50, [(0, 10, 1)])
    assert unitizing_alpha(50, [one]) is None
    nothing = coding(50, [])
    assert unitizing_alpha(50, [nothing, nothing]) is None
    everything = coding(50, [(0, 50, 2)])
    assert unitizing_alpha(50, [everything, everything]) is None
    assert unitizing_alpha(0, [coding(0, []), coding(0, [])]) is None


def test_overlapping_spans_of_one_coder_show_the_most_serious_value() -> None:
    c = coding(20, [(0, 10, 1), (4, 6, 3)])
    assert c.values.tolist()[:11] == [1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 0]
    # Each unbroken stretch is a unit: 4 + 2 + 4.
    assert sorted(zip(c.unit_lengths.tolist(), c.unit_values.tolist(), strict=True)) == [
        (2, 3),
        (4, 1),
        (4, 1),
    ]
    with pytest.raises(ValueError, match="does not fit"):
        coding(20, [(15, 25, 1)])


def _token_text(count: int) -> str:
    return " ".join(f"w{i}" for i in range(count))  # token i is at 3i .. 3i+2


def _tags(values: list[int]) -> list[tuple[int, int, int]]:
    return [(3 * i, 3 * i + 2, v) for i, v in enumerate(values) if v]


def test_kappa_and_percent_worked_by_hand() -> None:
    """Ten tokens. A: 1 1 1 0 0 0 0 0 3 3, B: 1 1 0 0 0 0 0 0 3 1.
    p_o = 8/10; p_e = (5·6 + 3·3 + 2·1)/100 = 0.41; κ = 0.39/0.59.
    Tagged or not: p_o = 0.9, p_e = (5·4 + 5·6)/100 = 0.5, κ = 0.8.
    Percent agreement over the 5 tokens either tagged: 3 agree."""
    text = _token_text(10)
    toks = agreement.tokens(text)
    assert toks.count == 10
    a = agreement.token_values(toks, coding(len(text), _tags([1, 1, 1, 0, 0, 0, 0, 0, 3, 3])))
    b = agreement.token_values(toks, coding(len(text), _tags([1, 1, 0, 0, 0, 0, 0, 0, 3, 1])))
    assert agreement.cohen_kappa(a, b) == pytest.approx(0.39 / 0.59)
    assert agreement.cohen_kappa(a, b, binary=True) == pytest.approx(0.8)
    assert agreement.percent_agreement(a, b) == pytest.approx(0.6)


def test_a_token_takes_a_span_that_covers_part_of_it() -> None:
    text = "Forty two people died."
    toks = agreement.tokens(text)
    assert toks.count == 4  # punctuation is not a token
    # A span that ends inside "people" still tags the word.
    values = agreement.token_values(toks, coding(len(text), [(0, 12, 3)]))
    assert values.tolist() == [3, 3, 3, 0]
    assert agreement.tokens("… — !").count == 0
    assert agreement.tokens("").count == 0


def test_untagged_text_counts_for_kappa_but_not_for_percent_agreement() -> None:
    short, long_ = _token_text(10), _token_text(1_000)
    for text in (short, long_):
        toks = agreement.tokens(text)
        a = agreement.token_values(toks, coding(len(text), [(0, 5, 1)]))
        b = agreement.token_values(toks, coding(len(text), [(0, 5, 3)]))
        assert agreement.percent_agreement(a, b) == 0.0
    nothing = np.zeros(5, dtype=np.int64)
    assert agreement.percent_agreement(nothing, nothing) is None
    assert agreement.cohen_kappa(nothing, nothing) is None
    assert agreement.mean([None, 0.5, None, 1.0]) == 0.75
    assert agreement.mean([None]) is None
