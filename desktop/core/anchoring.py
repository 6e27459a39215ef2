"""Spans of article text addressed by Unicode code-point offsets, and quote selectors.

Offsets are indices into the Python ``str`` of the article (code points, end-exclusive), the
same on every platform and in every export. Views that count in UTF-16 convert at their edge.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from desktop.core.errors import InvalidInput

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Selector:
    """Where a quote sits: its position and the text around it, enough to find it again."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def check_span(text_length: int, start: int, end: int) -> None:
    if start < 0 or end > text_length:
        raise InvalidInput(
            f"span {start}-{end} lies outside the article (its text has {text_length} characters)"
        )
    if start >= end:
        raise InvalidInput(f"span {start}-{end} is empty (the end must be after the start)")


def make_selector(text: str, start: int, end: int) -> Selector:
    check_span(len(text), start, end)
    return Selector(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """The span of the n-th (1-based) occurrence of ``quote``; a clear error if there is none."""
    if not quote:
        raise InvalidInput("the quote to find is empty")
    if occurrence < 1:
        raise InvalidInput("--occurrence counts from 1")
    positions: list[int] = []
    at = text.find(quote)
    while at != -1:
        positions.append(at)
        at = text.find(quote, at + 1)
    if not positions:
        raise InvalidInput(f"quote {_short(quote)} does not occur in the article")
    if occurrence > len(positions):
        raise InvalidInput(
            f"quote {_short(quote)} occurs {len(positions)} time(s), not {occurrence}"
        )
    start = positions[occurrence - 1]
    return start, start + len(quote)


def reanchor(text: str, selector: Selector) -> tuple[int, int, float] | None:
    """Find a selector's quote in (possibly changed) text; 1.0 means position and context agree.

    Among several occurrences the one whose surrounding text matches the stored prefix and suffix
    best wins, so a verdict lands on the same claim, not merely the same words.
    """
    start, end = selector.start, selector.end
    if (
        text[start:end] == selector.exact
        and text[max(0, start - len(selector.prefix)) : start] == selector.prefix
        and text[end : end + len(selector.suffix)] == selector.suffix
    ):
        return start, end, 1.0
    best: tuple[int, int, float] | None = None
    at = text.find(selector.exact) if selector.exact else -1
    while at != -1:
        end = at + len(selector.exact)
        score = 0.5 + 0.25 * _common_suffix(text[max(0, at - CONTEXT_CHARS) : at], selector.prefix)
        score += 0.25 * _common_prefix(text[end : end + CONTEXT_CHARS], selector.suffix)
        if best is None or score > best[2]:
            best = (at, end, score)
        at = text.find(selector.exact, at + 1)
    return best


# --- selections as a reviewer means them -----------------------------------------------------
#
# Pure functions over code points, used by the window before a selection is tagged and when a
# span is adjusted: no Qt, so they are tested on their own.

# Inside a word these join its parts: "Ukraine's", "pro-Russian", "Ziyaddin’s".
_JOINERS = frozenset("'’‐-")


def is_word_char(ch: str) -> bool:
    """Letters, digits, combining marks and the connector ``_``: what a word is made of."""
    return unicodedata.category(ch)[0] in "LNM" or ch == "_"


def _in_word(text: str, i: int) -> bool:
    """True when ``text[i]`` belongs to a word (a joiner counts between two word chars)."""
    if not 0 <= i < len(text):
        return False
    ch = text[i]
    if is_word_char(ch):
        return True
    return (
        ch in _JOINERS
        and 0 < i < len(text) - 1
        and is_word_char(text[i - 1])
        and is_word_char(text[i + 1])
    )


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without whitespace at either end; ``start == end`` when only spaces were
    selected. A leading space is never part of a claim."""
    start, end = max(start, 0), min(end, len(text))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen an end that falls inside a word to the whole word, then trim whitespace, as a
    word processor does with a dragged selection."""
    start, end = max(start, 0), min(end, len(text))
    if start < end and _in_word(text, start) and _in_word(text, start - 1):
        while _in_word(text, start - 1):
            start -= 1
    if start < end and _in_word(text, end - 1) and _in_word(text, end):
        while _in_word(text, end):
            end += 1
    return trim_span(text, start, end)


def next_boundary(text: str, position: int) -> int:
    """The end of the word (or punctuation mark) after ``position``, past any whitespace;
    ``position`` itself when only whitespace follows."""
    i = max(position, 0)
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        return min(max(position, 0), len(text))
    if not _in_word(text, i):
        return i + 1
    while _in_word(text, i):
        i += 1
    return i


def previous_boundary(text: str, position: int) -> int:
    """The start of the word (or punctuation mark) before ``position``, past any whitespace;
    ``position`` itself when only whitespace precedes it."""
    i = min(position, len(text))
    while i > 0 and text[i - 1].isspace():
        i -= 1
    if i <= 0:
        return max(min(position, len(text)), 0)
    if not _in_word(text, i - 1):
        return i - 1
    while _in_word(text, i - 1):
        i -= 1
    return i


Edge = Literal["start", "end"]


def move_edge(text: str, start: int, end: int, edge: Edge, step: int) -> tuple[int, int]:
    """Move one edge of ``[start, end)`` by a word (``step`` +1: rightwards, -1: leftwards).

    The span never becomes empty and never starts or ends in whitespace; a move that cannot
    be made returns the span unchanged.
    """
    if step not in (1, -1):
        raise ValueError("step is +1 or -1")
    if edge == "end":
        if step > 0:
            new_end = next_boundary(text, end)
        else:
            new_end = trim_span(text, start, previous_boundary(text, end))[1]
        return (start, new_end) if new_end > start else (start, end)
    if step < 0:
        new_start = previous_boundary(text, start)
    else:
        new_start = trim_span(text, next_boundary(text, start), end)[0]
    return (new_start, end) if new_start < end else (start, end)


def _common_prefix(a: str, b: str) -> float:
    if not b:
        return 1.0
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n / len(b)


def _common_suffix(a: str, b: str) -> float:
    return _common_prefix(a[::-1], b[::-1])


def _short(quote: str) -> str:
    return repr(quote if len(quote) <= 60 else quote[:57] + "...")
