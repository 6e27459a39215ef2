"""Read-only questions about a project, shaped for listing, the window, the CLI and exports.

Plain SQL, run either on a SQLAlchemy Session or on a bare ``sqlite3`` connection
(``Project.snapshot()``): the window paints its first screen through the latter without
loading SQLAlchemy at all, which is most of a cold start.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from desktop.core.errors import InvalidInput, NotFound
from desktop.core.model import PartialDate, Source, Verdict, iso_utc, sources_from_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    Reader = Session | sqlite3.Connection

# SQLite allows at most 32,766 parameters in one statement; stay far below.
_CHUNK = 500
_ID_PREFIX = re.compile(r"[0-9a-f-]{4,36}")


def _rows(db: Reader, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    if isinstance(db, sqlite3.Connection):
        return db.execute(sql, tuple(params)).fetchall()
    return [tuple(r) for r in db.connection().exec_driver_sql(sql, tuple(params))]


def _utc(value: Any) -> datetime:
    """Stored times are naive UTC (SQLite keeps them as text)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC)


def _date(value: Any, precision: str | None = None) -> date | PartialDate | None:
    """A stored date; a PartialDate when only its month or year is known."""
    if value is None:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return PartialDate.from_stored(day, precision) if precision else day


@dataclass(frozen=True)
class ProjectDetails:
    id: str
    name: str
    created_at: datetime


def project_info(db: Reader) -> ProjectDetails | None:
    rows = _rows(db, "SELECT id, name, created_at FROM project LIMIT 1")
    return ProjectDetails(rows[0][0], rows[0][1], _utc(rows[0][2])) if rows else None


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    title: str
    outlet: str
    url: str | None
    published: date | PartialDate | None  # both have isoformat(): "2024-03-12", "2024-03"
    imported_at: datetime
    original_name: str
    text_length: int
    counts: dict[Verdict, int] = field(default_factory=dict)
    author: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "imported_at": iso_utc(self.imported_at),
            "original_name": self.original_name,
            "characters": self.text_length,
            "counts": {v.value: self.counts.get(v, 0) for v in Verdict},
            "author": self.author,
        }


_COUNT_COLUMNS = ", ".join(
    f"count(CASE WHEN verdict = '{v.value}' THEN 1 END) AS n_{v.value}" for v in Verdict
)
_SUMMARIES_SQL = f"""
SELECT a.id, a.title, a.outlet, a.url, a.published, a.published_precision, a.author,
       a.imported_at, a.original_name, a.text_length,
       {", ".join(f"coalesce(c.n_{v.value}, 0)" for v in Verdict)}
FROM articles a
LEFT JOIN (
    SELECT article_id, {_COUNT_COLUMNS}
    FROM annotations WHERE deleted_at IS NULL GROUP BY article_id
) c ON c.article_id = a.id
ORDER BY a.imported_at, a.original_name, a.id
"""


def article_summaries(db: Reader) -> list[ArticleSummary]:
    """Every article with live annotation counts per verdict, in import order."""
    return [
        ArticleSummary(
            aid, title, outlet, url, _date(published, precision), _utc(imported_at), original,
            length, dict(zip(Verdict, nums, strict=True)), author or "",
        )
        for aid, title, outlet, url, published, precision, author, imported_at, original, length,
        *nums in _rows(db, _SUMMARIES_SQL)
    ]  # fmt: skip


def reviewer_names(db: Reader) -> list[str]:
    """Everyone who has changed the project, by name, sorted."""
    return [r[0] for r in _rows(db, "SELECT name FROM reviewers ORDER BY name")]


def article_text(db: Reader, article_id: str) -> str:
    rows = _rows(db, "SELECT text FROM articles WHERE id = ?", (article_id,))
    if not rows:
        raise NotFound(f"no article with id {article_id}")
    text: str = rows[0][0]
    return text


def resolve_article(db: Reader, ref: str) -> str:
    """An article id from a full id, a unique id prefix (4+ characters), or an exact title."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("no article given")
    if _rows(db, "SELECT 1 FROM articles WHERE id = ?", (ref,)):
        return ref
    matches: dict[str, None] = {}
    if _ID_PREFIX.fullmatch(ref.lower()):
        for (aid,) in _rows(
            db, "SELECT id FROM articles WHERE substr(id, 1, ?) = ?", (len(ref), ref.lower())
        ):
            matches[aid] = None
    for (aid,) in _rows(db, "SELECT id FROM articles WHERE title = ?", (ref,)):
        matches[aid] = None
    if len(matches) == 1:
        return next(iter(matches))
    if not matches:
        raise NotFound(
            f"no article matches {ref!r} (give an id, a unique id prefix or an exact title)"
        )
    raise InvalidInput(f"{ref!r} matches {len(matches)} articles; give more of the id")


@dataclass(frozen=True)
class AnnotationRow:
    """One annotation as listed and exported. Keys of ``to_json`` are the export's columns."""

    id: str
    article_id: str
    article_title: str
    outlet: str
    url: str | None
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    verdict: Verdict
    note: str
    sources: tuple[Source, ...]
    reviewer: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "article_title": self.article_title,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "verdict": self.verdict.value,
            "note": self.note,
            "sources": [s.to_json() for s in self.sources],
            "reviewer": self.reviewer,
            "created_at": iso_utc(self.created_at),
            "updated_at": iso_utc(self.updated_at),
        }


_ROWS_SQL = """
SELECT n.id, n.article_id, a.title, a.outlet, a.url, n.start, n."end", n.quote, n.prefix,
       n.suffix, n.verdict, n.note, n.sources, u.name, c.name, n.created_at, n.updated_at,
       n.deleted_at
FROM annotations n
JOIN articles a ON a.id = n.article_id
JOIN reviewers u ON u.id = n.updated_by
JOIN reviewers c ON c.id = n.created_by
"""
_ROWS_ORDER = ' ORDER BY a.imported_at, a.original_name, a.id, n.start, n."end", n.id'


def annotation_rows(
    db: Reader,
    *,
    article_ids: Iterable[str] | None = None,
    verdicts: Iterable[Verdict] | None = None,
    reviewer: str | None = None,
    include_deleted: bool = False,
    annotation_ids: Iterable[str] | None = None,
) -> list[AnnotationRow]:
    """Annotations in reading order; ``reviewer`` is whoever changed one last."""
    where: list[str] = []
    params: list[Any] = []
    if not include_deleted:
        where.append("n.deleted_at IS NULL")
    if verdicts is not None:
        values = [Verdict(v).value for v in verdicts]
        where.append(f"n.verdict IN ({', '.join('?' * len(values)) or 'NULL'})")
        params.extend(values)
    if reviewer is not None:
        where.append("u.name = ?")
        params.append(reviewer)
    # Long id lists are asked for in chunks; the result is re-sorted as a whole below.
    id_filters: list[tuple[str, list[str]]] = []
    if article_ids is not None:
        id_filters.append(("n.article_id", list(dict.fromkeys(article_ids))))
    if annotation_ids is not None:
        id_filters.append(("n.id", list(dict.fromkeys(annotation_ids))))
    raw: list[tuple[Any, ...]] = []
    for clause, chunk_params in _id_chunks(id_filters):
        sql = _ROWS_SQL + " WHERE " + " AND ".join([*where, *clause] or ["1 = 1"]) + _ROWS_ORDER
        raw.extend(_rows(db, sql, [*params, *chunk_params]))
    if len(raw) > 1 and any(len(ids) > _CHUNK for _, ids in id_filters):
        order = {aid: i for i, aid in enumerate(_article_order(db))}
        raw.sort(key=lambda r: (order.get(r[1], 0), r[5], r[6], r[0]))
    return [
        AnnotationRow(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], Verdict(r[10]), r[11],
            sources_from_json(json.loads(r[12]) if isinstance(r[12], str) else r[12]),
            r[13], r[14], _utc(r[15]), _utc(r[16]), None if r[17] is None else _utc(r[17]),
        )
        for r in raw
    ]  # fmt: skip


def _id_chunks(
    filters: list[tuple[str, list[str]]],
) -> Iterable[tuple[list[str], list[str]]]:
    """(SQL conditions, parameters) per query; one query unless an id list is long."""
    if not filters:
        yield [], []
        return
    (column, ids), *rest = filters
    for i in range(0, max(len(ids), 1), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        condition = f"{column} IN ({', '.join('?' * len(chunk)) or 'NULL'})"
        for clauses, params in _id_chunks(rest):
            yield [condition, *clauses], [*chunk, *params]


def _article_order(db: Reader) -> list[str]:
    return [
        r[0] for r in _rows(db, "SELECT id FROM articles ORDER BY imported_at, original_name, id")
    ]
