"""Reads about pages: where each page of a PDF article starts, and the fetched copies of web
pages (an article's source, or an evidence link's saved copy).

Portable ``select()``s over the schema's tables, on a connection from ``Store.read()``, like
``store.reads``.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, null, select

from desktop.core.errors import InvalidInput, NotFound
from desktop.core.store.schema import Article, ArticlePage, FetchedPage

# Parameters per statement stay far below every backend's limit.
_CHUNK = 500


# --- pages of PDF articles ------------------------------------------------------------------


def page_starts(conn: Connection, article_ids: Iterable[str]) -> dict[str, list[int]]:
    """Where each page starts, per article; articles that are not PDFs are left out."""
    out: dict[str, list[int]] = {}
    ids = list(dict.fromkeys(article_ids))
    for i in range(0, len(ids), _CHUNK):
        stmt = (
            select(ArticlePage.article_id, ArticlePage.start)
            .where(ArticlePage.article_id.in_(ids[i : i + _CHUNK]))
            .order_by(ArticlePage.article_id, ArticlePage.page)
        )
        for article_id, start in conn.execute(stmt):
            out.setdefault(article_id, []).append(start)
    return out


def has_pages(conn: Connection) -> bool:
    """Whether any article of the project was read from a PDF."""
    return conn.execute(select(ArticlePage.article_id).limit(1)).first() is not None


def page_of(starts: Sequence[int], offset: int) -> int | None:
    """The page (1 for the first) holding code point ``offset``; None without pages."""
    if not starts:
        return None
    return max(1, bisect.bisect_right(starts, offset))


class PageFinder:
    """The page of any offset of any article, from one read of every page start: what an
    export of many rows asks, row after row."""

    def __init__(self, conn: Connection) -> None:
        self._starts: dict[str, list[int]] = {}
        stmt = select(ArticlePage.article_id, ArticlePage.start).order_by(
            ArticlePage.article_id, ArticlePage.page
        )
        for article_id, start in conn.execute(stmt):
            self._starts.setdefault(article_id, []).append(start)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def page(self, article_id: str, offset: int) -> int | None:
        return page_of(self._starts.get(article_id, ()), offset)


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
    FetchedPage.id,
    FetchedPage.url,
    FetchedPage.final_url,
    FetchedPage.redirects,
    FetchedPage.status,
    FetchedPage.content_type,
    FetchedPage.fetched_at,
    FetchedPage.size,
    FetchedPage.sha256,
    FetchedPage.title,
)


def saved_page(conn: Connection, page_id: str, *, with_text: bool = True) -> SavedPage:
    text = FetchedPage.text if with_text else null()
    row = conn.execute(select(*_PAGE_COLUMNS, text).where(FetchedPage.id == page_id)).first()
    if row is None:
        raise NotFound(f"no saved page with id {page_id}")
    return _saved(row)


def saved_pages(conn: Connection) -> list[SavedPage]:
    """Every fetched page, oldest first, without texts."""
    stmt = select(*_PAGE_COLUMNS, null()).order_by(FetchedPage.fetched_at, FetchedPage.id)
    return [_saved(r) for r in conn.execute(stmt)]


def saved_page_body(conn: Connection, page_id: str) -> bytes:
    body = conn.execute(select(FetchedPage.body).where(FetchedPage.id == page_id)).first()
    if body is None:
        raise NotFound(f"no saved page with id {page_id}")
    return bytes(body[0])


def article_page_id(conn: Connection, article_id: str) -> str | None:
    """The fetched page an article was read from, if it came from a URL."""
    row = conn.execute(select(Article.fetched_page_id).where(Article.id == article_id)).first()
    if row is None:
        raise NotFound(f"no article with id {article_id}")
    value: str | None = row[0]
    return value


def resolve_page(conn: Connection, ref: str) -> str:
    """A saved page's id from its id or a unique prefix of it (4+ characters)."""
    ref = ref.strip().lower()
    found: list[str] = []
    if len(ref) >= 4:
        stmt = select(FetchedPage.id).where(func.substr(FetchedPage.id, 1, len(ref)) == ref)
        found = list(conn.execute(stmt.limit(2)).scalars())
    if not found:
        raise InvalidInput(f"no saved page matches {ref!r} (give its id or a unique prefix)")
    if len(found) > 1:
        raise InvalidInput(f"{ref!r} matches more than one saved page; give more of the id")
    return found[0]


def _saved(row: Sequence[Any]) -> SavedPage:
    pid, url, final_url, redirects, status, ctype, fetched_at, size, sha, title, text = row
    hops = json.loads(redirects) if isinstance(redirects, str) else redirects
    if isinstance(fetched_at, datetime):
        moment = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(fetched_at).replace(tzinfo=UTC)
    return SavedPage(
        id=pid,
        url=url,
        final_url=final_url,
        redirects=tuple((h["url"], int(h["status"])) for h in hops or ()),
        status=status,
        content_type=ctype,
        fetched_at=moment,
        size=size,
        sha256=sha,
        title=title,
        text=text,
    )
