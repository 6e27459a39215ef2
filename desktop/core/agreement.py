"""Agreement between reviewers who tagged the same text: no I/O, no project, only spans.

A *coding* is one reviewer's tagging of one text: spans ``(start, end, value)`` in code points,
end exclusive, ``value`` a small positive integer (Crosscheck passes verdicts ranked by
seriousness: 1 supported, 2 unverified, 3 disputed); 0 means untagged.

- ``unitizing_alpha``: Krippendorff's unitizing alpha (uα) over code points, in the form of
  Krippendorff, Mathet, Bouvry & Widlöcher (2016) and Krippendorff, *Content Analysis* (4th ed.,
  2019, §12.6): a coincidence matrix of values over every pair of coders, built from the
  lengths of intersecting segments, with untagged stretches as the value φ. Expected
  coincidences leave out the pairs a segment forms with itself: a unit of length ℓ counts ℓ²,
  untagged text counts as segments of length 1 (so ℓ), as irrelevant matter has no units.
- ``cohen_kappa`` and ``percent_agreement`` work on tokens (runs of word characters): a token
  takes a coder's value if any of its code points lies in one of their spans.

Where one coder's own spans overlap, each code point takes the highest value (the most
serious verdict) and each unbroken stretch of one span counts as a unit. Undefined results
(nothing to compare, no variation) are None, never NaN.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Span = tuple[int, int, int]  # start, end (exclusive), value >= 1

_WORD = re.compile(r"\w")


_numpy: Any = None


def _np() -> Any:
    # numpy is loaded on first use: the window starts without it.
    global _numpy
    if _numpy is None:
        import numpy

        _numpy = numpy
    return _numpy


@dataclass(frozen=True)
class Coding:
    """One coder's tagging of a text of ``length`` code points, flattened to a partition.

    ``values[p]`` is the value at code point ``p`` (0 untagged); ``unit_lengths`` and
    ``unit_values`` list the tagged units.
    """

    values: NDArray[np.int64]
    unit_lengths: NDArray[np.int64]
    unit_values: NDArray[np.int64]

    @property
    def untagged(self) -> int:
        return int((self.values == 0).sum())


def coding(length: int, spans: Sequence[Span]) -> Coding:
    """Flatten ``spans`` over a text of ``length`` code points (see the module's rules)."""
    xp = _np()
    if length < 0:
        raise ValueError("length must not be negative")
    for start, end, value in spans:
        if not (0 <= start < end <= length) or value < 1:
            raise ValueError(f"span {(start, end, value)} does not fit a text of {length}")
    ordered = sorted(spans)
    overlapping = any(a[1] > b[0] for a, b in itertools.pairwise(ordered))
    if not overlapping:
        # The usual case: a difference array, no painting.
        delta = xp.zeros(length + 1, dtype=xp.int64)
        if ordered:
            arr = xp.asarray(ordered, dtype=xp.int64)
            xp.add.at(delta, arr[:, 0], arr[:, 2])
            xp.add.at(delta, arr[:, 1], -arr[:, 2])
            return Coding(xp.cumsum(delta[:-1]), arr[:, 1] - arr[:, 0], arr[:, 2].copy())
        return Coding(delta[:-1], xp.zeros(0, xp.int64), xp.zeros(0, xp.int64))
    # Paint the least serious first and, within a value, the longest first: the most serious
    # (then the innermost) span shows where spans overlap, as in the window.
    order = sorted(range(len(spans)), key=lambda i: (spans[i][2], spans[i][0] - spans[i][1]))
    owner = xp.full(length, -1, dtype=xp.int64)
    for i in order:
        owner[spans[i][0] : spans[i][1]] = i
    span_values = xp.asarray([s[2] for s in spans], dtype=xp.int64)
    values = xp.where(owner >= 0, span_values[owner], 0)
    # Units: maximal runs of one owning span.
    edges = xp.flatnonzero(xp.diff(owner)) + 1
    starts = xp.concatenate(([0], edges))
    ends = xp.concatenate((edges, [length]))
    owners = owner[starts]
    tagged = owners >= 0
    return Coding(values, (ends - starts)[tagged], span_values[owners[tagged]])


def unitizing_alpha(length: int, codings: Sequence[Coding], values: int = 3) -> float | None:
    """uα of two or more codings of one text, with ``values`` possible values besides φ.

    None when it is undefined: fewer than two codings, or no expected disagreement (nothing
    tagged by anyone, or everything tagged alike, so there is nothing to tell apart).
    """
    xp = _np()
    m = len(codings)
    if m < 2 or length == 0:
        return None
    k = values + 1
    observed = xp.zeros((k, k), dtype=xp.float64)
    for i in range(m):
        for j in range(i + 1, m):
            pair = xp.bincount(codings[i].values * k + codings[j].values, minlength=k * k)
            observed += pair.reshape(k, k)
    observed = (observed + observed.T) / (m - 1)
    # Pairs of code points inside one segment: ℓ² per unit, ℓ for untagged text.
    self_pairs = xp.zeros(k, dtype=xp.float64)
    for c in codings:
        self_pairs[0] += c.untagged
        xp.add.at(self_pairs, c.unit_values, c.unit_lengths.astype(xp.float64) ** 2)
    total = observed.sum()
    margins = observed.sum(axis=1)
    denominator = total - self_pairs.sum() / total
    expected = xp.outer(margins, margins)
    expected[xp.diag_indices(k)] -= self_pairs
    off_diagonal = ~xp.eye(k, dtype=bool)
    disagreement_expected = expected[off_diagonal].sum() / denominator
    if disagreement_expected <= 0:
        return None
    return float(1.0 - observed[off_diagonal].sum() / disagreement_expected)


@dataclass(frozen=True)
class Tokens:
    """Where the words of a text are: index of the first code point of each token, and the
    positions of all word code points."""

    starts: NDArray[np.int64]  # into ``positions``
    positions: NDArray[np.int64]

    @property
    def count(self) -> int:
        return len(self.starts)


def tokens(text: str) -> Tokens:
    """Tokens are maximal runs of word characters (``\\w`` as Python's ``re`` has it)."""
    xp = _np()
    points = xp.frombuffer(text.encode("utf-32-le"), dtype=xp.uint32)
    if len(points) == 0:
        empty = xp.zeros(0, dtype=xp.int64)
        return Tokens(empty, empty)
    unique, inverse = xp.unique(points, return_inverse=True)
    is_word = xp.fromiter(
        (bool(_WORD.match(chr(p))) for p in unique.tolist()), dtype=bool, count=len(unique)
    )
    word = is_word[inverse]
    positions = xp.flatnonzero(word)
    if len(positions) == 0:
        empty = xp.zeros(0, dtype=xp.int64)
        return Tokens(empty, empty)
    breaks = xp.flatnonzero(xp.diff(positions) != 1) + 1
    return Tokens(xp.concatenate(([0], breaks)).astype(xp.int64), positions.astype(xp.int64))


def token_values(toks: Tokens, c: Coding) -> NDArray[np.int64]:
    """Each token's value for one coding: the highest value on any of its code points."""
    xp = _np()
    result: NDArray[np.int64]
    if toks.count == 0:
        result = xp.zeros(0, dtype=xp.int64)
    else:
        result = xp.maximum.reduceat(c.values[toks.positions], toks.starts)
    return result


def cohen_kappa(
    a: NDArray[np.int64], b: NDArray[np.int64], *, binary: bool = False
) -> float | None:
    """Cohen's κ of two coders' token values (untagged is a category of its own);
    ``binary`` compares only tagged against untagged. None without variation."""
    xp = _np()
    if binary:
        a, b = (a > 0).astype(xp.int64), (b > 0).astype(xp.int64)
    n = len(a)
    if n == 0:
        return None
    k = int(max(a.max(), b.max())) + 1
    table = xp.bincount(a * k + b, minlength=k * k).reshape(k, k)
    observed = xp.trace(table) / n
    expected = float((table.sum(axis=1) * table.sum(axis=0)).sum()) / (n * n)
    if expected >= 1.0:
        return None
    return float((observed - expected) / (1.0 - expected))


def percent_agreement(a: NDArray[np.int64], b: NDArray[np.int64]) -> float | None:
    """Of the tokens at least one of the two tagged, the share both gave the same value.

    Text neither tagged does not count, so long untagged stretches cannot inflate it. None
    when neither tagged anything.
    """
    either = (a > 0) | (b > 0)
    considered = int(either.sum())
    if considered == 0:
        return None
    return float(((a == b) & either).sum() / considered)


def mean(values: Sequence[float | None]) -> float | None:
    """The mean of the defined values; None when none is."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None
