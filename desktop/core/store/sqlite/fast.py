"""SQLite's private fast paths: the verdicts CSV and the audit chain's bytes (the third,
first paint, is ``first_paint``, kept apart so that start-up loads none of this).

Each has a portable equivalent over SQLAlchemy Core that defines what it must produce
(``exports.csv_verdicts``, ``audit.verify_chain``); tests compare the two.
These exist because measured workloads need them:

- the CSV: SQLite computes every cell (times formatted, sources joined, formula-like cells
  neutralised) and the csv module writes whole batches. The four cells that are the same for
  every annotation of an article are encoded once per article: the query puts a placeholder
  ``\\x01<n>\\x02`` in their place, swapped for the encoded cells after each batch (the batch
  is written the plain way if the placeholder count does not match, i.e. if the text itself
  holds such a sequence). The next group's query runs on a second connection meanwhile.
- the chain: SQLite assembles ``prev_hash + canonical JSON`` of thousands of events at once
  (``json_quote`` escapes exactly as RFC 8785 does; a property test compares them), in reader
  threads, outside the GIL, while the caller hashes.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import queue
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from desktop.core.store.base import CsvSpec
    from desktop.core.store.sqlite import SqliteStore

BATCH_ROWS = 2_000
GROUP_ROWS = 20_000
BOM = "\ufeff".encode()
# A cell starting with = + - @ tab CR or LF is read as a formula by spreadsheets (OWASP, CSV
# injection). Their code points, for SQLite's unicode(), which gives the first character's.
FORMULA_CODEPOINTS = "61, 43, 45, 64, 9, 13, 10"


def _connect(store: SqliteStore) -> sqlite3.Connection:
    conn = store.raw_connection()
    # Group queries read an article's rows through its index, in no page order: a larger
    # page cache (memory is taken only as pages are read) spares reading pages again.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


# --- the verdicts CSV -----------------------------------------------------------------------


def sql_iso(column: str) -> str:
    """Stored ``YYYY-MM-DD HH:MM:SS.ffffff`` (naive UTC) as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return f"(replace({column}, ' ', 'T') || 'Z')"


def sql_safe(expr: str) -> str:
    """``expr`` with a ' in front when a spreadsheet would read it as a formula."""
    return (
        f"(CASE WHEN unicode({expr}) IN ({FORMULA_CODEPOINTS}) THEN '''' || {expr} ELSE {expr} END)"
    )


_URLS = (
    "SELECT group_concat(json_extract(value, '$.url'), ' ') AS g "
    "FROM json_each(annotations.sources)"
)


def _cell(expr: str, safe: bool) -> str:
    return sql_safe(expr) if safe else expr


def _sources(safe: bool) -> str:
    if not safe:
        return f"coalesce(({_URLS}), '')"
    # Evaluated once per row: a CASE over the subquery itself would run it three times.
    return (
        "(CASE WHEN annotations.sources = '[]' THEN '' ELSE coalesce((SELECT "
        + sql_safe("g")
        + f" FROM ({_URLS})), '') END)"
    )


# The page of a PDF article holding the span's first character, as ``pages.page_of`` finds
# it: the last page starting at or before it (one index seek), else 1 for an article with
# pages, else empty.
_PAGE = (
    "coalesce((SELECT p.page FROM article_pages p WHERE p.article_id = annotations.article_id"
    " AND p.start <= annotations.start ORDER BY p.start DESC, p.page DESC LIMIT 1),"
    " (SELECT 1 FROM article_pages p WHERE p.article_id = annotations.article_id LIMIT 1), '')"
)

# How each column of the verdicts CSV is computed; the header names which are wanted.
_ANNOTATION_CELLS: dict[str, Callable[[bool], str]] = {
    "start": lambda safe: "annotations.start",
    "end": lambda safe: 'annotations."end"',
    "quote": lambda safe: _cell("annotations.quote", safe),
    "verdict": lambda safe: "annotations.verdict",
    "note": lambda safe: _cell("annotations.note", safe),
    "sources": _sources,
    "reviewer": lambda safe: _cell("updater.name", safe),
    "created_at": lambda safe: sql_iso("annotations.created_at"),
    "updated_at": lambda safe: sql_iso("annotations.updated_at"),
    "page": lambda safe: _PAGE,
    "deleted_at": lambda safe: f"coalesce({sql_iso('annotations.deleted_at')}, '')",
    "claim_id": lambda safe: "coalesce(annotations.claim_id, annotations.id)",
}
_ARTICLE_COLUMNS = ("article_id", "article_title", "outlet", "url")


def _article_cells(safe: bool) -> list[str]:
    return [
        "articles.id",
        _cell("articles.title", safe),
        _cell("articles.outlet", safe),
        _cell("coalesce(articles.url, '')", safe),
    ]


def can_write(header: Sequence[str]) -> bool:
    """Whether this path computes every column of ``header``. It leaves the ``settles`` column
    of final verdicts (a few rows, whose linked ids SQLite before 3.44 cannot join in a
    defined order) to the portable writer."""
    try:
        _check_header(header)
    except ValueError:
        return False
    return True


def _check_header(header: Sequence[str]) -> list[str]:
    """The annotation columns after the article's four; the header must be laid out so."""
    if tuple(header[:5]) != ("annotation_id", *_ARTICLE_COLUMNS):
        raise ValueError("the CSV fast path expects the id and article columns first")
    rest = list(header[5:])
    unknown = [c for c in rest if c not in _ANNOTATION_CELLS]
    if unknown:
        raise ValueError(f"the CSV fast path cannot compute {unknown}")
    return rest


def _where(spec: CsvSpec) -> tuple[str, dict[str, Any]]:
    """The filter's Core conditions (the one definition of them) compiled for SQLite."""
    import dataclasses

    from sqlalchemy import and_, true
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from desktop.core.store.reads import annotation_conditions

    # Groups name their articles, so the article filter is applied when choosing them.
    conditions = annotation_conditions(dataclasses.replace(spec.filter, article_ids=None))
    compiled = and_(true(), *conditions).compile(
        dialect=sqlite_dialect.dialect(paramstyle="named"),
        compile_kwargs={"render_postcompile": True},
    )
    return str(compiled), dict(compiled.params)


_JOINS = (
    " JOIN reviewers AS updater ON updater.id = annotations.updated_by"
    " JOIN articles ON articles.id = annotations.article_id"
)


def _annotation_cells(columns: Sequence[str], safe: bool, pages: bool) -> list[str]:
    """The cells of ``columns``. Without ``pages`` (no article of the project was read from
    a PDF) the page cell is empty without being looked up."""
    return ["''" if c == "page" and not pages else _ANNOTATION_CELLS[c](safe) for c in columns]


def _has_pages(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM article_pages LIMIT 1").fetchone() is not None


def select_sql(header: Sequence[str], *, safe: bool, where: str = "1", pages: bool = True) -> str:
    """One query whose rows are the CSV rows after the header (the benchmark's sqlite3-shell
    baseline uses it)."""
    cells = ["annotations.id", *_article_cells(safe)]
    cells += _annotation_cells(_check_header(header), safe, pages)
    return (
        f"SELECT {', '.join(cells)} FROM annotations{_JOINS} WHERE {where}"
        " ORDER BY articles.imported_at, articles.original_name, articles.id,"
        ' annotations.start, annotations."end", annotations.id'
    )


def _group_sql(columns: list[str], safe: bool, where: str, pages: bool) -> str:
    """Rows for the articles listed in JSON parameter ``:articles``, in that order; the
    article's cells are a placeholder naming its index in the list."""
    cells = [
        "annotations.id",
        "char(1) || o.key || char(2)",
        *_annotation_cells(columns, safe, pages),
    ]
    return (
        f"SELECT {', '.join(cells)} FROM json_each(:articles) o"
        " JOIN annotations ON annotations.article_id = o.value" + _JOINS + f" WHERE {where}"
        ' ORDER BY o.key, annotations.start, annotations."end", annotations.id'
    )


def _articles(
    conn: sqlite3.Connection, where: str, params: dict[str, object], safe: bool
) -> list[tuple[tuple[str, ...], int]]:
    """Articles with at least one exported annotation, in reading order, with their counts."""
    counts = dict(
        conn.execute(
            # A plain scan: grouping through the article index would read rows at random.
            "SELECT annotations.article_id, count(*) FROM annotations NOT INDEXED"
            f"{_JOINS} WHERE {where} GROUP BY annotations.article_id",
            params,
        ).fetchall()
    )
    rows = conn.execute(
        f"SELECT {', '.join(_article_cells(safe))} FROM articles "
        "ORDER BY articles.imported_at, articles.original_name, articles.id"
    ).fetchall()
    return [(tuple(row), counts[row[0]]) for row in rows if row[0] in counts]


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


def write_verdicts_csv(store: SqliteStore, out: BinaryIO, spec: CsvSpec, progress: Any) -> int:
    """Write the CSV rows (after the header, which the caller writes) for ``spec``; returns the
    row count. ``progress`` is a ``Ticker``."""
    columns = _check_header(spec.header)
    safe = spec.spreadsheet_safe
    where, params = _where(spec)
    conn = _connect(store)
    try:
        articles = _articles(conn, where, params, safe)
        if spec.filter.article_ids is not None:
            wanted = set(spec.filter.article_ids)
            articles = [a for a in articles if a[0][0] in wanted]
        progress.total = sum(n for _, n in articles)
        progress.report()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        cells = [a[0] for a in articles]
        encoded = [_encode_row(writer, buffer, c) for c in cells]
        sql = _group_sql(columns, safe, where, _has_pages(conn))

        def run(connection: sqlite3.Connection, group: list[int]) -> sqlite3.Cursor:
            ids = json.dumps([cells[i][0] for i in group])
            return connection.execute(sql, {**params, "articles": ids})

        for group, cursor in _one_ahead(store, conn, _groups([n for _, n in articles]), run):
            marks = {f"\x01{k}\x02": i for k, i in enumerate(group)}
            while rows := cursor.fetchmany(BATCH_ROWS):
                writer.writerows(rows)
                filled = _fill(_take(buffer), rows, marks, encoded)
                if filled is None:  # the text holds a placeholder look-alike: the long way
                    writer.writerows([(r[0], *cells[marks[r[1]]], *r[2:]) for r in rows])
                    filled = _take(buffer)
                out.write(filled.encode("utf-8"))
                progress.add(len(rows))
        return int(progress.done)
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
    """Swap each placeholder for its article's encoded cells; None if they do not tally.

    Every row holds exactly one placeholder, and a placeholder is the only way ``\x01`` gets
    into the text: when the text holds as many as there are rows, no cell holds one."""
    if text.count("\x01") != len(rows):
        return None
    for mark in {r[1] for r in rows}:
        text = text.replace(mark, encoded[marks[mark]])
    return text


def _one_ahead(
    store: SqliteStore,
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
    connections = [_connect(store), _connect(store)]
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


# --- the audit chain ------------------------------------------------------------------------

# What is hashed, prev_hash + canonical JSON of the event, built by SQLite.
_PAYLOAD_SQL = (
    'printf(\'%s{"action":%s,"after":%s,"at":%s,"before":%s,"entity_id":%s,'
    '"entity_type":%s,"id":%s,"reviewer":%s,"reviewer_id":%s,"seq":%d}\', '
    "prev_hash, json_quote(action), coalesce(after, 'null'), json_quote(at), "
    "coalesce(before, 'null'), json_quote(entity_id), json_quote(entity_type), json_quote(id), "
    "json_quote(reviewer), json_quote(reviewer_id), seq)"
)
# One row per chunk of events. Canonical JSON never holds a raw newline (RFC 8785 escapes
# control characters), so newline separates the payloads; anything irregular sends the chunk
# to the per-event check.
_CHUNK_SQL = (
    "SELECT count(*), min(seq), max(seq), sum(length(prev_hash) != 64 OR length(hash) != 64), "
    "group_concat(prev_hash, ''), group_concat(hash, ''), "
    f"CAST(group_concat({_PAYLOAD_SQL}, char(10)) AS BLOB) "
    # A range of the rowid (seq) is scanned in seq order; a chunk whose links do not follow
    # one another in that order fails the caller's checks and goes to the per-event check.
    "FROM audit_events WHERE seq BETWEEN ? AND ?"
)
# Chunks assembled at once by SQLite, outside the GIL, while the caller hashes: one per spare
# core (at least one), at most three.
_READERS = max(1, min(3, (os.cpu_count() or 1) - 1))


def chain_chunks(
    store: SqliteStore, size: int
) -> Generator[tuple[int, int, tuple[Any, ...] | None], None, None]:
    """For consecutive seq ranges of ``size`` events: (start, end, the chunk row or None)."""
    with closing(store.raw_connection()) as conn:
        first, last = conn.execute("SELECT min(seq), max(seq) FROM audit_events").fetchone()
    if first is None:
        return
    ranges = [(s, min(s + size - 1, last)) for s in range(first, last + 1, size)]
    if len(ranges) <= 2:
        with closing(store.raw_connection()) as conn:
            for start, end in ranges:
                yield start, end, _chunk_row(conn, start, end)
        return
    readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
    opened = [store.raw_connection() for _ in range(_READERS)]
    for reader in opened:
        readers.put(reader)

    def fetch(start: int, end: int) -> tuple[Any, ...] | None:
        reader = readers.get()
        try:
            return _chunk_row(reader, start, end)
        finally:
            readers.put(reader)

    pool = ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="verify-chain")
    try:
        pending = iter(ranges)
        window = deque((r, pool.submit(fetch, *r)) for r in itertools.islice(pending, 2 * _READERS))
        while window:
            (start, end), future = window.popleft()
            row = future.result()
            upcoming = next(pending, None)
            if upcoming is not None:
                window.append((upcoming, pool.submit(fetch, *upcoming)))
            yield start, end, row
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for reader in opened:
            reader.close()


def _chunk_row(conn: sqlite3.Connection, start: int, end: int) -> tuple[Any, ...] | None:
    try:
        return conn.execute(_CHUNK_SQL, (start, end)).fetchone()  # type: ignore[no-any-return]
    except sqlite3.Error:
        return None  # the per-event check of this range says what is wrong
