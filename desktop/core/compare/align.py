"""Alignment of every pair of versions, sentence by sentence.

Blocking: a sentence is compared only with the sentences of other versions that share one
of its telling words (a content word found in few sentences of its own article), found by
joining an inverted index of those words; nothing is scored against every sentence of every
version. Each candidate is then scored by meaning (cosine of mean word vectors) and words
(overlap of telling words), against single sentences and against two neighbouring sentences
of a paragraph joined, so a sentence rewritten as two (or two merged into one) still finds
its counterpart. A link is kept only above a threshold and with a margin over the best
candidate in the same version that does not overlap it. All of it runs as array operations
over every wanted pair at once; a pair's result depends on its two texts alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core.compare.index import ArticleIndex, anchors

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

SEMANTIC_WEIGHT = 0.5
THRESHOLD = 0.5
MARGIN = 0.03
_CHUNK = 65_536  # candidates scored per array operation (bounds memory)


@dataclass(frozen=True)
class Link:
    """Sentences ``a_first..a_last`` of one version say what ``b_first..b_last`` of the
    other say (inclusive ranges; one side is a single sentence)."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int
    score: float


@dataclass(frozen=True)
class PairAlignment:
    links: tuple[Link, ...]
    best_a: tuple[float, ...]  # each sentence's best candidate score in the other version
    best_b: tuple[float, ...]

    def flipped(self) -> PairAlignment:
        return PairAlignment(
            tuple(Link(k.b_first, k.b_last, k.a_first, k.a_last, k.score) for k in self.links),
            self.best_b,
            self.best_a,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "links": [
                [k.a_first, k.a_last, k.b_first, k.b_last, round(k.score, 4)] for k in self.links
            ],
            "best_a": [round(x, 4) for x in self.best_a],
            "best_b": [round(x, 4) for x in self.best_b],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PairAlignment:
        links = tuple(
            Link(int(a), int(b), int(c), int(d), float(e)) for a, b, c, d, e in data["links"]
        )
        return cls(
            links,
            tuple(float(x) for x in data["best_a"]),
            tuple(float(x) for x in data["best_b"]),
        )


def align_pairs(
    indexes: Sequence[ArticleIndex], wanted: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], PairAlignment]:
    """Alignments of the pairs ``wanted`` (positions in ``indexes``, first < second)."""
    import numpy as np

    if not wanted:
        return {}
    table = _Table(indexes)
    involved = {a for pair in wanted for a in pair}
    n = len(indexes)
    if len(wanted) == n * (n - 1) // 2:
        groups = [(np.ones(n, bool), np.ones(n, bool))]
    else:
        # Only pairs with a new version are wanted: look its sentences up in every other
        # version, and every other version's sentences up in it.
        new = np.zeros(n, bool)
        counts = np.bincount([a for pair in wanted for a in pair], minlength=n)
        new[[a for a in involved if counts[a] == max(counts)]] = True
        groups = [(new, np.ones(n, bool)), (np.ones(n, bool), new)]
    results = table.decide(*table.units(*table.candidates(groups)))
    return {(a, b): table.pair(a, b, results) for a, b in wanted}


class _Table:
    """Every sentence of every version, numbered globally, and every distinct sentence text.

    Versions of one story repeat many sentences word for word, so candidates are looked up
    and decided per distinct text: a sentence's best match in another version depends only
    on its text and on that version.
    """

    def __init__(self, indexes: Sequence[ArticleIndex]) -> None:
        import numpy as np

        self.indexes = indexes
        n = len(indexes)
        sizes = [len(ix.sentences) for ix in indexes]
        self.offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.count = int(self.offset[-1])
        self.article = np.repeat(np.arange(n, dtype=np.int64), sizes)
        dims = indexes[0].clause_sums.shape[1] if indexes else 1
        present = [ix for ix in indexes if ix.sentences]
        self.vectors = (
            np.vstack([ix.sentence_vectors for ix in present])
            if present
            else np.zeros((0, dims), np.float32)
        )
        self.pair_vectors = (
            np.vstack([ix.pair_vectors for ix in present])
            if present
            else np.zeros((0, dims), np.float32)
        )
        self.joins_next = np.zeros(self.count, dtype=bool)
        text_ids: dict[str, int] = {}
        self.text_of = np.zeros(self.count, dtype=np.int64)
        first_sentence: list[int] = []
        self.text_articles: list[set[int]] = []
        words: dict[str, int] = {}
        anchor_entries: tuple[list[int], list[int]] = ([], [])  # (word, sentence)
        word_entries: tuple[list[int], list[int]] = ([], [])
        sizes_anchor = np.ones(self.count, dtype=np.float64)
        self.word_sets: list[frozenset[str]] = []
        for a, ix in enumerate(indexes):
            base = int(self.offset[a])
            for i, sentence in enumerate(ix.sentences[:-1]):
                self.joins_next[base + i] = sentence.line == ix.sentences[i + 1].line
            telling_words = anchors(ix)
            for i, sentence in enumerate(ix.sentences):
                g = base + i
                text = ix.text[sentence.start : sentence.end]
                tid = text_ids.setdefault(text, len(text_ids))
                self.text_of[g] = tid
                if tid == len(first_sentence):
                    first_sentence.append(g)
                    self.text_articles.append(set())
                self.text_articles[tid].add(a)
                telling = telling_words[i]
                sizes_anchor[g] = max(len(telling), 1)
                for w in telling:
                    anchor_entries[0].append(words.setdefault(w, len(words)))
                    anchor_entries[1].append(g)
                content = ix.words(sentence.start, sentence.end)[0]
                self.word_sets.append(frozenset(content))
                for w in content:
                    word_entries[0].append(words.setdefault(w, len(words)))
                    word_entries[1].append(g)
        self.texts = len(first_sentence)
        self.first_sentence = np.asarray(first_sentence, dtype=np.int64)
        self.anchor_sizes = sizes_anchor
        self.anchors = _sorted_entries(anchor_entries)
        self.words = _sorted_entries(word_entries)

    def candidates(self, groups: list[tuple[Any, Any]]) -> tuple[Ints, Ints]:
        """(text, sentence) pairs to score: a telling word of the text occurs in the
        sentence, or one of the sentence's in the text. ``groups`` are (versions whose
        texts are looked up, versions looked in) masks."""
        import numpy as np

        found_t: list[Ints] = []
        found_y: list[Ints] = []
        hit_codes: list[Ints] = []
        for left, right in groups:
            left[self.article]
            in_right = right[self.article]
            # Each text once, by its first sentence in the left versions.
            lx = _first_in(self, left)
            x1, y1 = self._join(_only(self.anchors, lx), _only(self.words, in_right))
            # The right sentences' telling words in the text.
            x2, _y2 = self._join(_only(self.anchors, in_right), _only(self.words, lx))
            t1, t2 = self.text_of[x1], self.text_of[x2]
            found_t += [t1, t2]
            found_y += [y1, x2]
            hit_codes += [(t1 * self.count + y1) * 2, (t2 * self.count + x2) * 2 + 1]
        t = np.concatenate(found_t)
        y = np.concatenate(found_y)
        codes, hits = np.unique(np.concatenate(hit_codes), return_counts=True)
        self.hit_codes, self.hit_counts = codes, hits.astype(np.float64)
        pairs = np.unique(t * self.count + y)
        return pairs // self.count, pairs % self.count

    def _join(self, left: tuple[Ints, Ints], right: tuple[Ints, Ints]) -> tuple[Ints, Ints]:
        """(left sentence, right sentence) for every word they share, across versions."""
        import numpy as np

        lw, ls = left
        rw, rs = right
        words, l_start, l_count = np.unique(lw, return_index=True, return_counts=True)
        r_start = np.searchsorted(rw, words, side="left")
        r_count = np.searchsorted(rw, words, side="right") - r_start
        sizes = l_count * r_count
        total = int(sizes.sum())
        if total == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        group = np.repeat(np.arange(len(words)), sizes)
        k = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        x = ls[l_start[group] + k // r_count[group]]
        y = rs[r_start[group] + k % r_count[group]]
        other = self.article[x] != self.article[y]
        return x[other], y[other]

    def _hits(self, t: Ints, y: Ints, backward: bool) -> Any:
        """Telling words of text t found in sentence y (or of y in t, ``backward``)."""
        import numpy as np

        codes = self.hit_codes
        if not len(codes):
            return np.zeros(len(t))
        probe = (t * self.count + y) * 2 + int(backward)
        at = np.clip(np.searchsorted(codes, probe), 0, len(codes) - 1)
        return np.where(codes[at] == probe, self.hit_counts[at], 0.0)

    def units(self, t: Ints, y: Ints) -> tuple[Ints, Ints, Ints, Any]:
        """Candidates as (text, unit first, unit last, score): a sentence alone, or joined
        with the next one of its paragraph where the text is a candidate for both (a
        sentence split in two shares telling words with each half)."""
        import numpy as np

        codes = t * self.count + y
        nxt = self.joins_next[y].copy()
        if len(codes):
            at = np.clip(np.searchsorted(codes, codes + 1), 0, len(codes) - 1)
            nxt &= codes[at] == codes + 1
        ts = np.concatenate([t, t[nxt]])
        first = np.concatenate([y, y[nxt]])
        last = np.concatenate([y, y[nxt] + 1])
        double = last > first
        found = self._hits(ts, first, False) + self._hits(ts, first, True)
        found += np.where(double, self._hits(ts, last, False) + self._hits(ts, last, True), 0.0)
        told = self.anchor_sizes[self.first_sentence[ts]] + self.anchor_sizes[first]
        told += np.where(double, self.anchor_sizes[last], 0.0)
        telling = np.minimum(found / told, 1.0)
        # And all content words (Ochiai coefficient), with the joined unit as one set.
        sets = self.word_sets
        reps = self.first_sentence[ts].tolist()
        shared = np.fromiter(
            (
                _ochiai(sets[r], sets[f] | sets[la] if f != la else sets[f])
                for r, f, la in zip(reps, first.tolist(), last.tolist(), strict=True)
            ),
            dtype=np.float64,
            count=len(reps),
        )
        lexical = 0.5 * telling + 0.5 * shared
        semantic = np.empty(len(ts), dtype=np.float32)
        text_vectors = self.vectors[self.first_sentence]
        for offset in range(0, len(ts), _CHUNK):
            part = slice(offset, offset + _CHUNK)
            rows = text_vectors[ts[part]]
            one = ~double[part]
            view = semantic[part]
            view[one] = np.einsum("ij,ij->i", rows[one], self.vectors[first[part][one]])
            view[~one] = np.einsum("ij,ij->i", rows[~one], self.pair_vectors[first[part][~one]])
        score = SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical
        return ts, first, last, score

    def decide(self, ts: Ints, first: Ints, last: Ints, score: Any) -> dict[str, Any]:
        """Per text and other version: the best unit, kept if it clears the threshold and
        the margin over the best unit that does not overlap it."""
        import numpy as np

        n = len(self.indexes)
        group = ts * n + self.article[first]
        order = np.lexsort((-score, group))
        first, last, score, group = first[order], last[order], score[order], group[order]
        if not len(group):
            return {
                "key": group,
                "first": first,
                "last": last,
                "best": score,
                "keep": np.zeros(0, bool),
            }
        starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
        owner = np.repeat(np.arange(len(starts)), np.diff(np.concatenate([starts, [len(group)]])))
        best_first, best_last = first[starts][owner], last[starts][owner]
        apart = (last < best_first) | (first > best_last)
        runner = np.maximum.reduceat(np.where(apart, score, -1.0), starts)
        best = score[starts]
        keep = (best >= THRESHOLD) & (best - np.maximum(runner, 0.0) >= MARGIN)
        return {
            "key": group[starts],
            "first": first[starts],
            "last": last[starts],
            "best": best,
            "keep": keep,
        }

    def pair(self, a: int, b: int, r: dict[str, Any]) -> PairAlignment:
        import numpy as np

        n = len(self.indexes)
        sides = []
        for mine, other in ((a, b), (b, a)):
            lo, hi = int(self.offset[mine]), int(self.offset[mine + 1])
            keys = self.text_of[lo:hi] * n + other
            at = np.clip(np.searchsorted(r["key"], keys), 0, max(len(r["key"]) - 1, 0))
            hit = r["key"][at] == keys if len(r["key"]) else np.zeros(len(keys), bool)
            sides.append((lo, int(self.offset[other]), at, hit))
        best_a = [0.0] * len(self.indexes[a].sentences)
        best_b = [0.0] * len(self.indexes[b].sentences)
        links: dict[tuple[int, int, int, int], float] = {}
        for (_base, base_other, at, hit), best, flip in (
            (sides[0], best_a, False),
            (sides[1], best_b, True),
        ):
            for s in np.flatnonzero(hit).tolist():
                i = int(at[s])
                score = float(r["best"][i])
                best[s] = max(best[s], score)
                if not r["keep"][i]:
                    continue
                f = int(r["first"][i]) - base_other
                last = int(r["last"][i]) - base_other
                key = (f, last, s, s) if flip else (s, s, f, last)
                links[key] = max(score, links.get(key, 0.0))
        for (af, al, bf, bl), score in links.items():
            for i in range(af, al + 1):
                best_a[i] = max(best_a[i], score)
            for j in range(bf, bl + 1):
                best_b[j] = max(best_b[j], score)
        return PairAlignment(
            tuple(Link(*key, score) for key, score in sorted(links.items())),
            tuple(best_a),
            tuple(best_b),
        )


def _ochiai(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (len(a) * len(b)) ** 0.5 if a and b else 0.0


def _first_in(table: _Table, left: Any) -> Any:
    """Sentences that are the first occurrence of their text within the ``left`` versions
    (a text first seen in another version still needs looking up from these)."""
    import numpy as np

    mask = np.zeros(table.count, dtype=bool)
    seen: set[int] = set()
    for g in np.flatnonzero(left[table.article]).tolist():
        tid = int(table.text_of[g])
        if tid not in seen:
            seen.add(tid)
            mask[g] = True
    return mask


def _sorted_entries(entries: tuple[list[int], list[int]]) -> tuple[Ints, Ints]:
    """(word, sentence) entries sorted by word, as two arrays."""
    import numpy as np

    word = np.asarray(entries[0], dtype=np.int64)
    sentence = np.asarray(entries[1], dtype=np.int64)
    order = np.lexsort((sentence, word))
    return word[order], sentence[order]


def _only(entries: tuple[Ints, Ints], keep_sentence: Any) -> tuple[Ints, Ints]:
    word, sentence = entries
    mask = keep_sentence[sentence]
    return word[mask], sentence[mask]
