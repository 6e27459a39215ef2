"""Spans, quotes and their context, in code points."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.anchoring import (
    CONTEXT_CHARS,
    Selector,
    check_span,
    find_quote,
    make_selector,
    reanchor,
)
from desktop.core.errors import InvalidInput

TEXT = "Москва 🇷🇺 said: two died. Baku 🇦🇿 said: two died. Cafe\u0301\u00a0closed."


def test_make_selector_slices_code_points() -> None:
    start = TEXT.index("Baku")
    selector = make_selector(TEXT, start, start + 7)
    assert selector == Selector(
        start=start,
        end=start + 7,
        exact="Baku 🇦🇿",
        prefix=TEXT[max(0, start - CONTEXT_CHARS) : start],
        suffix=TEXT[start + 7 : start + 7 + CONTEXT_CHARS],
    )
    assert CONTEXT_CHARS == 32
    assert make_selector(TEXT, 0, 6).prefix == ""
    assert make_selector(TEXT, len(TEXT) - 7, len(TEXT)).suffix == ""


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 3, "span -1-3 lies outside the article (its text has 10 characters)"),
        (0, 11, "span 0-11 lies outside the article (its text has 10 characters)"),
        (4, 4, "span 4-4 is empty (the end must be after the start)"),
        (5, 2, "span 5-2 is empty (the end must be after the start)"),
    ],
)
def test_check_span_refusals(start: int, end: int, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_span(10, start, end)
    assert str(caught.value) == message
    with pytest.raises(InvalidInput):
        make_selector("0123456789", start, end)


def test_find_quote_counts_occurrences() -> None:
    first = find_quote(TEXT, "two died")
    second = find_quote(TEXT, "two died", occurrence=2)
    assert TEXT[first[0] : first[1]] == TEXT[second[0] : second[1]] == "two died"
    assert first[0] < second[0]
    assert find_quote("aaaa", "aa", occurrence=3) == (2, 4)  # overlapping occurrences count
    start, end = find_quote(TEXT, "Cafe\u0301\u00a0closed")
    assert end == len(TEXT) - 1 and end - start == 12


@pytest.mark.parametrize(
    ("quote", "occurrence", "message"),
    [
        ("two died", 3, "quote 'two died' occurs 2 time(s), not 3"),
        ("three died", 1, "quote 'three died' does not occur in the article"),
        ("Cafe closed", 1, "quote 'Cafe closed' does not occur in the article"),  # NBSP matters
        ("", 1, "the quote to find is empty"),
        ("two died", 0, "--occurrence counts from 1"),
        ("x" * 80, 1, "quote '" + "x" * 57 + "...' does not occur in the article"),
    ],
)
def test_find_quote_refusals(quote: str, occurrence: int, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        find_quote(TEXT, quote, occurrence)
    assert str(caught.value) == message


def test_reanchor_in_unchanged_text_is_exact() -> None:
    start = TEXT.index("Baku")
    selector = make_selector(TEXT, start, start + 4)
    assert reanchor(TEXT, selector) == (start, start + 4, 1.0)


def test_reanchor_follows_moved_text_to_the_same_claim() -> None:
    second = TEXT.index("two died", TEXT.index("Baku"))
    selector = make_selector(TEXT, second, second + 8)
    edited = "UPDATE: " + TEXT
    start, end, score = reanchor(edited, selector)  # type: ignore[misc]
    assert (start, end) == (second + 8, second + 16)
    assert score == 1.0  # context on both sides still matches
    assert reanchor("nothing in common", selector) is None


def test_reanchor_prefers_matching_context() -> None:
    text = "Baku said two died. Moscow said two died."
    target = text.index("two died", 15)
    selector = make_selector(text, target, target + 8)
    rewritten = "Moscow said two died. Baku said two died."
    start, _, score = reanchor(rewritten, selector)  # type: ignore[misc]
    assert rewritten[start - 12 : start] == "Moscow said "
    assert 0.5 < score < 1.0


@given(st.text(min_size=1, max_size=200), st.data())
def test_selector_quote_is_always_the_slice(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=len(text)))
    selector = make_selector(text, start, end)
    assert selector.exact == text[start:end]
    assert selector.prefix + selector.exact + selector.suffix in text
    assert len(selector.prefix) == min(start, CONTEXT_CHARS)
    assert len(selector.suffix) == min(len(text) - end, CONTEXT_CHARS)
    assert reanchor(text, selector) == (start, end, 1.0)
