"""Where reviewers of one article disagree, found from their annotations alone (no I/O).

Annotations that overlap (share a code point), directly or through others, form a group. A
group is a disagreement when it is not the same span tagged alike by every reviewer counted
on the article:

- ``verdicts``: the same span, tagged with different verdicts;
- ``missing``: tagged by only some of the reviewers (by one only, when there are two);
- ``boundaries``: overlapping spans whose boundaries differ.

A group whose every annotation is already settled by an adjudicator counts as settled. Its id
is derived from the annotations in it, so it stays the same as long as they do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

KINDS = {
    "verdicts": "same span, different verdicts",
    "missing": "tagged by only some reviewers",
    "boundaries": "overlapping spans, different boundaries",
}


class Tag(NamedTuple):
    """One reviewer's annotation, as far as agreement is concerned."""

    id: str
    reviewer: str
    start: int
    end: int
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class Group:
    kind: str | None  # None: every reviewer tagged the same span alike
    start: int
    end: int
    tags: tuple[Tag, ...]
    missing: tuple[str, ...] = ()  # counted reviewers who tagged nothing here
    settled: bool = False

    @cached_property
    def id(self) -> str:
        return group_id(self.tags)

    @property
    def reviewers(self) -> list[str]:
        return sorted({t.reviewer for t in self.tags})

    @property
    def description(self) -> str:
        return KINDS[self.kind] if self.kind else "agreed"

    def side(self, reviewer: str) -> list[Tag]:
        return [t for t in self.tags if t.reviewer == reviewer]


@dataclass(frozen=True)
class ArticleGroups:
    reviewers: tuple[str, ...]
    groups: tuple[Group, ...] = field(default_factory=tuple)

    @property
    def disagreements(self) -> list[Group]:
        return [g for g in self.groups if g.kind is not None]

    @property
    def open(self) -> list[Group]:
        return [g for g in self.disagreements if not g.settled]

    @property
    def agreed(self) -> list[Group]:
        return [g for g in self.groups if g.kind is None]


def group_id(tags: Iterable[Tag]) -> str:
    digest = hashlib.sha256(" ".join(sorted(t.id for t in tags)).encode("ascii"))
    return "d" + digest.hexdigest()[:8]


def find_groups(
    reviewers: Sequence[str], tags: Sequence[Tag], settled_ids: Iterable[str] = ()
) -> ArticleGroups:
    """Group ``tags`` (the counted reviewers' live annotations) of one article.

    With fewer than two reviewers nothing can disagree, and no group is made.
    """
    counted = tuple(sorted(set(reviewers)))
    if len(counted) < 2:
        return ArticleGroups(counted)
    settled = set(settled_ids)
    groups: list[Group] = []
    current: list[Tag] = []
    reach = 0  # the end of the current group so far
    for tag in sorted(tags, key=lambda t: (t.start, t.end, t.reviewer, t.id)):
        if current and tag.start >= reach:
            groups.append(_group(counted, current, reach, settled))
            current = []
        reach = max(reach, tag.end) if current else tag.end
        current.append(tag)
    if current:
        groups.append(_group(counted, current, reach, settled))
    return ArticleGroups(counted, tuple(groups))


def _group(reviewers: tuple[str, ...], tags: list[Tag], end: int, settled: set[str]) -> Group:
    """``tags`` overlap one another and are sorted by start; ``end`` is where they end."""
    is_settled = bool(settled) and all(t.id in settled for t in tags)
    first = tags[0]
    kind: str | None
    if len(tags) == len(reviewers) and len({t.reviewer for t in tags}) == len(tags):
        # The usual case: one annotation per reviewer.
        if all(t.start == first.start and t.end == first.end for t in tags):
            kind = None if all(t.verdict == first.verdict for t in tags) else "verdicts"
            return Group(kind, first.start, end, tuple(tags), (), is_settled)
        return Group("boundaries", first.start, end, tuple(tags), (), is_settled)
    spans: dict[str, set[tuple[int, int]]] = {}
    verdicts: dict[str, set[tuple[int, int, str]]] = {}
    for t in tags:
        spans.setdefault(t.reviewer, set()).add((t.start, t.end))
        verdicts.setdefault(t.reviewer, set()).add((t.start, t.end, t.verdict))
    missing = tuple(r for r in reviewers if r not in spans)
    if len({frozenset(s) for s in spans.values()}) > 1:
        kind = "boundaries"
    elif missing:
        kind = "missing"
    elif len({frozenset(v) for v in verdicts.values()}) > 1:
        kind = "verdicts"
    else:
        kind = None
    return Group(kind, first.start, end, tuple(tags), missing, is_settled)
