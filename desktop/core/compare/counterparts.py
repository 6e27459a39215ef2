"""Counterparts of a span: for each other version, the passage that makes the same claim.

Every window (run of clauses) of the other version is scored against the span by meaning
(cosine of mean word vectors) and by words (rapidfuzz on stemmed content words, numbers and
dates masked so that a changed figure still reads as the same claim). The best window wins
only above a threshold and with a clear margin over the best window that does not overlap
it; otherwise the claim is ``absent`` from that version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core.compare import words
from desktop.core.compare.facts import Difference, differences

if TYPE_CHECKING:
    from desktop.core.compare.index import ArticleIndex, Window
    from desktop.core.compare.model import Floats

SAME, DIFFERS, ABSENT = "same", "differs", "absent"

# Tuned on the demo story and checked on a second, unrelated one (see tests/core).
SEMANTIC_WEIGHT = 0.4
RATIO_WEIGHT = 0.3
# A counterpart must score THRESHOLD, beat the best passage elsewhere by MARGIN, and the two
# together must reach CONFIDENCE: a weak match counts only when nothing else comes close.
THRESHOLD = 0.4
MARGIN = 0.05
CONFIDENCE = 0.6
CANDIDATES = 8


@dataclass(frozen=True)
class Counterpart:
    article_id: str
    status: str
    score: float
    start: int | None
    end: int | None
    quote: str | None
    differences: tuple[Difference, ...] = ()

    def to_json(self, title: str) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "article_title": title,
            "status": self.status,
            "score": round(self.score, 3),
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "differences": [d.to_json() for d in self.differences],
        }


@dataclass(frozen=True)
class Query:
    """A span made ready for scoring against any number of versions."""

    source: ArticleIndex
    start: int
    end: int
    vector: Floats
    counted: Counter[str]
    keys: str
    figures: frozenset[str]  # "number" and/or "date" when the claim states them

    @property
    def text(self) -> str:
        return self.source.text

    @classmethod
    def of(cls, source: ArticleIndex, start: int, end: int) -> Query:
        from desktop.core.compare import model

        vector = model.vectors([source.text[start:end]])[0]
        figures = frozenset(_figures(source.text, start, end))
        return cls(source, start, end, vector, *source.words(start, end), figures)


def score_windows(
    query: Query, target: ArticleIndex, rarity: words.Rarity | None = None
) -> list[tuple[float, Window]]:
    """The best-scoring windows of ``target``, best first. ``rarity`` may be kept from an
    earlier query between the same two articles: it only remembers word weights."""
    import numpy as np

    if not target.windows:
        return []
    if rarity is None:
        rarity = words.Rarity(query.source.frequency, target.frequency)
    sims = target.window_similarity(query.vector)
    count = min(CANDIDATES, len(sims))
    top = np.argpartition(-sims, count - 1)[:count]
    scored: list[tuple[float, Window]] = []
    for i in top:
        window = target.windows[int(i)]
        score = combine(float(sims[i]), query, target.words(window.start, window.end), rarity)
        scored.append((score, window))
    scored.sort(key=lambda item: (-item[0], item[1].end - item[1].start))
    return scored


def combine(
    semantic: float, query: Query, passage: tuple[Counter[str], str], rarity: words.Rarity
) -> float:
    """One score from meaning and words: the cosine, rapidfuzz's token-sort ratio of the
    content words (spelling-tolerant) and their rarity-weighted overlap (telling words)."""
    from rapidfuzz import fuzz

    ratio = fuzz.token_sort_ratio(query.keys, passage[1]) / 100
    lexical = RATIO_WEIGHT * ratio + (1 - RATIO_WEIGHT) * words.overlap(
        query.counted, passage[0], rarity
    )
    return SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical


def counterpart(
    query: Query, target: ArticleIndex, rarity: words.Rarity | None = None
) -> Counterpart:
    scored = score_windows(query, target, rarity)
    if not scored:
        return Counterpart(target.article_id, ABSENT, 0.0, None, None, None)
    best_score, best = scored[0]
    runner = next(
        (
            s
            for s, w in scored[1:]
            if (w.end <= best.start or w.start >= best.end)
            and target.text[w.start : w.end] != target.text[best.start : best.end]
        ),
        0.0,
    )
    margin = best_score - runner
    if best_score < THRESHOLD or margin < MARGIN or best_score + margin < CONFIDENCE:
        return Counterpart(target.article_id, ABSENT, best_score, None, None, None)
    start, end = tighten(query, target, best.start, best.end)
    start, end = with_figures(query, target, start, end)
    found = differences(query.text, (query.start, query.end), target.text, (start, end))
    status = DIFFERS if any(d.conflict for d in found) else SAME
    return Counterpart(
        target.article_id, status, best_score, start, end, target.text[start:end], tuple(found)
    )


_LEADING = frozenset({"the", "a", "an", "its", "his", "her", "their", "all", "some", "several"})
# Words that open a phrase a sentence can lose without losing its claim.
_BOUNDARY = frozenset(
    words.listed(
        "in on at to for with since as when which that who after before following amid "
        "while during from by because although though whereas where resulting leading "
        "citing along across over into onto near through toward towards against within "
        "between around beyond despite via"
    )
)
# Cut only when the window already holds this share of the claim's words.
_COVERED = 0.75
_TRIM_WORDS = 3  # only a run of at least this many unrelated words is worth cutting


def tighten(query: Query, target: ArticleIndex, start: int, end: int) -> tuple[int, int]:
    """Cut a phrase at either end of a window that shares no word with the claim, when the
    rest says the claim at least as well: the counterpart is as tight as the claim."""
    from desktop.core.compare import model

    wanted = set(query.keys.split())
    text = target.text
    spans = [
        (m.start(), m.end(), words.key(m.group())) for m in words.WORD.finditer(text, start, end)
    ]
    hits = [i for i, (_, _, k) in enumerate(spans) if k is not None and k in wanted]
    covered = {spans[i][2] for i in hits}
    if not hits or len(covered) < _COVERED * len(wanted):
        # Words of the claim missing here may be said in other words by the ends of the
        # window: keep it whole.
        return start, end

    def opens_phrase(i: int) -> bool:
        before = text[spans[i - 1][1] : spans[i][0]]
        return words.fold(text[spans[i][0] : spans[i][1]]) in _BOUNDARY or bool(
            set(before) & set(",;:—–()")
        )

    firsts = [0] + [i for i in range(_TRIM_WORDS, hits[0] + 1) if opens_phrase(i)]
    lasts = [len(spans) - 1] + [
        i - 1 for i in range(hits[-1] + 1, len(spans) - _TRIM_WORDS + 1) if opens_phrase(i)
    ]
    options: set[tuple[int, int]] = set()
    for a in firsts:
        # Start at the claim's first word, or the article or hedge just before it.
        if a:
            a = next(i for i in range(a, hits[0] + 1) if i in hits or _opener(text, spans[i]))
        for b in lasts:
            options.add(
                (start if a == 0 else spans[a][0], end if b == len(spans) - 1 else spans[b][1])
            )
    if len(options) == 1:
        return start, end
    ordered = sorted(options, key=lambda se: se[1] - se[0])
    vectors = model.vectors([text[s:e] for s, e in ordered])
    sims = [float(v @ query.vector) for v in vectors]
    best = max(sims)
    # The shortest option that says the claim about as well as the best one.
    return next(se for se, sim in zip(ordered, sims, strict=True) if sim >= best - 0.01)


def _opener(text: str, span: tuple[int, int, str | None]) -> bool:
    word = words.fold(text[span[0] : span[1]])
    return word in _LEADING or words.is_hedge(word)


def with_figures(query: Query, target: ArticleIndex, start: int, end: int) -> tuple[int, int]:
    """Widen a counterpart to the nearest figure (or date) of its sentence when the claim
    states one and the counterpart holds none: the figure is what a fact-checker compares
    ("67 killed" against "resulting in the deaths of 38"). A figure before the counterpart
    is taken from where it starts; one after it, with the rest of its clause."""
    from desktop.core.compare import facts

    if not query.figures:
        return start, end
    missing = query.figures - _figures(target.text, start, end)
    if not missing:
        return start, end
    sentence = next((x for x in target.sentences if x.start <= start < x.end), None)
    if sentence is None:
        return start, end
    spans: list[tuple[int, int]] = []
    found = facts.extract(target.text, sentence.start, sentence.end)
    if "date" in missing:
        spans += [(d.start, d.end) for d in found.dates]
    if "number" in missing:
        spans += [(n.start, n.end) for n in found.numbers]
    outside = [(a, b) for a, b in spans if b <= start or a >= end]
    if not outside:
        return start, end
    a, b = min(outside, key=lambda ab: start - ab[1] if ab[1] <= start else ab[0] - end)
    if b <= start:
        return a, end
    clause_end = next((ce for cs, ce in sentence.clauses if cs <= a < ce), sentence.end)
    return start, max(end, clause_end)


def _figures(text: str, start: int, end: int) -> set[str]:
    """Whether a passage states a date, a number, or both."""
    from desktop.core.compare import facts

    found = facts.extract(text, start, end)
    out = {"date"} if found.dates else set()
    if found.numbers:
        out.add("number")
    return out
