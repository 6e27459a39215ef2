"""The verdicts as CSV: one row per annotation, for editors and spreadsheets.

``start``/``end`` are code points of the stored text and ``quote`` is ``text[start:end]``.
With ``include_deleted`` a ``deleted_at`` column tells deleted annotations apart; with
``final_only`` (adjudicated final verdicts only) a ``settles`` column lists the reviewers'
annotations each one settles; then always ``claim_id``, and last ``page``, the page of a PDF
article on which the span begins (empty for other articles); see ``header``. UTF-8, CRLF rows,
RFC 4180 quoting.

The rows are defined here (``_cells``); a backend may write the same bytes faster
(``Store.write_verdicts_csv``), and a test holds the two to the same output.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from desktop.core import review_state
from desktop.core.exports.common import (
    BATCH_ROWS,
    DEFAULT_OPTIONS,
    ExportOptions,
    Progress,
    Ticker,
    safe_cell,
)
from desktop.core.model import iso_utc
from desktop.core.pages import PageFinder
from desktop.core.records import AnnotationRow
from desktop.core.store import Store, reads
from desktop.core.store.base import CsvSpec

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
# With final verdicts only: the ids of the reviewers' annotations each one settles, sorted,
# separated by a space.
SETTLES_COLUMN = "settles"
# Added after the first release, so it comes last: consumers reading columns by position
# keep working.
CLAIM_COLUMN = "claim_id"
# Added after ``claim_id``, so after it.
PAGE_COLUMN = "page"
BOM = "\ufeff".encode()


def header(include_deleted: bool, final_only: bool = False) -> tuple[str, ...]:
    return (
        HEADER
        + ((DELETED_COLUMN,) if include_deleted else ())
        + ((SETTLES_COLUMN,) if final_only else ())
        + (CLAIM_COLUMN, PAGE_COLUMN)
    )


def _cells(
    row: AnnotationRow,
    safe: bool,
    include_deleted: bool,
    pages: PageFinder,
    settles: dict[str, tuple[str, ...]] | None = None,
) -> list[object]:
    """The row's cells; ``pages`` finds the PDF page of its span; ``settles`` (final verdicts
    only) maps a final annotation to the annotations it settles."""

    def cell(value: str) -> str:
        return safe_cell(value) if safe else value

    cells: list[object] = [
        row.id,
        row.article_id,
        cell(row.article_title),
        cell(row.outlet),
        cell(row.url or ""),
        row.start,
        row.end,
        cell(row.quote),
        row.verdict.value,
        cell(row.note),
        cell(" ".join(s.url for s in row.sources)),
        cell(row.reviewer),
        iso_utc(row.created_at),
        iso_utc(row.updated_at),
    ]
    if include_deleted:
        cells.append(iso_utc(row.deleted_at) if row.deleted_at else "")
    if settles is not None:
        cells.append(" ".join(settles.get(row.id, ())))
    cells.append(row.claim)
    page = pages.page(row.article_id, row.start)
    cells.append("" if page is None else page)
    return cells


def write_csv(
    project: Store,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> int:
    """Write the CSV to ``out``; return the row count."""
    flt = options.filter
    columns = header(flt.include_deleted, flt.final_only)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    if options.bom:
        out.write(BOM)
    out.write(buffer.getvalue().encode("utf-8"))
    ticker = Ticker(progress)
    spec = CsvSpec(columns, flt, options.spreadsheet_safe)
    written = project.write_verdicts_csv(out, spec, ticker)
    if written is not None:
        return written
    with project.read() as conn:
        ticker.total = reads.count_annotations(conn, flt)
        ticker.report()
        pages = PageFinder(conn)
        settles = review_state.settled_by_final(conn) if flt.final_only else None
        batch: list[list[object]] = []
        for row in reads.iter_annotation_rows(conn, flt):
            batch.append(_cells(row, options.spreadsheet_safe, flt.include_deleted, pages, settles))
            if len(batch) == BATCH_ROWS:
                _write_batch(out, batch, ticker)
                batch = []
        _write_batch(out, batch, ticker)
    return ticker.done


def _write_batch(out: BinaryIO, batch: list[list[object]], ticker: Ticker) -> None:
    if not batch:
        return
    buffer = io.StringIO()
    csv.writer(buffer).writerows(batch)
    out.write(buffer.getvalue().encode("utf-8"))
    ticker.add(len(batch))
