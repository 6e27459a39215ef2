"""Alignment of two versions, sentence by sentence, and of every version in a project.

Blocking: two sentences are scored only if one holds a telling word of the other (a word
found in few sentences of its own article), looked up in an inverted index; sentences are
never scored against every sentence of every version. A candidate is scored by meaning
(cosine of mean word vectors) and words (overlap of stemmed content words), against the
other version's sentences and against two neighbouring sentences joined, so a sentence
rewritten as two (or two merged into one) still finds its counterpart. A link is kept only
above a threshold and with a margin over the best candidate that does not overlap it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.compare.index import ArticleIndex, Blocking

if TYPE_CHECKING:
    from collections.abc import Sequence

SEMANTIC_WEIGHT = 0.5
THRESHOLD = 0.5
MARGIN = 0.03


@dataclass(frozen=True)
class Link:
    """Sentences ``a_first..a_last`` of one version say what ``b_first..b_last`` of the
    other say (inclusive ranges; one of them is a single sentence)."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int
    score: float


@dataclass(frozen=True)
class PairAlignment:
    links: tuple[Link, ...]
    best_a: tuple[float, ...]  # each sentence's best candidate score, kept or not
    best_b: tuple[float, ...]

    def flipped(self) -> PairAlignment:
        return PairAlignment(
            tuple(Link(k.b_first, k.b_last, k.a_first, k.a_last, k.score) for k in self.links),
            self.best_b,
            self.best_a,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "links": [[k.a_first, k.a_last, k.b_first, k.b_last, round(k.score, 4)]
                      for k in self.links],
            "best_a": [round(x, 4) for x in self.best_a],
            "best_b": [round(x, 4) for x in self.best_b],
        }

    @classmethod
    def from_json(cls, data: dict[str, list[object]]) -> PairAlignment:
        links = tuple(Link(*row) for row in data["links"])  # type: ignore[misc]
        return cls(links, tuple(data["best_a"]), tuple(data["best_b"]))  # type: ignore[arg-type]


def _one_way(
    a: ArticleIndex, b: ArticleIndex, block_a: Blocking, block_b: Blocking
) -> tuple[list[Link], list[float]]:
    """Links found by looking each sentence of ``a`` up in ``b``."""
    import numpy as np

    va, vb, pb = a.sentence_vectors, b.sentence_vectors, b.pair_vectors
    links: list[Link] = []
    best: list[float] = []
    n_b = len(b.sentences)
    for i, anchors in enumerate(block_a.anchors):
        found: set[int] = set()
        for k in anchors:
            found.update(block_b.postings.get(k, ()))
        if not found:
            best.append(0.0)
            continue
        # Units: single sentences j, and j joined with j+1 (same paragraph) as j + n_b.
        units = sorted(found | {j + n_b for j in found if pb[j].any()}
                       | {j - 1 + n_b for j in found if j and pb[j - 1].any()})
        singles = [u for u in units if u < n_b]
        doubles = [u - n_b for u in units if u >= n_b]
        sem = np.concatenate([vb[singles] @ va[i], pb[doubles] @ va[i]]) if doubles else (
            vb[singles] @ va[i]
        )
        words_a = block_a.word_sets[i]
        scored: list[tuple[float, int, int]] = []
        for u, s in zip(singles + doubles, sem.tolist(), strict=True):
            last = u if len(scored) < len(singles) else u + 1
            words_b = block_b.word_sets[u] | block_b.word_sets[last]
            lexical = (
                len(words_a & words_b) / math.sqrt(len(words_a) * len(words_b))
                if words_a and words_b else 0.0
            )
            scored.append((SEMANTIC_WEIGHT * s + (1 - SEMANTIC_WEIGHT) * lexical, u, last))
        scored.sort(reverse=True)
        top, first, last = scored[0]
        best.append(top)
        runner = max(
            (s for s, f, l in scored[1:] if l < first or f > last), default=0.0
        )
        if top >= THRESHOLD and top - runner >= MARGIN:
            links.append(Link(i, i, first, last, top))
    return links, best


def align_pair(a: ArticleIndex, b: ArticleIndex) -> PairAlignment:
    """Links between two versions, found from both sides."""
    from desktop.core.compare.index import blocking

    block_a, block_b = blocking(a), blocking(b)
    forward, best_a = _one_way(a, b, block_a, block_b)
    backward, best_b = _one_way(b, a, block_b, block_a)
    links: dict[tuple[int, int, int, int], float] = {}
    for k in forward:
        links[(k.a_first, k.a_last, k.b_first, k.b_last)] = k.score
    for k in backward:
        key = (k.b_first, k.b_last, k.a_first, k.a_last)
        links[key] = max(k.score, links.get(key, 0.0))
    for k in forward:
        for j in range(k.b_first, k.b_last + 1):
            best_b[j] = max(best_b[j], k.score)
    for k in backward:
        for i in range(k.b_first, k.b_last + 1):
            best_a[i] = max(best_a[i], k.score)
    ordered = sorted(links.items())
    return PairAlignment(
        tuple(Link(*key, score) for key, score in ordered), tuple(best_a), tuple(best_b)
    )


def sentences_without_counterpart(
    best_per_pair: Sequence[Sequence[float]], count: int
) -> list[int]:
    """Sentences whose best candidate in every other version stays under the threshold."""
    return [
        i for i in range(count) if all(best[i] < THRESHOLD for best in best_per_pair)
    ]
