"""The verdicts as CSV: one row per annotation, for editors and spreadsheets.

``start``/``end`` are code points of the stored text and ``quote`` is ``text[start:end]``;
``page`` is the page of a PDF article on which the span begins (empty for other articles).
With ``include_deleted`` a trailing ``deleted_at`` column tells deleted annotations apart;
otherwise the header is exactly ``HEADER``.

How it stays fast: SQLite computes every output cell (times formatted, sources joined,
formula-like cells neutralised) and the standard csv module writes whole batches. The four
cells that are the same for every annotation of an article (id, title, outlet, URL) are
encoded once per article: the query puts a placeholder ``\\x01<n>\\x02`` in their place, which
is swapped for the encoded cells after each batch (the batch is written the plain way if the
placeholder count does not match its rows, i.e. if the text itself holds such a sequence).
Articles are queried in groups, the next group's query (where SQLite sorts, outside the GIL)
running on a second connection while the current group is written.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import queue
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO

from desktop.core.exports.common import (
    BATCH_ROWS,
    DEFAULT_OPTIONS,
    ExportOptions,
    Progress,
    Ticker,
    annotation_where,
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
    "page",
)
DELETED_COLUMN = "deleted_at"
BOM = "\ufeff".encode()
# Articles per group are chosen so that a group has about this many rows, and so that small
# exports run in one query on one thread.
GROUP_ROWS = 20_000

# The page of a PDF article holding the span's first character: the last page starting at or
# before it (one index seek). NULL for articles without pages.
_PAGE = (
    "(SELECT p.page FROM article_pages p WHERE p.article_id = a.article_id AND p.start <= a.start"
    " ORDER BY p.start DESC, p.page DESC LIMIT 1)"
)

# Evidence URLs in stored order, joined by one space (NULL when there are none).
_URLS = "SELECT group_concat(json_extract(value, '$.url'), ' ') AS g FROM json_each(a.sources)"


def _cell(expr: str, safe: bool) -> str:
    return sql_safe(expr) if safe else expr


def _sources(safe: bool) -> str:
    if not safe:
        return f"coalesce(({_URLS}), '')"
    # Evaluated once per row: a CASE over the subquery itself would run it three times.
    return (
        "(CASE WHEN a.sources = '[]' THEN '' ELSE coalesce((SELECT "
        + sql_safe("g")
        + f" FROM ({_URLS})), '') END)"
    )


def _annotation_cells(safe: bool, include_deleted: bool, pages: bool) -> list[str]:
    """The cells after the article's four, in HEADER order. Without ``pages`` (no article
    of the project has pages) the page cell is empty without being looked up."""
    cells = [
        "a.start",
        'a."end"',
        _cell("a.quote", safe),
        "a.verdict",
        _cell("a.note", safe),
        _sources(safe),
        _cell("r.name", safe),
        sql_iso("a.created_at"),
        sql_iso("a.updated_at"),
        f"coalesce({_PAGE}, '')" if pages else "''",
    ]
    if include_deleted:
        cells.append(f"coalesce({sql_iso('a.deleted_at')}, '')")
    return cells


def _article_cells(safe: bool) -> list[str]:
    return [
        "t.id",
        _cell("t.title", safe),
        _cell("t.outlet", safe),
        _cell("coalesce(t.url, '')", safe),
    ]


def select_sql(*, safe: bool, include_deleted: bool, pages: bool = True) -> str:
    """One query whose rows are the CSV rows (after the header); ``{where}`` is left to fill.

    The export itself runs an equivalent query per group of articles; this one is the
    reference (tests and the benchmark's sqlite3 shell use it).
    """
    columns = ["a.id", *_article_cells(safe), *_annotation_cells(safe, include_deleted, pages)]
    return (
        "SELECT "
        + ", ".join(columns)
        + " FROM annotations a JOIN articles t ON t.id = a.article_id"
        " JOIN reviewers r ON r.id = a.updated_by WHERE {where}"
        ' ORDER BY t.imported_at, t.original_name, t.id, a.start, a."end", a.id'
    )


def _group_sql(safe: bool, include_deleted: bool, where: str, pages: bool) -> str:
    """Rows for the articles listed in JSON parameter ``:articles``, in that order; the
    article's cells are a placeholder naming its index in the list."""
    columns = [
        "a.id",
        "char(1) || o.key || char(2)",
        *_annotation_cells(safe, include_deleted, pages),
    ]
    return (
        "SELECT "
        + ", ".join(columns)
        + " FROM json_each(:articles) o JOIN annotations a ON a.article_id = o.value"
        f" JOIN reviewers r ON r.id = a.updated_by WHERE {where}"
        ' ORDER BY o.key, a.start, a."end", a.id'
    )


def _articles(
    conn: sqlite3.Connection, where: str, params: dict[str, object], safe: bool
) -> list[tuple[tuple[str, str, str, str], int]]:
    """Articles with at least one exported annotation, in reading order, with their counts."""
    counts = dict(
        conn.execute(
            # A plain scan: grouping through the article index would read rows at random.
            "SELECT a.article_id, count(*) FROM annotations a NOT INDEXED "
            f"JOIN reviewers r ON r.id = a.updated_by WHERE {where} GROUP BY a.article_id",
            params,
        ).fetchall()
    )
    rows = conn.execute(
        f"SELECT {', '.join(_article_cells(safe))} FROM articles t "
        "ORDER BY t.imported_at, t.original_name, t.id"
    ).fetchall()
    return [(tuple(row), counts[row[0]]) for row in rows if row[0] in counts]


def _connect(project: Project) -> sqlite3.Connection:
    conn = project.raw_connection()
    # Group queries read an article's rows through its index, in no page order: a larger
    # page cache (memory is taken only as pages are read) spares reading pages again.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def _groups(counts: Sequence[int]) -> list[list[int]]:
    """Consecutive article indexes, split where a group reaches GROUP_ROWS rows."""
    groups: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index, n in enumerate(counts):
        current.append(index)
        size += n
        if size >= GROUP_ROWS:
            groups.append(current)
            current, size = [], 0
    if current:
        groups.append(current)
    return groups


def write_csv(
    project: Project,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> int:
    """Write the CSV (UTF-8, CRLF rows, RFC 4180 quoting) to ``out``; return the row count."""
    flt = options.filter
    safe = options.spreadsheet_safe
    # Groups name their articles, so the article filter is applied when choosing them.
    where, params = annotation_where(dataclasses.replace(flt, article_ids=None))
    conn = _connect(project)
    try:
        articles = _articles(conn, where, params, safe)
        if flt.article_ids is not None:
            wanted = set(flt.article_ids)
            articles = [a for a in articles if a[0][0] in wanted]
        ticker = Ticker(progress, sum(n for _, n in articles))
        ticker.report()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER + ((DELETED_COLUMN,) if flt.include_deleted else ()))
        if options.bom:
            out.write(BOM)
        out.write(_take(buffer).encode("utf-8"))
        cells = [a[0] for a in articles]
        encoded = [_encode_row(writer, buffer, c) for c in cells]
        has_pages = conn.execute("SELECT EXISTS (SELECT 1 FROM article_pages)").fetchone()[0]
        sql = _group_sql(safe, flt.include_deleted, where, bool(has_pages))

        def run(connection: sqlite3.Connection, group: list[int]) -> sqlite3.Cursor:
            ids = json.dumps([cells[i][0] for i in group])
            return connection.execute(sql, {**params, "articles": ids})

        for group, cursor in _one_ahead(project, conn, _groups([n for _, n in articles]), run):
            marks = {f"\x01{k}\x02": i for k, i in enumerate(group)}
            while rows := cursor.fetchmany(BATCH_ROWS):
                writer.writerows(rows)
                filled = _fill(_take(buffer), rows, marks, encoded)
                if filled is None:  # the text holds a placeholder look-alike: the long way
                    writer.writerows([(r[0], *cells[marks[r[1]]], *r[2:]) for r in rows])
                    filled = _take(buffer)
                out.write(filled.encode("utf-8"))
                ticker.add(len(rows))
        return ticker.done
    finally:
        conn.close()


def _take(buffer: io.StringIO) -> str:
    """What the buffer holds, leaving it empty."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _encode_row(writer: Any, buffer: io.StringIO, row: Sequence[object]) -> str:
    writer.writerow(row)
    return _take(buffer)[: -len(writer.dialect.lineterminator)]


def _fill(text: str, rows: list[Any], marks: dict[str, int], encoded: list[str]) -> str | None:
    """Swap each placeholder for its article's encoded cells; None if they do not tally."""
    for mark, n in Counter(r[1] for r in rows).items():
        if text.count(mark) != n:
            return None
    for mark in Counter(r[1] for r in rows):
        text = text.replace(mark, encoded[marks[mark]])
    return text


def _one_ahead(
    project: Project,
    conn: sqlite3.Connection,
    groups: list[list[int]],
    run: Callable[[sqlite3.Connection, list[int]], sqlite3.Cursor],
) -> Iterator[tuple[list[int], sqlite3.Cursor]]:
    """Each group's cursor, in order; with several groups the next one's query runs in a
    second thread on one of two connections while the caller reads the current one."""
    if len(groups) <= 1:
        for group in groups:
            yield group, run(conn, group)
        return
    connections = [_connect(project), _connect(project)]
    free = threading.Semaphore(len(connections))
    ready: queue.SimpleQueue[tuple[list[int], sqlite3.Cursor] | BaseException | None] = (
        queue.SimpleQueue()
    )
    stop = threading.Event()

    def reader() -> None:
        try:
            for k, group in enumerate(groups):
                free.acquire()
                if stop.is_set():
                    return
                ready.put((group, run(connections[k % 2], group)))
        except BaseException as exc:  # handed to the writing thread, which raises it
            ready.put(None if stop.is_set() else exc)
            return
        ready.put(None)

    thread = threading.Thread(target=reader, name="csv-export-query", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
            free.release()
    finally:
        stop.set()
        for connection in connections:
            connection.interrupt()
        free.release()
        free.release()
        thread.join()
        for connection in connections:
            connection.close()
