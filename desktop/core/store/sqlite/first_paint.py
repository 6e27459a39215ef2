"""SQLite's private path to a window's first paint: a window shows a project before
SQLAlchemy (a large part of a cold start) is imported, reading the few things it shows on a
bare connection. ``store.reads`` defines what it must give; a test compares the two."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from desktop.core.model import PartialDate, Verdict, sources_from_json

if TYPE_CHECKING:
    from desktop.core.records import AnnotationRow, ArticleSummary, BlindState
    from desktop.core.store.sqlite import SqliteStore


def _utc(value: Any) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


_SUMMARIES_SQL = f"""
SELECT a.id, a.title, a.outlet, a.url, a.published, a.imported_at, a.original_name,
       a.text_length, a.deleted_at, a.published_precision, a.author,
       {", ".join(f"coalesce(c.n_{v.value}, 0)" for v in Verdict)}
FROM articles a
LEFT JOIN (
    SELECT article_id, {
    ", ".join(f"count(CASE WHEN verdict = '{v.value}' THEN 1 END) AS n_{v.value}" for v in Verdict)
}
    FROM annotations WHERE deleted_at IS NULL GROUP BY article_id
) c ON c.article_id = a.id
WHERE a.deleted_at IS NULL
ORDER BY a.imported_at, a.original_name, a.id
"""
_ROWS_SQL = """
SELECT n.id, n.article_id, a.title, a.outlet, a.url, n.start, n."end", n.quote, n.prefix,
       n.suffix, n.verdict, n.note, n.sources, u.name, c.name, n.created_at, n.updated_at,
       n.deleted_at, n.version, coalesce(n.claim_id, n.id)
FROM annotations n
JOIN articles a ON a.id = n.article_id
JOIN reviewers u ON u.id = n.updated_by
JOIN reviewers c ON c.id = n.created_by
"""
_ORDER = ' ORDER BY a.imported_at, a.original_name, a.id, n.start, n."end", n.id'


class QuickReader:
    """What a window shows first, read on one bare connection in one read transaction.

    Results equal ``store.reads`` (a test compares them); use it for the first screen only.
    """

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def __enter__(self) -> QuickReader:
        self._conn = self._store.raw_connection()
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._store.translate(exc) or exc from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise self._store.translate(exc) or exc from None

    def project_name(self) -> str | None:
        rows = self._rows("SELECT name FROM project LIMIT 1")
        return str(rows[0][0]) if rows else None

    def head_seq(self) -> int:
        rows = self._rows("SELECT max(seq) FROM audit_events")
        return int(rows[0][0] or 0)

    def blind_state(self) -> BlindState:
        """Who may see what: while blind review is on somewhere, the window reads through
        ``review_state``, whose blind view this reader does not apply."""
        from desktop.core.records import BlindState

        return BlindState.from_rows(
            (r[0] for r in self._rows("SELECT article_id FROM blinding")),
            self._rows(
                "SELECT d.article_id, r.name FROM done_marks d "
                "JOIN reviewers r ON r.id = d.reviewer_id"
            ),
            (
                r[0]
                for r in self._rows(
                    "SELECT r.name FROM adjudicators a JOIN reviewers r ON r.id = a.reviewer_id"
                )
            ),
        )

    def summaries(self) -> list[ArticleSummary]:
        from desktop.core.records import ArticleSummary

        out = []
        for (
            aid,
            title,
            outlet,
            url,
            published,
            imported_at,
            original,
            length,
            _removed,
            precision,
            author,
            *nums,
        ) in self._rows(_SUMMARIES_SQL):
            day = date.fromisoformat(published) if published else None
            out.append(
                ArticleSummary(
                    aid,
                    title,
                    outlet,
                    url,
                    PartialDate.from_stored(day, precision) if day and precision else day,
                    _utc(imported_at),
                    original,
                    length,
                    dict(zip(Verdict, nums, strict=True)),
                    author=author or "",
                )
            )
        return out

    def article_text(self, article_id: str) -> str | None:
        rows = self._rows("SELECT text FROM articles WHERE id = ?", (article_id,))
        return str(rows[0][0]) if rows else None

    def live_rows(self, article_id: str) -> list[AnnotationRow]:
        return self._annotation_rows(
            " WHERE n.article_id = ? AND n.deleted_at IS NULL" + _ORDER, (article_id,)
        )

    def reviewer_names(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT name FROM reviewers ORDER BY name")]

    def live_ids(self) -> list[str]:
        """The annotations a table lists by default: not deleted, of articles not removed, in
        reading order."""
        sql = (
            "SELECT n.id FROM annotations n JOIN articles a ON a.id = n.article_id "
            "WHERE n.deleted_at IS NULL AND a.deleted_at IS NULL" + _ORDER
        )
        return [r[0] for r in self._rows(sql)]

    def rows_by_id(self, annotation_ids: Sequence[str]) -> list[AnnotationRow]:
        if not annotation_ids:
            return []
        marks = ", ".join("?" * len(annotation_ids))
        found = {
            r.id: r
            for r in self._annotation_rows(f" WHERE n.id IN ({marks})", tuple(annotation_ids))
        }
        return [found[i] for i in annotation_ids if i in found]

    def all_rows(self) -> list[AnnotationRow]:
        """Every annotation of the articles not removed, deleted ones too, in reading order."""
        return self._annotation_rows(" WHERE a.deleted_at IS NULL" + _ORDER, ())

    def first_rows(self, limit: int) -> tuple[int, list[AnnotationRow]]:
        """How many annotations are listed by default (deleted ones too), and the first ones
        in reading order."""
        count = int(self._rows("SELECT count(*) FROM annotations")[0][0])
        return count, self._annotation_rows(_ORDER + " LIMIT ?", (limit,))

    def _annotation_rows(self, tail: str, params: Sequence[Any]) -> list[AnnotationRow]:
        from desktop.core.records import AnnotationRow

        return [
            AnnotationRow(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], Verdict(r[10]),
                r[11], sources_from_json(json.loads(r[12])), r[13], r[14], _utc(r[15]),
                _utc(r[16]), None if r[17] is None else _utc(r[17]), r[18], r[19],
            )
            for r in self._rows(_ROWS_SQL + tail, params)
        ]  # fmt: skip
