"""Comparing every version of a story: what the window and the command line call.

A Comparison is built from the articles' texts and does its work on demand, in the calling
thread: ``prepare`` (sentences and vectors of each article), ``align`` (every pair of
versions), then ``counterparts``, ``groups`` and ``unique`` read the results. Each step
reads and fills the cache, so reopening a project recomputes nothing. Adding a version
aligns only its own pairs. Nothing here touches the project file or the GUI; a window runs
``align`` in a worker thread and calls the readers afterwards (each is quick).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.anchoring import check_span
from desktop.core.compare.align import THRESHOLD, PairAlignment, align_pairs
from desktop.core.compare.cache import Cache, pack_index, unpack_index
from desktop.core.compare.counterparts import ABSENT, Counterpart, Query, counterpart
from desktop.core.compare.facts import Difference, differences
from desktop.core.compare.index import ArticleIndex
from desktop.core.compare.words import Rarity
from desktop.core.errors import CrosscheckError, InvalidInput, NotFound

Progress = Callable[[int, int], None]  # (done, total)
# Version pairs aligned per batch of array operations: large enough to amortise them, small
# enough to report progress and honour a cancel every few seconds.
_PAIRS_PER_BATCH = 5_000
# How many of the closest versions a passage proposed as found nowhere else is checked in.
_UNIQUE_CHECKS = 5
Cancelled = Callable[[], bool]


class CompareCancelled(CrosscheckError):
    """The caller asked the comparison to stop; nothing was kept half-done."""


@dataclass(frozen=True)
class Version:
    """One article as a comparison sees it."""

    article_id: str
    title: str
    text: str
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
            object.__setattr__(self, "sha256", digest)


@dataclass(frozen=True)
class Passage:
    article_id: str
    start: int
    end: int
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class GroupDifference:
    """A fact that differs between the group's first member and another member."""

    here_article_id: str
    there_article_id: str
    difference: Difference

    def to_json(self) -> dict[str, Any]:
        return {
            "here_article_id": self.here_article_id,
            "there_article_id": self.there_article_id,
            **self.difference.to_json(),
        }


@dataclass(frozen=True)
class Group:
    """Passages of several versions that say the same thing (linked by alignment)."""

    members: tuple[Passage, ...]
    differences: tuple[GroupDifference, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "members": [m.to_json() for m in self.members],
            "differences": [d.to_json() for d in self.differences],
        }


@dataclass
class Stats:
    """What the last calls computed, and what they found ready in the cache."""

    articles_indexed: int = 0
    articles_cached: int = 0
    pairs_aligned: int = 0
    pairs_cached: int = 0


@dataclass
class Comparison:
    versions: list[Version]
    cache: Cache | None = None
    stats: Stats = field(default_factory=Stats)
    _index: dict[str, ArticleIndex] = field(default_factory=dict)
    _pairs: dict[tuple[str, str], PairAlignment] = field(default_factory=dict)
    # Word weights per (source, target) article, kept between counterpart queries.
    _rarity: dict[tuple[str, str], Rarity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = [v.article_id for v in self.versions]
        if len(set(ids)) != len(ids):
            raise InvalidInput("the same article is listed twice")

    # --- building --------------------------------------------------------------------------

    def version(self, article_id: str) -> Version:
        for v in self.versions:
            if v.article_id == article_id:
                return v
        raise NotFound(f"no article with id {article_id}")

    def prepare(self, progress: Progress | None = None, cancelled: Cancelled | None = None) -> None:
        """Sentences and vectors of every version (from the cache where it has them)."""
        missing = [v for v in self.versions if v.article_id not in self._index]
        if not missing:
            return
        stored = self.cache.articles([v.sha256 for v in missing]) if self.cache else {}
        fresh: list[tuple[str, bytes]] = []
        for n, v in enumerate(missing):
            if cancelled and cancelled():
                raise CompareCancelled("comparison cancelled")
            blob = stored.get(v.sha256)
            index = unpack_index(v.article_id, v.text, blob) if blob else None
            if index is None:
                index = ArticleIndex.build(v.article_id, v.text)
                fresh.append((v.sha256, pack_index(index)))
                self.stats.articles_indexed += 1
            else:
                self.stats.articles_cached += 1
            self._index[v.article_id] = index
            if progress:
                progress(n + 1, len(missing))
        if self.cache:
            self.cache.put_articles(fresh)

    def align(self, progress: Progress | None = None, cancelled: Cancelled | None = None) -> None:
        """Every pair of versions, aligned once (cached across runs)."""
        self._require_two()
        self.prepare(cancelled=cancelled)
        position = {v.article_id: i for i, v in enumerate(self.versions)}
        wanted = [
            (a, b)
            for i, a in enumerate(self.versions)
            for b in self.versions[i + 1 :]
            if (a.article_id, b.article_id) not in self._pairs
        ]
        stored = self.cache.pairs([(a.sha256, b.sha256) for a, b in wanted]) if self.cache else {}
        todo: list[tuple[Version, Version]] = []
        for a, b in wanted:
            pair = stored.get((a.sha256, b.sha256))
            if pair is None:
                todo.append((a, b))
            else:
                self._pairs[(a.article_id, b.article_id)] = pair
                self.stats.pairs_cached += 1
        if cancelled and cancelled():
            raise CompareCancelled("comparison cancelled")
        # Pairs are aligned in batches, so progress can be shown and a cancel honoured
        # between them; each batch is one set of array operations.
        fresh: list[tuple[tuple[str, str], PairAlignment]] = []
        indexes = [self._index[v.article_id] for v in self.versions]
        for at in range(0, len(todo), _PAIRS_PER_BATCH):
            batch = todo[at : at + _PAIRS_PER_BATCH]
            found = align_pairs(
                indexes, [(position[a.article_id], position[b.article_id]) for a, b in batch]
            )
            for a, b in batch:
                pair = found[(position[a.article_id], position[b.article_id])]
                self._pairs[(a.article_id, b.article_id)] = pair
                fresh.append(((a.sha256, b.sha256), pair))
            self.stats.pairs_aligned += len(batch)
            if progress:
                progress(at + len(batch), len(todo))
            if cancelled and cancelled():
                if self.cache:
                    self.cache.put_pairs(fresh)
                raise CompareCancelled("comparison cancelled")
        if self.cache:
            self.cache.put_pairs(fresh)

    def add(self, version: Version) -> None:
        """A new version; the next ``align`` computes only its pairs."""
        if any(v.article_id == version.article_id for v in self.versions):
            raise InvalidInput("that article is already part of the comparison")
        self.versions.append(version)

    def index(self, article_id: str) -> ArticleIndex:
        self.version(article_id)
        if article_id not in self._index:
            self.prepare()
        return self._index[article_id]

    def _require_two(self) -> None:
        if len(self.versions) < 2:
            raise InvalidInput(
                "the project has only one article: import another version of the story "
                "to compare it with"
            )

    # --- reading ---------------------------------------------------------------------------

    def counterparts(
        self,
        article_id: str,
        start: int,
        end: int,
        targets: Iterable[str] | None = None,
    ) -> list[Counterpart]:
        """For every other version (or ``targets``), the passage making the same claim as
        ``text[start:end]`` of ``article_id``, or an ``absent`` entry."""
        self._require_two()
        source = self.version(article_id)
        check_span(len(source.text), start, end)
        if not source.text[start:end].strip():
            raise InvalidInput("the span holds only white space: select the words of a claim")
        if not any(ch.isalnum() for ch in source.text[start:end]):
            raise InvalidInput("the span holds no words: select the words of a claim")
        self.prepare()
        query = Query.of(self._index[article_id], start, end)
        wanted = (
            list(targets)
            if targets is not None
            else [v.article_id for v in self.versions if v.article_id != article_id]
        )
        out: list[Counterpart] = []
        for target in wanted:
            if target == article_id:
                continue
            self.version(target)
            rarity = self._rarity.get((article_id, target))
            if rarity is None:
                rarity = Rarity(self._index[article_id].frequency, self._index[target].frequency)
                self._rarity[(article_id, target)] = rarity
            out.append(counterpart(query, self._index[target], rarity))
        return out

    def pair(self, a: str, b: str) -> PairAlignment:
        if (a, b) in self._pairs:
            return self._pairs[(a, b)]
        if (b, a) in self._pairs:
            return self._pairs[(b, a)].flipped()
        raise InvalidInput("the versions are not aligned yet: call align() first")

    def _require_aligned(self) -> None:
        n = len(self.versions)
        if len(self._pairs) < n * (n - 1) // 2 or len(self._index) < n:
            raise InvalidInput("the versions are not aligned yet: call align() first")

    def groups(self) -> list[Group]:
        """Passages linked across versions, in the reading order of their first member."""
        self._require_aligned()
        order = {v.article_id: i for i, v in enumerate(self.versions)}
        parent: dict[tuple[int, int], tuple[int, int]] = {}

        def find(x: tuple[int, int]) -> tuple[int, int]:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for (a, b), pair in self._pairs.items():
            ia, ib = order[a], order[b]
            for link in pair.links:
                root = find((ia, link.a_first))
                for s in range(link.a_first, link.a_last + 1):
                    parent[find((ia, s))] = root
                for s in range(link.b_first, link.b_last + 1):
                    parent[find((ib, s))] = root
        components: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for node in list(parent):
            components.setdefault(find(node), []).append(node)
        groups: list[Group] = []
        for nodes in components.values():
            if len({n[0] for n in nodes}) < 2:
                continue
            groups.append(self._group(sorted(nodes)))
        groups.sort(key=lambda g: (order[g.members[0].article_id], g.members[0].start))
        return groups

    def _group(self, nodes: list[tuple[int, int]]) -> Group:
        members: list[Passage] = []
        previous: tuple[int, int] | None = None
        for article_no, sentence_no in nodes:
            index = self._index[self.versions[article_no].article_id]
            s = index.sentences[sentence_no]
            last = members[-1] if members else None
            # Neighbouring sentences of one paragraph make one passage.
            if (
                last is not None
                and previous == (article_no, sentence_no - 1)
                and index.sentences[sentence_no - 1].line == s.line
            ):
                members[-1] = Passage(
                    last.article_id, last.start, s.end, index.text[last.start : s.end]
                )
            else:
                members.append(
                    Passage(index.article_id, s.start, s.end, index.text[s.start : s.end])
                )
            previous = (article_no, sentence_no)
        first = members[0]
        found: list[GroupDifference] = []
        first_text = self._index[first.article_id].text
        for other in members[1:]:
            if other.article_id == first.article_id:
                continue
            text = self._index[other.article_id].text
            for d in differences(
                first_text, (first.start, first.end), text, (other.start, other.end)
            ):
                found.append(GroupDifference(first.article_id, other.article_id, d))
        return Group(tuple(members), tuple(found))

    def unique(self) -> list[Passage]:
        """Sentences no other version says anything like. Alignment proposes them (no
        candidate in any other version reaches its threshold); each, and each of its
        clauses, is then checked the way a counterpart is found, against the versions where
        it came closest, and kept only if none has a counterpart there."""
        self._require_aligned()
        out: list[Passage] = []
        for v in self.versions:
            index = self._index[v.article_id]
            others = [o.article_id for o in self.versions if o.article_id != v.article_id]
            bests = {o: self.pair(v.article_id, o).best_a for o in others}
            for i, s in enumerate(index.sentences):
                scores = sorted(((bests[o][i], o) for o in others), reverse=True)
                if scores and scores[0][0] >= THRESHOLD:
                    continue
                closest = [o for score, o in scores[:_UNIQUE_CHECKS] if score > 0]
                # The whole sentence, and each clause of a longer one: a version may say
                # only part of it.
                spans = [(s.start, s.end)] + (list(s.clauses) if len(s.clauses) > 1 else [])
                if closest and any(
                    c.status != ABSENT
                    for a, b in spans
                    for c in self.counterparts(v.article_id, a, b, closest)
                ):
                    continue
                out.append(Passage(v.article_id, s.start, s.end, index.text[s.start : s.end]))
        return out


def versions_of(rows: Sequence[tuple[str, str, str, str]]) -> list[Version]:
    """Versions from (id, title, text, sha256) rows, as ``reads.article_texts`` gives them."""
    return [Version(*row) for row in rows]
