"""Trimming, snapping and adjusting selections over code points (no Qt)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.anchoring import (
    move_edge,
    next_boundary,
    previous_boundary,
    snap_to_words,
    trim_span,
)

TEXT = "Police said: killing all 67 of Ukraine's pro-Russian «agents». Café\u0301 🇦🇿 Baku"


def span_of(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def test_trim_drops_whitespace_at_both_ends() -> None:
    start, end = span_of(" killing all 67 ")
    assert TEXT[slice(*trim_span(TEXT, start, end))] == "killing all 67"
    assert trim_span(TEXT, start, start + 1) == (start + 1, start + 1)  # only a space
    nbsp = "a\u00a0\u2003b\n"
    assert trim_span(nbsp, 1, 5) == (3, 4)
    assert trim_span(nbsp, 1, 3) == (3, 3)
    assert trim_span(nbsp, 0, 5) == (0, 4)


@pytest.mark.parametrize(
    ("dragged", "expected"),
    [
        ("illing all 6", "killing all 67"),  # both ends inside words
        ("kraine", "Ukraine's"),  # an apostrophe joins a word
        ("Russian «ag", "pro-Russian «agents"),  # a hyphen too; punctuation is not a word
        ("Caf", "Café\u0301"),  # a combining accent belongs to its letter
        (" killing all", "killing all"),  # whole words: only the space goes
        ("said: ", "said:"),
    ],
)
def test_snap_widens_ends_inside_words_to_whole_words(dragged: str, expected: str) -> None:
    assert TEXT[slice(*snap_to_words(TEXT, *span_of(dragged)))] == expected


def test_snap_keeps_whole_words_and_works_on_code_points() -> None:
    text = "🇦🇿 Bakı said 🇷🇺"
    start = text.index("Bak")
    assert snap_to_words(text, start, start + 2) == (start, start + 4)
    assert snap_to_words(text, 0, 2) == (0, 2)  # a flag is not a word: unchanged


def test_word_boundaries() -> None:
    at = TEXT.index("killing")
    assert next_boundary(TEXT, at) == at + len("killing")
    assert next_boundary(TEXT, at + 7) == at + len("killing all")  # over the space
    assert previous_boundary(TEXT, at + 7) == at
    colon = TEXT.index(":")
    assert next_boundary(TEXT, colon) == colon + 1  # one punctuation mark at a time
    assert previous_boundary(TEXT, 0) == 0
    assert next_boundary(TEXT, len(TEXT)) == len(TEXT)


def test_moving_the_end_extends_and_shrinks_by_words() -> None:
    text = "in solidarity with Ukraine, officials said"
    start, end = text.index("solidarity"), text.index("Ukraine") + 6
    extended = move_edge(text, start, end, "end", 1)
    assert text[slice(*extended)] == "solidarity with Ukraine"
    assert text[slice(*move_edge(text, *extended, "end", 1))] == "solidarity with Ukraine,"
    shrunk = move_edge(text, *extended, "end", -1)
    assert text[slice(*shrunk)] == "solidarity with"
    # Never empty: shrinking the last word away is refused.
    one = (start, start + len("solidarity"))
    assert move_edge(text, *one, "end", -1) == one
    assert move_edge(text, *one, "start", 1) == one


def test_moving_the_start_extends_and_shrinks_by_words() -> None:
    text = "in solidarity with Ukraine, officials said"
    span = (text.index("with"), text.index(","))
    assert text[slice(*move_edge(text, *span, "start", -1))] == "solidarity with Ukraine"
    assert text[slice(*move_edge(text, *span, "start", 1))] == "Ukraine"
    at_start = (0, 2)
    assert move_edge(text, *at_start, "start", -1) == at_start
    with pytest.raises(ValueError):
        move_edge(text, *span, "start", 2)


@given(st.text(alphabet="ab 'é\u0301,-🇦", max_size=30), st.data())
def test_spans_stay_inside_the_text_and_never_start_or_end_in_space(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for s, e in (trim_span(text, start, end), snap_to_words(text, start, end)):
        assert 0 <= s <= e <= len(text)
        if e > s:
            assert not text[s].isspace() and not text[e - 1].isspace()
    # Snapping only widens what trimming keeps.
    ts, te = trim_span(text, start, end)
    s, e = snap_to_words(text, start, end)
    if te > ts:
        assert s <= ts and e >= te
    if end > start and text[start:end].strip():
        for edge in ("start", "end"):
            for step in (1, -1):
                ts, te = trim_span(text, start, end)
                ms, me = move_edge(text, ts, te, edge, step)
                assert 0 <= ms < me <= len(text)
                assert not text[ms].isspace() and not text[me - 1].isspace()
