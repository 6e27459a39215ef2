"""Facts of a passage that versions of a story disagree on: numbers, dates and names.

A difference names both snippets with their offsets. Kinds ``number``, ``date`` and ``name``
are conflicts (the versions cannot both be right); ``number_precision``,
``date_precision`` and ``name_spelling`` are not ("approximately 50" vs "48", "In March" vs
"earlier this year", "Alexey" vs "Alexei") and are listed for the reader only.

Number words are read by ``text2num``. Dates are read by a small grammar on purpose: a date
parser fills in what the text leaves out (the year of "June 29", the day of "this year"),
and that invented precision would turn vague dates into false conflicts. Here a date keeps
exactly the parts the text gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from desktop.core.compare.words import MONTHS, NUMBER_WORDS, WEEKDAYS, fold, key, stem

CONFLICTS = frozenset({"number", "date", "name"})


@dataclass(frozen=True)
class Difference:
    kind: str
    here: str
    there: str
    here_start: int
    here_end: int
    there_start: int
    there_end: int

    @property
    def conflict(self) -> bool:
        return self.kind in CONFLICTS

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "here": self.here,
            "there": self.there,
            "here_start": self.here_start,
            "here_end": self.here_end,
            "there_start": self.there_start,
            "there_end": self.there_end,
        }


# --- numbers --------------------------------------------------------------------------------

_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "bn": 1e9, "trillion": 1e12, "tn": 1e12,
}  # fmt: skip
_QUALIFIERS = [
    (
        re.compile(
            r"(?:approximately|about|around|roughly|nearly|almost|some|an estimated|"
            r"estimated|close to|circa|approx\.?)\s+$",
            re.I,
        ),
        "about",
    ),
    (re.compile(r"(?:at least|no fewer than|no less than|a minimum of)\s+$", re.I), "at least"),
    (re.compile(r"(?:more than|over|upwards of|in excess of|above)\s+$", re.I), "more than"),
    (re.compile(r"(?:fewer than|less than|under|below)\s+$", re.I), "less than"),
    (re.compile(r"(?:up to|as many as|at most|no more than)\s+$", re.I), "up to"),
]
_DIGITS = re.compile(
    r"(?P<cur>[$€£]\s?)?(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<short>[a-zA-Z]{1,3})\b|(?![\w]))"
    r"(?P<pct>\s?(?:%|percent\b|per cent\b))?"
    r"(?P<scale>\s(?:thousand|million|billion|trillion)\b)?",
    re.I,
)
_NUMBER_WORD_RUN = re.compile(
    r"\b(?:"
    + "|".join(sorted(NUMBER_WORDS - {"dozen", "dozens", "half"}, key=len, reverse=True))
    + r")(?:(?:[\s-]+(?:and\s+)?)(?:"
    + "|".join(sorted(NUMBER_WORDS - {"dozen", "dozens", "half"}, key=len, reverse=True))
    + r"))*\b",
    re.I,
)


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    value: float
    unit: str  # "count", "money", "percent", "ordinal" or a measure ("km")
    qualifier: str | None
    context: frozenset[str]


def _number_words(phrase: str) -> float | None:
    from text_to_num import text2num

    cleaned = re.sub(r"\s+", " ", phrase.replace("-", " ")).strip().lower()
    try:
        return float(text2num(cleaned, "en"))
    except ValueError:
        return None


def numbers(text: str, start: int, end: int, skip: list[tuple[int, int]]) -> list[Number]:
    """Numbers in ``text[start:end]``, leaving out the spans in ``skip`` (dates)."""
    found: list[Number] = []

    def taken(s: int, e: int) -> bool:
        return any(s < b and a < e for a, b in skip) or any(
            s < n.end and n.start < e for n in found
        )

    for m in _DIGITS.finditer(text, start, end):
        s, e = m.start(), m.end()
        if taken(s, e):
            continue
        value: float = float(m.group("num").replace(",", ""))
        unit = "money" if m.group("cur") else "percent" if m.group("pct") else "count"
        short = (m.group("short") or "").lower()
        if short in ("bn", "mn", "mln", "tn") or (short in ("k", "m") and m.group("cur")):
            value *= _SCALE[short]
        elif short in ("st", "nd", "rd", "th"):
            unit = "ordinal"
        elif short:
            unit = short  # "5km", "20kg": a measure, set only against the same measure
        if m.group("scale"):
            value *= _SCALE[m.group("scale").strip().lower()]
        found.append(_number(text, s, e, value, unit, start, end))
    for m in _NUMBER_WORD_RUN.finditer(text, start, end):
        s, e = m.start(), m.end()
        if taken(s, e):
            continue
        spelled = _number_words(m.group())
        if spelled is None:
            continue
        found.append(_number(text, s, e, spelled, "count", start, end))
    return sorted(found, key=lambda n: n.start)


def _number(text: str, s: int, e: int, value: float, unit: str, lo: int, hi: int) -> Number:
    before = text[max(lo, s - 30) : s]
    qualifier = None
    for pattern, name in _QUALIFIERS:
        match = pattern.search(before)
        if match:
            qualifier = name
            s = max(lo, s - len(match.group()))
            while text[s].isspace():
                s += 1
            break
    after = text[e : min(hi, e + 40)]
    context = frozenset(
        k for k in (key(w) for w in re.findall(r"\w+", after)[:3]) if k and k != "#num"
    )
    return Number(s, e, value, unit, qualifier, context)


def _compatible(a: Number, b: Number) -> bool:
    """Whether both can be true: a hedge allows a range, an exact figure allows itself."""
    for x, y in ((a, b), (b, a)):
        if x.qualifier == "about" and abs(y.value - x.value) <= 0.15 * x.value:
            return True
        if x.qualifier == "at least" and y.value >= x.value:
            return True
        if x.qualifier == "more than" and y.value > x.value:
            return True
        if x.qualifier == "less than" and y.value < x.value:
            return True
        if x.qualifier == "up to" and y.value <= x.value:
            return True
    return False


# --- dates ----------------------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE = re.compile(
    r"(?P<iso>\b(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b)"
    r"|(?P<md>\b(?P<m1>" + _MONTH + r")\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<y1>\d{4})\b)?)"
    r"|(?P<dm>\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>" + _MONTH + r")"
    r"(?:,?\s+(?P<y2>\d{4})\b)?)"
    r"|(?P<my>\b(?P<m3>" + _MONTH + r")(?:\s+(?:of\s+)?(?P<y3>\d{4})\b)?)"
    r"|(?P<decade>\b(?:the\s+)?(?P<part>early|mid|late)?[\s-]*(?P<dec>\d{3}0)s\b)"
    r"|(?P<wd>\b(?:(?:last|this|next|the\s+following|the\s+previous)\s+)?(?P<w>" + _WEEKDAY + r"))"
    r"|(?P<rel>\b(?i:(?:(?P<rq>earlier|later)\s+)?(?P<ra>this|last|next|past)\s+"
    r"(?P<ru>year|month|week))\b)"
    r"|(?P<recent>\b(?i:(?:in\s+)?recent\s+(?:days|weeks|months|years))\b)"
    r"|(?P<ago>\b(?i:(?:\w+|a|an|a\s+few|several)\s+(?:days?|weeks?|months?|years?)\s+ago)\b)"
    r"|(?P<day>\b(?i:yesterday|today)\b)"
    r"|(?P<year>\b(?P<yy>(?:19|20)\d{2})\b)"
)
_MONTH_NUMBER = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}


@dataclass(frozen=True)
class When:
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    decade: int | None = None  # 2000 for "the 2000s"
    relative: str | None = None  # "this year", "last week", "recent", "today", ...

    @property
    def absolute(self) -> bool:
        return self.year is not None or self.month is not None or self.decade is not None


def _month(name: str) -> int:
    return _MONTH_NUMBER[name[:3].lower()]


def dates(text: str, start: int, end: int) -> list[When]:
    out: list[When] = []
    for m in _DATE.finditer(text, start, end):
        s, e = m.start(), m.end()
        g = m.group
        if g("iso"):
            month, day = int(g("im")), int(g("id"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            out.append(When(s, e, year=int(g("iy")), month=month, day=day))
        elif g("md"):
            y = g("y1")
            out.append(
                When(s, e, year=int(y) if y else None, month=_month(g("m1")), day=int(g("d1")))
            )
        elif g("dm"):
            y = g("y2")
            out.append(
                When(s, e, year=int(y) if y else None, month=_month(g("m2")), day=int(g("d2")))
            )
        elif g("my"):
            name = g("m3")
            if name == "May" and not g("y3") and _modal_may(text, e):
                continue
            y = g("y3")
            out.append(When(s, e, year=int(y) if y else None, month=_month(name)))
        elif g("decade"):
            out.append(When(s, e, decade=int(g("dec"))))
        elif g("wd"):
            out.append(When(s, e, weekday=WEEKDAYS.index(g("w").lower())))
        elif g("rel"):
            out.append(When(s, e, relative=f"{g('ra').lower()} {g('ru').lower()}"))
        elif g("recent"):
            out.append(When(s, e, relative="recent"))
        elif g("ago"):
            out.append(When(s, e, relative="ago"))
        elif g("day"):
            out.append(When(s, e, relative=g("day").lower()))
        elif g("year"):
            out.append(When(s, e, year=int(g("yy"))))
    return out


def _modal_may(text: str, end: int) -> bool:
    """ "May" followed by a verb-like word ("May we...") is not the month."""
    nxt = re.match(r"\s+(\w+)", text[end : end + 20])
    return bool(nxt and nxt.group(1).lower() in {"be", "have", "not", "we", "i", "you"})


def _date_relation(a: When, b: When) -> str:
    """ "same", "precision" (both can be true) or "conflict"."""
    if a == b or (a.year, a.month, a.day, a.weekday, a.decade, a.relative) == (
        b.year,
        b.month,
        b.day,
        b.weekday,
        b.decade,
        b.relative,
    ):
        return "same"
    if a.year is not None and b.year is not None and a.year != b.year:
        return "conflict"
    if a.month is not None and b.month is not None:
        if a.month != b.month:
            return "conflict"
        if a.day is not None and b.day is not None and a.day != b.day:
            return "conflict"
        return "precision"
    if a.weekday is not None and b.weekday is not None:
        return "conflict" if a.weekday != b.weekday else "same"
    for x, y in ((a, b), (b, a)):
        if x.decade is not None and y.year is not None and not x.decade <= y.year < x.decade + 10:
            return "conflict"
    if a.relative and b.relative and a.relative.split()[-1:] == b.relative.split()[-1:]:
        # "this year" vs "last year" cannot both hold; "this year" vs "past year" can.
        anchors = {a.relative.split()[0], b.relative.split()[0]}
        if anchors in ({"this", "last"}, {"this", "next"}, {"last", "next"}):
            return "conflict"
    return "precision"


# --- names ----------------------------------------------------------------------------------

_NAME = re.compile(r"\b[A-Z][\w’'\-]*[a-z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*[a-z][\w’'\-]*)*")
_NOT_NAMES = frozenset(
    w.capitalize()
    for w in [
        *MONTHS,
        *WEEKDAYS,
        *[
            "the",
            "a",
            "an",
            "in",
            "on",
            "at",
            "of",
            "for",
            "and",
            "but",
            "after",
            "before",
            "since",
            "while",
            "as",
            "this",
            "that",
            "these",
            "those",
            "it",
            "its",
            "he",
            "she",
            "they",
            "we",
            "his",
            "her",
            "their",
            "our",
            "several",
            "some",
            "many",
            "most",
            "all",
            "other",
            "another",
            "initially",
            "additionally",
            "meanwhile",
            "however",
            "according",
            "authorities",
            "officials",
            "government",
            "ministry",
            "president",
            "minister",
        ],
    ]
)


def names(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Capitalised words (not sentence openers that are ordinary words), one by one."""
    out: list[tuple[int, int, str]] = []
    for m in _NAME.finditer(text, start, end):
        at = m.start()
        for word in m.group().split():
            w = word.rstrip("’'s").rstrip("’'")
            if w and w not in _NOT_NAMES and len(w) > 2:
                out.append((at, at + len(w), w))
            at += len(word) + 1
            while at < m.end() and text[at].isspace():
                at += 1
    return out


@lru_cache(maxsize=50_000)
def _same_name(a: str, b: str) -> float:
    from rapidfuzz.distance import JaroWinkler

    return float(JaroWinkler.similarity(fold(a), fold(b)))


# --- comparing two passages -----------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    dates: tuple[When, ...]
    numbers: tuple[Number, ...]
    names: tuple[tuple[int, int, str], ...]


@lru_cache(maxsize=8192)
def extract(text: str, start: int, end: int) -> Facts:
    """The dates, numbers and names of ``text[start:end]`` (remembered: the same passages
    are compared again and again)."""
    found = dates(text, start, end)
    return Facts(
        tuple(found),
        tuple(numbers(text, start, end, [(d.start, d.end) for d in found])),
        tuple(names(text, start, end)),
    )


def differences(
    here_text: str, here: tuple[int, int], there_text: str, there: tuple[int, int]
) -> list[Difference]:
    """What ``here_text[here]`` and ``there_text[there]`` say differently."""
    out: list[Difference] = []

    def diff(kind: str, a: tuple[int, int], b: tuple[int, int]) -> None:
        out.append(
            Difference(
                kind, here_text[a[0] : a[1]], there_text[b[0] : b[1]], a[0], a[1], b[0], b[1]
            )
        )

    facts_a, facts_b = extract(here_text, *here), extract(there_text, *there)
    dates_a, dates_b = facts_a.dates, facts_b.dates
    for da, db, relation in _pair_dates(list(dates_a), list(dates_b)):
        if relation != "same":
            diff(
                "date" if relation == "conflict" else "date_precision",
                (da.start, da.end),
                (db.start, db.end),
            )
    for na, nb in _pair_numbers(list(facts_a.numbers), list(facts_b.numbers)):
        if na.value == nb.value and na.qualifier == nb.qualifier:
            continue
        if na.value == nb.value or _compatible(na, nb):
            diff("number_precision", (na.start, na.end), (nb.start, nb.end))
        else:
            diff("number", (na.start, na.end), (nb.start, nb.end))
    for sa, sb, kind in _pair_names(list(facts_a.names), list(facts_b.names)):
        diff(kind, sa, sb)
    return sorted(out, key=lambda d: (d.here_start, d.there_start))


def _pair_dates(a: list[When], b: list[When]) -> list[tuple[When, When, str]]:
    pairs: list[tuple[When, When, str]] = []
    left, right = list(a), list(b)
    for wanted in ("same", "precision", "conflict"):
        for x in list(left):
            for y in right:
                relation = _date_relation(x, y)
                if relation == wanted and (
                    wanted != "conflict"
                    or _same_grain(x, y)
                    or (len(left) == 1 and len(right) == 1)
                ):
                    pairs.append((x, y, relation))
                    left.remove(x)
                    right.remove(y)
                    break
    return pairs


def _same_grain(a: When, b: When) -> bool:
    """Two dates of the same kind (two months, two weekdays, two years) can be set against
    each other even when a passage holds several."""
    return (a.month is None) == (b.month is None) and (a.weekday is None) == (b.weekday is None)


def _pair_numbers(a: list[Number], b: list[Number]) -> list[tuple[Number, Number]]:
    pairs: list[tuple[Number, Number]] = []
    left, right = list(a), list(b)
    # Equal figures first, then figures about the same thing, then a lone figure each side.
    for x in list(left):
        for y in right:
            if x.unit == y.unit and x.value == y.value:
                pairs.append((x, y))
                left.remove(x)
                right.remove(y)
                break
    for x in list(left):
        best = max(
            (y for y in right if y.unit == x.unit and x.context & y.context),
            key=lambda y: len(x.context & y.context),
            default=None,
        )
        if best is not None:
            pairs.append((x, best))
            left.remove(x)
            right.remove(best)
    for unit in sorted({x.unit for x in left} & {y.unit for y in right}):
        xs = [x for x in left if x.unit == unit]
        ys = [y for y in right if y.unit == unit]
        if len(xs) == 1 and len(ys) == 1:
            pairs.append((xs[0], ys[0]))
    return pairs


def _pair_names(
    a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]
) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """Spelling variants of one name; a given name changed next to the same surname."""

    def related(x: str, ys: set[str]) -> bool:
        # The same word, or one derived from the other: "Russia"/"Russian", "Culture"/"Cultural".
        fx = fold(x)
        return any(
            fx == y or fx.startswith(y) or y.startswith(fx) or stem(fx) == stem(y) for y in ys
        )

    folded_b = {fold(w) for _, _, w in b}
    folded_a = {fold(w) for _, _, w in a}
    only_a = [x for x in a if not related(x[2], folded_b)]
    only_b = [y for y in b if not related(y[2], folded_a)]
    out: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    for x in list(only_a):
        best = max(only_b, key=lambda y: _same_name(x[2], y[2]), default=None)
        if best is None:
            continue
        score = _same_name(x[2], best[2])
        if score >= 0.85 and fold(x[2])[0] == fold(best[2])[0]:
            out.append(((x[0], x[1]), (best[0], best[1]), "name_spelling"))
            only_b.remove(best)
            only_a.remove(x)
    # A different given name before the same surname: another person.
    given_b = _given_names(b)
    for surname, x in _given_names(a).items():
        y = given_b.get(surname)
        if y is not None and x in only_a and y in only_b:
            out.append(((x[0], x[1]), (y[0], y[1]), "name"))
    return out


def _given_names(found: list[tuple[int, int, str]]) -> dict[str, tuple[int, int, str]]:
    """Surname (folded) to the name just before it in the same run of capitalised words."""
    out: dict[str, tuple[int, int, str]] = {}
    for first, second in pairwise(found):
        if 0 < second[0] - first[1] <= 1:
            out.setdefault(fold(second[2]), first)
    return out
