"""Editing, removing and restoring articles: audited, undoable, and never touching the text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.errors import InvalidInput, NotFound
from desktop.core.exports import AnnotationFilter, ExportOptions, export_to_stream, resolve_filter
from desktop.core.exports.audit_log import check_audit_export
from desktop.core.store import Store, open_store, reads
from desktop.core.verify import verify_project
from tests.backends import rows
from tests.conftest import REVIEWER, make_project


@pytest.fixture
def project(new_target: Path | str) -> Iterator[Store]:
    """The demo project, in a file and on a server in turn."""
    opened = open_store(make_project(new_target, name="a"))
    yield opened
    opened.close()


def _ids(project: Store, *, include_removed: bool = False) -> list[str]:
    with project.read() as db:
        return [s.id for s in reads.article_summaries(db, include_removed=include_removed)]


def _summary(project: Store, article_id: str) -> reads.ArticleSummary:
    with project.read() as db:
        summaries = reads.article_summaries(db, include_removed=True)
    return next(s for s in summaries if s.id == article_id)


def _raw(project: Store, sql: str, **params: object) -> list[tuple[object, ...]]:
    return rows(project, sql, **params)


def _events(project: Store) -> list[tuple[str, str]]:
    return [
        (str(a), str(e))
        for a, e in _raw(project, "SELECT action, entity_id FROM audit_events ORDER BY seq")
    ]


def _tag(project: Store, article_id: str, start: int, end: int) -> str:
    changes = operations.annotate(project, article_id, start, end, "disputed", reviewer=REVIEWER)
    return changes.annotation_ids[0]


# --- edit -----------------------------------------------------------------------------------


def test_edit_changes_details_with_one_audited_event(project: Store) -> None:
    article_id = _ids(project)[0]
    text_before = _raw(
        project, "SELECT text, text_sha256 FROM articles WHERE id = :id", id=article_id
    )
    changes = operations.edit_article(
        project,
        article_id,
        reviewer="Editor",
        title="  A better title ",
        outlet="Wire",
        url="https://example.org/story",
        published="2025-06-28",
    )
    assert [c.action for c in changes.changes] == ["reviewer.added", "article.changed"]
    change = changes.changes[1]
    assert change.before is not None and change.after is not None
    assert change.after["title"] == "A better title"
    assert {k for k in change.after if change.after[k] != change.before[k]} == {
        "title",
        "outlet",
        "url",
        "published",
    }
    summary = _summary(project, article_id)
    assert (summary.title, summary.outlet, summary.url, summary.published) == (
        "A better title",
        "Wire",
        "https://example.org/story",
        date(2025, 6, 28),
    )
    assert changes.article_ids == [article_id]
    # The text is never part of an edit.
    assert _raw(
        project, "SELECT text, text_sha256 FROM articles WHERE id = :id", id=article_id
    ) == (text_before)
    # Blank clears the optional details; None leaves a field alone.
    operations.edit_article(project, article_id, reviewer=REVIEWER, outlet="", url="", published="")
    summary = _summary(project, article_id)
    assert (summary.title, summary.outlet, summary.url, summary.published) == (
        "A better title",
        "",
        None,
        None,
    )
    assert verify_project(project).ok


def test_an_edit_that_changes_nothing_writes_nothing(project: Store) -> None:
    article_id = _ids(project)[0]
    summary = _summary(project, article_id)
    events = _events(project)
    changes = operations.edit_article(
        project,
        article_id,
        reviewer="Someone new",
        title=f" {summary.title} ",
        outlet=summary.outlet,
        published=summary.published,
    )
    assert not changes
    assert _events(project) == events  # not even the new reviewer


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "the title cannot be empty"),
        ({"title": "T" * 501}, "title is longer than 500 characters"),
        ({"title": "Two\nlines"}, "title contains line breaks or control characters"),
        ({"outlet": "O" * 201}, "outlet is longer than 200 characters"),
        ({"published": "2025-02-30"}, "published date '2025-02-30' is not a real date"),
        (
            {"published": "30.06.2025"},
            "published date '30.06.2025' must be written YYYY-MM-DD "
            "(or YYYY-MM or YYYY when only that is known)",
        ),
        ({"published": "2025-13"}, "published date '2025-13' is not a real date"),
        ({"author": "A" * 501}, "author is longer than 500 characters"),
        ({"author": "Two\nlines"}, "author contains line breaks or control characters"),
        (
            {"url": "ftp://example.org/x"},
            "article URL 'ftp://example.org/x' is not a web address "
            "(it must start with http:// or https://)",
        ),
    ],
)
def test_bad_details_are_refused_and_change_nothing(
    project: Store, fields: dict[str, str], message: str
) -> None:
    article_id = _ids(project)[0]
    before = _summary(project, article_id)
    events = _events(project)
    with pytest.raises(InvalidInput) as caught:
        operations.edit_article(project, article_id, reviewer=REVIEWER, **fields)
    assert str(caught.value) == message
    assert _summary(project, article_id) == before
    assert _events(project) == events


def test_edit_of_an_unknown_article(project: Store) -> None:
    with pytest.raises(NotFound, match="no article with id nope"):
        operations.edit_article(project, "nope", reviewer=REVIEWER, title="X")


# --- remove and restore ---------------------------------------------------------------------


def test_remove_hides_the_article_with_its_annotations(project: Store) -> None:
    first, second = _ids(project)[:2]
    kept_deleted = _tag(project, first, 0, 5)
    operations.delete_annotation(project, kept_deleted, reviewer=REVIEWER)
    live = [_tag(project, first, 10, 20), _tag(project, first, 30, 40)]
    other = _tag(project, second, 0, 5)
    events = len(_events(project))

    changes = operations.remove_article(project, first, reviewer="Remover")
    actions = [(c.action, c.entity_id) for c in changes.changes]
    assert actions == [
        ("reviewer.added", changes.changes[0].entity_id),
        ("article.removed", first),
        *[("annotation.deleted", i) for i in live],
    ]
    removed = changes.changes[1]
    assert removed.before is not None and removed.after is not None
    assert removed.before["deleted_at"] is None
    assert removed.after["deleted_by"] == "Remover"
    assert all(c.after["deleted_at"] == removed.after["deleted_at"] for c in changes.changes[2:])  # type: ignore[index]
    assert len(_events(project)) == events + 4

    assert first not in _ids(project)
    assert first in _ids(project, include_removed=True)
    assert _summary(project, first).removed_at is not None
    with project.read() as db:
        assert [r.id for r in reads.annotation_rows(db)] == [other]
        hidden = reads.annotation_rows(db, AnnotationFilter(include_deleted=True))
        assert {r.id for r in hidden} == {kept_deleted, *live, other}
        shown = reads.annotation_rows(
            db, AnnotationFilter(include_deleted=True, live_articles_only=True)
        )
        assert [r.id for r in shown] == [other]
    # Nothing is erased.
    assert _raw(project, "SELECT count(*) FROM articles") == [(5,)]
    assert verify_project(project).ok
    # Removing again changes nothing.
    assert not operations.remove_article(project, first, reviewer=REVIEWER)


def test_restore_brings_back_exactly_what_was_removed(project: Store) -> None:
    first = _ids(project)[0]
    kept_deleted = _tag(project, first, 0, 5)
    operations.delete_annotation(project, kept_deleted, reviewer=REVIEWER)
    live = [_tag(project, first, 10, 20), _tag(project, first, 30, 40)]
    operations.remove_article(project, first, reviewer=REVIEWER)
    assert not operations.restore_article(project, _ids(project)[0], reviewer=REVIEWER)

    changes = operations.restore_article(project, first, reviewer=REVIEWER)
    assert [(c.action, c.entity_id) for c in changes.changes] == [
        ("article.restored", first),
        *[("annotation.restored", i) for i in live],
    ]
    assert _ids(project)[0] == first  # back in its place in import order
    with project.read() as db:
        rows = reads.annotation_rows(
            db, AnnotationFilter(article_ids=(first,), include_deleted=True)
        )
    assert {r.id: r.deleted for r in rows} == {kept_deleted: True, live[0]: False, live[1]: False}
    assert _summary(project, first).total == 2
    # A second removal and restore work the same way.
    operations.remove_article(project, first, reviewer=REVIEWER)
    again = operations.restore_article(project, first, reviewer=REVIEWER)
    assert sorted(again.annotation_ids) == sorted(live)
    assert verify_project(project).ok


def test_a_removed_article_cannot_be_annotated_or_changed(project: Store) -> None:
    first = _ids(project)[0]
    tagged = _tag(project, first, 10, 20)
    operations.remove_article(project, first, reviewer=REVIEWER)
    title = _summary(project, first).title
    assert len(title) > 60
    title = title[:59] + "…"  # long titles are shortened in messages
    events = _events(project)
    with pytest.raises(InvalidInput) as caught:
        operations.annotate(project, first, 0, 5, "supported", reviewer=REVIEWER)
    assert str(caught.value) == (f"article {title!r} is removed; restore it before annotating it")
    with pytest.raises(InvalidInput) as caught:
        operations.restore_annotation(project, tagged, reviewer=REVIEWER)
    assert str(caught.value) == (
        f"the article {title!r} of this annotation is removed; restore the article first"
    )
    with pytest.raises(InvalidInput) as caught:
        operations.edit_article(project, first, reviewer=REVIEWER, title="New")
    assert str(caught.value) == f"article {title!r} is removed; restore it before changing it"
    assert _events(project) == events


def test_several_articles_go_and_come_back_in_one_transaction(project: Store) -> None:
    ids = _ids(project)[:3]
    changes = operations.remove_articles(project, ids, reviewer=REVIEWER)
    assert changes.ids("article") == ids
    assert len({c.seq for c in changes.changes}) == 3
    assert _ids(project) == _ids(project, include_removed=True)[3:]
    assert operations.restore_articles(project, ids, reviewer=REVIEWER).ids("article") == ids
    assert len(_ids(project)) == 5


def test_a_failed_removal_changes_nothing(project: Store) -> None:
    first = _ids(project)[0]
    events = _events(project)
    with pytest.raises(NotFound):
        operations.remove_articles(project, [first, "missing"], reviewer=REVIEWER)
    assert _ids(project)[0] == first
    assert _events(project) == events


def test_resolve_article_speaks_of_removed_articles(project: Store) -> None:
    first = _ids(project)[0]
    title = _summary(project, first).title
    operations.remove_article(project, first, reviewer=REVIEWER)
    with project.read() as db:
        for ref in (first, first[:8], title):
            with pytest.raises(NotFound) as caught:
                reads.resolve_article(db, ref)
            assert str(caught.value) == (
                f"article {title!r} was removed (`crosscheck restore-article` brings it back)"
            )
            assert reads.resolve_article(db, ref, include_removed=True) == first


# --- exports --------------------------------------------------------------------------------


def _csv(project: Store, **filters: object) -> list[dict[str, str]]:
    out = io.BytesIO()
    export_to_stream(project, "csv", out, ExportOptions(AnnotationFilter(**filters)))  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))


def test_exports_leave_out_removed_articles_unless_deleted_ones_are_asked_for(
    project: Store,
) -> None:
    first, second = _ids(project)[:2]
    gone = _tag(project, first, 10, 20)
    kept = _tag(project, second, 0, 5)
    operations.remove_article(project, first, reviewer=REVIEWER)
    title = _summary(project, first).title

    assert [r["annotation_id"] for r in _csv(project)] == [kept]
    with_deleted = {r["annotation_id"]: r for r in _csv(project, include_deleted=True)}
    assert set(with_deleted) == {gone, kept}
    assert with_deleted[gone]["deleted_at"] and not with_deleted[kept]["deleted_at"]

    for fmt in ("w3c", "claimreview", "html"):
        out = io.BytesIO()
        export_to_stream(project, fmt, out)
        assert gone not in out.getvalue().decode("utf-8"), fmt
        assert title not in out.getvalue().decode("utf-8"), fmt
    out = io.BytesIO()
    export_to_stream(project, "html", out, ExportOptions(AnnotationFilter(include_deleted=True)))
    assert f"{title} (removed)</h2>" in out.getvalue().decode("utf-8")

    with pytest.raises(NotFound, match="was removed"):
        resolve_filter(project, articles=[title])
    flt = resolve_filter(project, articles=[title], include_deleted=True)
    assert flt.article_ids == (first,)


def test_the_audit_export_carries_the_new_events(project: Store, tmp_path: Path) -> None:
    first = _ids(project)[0]
    _tag(project, first, 10, 20)
    operations.edit_article(project, first, reviewer=REVIEWER, title="Renamed")
    operations.remove_article(project, first, reviewer=REVIEWER)
    operations.restore_article(project, first, reviewer=REVIEWER)
    path = tmp_path / "audit.jsonl"
    path.write_bytes(_export(project, "audit-jsonl"))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    actions = [line["action"] for line in lines[:-1]]
    assert actions[-5:] == [
        "article.changed",
        "article.removed",
        "annotation.deleted",
        "article.restored",
        "annotation.restored",
    ]
    assert json.loads(lines[-6]["after"])["title"] == "Renamed"
    assert check_audit_export(path).ok


def _export(project: Store, fmt: str) -> bytes:
    out = io.BytesIO()
    export_to_stream(project, fmt, out)
    return out.getvalue()


def test_the_audit_trail_describes_article_events(project: Store) -> None:
    from desktop.core.exports.audit_trail import list_entries

    first = _ids(project)[0]
    operations.edit_article(project, first, reviewer=REVIEWER, title="Renamed")
    operations.remove_article(project, first, reviewer=REVIEWER)
    operations.restore_article(project, first, reviewer=REVIEWER)
    with project.read() as conn:
        entries = list_entries(conn, limit=3)
    assert [(e.action_label, e.what) for e in entries] == [
        ("Restored article", "Restored ‘Renamed’"),
        ("Removed article", "Removed ‘Renamed’"),
        ("Changed article", "Changed details of ‘Renamed’"),
    ]
