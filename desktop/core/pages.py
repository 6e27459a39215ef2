"""Reads about pages: where each page of a PDF article starts, and the fetched copies of web
pages (an article's source, or an evidence link's saved copy).

Plain SQL on a SQLAlchemy Session or a bare ``sqlite3`` connection, like ``queries``.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from desktop.core.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    Reader = Session | sqlite3.Connection


def _rows(db: Reader, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    if isinstance(db, sqlite3.Connection):
        return db.execute(sql, tuple(params)).fetchall()
    return [tuple(r) for r in db.connection().exec_driver_sql(sql, tuple(params))]


# --- pages of PDF articles ------------------------------------------------------------------


def page_starts(db: Reader, article_ids: Iterable[str]) -> dict[str, list[int]]:
    """Where each page starts, per article; articles that are not PDFs are left out."""
    out: dict[str, list[int]] = {}
    ids = list(dict.fromkeys(article_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        for article_id, start in _rows(
            db,
            f"SELECT article_id, start FROM article_pages WHERE article_id IN ({marks}) "
            "ORDER BY article_id, page",
            chunk,
        ):
            out.setdefault(article_id, []).append(start)
    return out


def page_of(starts: Sequence[int], offset: int) -> int | None:
    """The page (1 for the first) holding code point ``offset``; None without pages."""
    if not starts:
        return None
    return max(1, bisect.bisect_right(starts, offset))


# --- fetched web pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class SavedPage:
    """A fetched page as kept in the project (without its bytes)."""

    id: str
    url: str
    final_url: str
    redirects: tuple[tuple[str, int], ...]  # (url, status) of each redirect followed
    status: int
    content_type: str
    fetched_at: datetime
    size: int
    sha256: str
    title: str
    text: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "final_url": self.final_url,
            "redirects": [{"url": u, "status": s} for u, s in self.redirects],
            "status": self.status,
            "content_type": self.content_type,
            "fetched_at": self.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "size": self.size,
            "sha256": self.sha256,
            "title": self.title,
        }


_PAGE_COLUMNS = (
    "id, url, final_url, redirects, status, content_type, fetched_at, size, sha256, title"
)


def saved_page(db: Reader, page_id: str, *, with_text: bool = True) -> SavedPage:
    text_column = "text" if with_text else "NULL"
    rows = _rows(
        db, f"SELECT {_PAGE_COLUMNS}, {text_column} FROM fetched_pages WHERE id = ?", (page_id,)
    )
    if not rows:
        raise NotFound(f"no saved page with id {page_id}")
    return _saved(rows[0])


def saved_pages(db: Reader) -> list[SavedPage]:
    """Every fetched page, oldest first, without texts."""
    return [
        _saved(r)
        for r in _rows(
            db, f"SELECT {_PAGE_COLUMNS}, NULL FROM fetched_pages ORDER BY fetched_at, id"
        )
    ]


def saved_page_body(db: Reader, page_id: str) -> bytes:
    rows = _rows(db, "SELECT body FROM fetched_pages WHERE id = ?", (page_id,))
    if not rows:
        raise NotFound(f"no saved page with id {page_id}")
    return bytes(rows[0][0])


def article_page_id(db: Reader, article_id: str) -> str | None:
    """The fetched page an article was read from, if it came from a URL."""
    rows = _rows(db, "SELECT fetched_page_id FROM articles WHERE id = ?", (article_id,))
    if not rows:
        raise NotFound(f"no article with id {article_id}")
    value: str | None = rows[0][0]
    return value


def _saved(row: tuple[Any, ...]) -> SavedPage:
    pid, url, final_url, redirects, status, ctype, fetched_at, size, sha, title, text = row
    hops = json.loads(redirects) if isinstance(redirects, str) else redirects
    moment = fetched_at if isinstance(fetched_at, datetime) else datetime.fromisoformat(fetched_at)
    return SavedPage(
        id=pid,
        url=url,
        final_url=final_url,
        redirects=tuple((h["url"], int(h["status"])) for h in hops or ()),
        status=status,
        content_type=ctype,
        fetched_at=moment.replace(tzinfo=UTC),
        size=size,
        sha256=sha,
        title=title,
        text=text,
    )
