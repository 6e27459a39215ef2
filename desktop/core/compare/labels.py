"""Short names for the versions of a story, for places too small for a headline.

Headlines of one story's versions mostly begin alike ("Azerbaijan cancels…", "Azerbaijan
halts…"), so cutting them short leaves nothing to tell them apart by. Each version gets a
letter in reading order, then its outlet and publication date where known:
``A · Kyiv Independent, 29 Jun 2025``, ``B · ILKHA``, ``C``. The letter alone is always unique;
the whole title goes in tooltips.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

OUTLET_CHARS = 18
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*")


class _Dated(Protocol):
    """A ``date`` or a ``PartialDate``: both say their year, and a month and day if known."""

    @property
    def year(self) -> int: ...


@dataclass(frozen=True)
class VersionLabel:
    article_id: str
    letter: str  # "A", "B", … "Z", "AA", …
    short: str  # "A · Kyiv Independent, 29 Jun 2025"
    full: str  # the title, then outlet and date on a second line when known


def letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA, as spreadsheet columns are named."""
    if index < 0:
        raise ValueError("a version's position cannot be negative")
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def short_outlet(outlet: str) -> str:
    """The outlet's name without a parenthesised expansion, cut to a few words."""
    name = " ".join(outlet.split())
    plain = _PARENTHESIS.sub(" ", name).strip()
    name = plain or name
    if len(name) <= OUTLET_CHARS:
        return name
    cut = name[: OUTLET_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def short_date(published: date | _Dated | None) -> str:
    """``29 Jun 2025``, ``Jun 2025`` or ``2025``: only as precise as the date is known."""
    if published is None:
        return ""
    year = published.year
    month = getattr(published, "month", None)
    day = getattr(published, "day", None)
    if month is None:
        return f"{year}"
    if day is None:
        return f"{_MONTHS[month - 1]} {year}"
    return f"{day} {_MONTHS[month - 1]} {year}"


def version_labels(
    articles: Sequence[tuple[str, str, str, date | _Dated | None]],
) -> dict[str, VersionLabel]:
    """Labels for (id, title, outlet, published) articles, lettered in the order given."""
    out: dict[str, VersionLabel] = {}
    for index, (article_id, title, outlet, published) in enumerate(articles):
        mark = letter(index)
        when = short_date(published)
        detail = ", ".join(p for p in (short_outlet(outlet), when) if p)
        whole = " · ".join(p for p in (" ".join(outlet.split()), when) if p)
        out[article_id] = VersionLabel(
            article_id,
            mark,
            f"{mark} · {detail}" if detail else mark,
            f"{mark}: {title}\n{whole}" if whole else f"{mark}: {title}",
        )
    return out
