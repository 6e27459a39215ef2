"""Code points (how offsets are stored) ↔ UTF-16 code units (how Qt counts text positions).

Every character outside the Basic Multilingual Plane (emoji, some CJK, historic scripts) is one
code point but two UTF-16 units, a surrogate pair. A position Qt reports may fall between the two
halves of a pair; converting it back rounds so a span never splits a character.

Qt's text document keeps one position per UTF-16 unit of the text given to ``setPlainText``
with one exception: ``"\\r\\n"`` collapses into a single paragraph break. ``display_text`` gives
a text safe to show, position for position.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Utf16Map:
    """Converts positions in one text. Building it is one regex scan; identity when no astral
    characters occur, else a bisect over the sorted astral positions."""

    __slots__ = ("_astral_cp", "_astral_u16", "cp_length", "u16_length")

    def __init__(self, text: str) -> None:
        if text.isascii():
            astral: list[int] = []
        else:
            astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_cp = astral
        # Where each astral character starts in UTF-16: its code point index plus the number of
        # astral characters before it.
        self._astral_u16 = [cp + k for k, cp in enumerate(astral)]
        self.cp_length = len(text)
        self.u16_length = len(text) + len(astral)

    @property
    def is_identity(self) -> bool:
        return not self._astral_cp

    def to_utf16(self, cp: int) -> int:
        """The UTF-16 index of code point ``cp`` (clamped to the text)."""
        cp = min(max(cp, 0), self.cp_length)
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def to_codepoint(self, u16: int, round_up: bool = False) -> int:
        """The code point index of UTF-16 index ``u16`` (clamped to the text).

        Inside a surrogate pair, round down for the start of a span and up for its end, so
        the span covers the whole character rather than half of it.
        """
        u16 = min(max(u16, 0), self.u16_length)
        if not self._astral_u16:
            return u16
        before = bisect_left(self._astral_u16, u16)  # astral characters starting before u16
        if before and self._astral_u16[before - 1] + 1 == u16:
            cp = self._astral_cp[before - 1]
            return cp + 1 if round_up else cp
        return u16 - before

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def span_to_codepoints(self, start: int, end: int) -> tuple[int, int]:
        """A UTF-16 span as code points, widened to whole characters."""
        return self.to_codepoint(start), self.to_codepoint(end, round_up=True)


def display_text(text: str) -> str:
    """``text`` made safe for ``setPlainText`` without moving any position.

    ``"\\r\\n"`` would become one position in Qt but is two code points, so each ``"\\r"`` shows
    as a line break; a lone surrogate (never valid Unicode) shows as U+FFFD.
    """
    if "\r" in text:
        text = text.replace("\r", "\n")
    if not text.isascii() and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text
