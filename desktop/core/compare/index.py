"""What alignment needs of one article, computed once per text and cached by its hash.

Vectors are kept per clause as sums of token vectors: the vector of any run of clauses
(a window) is the sum of theirs, so a span can be compared with every window of every other
version by one matrix product.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from desktop.core.compare import words
from desktop.core.compare.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from desktop.core.compare.model import Floats

# Longest run of clauses a window covers inside one sentence; longer sentences are still
# covered whole by their sentence window.
MAX_WINDOW_CLAUSES = 4


@dataclass(frozen=True)
class Window:
    """A candidate counterpart: clauses ``first..last`` (inclusive) of the flat clause list."""

    first: int
    last: int
    start: int
    end: int
    sentence: int  # the first sentence it touches
    sentences: int  # how many sentences it spans


@dataclass
class ArticleIndex:
    article_id: str
    text: str
    sentences: list[Sentence]
    clause_spans: list[tuple[int, int]]
    clause_sentence: list[int]
    clause_sums: Floats
    clause_counts: Floats
    _words: dict[tuple[int, int], tuple[Counter[str], str]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def build(cls, article_id: str, text: str) -> ArticleIndex:
        from desktop.core.compare import model

        sentences = split_sentences(text)
        spans: list[tuple[int, int]] = []
        owner: list[int] = []
        for i, sentence in enumerate(sentences):
            spans.extend(sentence.clauses)
            owner.extend([i] * len(sentence.clauses))
        sums, counts = model.token_sums([text[s:e] for s, e in spans])
        return cls(article_id, text, sentences, spans, owner, sums, counts)

    def quote(self, start: int, end: int) -> str:
        return self.text[start:end]

    @cached_property
    def sentence_clauses(self) -> list[tuple[int, int]]:
        """For each sentence, its first and last clause index."""
        out: list[tuple[int, int]] = []
        at = 0
        for sentence in self.sentences:
            out.append((at, at + len(sentence.clauses) - 1))
            at += len(sentence.clauses)
        return out

    @cached_property
    def sentence_sums(self) -> Floats:
        import numpy as np

        out = np.zeros((len(self.sentences), self.clause_sums.shape[1]), dtype=np.float32)
        for i, (first, last) in enumerate(self.sentence_clauses):
            out[i] = self.clause_sums[first : last + 1].sum(axis=0)
        return out

    @cached_property
    def sentence_vectors(self) -> Floats:
        from desktop.core.compare.model import normalise

        return normalise(self.sentence_sums)

    @cached_property
    def pair_vectors(self) -> Floats:
        """Each sentence joined with the next one in the same paragraph (row i = i + i+1);
        rows for a sentence that ends its paragraph are zero."""
        import numpy as np

        from desktop.core.compare.model import normalise

        sums = self.sentence_sums
        out = np.zeros_like(sums)
        for i in range(len(self.sentences) - 1):
            if self.sentences[i].line == self.sentences[i + 1].line:
                out[i] = sums[i] + sums[i + 1]
        return normalise(out)

    @cached_property
    def windows(self) -> list[Window]:
        """Runs of up to MAX_WINDOW_CLAUSES clauses inside a sentence, every whole sentence,
        and every two neighbouring sentences of a paragraph."""
        out: list[Window] = []
        for i, (first, last) in enumerate(self.sentence_clauses):
            for a in range(first, last + 1):
                for b in range(a, min(last, a + MAX_WINDOW_CLAUSES - 1) + 1):
                    out.append(self._window(a, b, i, 1))
            if last - first + 1 > MAX_WINDOW_CLAUSES:
                out.append(self._window(first, last, i, 1))
            nxt = i + 1
            if nxt < len(self.sentences) and self.sentences[nxt].line == self.sentences[i].line:
                out.append(self._window(first, self.sentence_clauses[nxt][1], i, 2))
        return out

    def _window(self, first: int, last: int, sentence: int, sentences: int) -> Window:
        return Window(
            first,
            last,
            self.clause_spans[first][0],
            self.clause_spans[last][1],
            sentence,
            sentences,
        )

    @cached_property
    def window_bounds(self) -> tuple[Any, Any, Floats]:
        """Per window: first clause, last clause + 1, and the norm of its summed vector."""
        import numpy as np

        firsts = np.array([w.first for w in self.windows], dtype=np.intp)
        lasts = np.array([w.last + 1 for w in self.windows], dtype=np.intp)
        cumulative = np.vstack(
            [
                np.zeros((1, self.clause_sums.shape[1]), np.float32),
                np.cumsum(self.clause_sums, axis=0, dtype=np.float64).astype(np.float32),
            ]
        )
        norms = np.linalg.norm(cumulative[lasts] - cumulative[firsts], axis=1)
        return firsts, lasts, np.maximum(norms, 1e-9)

    def window_similarity(self, vector: Floats) -> Floats:
        """Cosine of a unit vector with every window."""
        import numpy as np

        firsts, lasts, norms = self.window_bounds
        dots = np.concatenate([[0.0], np.cumsum(self.clause_sums @ vector, dtype=np.float64)])
        out: Floats = ((dots[lasts] - dots[firsts]) / norms).astype(np.float32)
        return out

    def words(self, start: int, end: int) -> tuple[Counter[str], str]:
        """The content words of ``text[start:end]``: counted, and as one sorted string for
        rapidfuzz."""
        cached = self._words.get((start, end))
        if cached is None:
            counted = words.keys(self.text[start:end])
            cached = (counted, " ".join(sorted(counted.elements())))
            self._words[(start, end)] = cached
        return cached

    @cached_property
    def frequency(self) -> tuple[Counter[str], int]:
        """In how many sentences each content word occurs, and the number of sentences."""
        df: Counter[str] = Counter()
        for s in self.sentences:
            df.update(set(self.words(s.start, s.end)[0]))
        return df, len(self.sentences)


# A word found in more than this share of an article's sentences (the story's own subject,
# "Azerbaijan" in a story about Azerbaijan) does not make two sentences candidates.
COMMON_SHARE = 0.3
# The rarest few are enough to find a sentence's counterparts, and keep the candidates few.
ANCHORS = 4


def anchors(index: ArticleIndex) -> list[frozenset[str]]:
    """Per sentence, its telling words: content words found in few sentences of its own
    article (all its content words when none is). They depend on the article alone, so a
    pair's alignment depends on its two texts alone and can be cached by their hashes."""
    df, n = index.frequency
    limit = max(2.0, COMMON_SHARE * n)
    out: list[frozenset[str]] = []
    for s in index.sentences:
        ws = index.words(s.start, s.end)[0]
        telling = sorted(
            (k for k in ws if df[k] <= limit and not k.startswith("#")),
            key=lambda k: (df[k], -len(k), k),
        )
        out.append(frozenset(telling[:ANCHORS] or ws))
    return out
