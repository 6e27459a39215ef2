"""One version seen against all the others: what a reader of it needs marked.

For each sentence, where its claim sits in every other version (the counterpart, found the
way ``Comparison.counterparts`` finds one); the facts other versions state differently, merged
per snippet of this version ("67": "38" in one version, "about 50" in another); and the
passages no other version carries. A window computes this once per version shown, after
alignment, off its GUI thread; reading it (what is under the mouse, where to scroll another
version to) is then immediate.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.compare.counterparts import ABSENT
from desktop.core.compare.facts import CONFLICTS
from desktop.core.errors import InvalidInput

if TYPE_CHECKING:
    from desktop.core.compare.comparison import Comparison, Passage

# What each kind of difference is called where a reader sees it.
KIND_NAMES = {
    "number": "a different number",
    "date": "a different date",
    "name": "a different name",
    "number_precision": "a figure given less or more exactly",
    "date_precision": "a date given less or more exactly",
    "name_spelling": "the name spelt differently",
}


@dataclass(frozen=True)
class FactNote:
    """What another version says in place of a fact of this one."""

    article_id: str
    kind: str
    there: str
    there_start: int
    there_end: int

    @property
    def conflict(self) -> bool:
        return self.kind in CONFLICTS


@dataclass(frozen=True)
class FactMark:
    """A snippet of this version (a number, a date, a name) that other versions state
    differently; ``conflict`` when at least one of them contradicts it."""

    start: int
    end: int
    text: str
    notes: tuple[FactNote, ...]

    @property
    def conflict(self) -> bool:
        return any(n.conflict for n in self.notes)


@dataclass(frozen=True)
class SentenceLinks:
    """A sentence of this version and its counterpart in each version that makes its claim
    (article id → start, end, status ``same`` or ``differs``)."""

    start: int
    end: int
    there: Mapping[str, tuple[int, int, str]]


@dataclass(frozen=True)
class Overview:
    article_id: str
    sentences: tuple[SentenceLinks, ...]
    facts: tuple[FactMark, ...]
    unique: tuple[tuple[int, int], ...]

    def sentence_at(self, position: int) -> tuple[int, int] | None:
        """The sentence holding code point ``position`` (or ending just before it)."""
        starts = [s.start for s in self.sentences]
        index = bisect_right(starts, position) - 1
        if index < 0:
            return None
        sentence = self.sentences[index]
        return (sentence.start, sentence.end) if position <= sentence.end else None

    def facts_at(self, position: int) -> list[FactMark]:
        return [f for f in self.facts if f.start <= position < f.end]

    def unique_at(self, position: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in self.unique if a <= position < b), None)

    def follow(self, position: int, target: str) -> tuple[int, int] | None:
        """Where reading at ``position`` here continues in ``target``: the first sentence at
        or after ``position`` with a counterpart there, as (its start here, the counterpart's
        start there); failing that, the last such sentence before it. None when ``target``
        shares no sentence with this version."""
        before: tuple[int, int] | None = None
        for sentence in self.sentences:
            found = sentence.there.get(target)
            if found is None:
                continue
            if sentence.end > position:
                return sentence.start, found[0]
            before = (sentence.start, found[0])
        return before


def overview(
    comparison: Comparison,
    article_id: str,
    unique: Sequence[Passage] = (),
    *,
    cancelled: Callable[[], bool] | None = None,
) -> Overview:
    """The overview of one version against every other version of ``comparison``; ``unique``
    is ``comparison.unique()`` (passages of other versions are ignored)."""
    from desktop.core.compare.comparison import CompareCancelled

    index = comparison.index(article_id)
    links: list[SentenceLinks] = []
    notes: dict[tuple[int, int], dict[tuple[str, str, int, int], FactNote]] = {}
    for sentence in index.sentences:
        if cancelled is not None and cancelled():
            raise CompareCancelled("comparison cancelled")
        try:
            found = comparison.counterparts(article_id, sentence.start, sentence.end)
        except InvalidInput:  # a "sentence" of no words: nothing to compare
            continue
        there: dict[str, tuple[int, int, str]] = {}
        for c in found:
            if c.status == ABSENT or c.start is None or c.end is None:
                continue
            there[c.article_id] = (c.start, c.end, c.status)
            for d in c.differences:
                note = FactNote(c.article_id, d.kind, d.there, d.there_start, d.there_end)
                key = (note.article_id, note.kind, note.there_start, note.there_end)
                notes.setdefault((d.here_start, d.here_end), {})[key] = note
        links.append(SentenceLinks(sentence.start, sentence.end, there))
    text = index.text
    facts = tuple(
        FactMark(start, end, text[start:end], tuple(found.values()))
        for (start, end), found in sorted(notes.items())
    )
    mine = tuple(sorted((p.start, p.end) for p in unique if p.article_id == article_id))
    return Overview(article_id, tuple(links), facts, mine)
