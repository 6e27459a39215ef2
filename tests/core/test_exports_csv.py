"""The verdicts CSV: read back with the csv module and checked against the project."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

import desktop.core.store.sqlite.fast as fast
from desktop.core import operations
from desktop.core.errors import CrosscheckError, InvalidInput, NotFound
from desktop.core.exports import (
    AnnotationFilter,
    ExportCancelled,
    ExportOptions,
    export_to_path,
    export_to_stream,
    resolve_filter,
)
from desktop.core.exports.csv_verdicts import HEADER
from desktop.core.model import Verdict, iso_utc, new_id
from desktop.core.store import Store, open_store, reads
from tests.backends import target_of

TRICKY_NOTE = 'He said "38 dead", not 40,\nthen left; 😀 and, a comma\r\nend'


@dataclass
class Tagged:
    project: Store
    first: str  # article ids
    second: str
    ids: dict[str, str]  # name -> annotation id


def _annotate(project: Store, article: str, start: int, end: int, verdict: str, **kw) -> str:
    return operations.annotate(project, article, start, end, verdict, **kw).annotation_ids[0]


@pytest.fixture
def tagged(demo_project: Store) -> Tagged:
    """Six annotations on two demo articles, by three reviewers, one deleted, one changed."""
    with demo_project.read() as session:
        first, second = [a.id for a in reads.article_summaries(session)][:2]
    p = demo_project
    ids = {
        "tricky": _annotate(
            p,
            first,
            10,
            30,
            "disputed",
            reviewer="Ann",
            note=TRICKY_NOTE,
            sources=["https://example.org/a", "https://example.org/b?x=1,2"],
        ),
        "formula": _annotate(
            p, first, 40, 60, "supported", reviewer="=Mallory", note='=HYPERLINK("http://x")'
        ),
        "signs": _annotate(p, first, 70, 90, "unverified", reviewer="Ann", note="-5 dead +1 @here"),
        "tab": _annotate(p, second, 5, 25, "unverified", reviewer="Ann", note="\tindented"),
        "changed": _annotate(p, second, 30, 50, "disputed", reviewer="Ann"),
        "deleted": _annotate(p, first, 100, 120, "supported", reviewer="Ann"),
    }
    operations.update_annotation(p, ids["changed"], reviewer="Bob", verdict="supported")
    operations.delete_annotation(p, ids["deleted"], reviewer="Ann")
    return Tagged(p, first, second, ids)


def export_csv(project: Store, options: ExportOptions | None = None) -> str:
    out = io.BytesIO()
    export_to_stream(project, "csv", out, options or ExportOptions())
    return out.getvalue().decode("utf-8")


def read_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def texts(project: Store) -> dict[str, str]:
    with project.read() as session:
        return {a.id: reads.article_text(session, a.id) for a in reads.article_summaries(session)}


# --- content --------------------------------------------------------------------------------


def test_header_and_one_row_per_live_annotation(tagged: Tagged) -> None:
    header, rows = read_rows(export_csv(tagged.project))
    assert header == [*HEADER, "claim_id", "page"]
    assert ",".join(header) == (
        "annotation_id,article_id,article_title,outlet,url,start,end,quote,verdict,note,"
        "sources,reviewer,created_at,updated_at,claim_id,page"
    )
    # An annotation that was never carried is a claim of its own.
    assert all(r["claim_id"] == r["annotation_id"] for r in rows)
    ids = {r["annotation_id"] for r in rows}
    assert ids == {v for k, v in tagged.ids.items() if k != "deleted"}


def test_cells_match_the_project_in_raw_mode(tagged: Tagged) -> None:
    _, rows = read_rows(export_csv(tagged.project, ExportOptions(spreadsheet_safe=False)))
    with tagged.project.read() as session:
        expected = {r.id: r for r in reads.annotation_rows(session)}
    text = texts(tagged.project)
    for row in rows:
        want = expected[row["annotation_id"]]
        start, end = int(row["start"]), int(row["end"])
        assert (start, end) == (want.start, want.end)
        assert row["quote"] == text[row["article_id"]][start:end] == want.quote
        assert row["note"] == want.note
        assert row["verdict"] == want.verdict.value
        assert row["article_title"] == want.article_title
        assert row["outlet"] == want.outlet
        assert row["url"] == (want.url or "")
        assert row["sources"] == " ".join(s.url for s in want.sources)
        assert row["reviewer"] == want.reviewer
        assert row["created_at"] == iso_utc(want.created_at)
        assert row["updated_at"] == iso_utc(want.updated_at)
        assert row["created_at"].endswith("Z") and "T" in row["created_at"]
        assert row["page"] == ""  # no PDF articles here


def test_tricky_notes_round_trip(tagged: Tagged) -> None:
    _, rows = read_rows(export_csv(tagged.project, ExportOptions(spreadsheet_safe=False)))
    by_id = {r["annotation_id"]: r for r in rows}
    assert by_id[tagged.ids["tricky"]]["note"] == TRICKY_NOTE
    assert by_id[tagged.ids["tricky"]]["sources"] == (
        "https://example.org/a https://example.org/b?x=1,2"
    )
    assert by_id[tagged.ids["formula"]]["note"] == '=HYPERLINK("http://x")'
    assert by_id[tagged.ids["formula"]]["reviewer"] == "=Mallory"


def test_reviewer_is_the_last_to_change_it(tagged: Tagged) -> None:
    _, rows = read_rows(export_csv(tagged.project))
    changed = next(r for r in rows if r["annotation_id"] == tagged.ids["changed"])
    assert (changed["reviewer"], changed["verdict"]) == ("Bob", "supported")


def test_formula_like_cells_are_neutralised_by_default(tagged: Tagged) -> None:
    _, rows = read_rows(export_csv(tagged.project))
    by_id = {r["annotation_id"]: r for r in rows}
    assert by_id[tagged.ids["formula"]]["note"] == '\'=HYPERLINK("http://x")'
    assert by_id[tagged.ids["formula"]]["reviewer"] == "'=Mallory"
    assert by_id[tagged.ids["signs"]]["note"] == "'-5 dead +1 @here"
    assert by_id[tagged.ids["tab"]]["note"] == "'\tindented"
    # Nothing else is touched, and no cell is left starting with a trigger.
    assert by_id[tagged.ids["tricky"]]["note"] == TRICKY_NOTE
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), value


def test_a_leading_newline_or_plus_is_neutralised(demo_project: Store) -> None:
    with demo_project.read() as session:
        article = reads.article_summaries(session)[0].id
    _annotate(demo_project, article, 0, 5, "disputed", reviewer="Ann", note="\n=1+1")
    _annotate(demo_project, article, 6, 9, "disputed", reviewer="+Plus", note="@SUM(1)")
    _, rows = read_rows(export_csv(demo_project))
    assert sorted(r["note"] for r in rows) == ["'\n=1+1", "'@SUM(1)"]
    assert "'+Plus" in {r["reviewer"] for r in rows}


def test_rows_are_in_reading_order(tagged: Tagged) -> None:
    _, rows = read_rows(export_csv(tagged.project))
    with tagged.project.read() as session:
        order = [a.id for a in reads.article_summaries(session)]
    keys = [(order.index(r["article_id"]), int(r["start"]), int(r["end"])) for r in rows]
    assert keys == sorted(keys)


def test_excel_gets_a_byte_order_mark(tagged: Tagged) -> None:
    out = io.BytesIO()
    export_to_stream(tagged.project, "csv", out, ExportOptions(bom=True))
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    header, rows = read_rows(data.decode("utf-8-sig"))
    assert header == [*HEADER, "claim_id", "page"] and len(rows) == 5
    assert not export_csv(tagged.project).startswith("\ufeff")


def test_rows_end_with_crlf(tagged: Tagged) -> None:
    text = export_csv(tagged.project)
    assert text.startswith(",".join([*HEADER, "claim_id", "page"]) + "\r\n")
    assert text.endswith("\r\n")


# --- filters --------------------------------------------------------------------------------


def test_filter_by_article_verdict_and_reviewer(tagged: Tagged) -> None:
    p = tagged.project
    _, rows = read_rows(
        export_csv(p, ExportOptions(AnnotationFilter(article_ids=(tagged.second,))))
    )
    assert {r["article_id"] for r in rows} == {tagged.second} and len(rows) == 2

    only = AnnotationFilter(verdicts=(Verdict.UNVERIFIED, Verdict.SUPPORTED))
    _, rows = read_rows(export_csv(p, ExportOptions(only)))
    assert {r["verdict"] for r in rows} == {"unverified", "supported"} and len(rows) == 4

    _, rows = read_rows(export_csv(p, ExportOptions(AnnotationFilter(reviewers=("Bob",)))))
    assert [r["annotation_id"] for r in rows] == [tagged.ids["changed"]]


def test_include_deleted_adds_them_with_a_deleted_at_column(tagged: Tagged) -> None:
    header, rows = read_rows(
        export_csv(tagged.project, ExportOptions(AnnotationFilter(include_deleted=True)))
    )
    assert header == [*HEADER, "deleted_at", "claim_id", "page"]
    by_id = {r["annotation_id"]: r for r in rows}
    assert len(rows) == 6
    assert by_id[tagged.ids["deleted"]]["deleted_at"].endswith("Z")
    assert by_id[tagged.ids["tricky"]]["deleted_at"] == ""


def test_resolve_filter_takes_prefix_title_and_checks_reviewers(tagged: Tagged) -> None:
    with tagged.project.read() as session:
        title = reads.article_summaries(session)[1].title
    flt = resolve_filter(
        tagged.project, articles=[tagged.first[:8], title], verdicts=["Disputed"], reviewers=["Ann"]
    )
    assert flt.article_ids == (tagged.first, tagged.second)
    assert flt.verdicts == (Verdict.DISPUTED,)
    assert flt.reviewers == ("Ann",)
    with pytest.raises(NotFound, match="no reviewer named 'Zed'"):
        resolve_filter(tagged.project, reviewers=["Zed"])
    with pytest.raises(NotFound):
        resolve_filter(tagged.project, articles=["no such article"])
    with pytest.raises(InvalidInput, match="unknown verdict"):
        resolve_filter(tagged.project, verdicts=["maybe"])


# --- files ----------------------------------------------------------------------------------


def test_read_only_project_exports(tagged: Tagged, tmp_path: Path) -> None:
    target = target_of(tagged.project)
    tagged.project.close()
    with open_store(target, read_only=True) as project:
        result = export_to_path(project, "csv", tmp_path / "out.csv")
    assert result.count == 5
    assert len(read_rows(result.path.read_text(encoding="utf-8"))[1]) == 5


def test_cancel_keeps_the_old_file_and_leaves_no_temporary(tagged: Tagged, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.csv"
    target.write_text("old contents", encoding="utf-8")
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    with pytest.raises(ExportCancelled):
        export_to_path(tagged.project, "csv", target, progress=progress)
    assert target.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in folder.iterdir()] == ["out.csv"]
    assert calls == [(0, 5)]


def test_progress_reaches_the_total(tagged: Tagged, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_to_path(
        tagged.project, "csv", tmp_path / "o.csv", progress=lambda d, t: calls.append((d, t))
    )
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)


def test_a_failing_export_leaves_nothing(
    tagged: Tagged, tmp_path: Path, monkeypatch, backend: str
) -> None:
    if backend == "sqlite":

        def boom(*_a, **_k):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(fast, "_articles", boom)
        expected = "disk I/O error"
    else:
        import psycopg

        from desktop.core.exports import csv_verdicts

        def gone(*_a, **_k):
            raise psycopg.OperationalError("server closed the connection unexpectedly")
            yield  # a generator, like the reader it replaces

        monkeypatch.setattr(csv_verdicts.reads, "iter_annotation_rows", gone)
        expected = "cannot reach the server"
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(CrosscheckError, match=expected):
        export_to_path(tagged.project, "csv", folder / "o.csv")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("case", ["folder", "missing", "project", "readonly-dir", "readonly-file"])
def test_bad_targets_are_refused_before_writing(tagged: Tagged, tmp_path: Path, case: str) -> None:
    if case == "project" and tagged.project.path is None:
        pytest.skip("a server project has no file to overwrite")
    locked = tmp_path / "locked"
    locked.mkdir()
    targets = {
        "folder": (tmp_path, "is a folder"),
        "missing": (tmp_path / "nope" / "out.csv", "does not exist"),
        "project": (tagged.project.path, "project file itself"),
        "readonly-dir": (locked / "out.csv", "not writable"),
        "readonly-file": (tmp_path / "ro.csv", "read-only"),
    }
    target, message = targets[case]
    (tmp_path / "ro.csv").write_text("keep", encoding="utf-8")
    os.chmod(tmp_path / "ro.csv", stat.S_IRUSR)
    os.chmod(locked, stat.S_IRUSR | stat.S_IXUSR)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    try:
        with pytest.raises(CrosscheckError, match=message) as info:
            export_to_path(tagged.project, "csv", target)
        assert "\n" not in str(info.value)
        assert sorted(p.name for p in tmp_path.rglob("*")) == before
        assert (tmp_path / "ro.csv").read_text(encoding="utf-8") == "keep"
    finally:
        os.chmod(locked, stat.S_IRWXU)
        os.chmod(tmp_path / "ro.csv", stat.S_IRUSR | stat.S_IWUSR)


def test_options_that_do_not_apply_are_refused(tagged: Tagged) -> None:
    with pytest.raises(InvalidInput, match="byte order mark"):
        export_to_stream(tagged.project, "w3c", io.BytesIO(), ExportOptions(bom=True))
    with pytest.raises(InvalidInput, match="--raw applies only to CSV"):
        export_to_stream(
            tagged.project, "html", io.BytesIO(), ExportOptions(spreadsheet_safe=False)
        )
    with pytest.raises(InvalidInput, match="filters do not apply"):
        export_to_stream(
            tagged.project,
            "audit-jsonl",
            io.BytesIO(),
            ExportOptions(AnnotationFilter(include_deleted=True)),
        )
    with pytest.raises(InvalidInput, match="unknown export format"):
        export_to_stream(tagged.project, "xlsx", io.BytesIO())


# --- bulk data shared by other export tests ---------------------------------------------------


def bulk_annotations(project: Store, count: int, *, seed_note: str = "note") -> int:
    """Add ``count`` annotations straight into the table (no audit events): quick data for
    big exports."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from desktop.core.store.schema import Annotation, Article, Reviewer

    with project.write() as conn:
        articles = conn.execute(select(Article.id, Article.text)).all()
        reviewer = conn.execute(select(Reviewer.id).limit(1)).scalar()
        rows = []
        for i in range(count):
            article_id, text = articles[i % len(articles)]
            start = (i * 7) % (len(text) - 40)
            end = start + 1 + i % 30
            stamp = datetime(2025, 6, 29, 12, (i // 60) % 60, i % 60, i % 1_000_000, tzinfo=UTC)
            rows.append(
                {
                    "id": new_id(),
                    "article_id": article_id,
                    "start": start,
                    "end": end,
                    "quote": text[start:end],
                    "prefix": text[max(0, start - 32) : start],
                    "suffix": text[end : end + 32],
                    "verdict": ("supported", "disputed", "unverified")[i % 3],
                    "note": f'{seed_note} {i}, "quoted"' if i % 2 else "",
                    "sources": (
                        [{"url": f"https://example.org/{i}", "title": ""}] if i % 4 == 0 else []
                    ),
                    "created_at": stamp,
                    "created_by": reviewer,
                    "updated_at": stamp,
                    "updated_by": reviewer,
                    "deleted_at": None,
                    "deleted_by": None,
                    "version": 1,
                }
            )
        conn.execute(insert(Annotation), rows)
    return count


def test_many_annotations_export_completely(demo_project: Store, tmp_path: Path) -> None:
    bulk_annotations(demo_project, 5_000)
    calls: list[int] = []
    result = export_to_path(
        demo_project,
        "csv",
        tmp_path / "big.csv",
        ExportOptions(spreadsheet_safe=False),
        progress=lambda d, t: calls.append(d),
    )
    _, rows = read_rows((tmp_path / "big.csv").read_text(encoding="utf-8"))
    assert result.count == len(rows) == 5_000
    assert len(calls) >= 3 and calls[-1] == 5_000
    text = texts(demo_project)
    assert all(r["quote"] == text[r["article_id"]][int(r["start"]) : int(r["end"])] for r in rows)


# --- groups of articles and placeholders ----------------------------------------------------


def test_groups_of_articles_give_the_same_file(
    demo_project: Store, monkeypatch: pytest.MonkeyPatch
) -> None:

    bulk_annotations(demo_project, 3_000)
    whole = export_csv(demo_project)
    monkeypatch.setattr(fast, "GROUP_ROWS", 500)
    threads_before = threading.active_count()
    assert export_csv(demo_project) == whole
    assert threading.active_count() == threads_before
    only = AnnotationFilter(
        verdicts=(Verdict.DISPUTED,), article_ids=(texts_order(demo_project)[3],)
    )
    monkeypatch.setattr(fast, "GROUP_ROWS", 10**9)
    single = export_csv(demo_project, ExportOptions(only))
    monkeypatch.setattr(fast, "GROUP_ROWS", 1)
    assert export_csv(demo_project, ExportOptions(only)) == single
    assert len(read_rows(single)[1]) == 200


def texts_order(project: Store) -> list[str]:
    with project.read() as session:
        return [a.id for a in reads.article_summaries(session)]


def test_cancel_between_groups_stops_the_query_thread(
    demo_project: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    bulk_annotations(demo_project, 3_000)
    monkeypatch.setattr(fast, "GROUP_ROWS", 100)
    threads_before = threading.active_count()
    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done < 1_000

    with pytest.raises(ExportCancelled):
        export_to_path(demo_project, "csv", tmp_path / "c.csv", progress=progress)
    assert not (tmp_path / "c.csv").exists()
    assert threading.active_count() == threads_before
    assert 0 < max(seen) < 3_000


def test_text_that_looks_like_a_placeholder_is_kept(demo_project: Store) -> None:
    with demo_project.read() as session:
        article = reads.article_summaries(session)[0].id
    note = "odd \x010\x02 bytes"
    _annotate(demo_project, article, 0, 5, "disputed", reviewer="Ann", note=note)
    _annotate(demo_project, article, 6, 9, "supported", reviewer="Ann")
    header, rows = read_rows(export_csv(demo_project))
    assert header == [*HEADER, "claim_id", "page"]
    assert [r["note"] for r in rows] == [note, ""]
    assert {r["article_id"] for r in rows} == {article}
