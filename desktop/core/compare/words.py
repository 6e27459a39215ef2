"""Words of a passage as the lexical score sees them.

Function words are dropped, the rest stemmed (Snowball), and every number and date word
becomes one placeholder: two versions that give different figures still say the same thing
in the same words, and the figures are compared separately (``facts``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Any


def listed(text: str) -> list[str]:
    """The words of a space-separated list (long word lists read best as one string)."""
    return text.split()


WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:[’'.\-][^\W_]+)*", re.UNICODE)

STOP = frozenset(
    listed(
        "a about above after again against all also am an and any are as at be because "
        "been before being below between both but by can could did do does doing down "
        "during each few for from further had has have having he her here hers herself "
        "him himself his how i if in into is it its itself just me more most my myself no "
        "nor not now of off on once only or other our ours ourselves out over own same "
        "she should so some such than that the their theirs them themselves then there "
        "these they this those through to too under until up very was we were what when "
        "where which while who whom why will with would you your yours yourself "
        "yourselves said says say according reportedly reported also amid"
    )
)

NUMBER_WORDS = frozenset(
    listed(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
        "sixty seventy eighty ninety hundred thousand million billion trillion dozen "
        "dozens half"
    )
)
MONTHS = listed(
    "january february march april may june july august september october november december"
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
DATE_WORDS = frozenset([*MONTHS, *WEEKDAYS, *_MONTH_ABBR])


def fold(word: str) -> str:
    """Lower case without accents: "Hüseyin" and "Huseyin" are one word to the score."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def key(word: str) -> str | None:
    """The form a word counts under, or None for a word that carries no content."""
    w = fold(word).replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'.-")
    if not w:
        return None
    if w[0].isdigit():
        return "#num"
    if w in NUMBER_WORDS:
        return "#num"
    if w in DATE_WORDS:
        return "#date"
    if w in STOP or len(w) < 2:
        return None
    return stem(w)


def keys(text: str) -> Counter[str]:
    """Content words of a passage with their counts."""
    out: Counter[str] = Counter()
    for match in WORD.finditer(text):
        k = key(match.group())
        if k is not None:
            out[k] += 1
    return out


class Rarity(dict[str, float]):
    """How telling a word is in a pair of articles: words found in many of their sentences
    ("Azerbaijan" in a story about Azerbaijan) count for less than rare ones ("Sputnik").
    A dict that fills itself: looking a word up is as cheap as a dict lookup once seen."""

    def __init__(self, *frequencies: tuple[Counter[str], int]) -> None:
        super().__init__()
        self._dfs = [df for df, _ in frequencies]
        self._n = sum(n for _, n in frequencies)

    def __missing__(self, word: str) -> float:
        df = sum(d.get(word, 0) for d in self._dfs)
        weight = math.log(1 + self._n / (1 + df))
        self[word] = weight
        return weight


# Recall of the claim's words weighs more than the precision of the passage's: a passage may
# add a detail and still be the claim's counterpart.
BETA = 1.5


def overlap(claim: Counter[str], passage: Counter[str], rarity: Rarity) -> float:
    """Weighted F-measure of shared content words."""
    if not claim or not passage:
        return 0.0
    weight = rarity.__getitem__
    shared = sum(map(weight, claim.keys() & passage.keys()))
    if shared == 0:
        return 0.0
    recall = shared / sum(map(weight, claim))
    precision = shared / sum(map(weight, passage))
    b2 = BETA * BETA
    return (1 + b2) * precision * recall / (b2 * precision + recall)


_HEDGES = frozenset(
    listed(
        "approximately about around roughly nearly almost some estimated least more over "
        "fewer less under up many"
    )
)


def is_hedge(word: str) -> bool:
    """A word that qualifies a figure ("approximately 50", "at least 49")."""
    return fold(word) in _HEDGES
