"""Find text in every version: case, runs of white space and the style of quotes and
apostrophes do not matter; offsets are code points of the stored text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.errors import InvalidInput

CONTEXT_CHARS = 40
MAX_QUERY_CHARS = 1_000
_EQUIVALENT = {
    "'": "['‘’`]",
    "‘": "['‘’`]",
    "’": "['‘’`]",
    "`": "['‘’`]",
    '"': '["“”«»]',
    "“": '["“”«»]',
    "”": '["“”«»]',
    "«": '["“”«»]',
    "»": '["“”«»]',
    "-": "[-‐‑–—]",
    "–": "[-‐‑–—]",
    "—": "[-‐‑–—]",
}


@dataclass(frozen=True)
class Hit:
    article_id: str
    article_title: str
    start: int
    end: int
    quote: str
    before: str
    after: str

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "article_title": self.article_title,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "before": self.before,
            "after": self.after,
        }


def pattern(query: str) -> re.Pattern[str]:
    words = query.split()
    if not words:
        raise InvalidInput("the text to search for is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"the text to search for is longer than {MAX_QUERY_CHARS} characters")
    parts = ["".join(_EQUIVALENT.get(ch, re.escape(ch)) for ch in word) for word in words]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def search(articles: Sequence[tuple[str, str, str]], query: str) -> list[Hit]:
    """Every match in (id, title, text) articles, in article order then text order."""
    found = pattern(query)
    hits: list[Hit] = []
    for article_id, title, text in articles:
        for m in found.finditer(text):
            before = text[max(0, m.start() - CONTEXT_CHARS) : m.start()]
            after = text[m.end() : m.end() + CONTEXT_CHARS]
            hits.append(
                Hit(article_id, title, m.start(), m.end(), m.group(), _flat(before), _flat(after))
            )
    return hits


def _flat(text: str) -> str:
    """Context on one line; a space stays where the match meets white space."""
    if not text.strip():
        return " " if text else ""
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    return lead + " ".join(text.split()) + trail
