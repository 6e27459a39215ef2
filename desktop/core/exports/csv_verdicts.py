"""The verdicts as CSV: one row per annotation, for editors and spreadsheets.

One SQL query on the raw connection selects exactly the output cells (times formatted, sources
joined, formula-like cells neutralised, all inside SQLite) and the standard csv module writes
them in batches. ``start``/``end`` are code points of the stored text and ``quote`` is
``text[start:end]``. With ``include_deleted`` a trailing ``deleted_at`` column tells deleted
annotations apart; otherwise the header is exactly ``HEADER``.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from desktop.core.exports.common import (
    BATCH_ROWS,
    DEFAULT_OPTIONS,
    ExportOptions,
    Progress,
    Ticker,
    annotation_where,
    count_annotations,
    sql_iso,
    sql_safe,
)
from desktop.core.storage.project import Project

HEADER = (
    "annotation_id",
    "article_id",
    "article_title",
    "outlet",
    "url",
    "start",
    "end",
    "quote",
    "verdict",
    "note",
    "sources",
    "reviewer",
    "created_at",
    "updated_at",
)
DELETED_COLUMN = "deleted_at"
BOM = "\ufeff".encode()

# Evidence URLs in stored order, joined by one space (NULL when there are none).
_URLS = "SELECT group_concat(json_extract(value, '$.url'), ' ') AS g FROM json_each(a.sources)"


def select_sql(*, safe: bool, include_deleted: bool) -> str:
    """The query whose rows are the CSV rows (after the header)."""

    def cell(expr: str) -> str:
        return sql_safe(expr) if safe else expr

    if safe:
        # Evaluated once per row: a CASE over the subquery itself would run it three times.
        sources = (
            "(CASE WHEN a.sources = '[]' THEN '' ELSE coalesce((SELECT "
            + sql_safe("g")
            + f" FROM ({_URLS})), '') END)"
        )
    else:
        sources = f"coalesce(({_URLS}), '')"
    columns = [
        "a.id",
        "a.article_id",
        cell("t.title"),
        cell("t.outlet"),
        cell("coalesce(t.url, '')"),
        "a.start",
        'a."end"',
        cell("a.quote"),
        "a.verdict",
        cell("a.note"),
        sources,
        cell("r.name"),
        sql_iso("a.created_at"),
        sql_iso("a.updated_at"),
    ]
    if include_deleted:
        columns.append(f"coalesce({sql_iso('a.deleted_at')}, '')")
    return (
        "SELECT "
        + ", ".join(columns)
        + " FROM annotations a JOIN articles t ON t.id = a.article_id"
        " JOIN reviewers r ON r.id = a.updated_by WHERE {where}"
        ' ORDER BY t.imported_at, t.original_name, t.id, a.start, a."end", a.id'
    )


def write_csv(
    project: Project,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> int:
    """Write the CSV (UTF-8, CRLF rows, RFC 4180 quoting) to ``out``; return the row count."""
    flt = options.filter
    where, params = annotation_where(flt)
    sql = select_sql(safe=options.spreadsheet_safe, include_deleted=flt.include_deleted).format(
        where=where
    )
    conn = project.raw_connection()
    try:
        ticker = Ticker(progress, count_annotations(conn, flt))
        ticker.report()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER + ((DELETED_COLUMN,) if flt.include_deleted else ()))
        if options.bom:
            out.write(BOM)
        cursor = conn.execute(sql, params)
        while True:
            rows = cursor.fetchmany(BATCH_ROWS)
            if rows:
                writer.writerows(rows)
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
            if not rows:
                break
            ticker.add(len(rows))
        return ticker.done
    finally:
        conn.close()
