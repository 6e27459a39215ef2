"""Spans of article text addressed by Unicode code-point offsets, and quote selectors.

Offsets are indices into the Python ``str`` of the article (code points, end-exclusive), the
same on every platform and in every export. Views that count in UTF-16 convert at their edge.
"""

from __future__ import annotations

from dataclasses import dataclass

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
