"""Sentences and clauses of an article, as code-point offsets into its text.

Lines are split first (headlines and list items rarely end with a full stop), then syntok
finds the sentences inside each line. Clauses split a sentence where a counterpart can
reasonably stop: at commas, semicolons, colons and dashes, and before a few joining words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"[^\n\r\u2028\u2029]+")
_WORDY = re.compile(r"\w")
# Where one clause ends and the next begins: after , ; : and dashes, and before words that
# open a new clause. The boundary is the start of the next clause.
_CLAUSE_BREAK = re.compile(
    r"(?<=[,;:])\s+"
    r"|\s+[\u2014\u2013]\s*|\s+-\s+"
    r"|\s+(?=(?:while|whereas|although|because|resulting|leading|citing|stating|saying|"
    r"according\s+to|following|amid|despite)\b)",
    re.IGNORECASE,
)
# A clause shorter than this many word characters is joined to its neighbour.
_MIN_CLAUSE_WORDS = 3


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    line: int  # index of the line (paragraph) the sentence sits in
    clauses: tuple[tuple[int, int], ...]


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence holding at least one letter or digit, in reading order."""
    import syntok.segmenter as segmenter

    out: list[Sentence] = []
    for line_no, line in enumerate(_LINE.finditer(text)):
        base = line.start()
        for paragraph in segmenter.analyze(line.group()):
            for sentence in paragraph:
                tokens = list(sentence)
                if not tokens:
                    continue
                start = base + tokens[0].offset
                end = base + tokens[-1].offset + len(tokens[-1].value)
                start, end = _trim(text, start, end)
                if end > start and _WORDY.search(text, start, end):
                    out.append(Sentence(start, end, line_no, split_clauses(text, start, end)))
    return out


def split_clauses(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """Clause spans covering ``text[start:end]`` without gaps of words."""
    pieces: list[tuple[int, int]] = []
    at = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        if match.start() > at:
            pieces.append((at, match.start()))
        at = match.end()
    if end > at:
        pieces.append((at, end))
    merged: list[tuple[int, int]] = []
    for piece in pieces:
        if merged and (
            _words(text, *merged[-1]) < _MIN_CLAUSE_WORDS
            or _words(text, *piece) < _MIN_CLAUSE_WORDS
        ):
            merged[-1] = (merged[-1][0], piece[1])
        else:
            merged.append(piece)
    trimmed = [_trim(text, s, e) for s, e in merged]
    return tuple(trimmed[:1] + [_drop_conjunction(text, s, e) for s, e in trimmed[1:]])


_CONJUNCTION = re.compile(r"(?:and|but|or|while|whereas)\s+(?=\w)", re.IGNORECASE)


def _drop_conjunction(text: str, start: int, end: int) -> tuple[int, int]:
    """A clause after a comma starts at its subject, not at the "and" joining it."""
    match = _CONJUNCTION.match(text, start, end)
    if match:
        return match.end(), end
    return start, end


def _words(text: str, start: int, end: int) -> int:
    return len(re.findall(r"\w+", text[start:end]))


# Trailing punctuation that belongs to no claim, and quotes or brackets left unbalanced.
_EDGE = " \t,;:\u2014\u2013-*#"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end
