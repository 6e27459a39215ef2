"""Adjusting an annotation's span: the same annotation, one audited change, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.errors import InvalidInput, NotFound
from desktop.core.importers import ImportedArticle
from desktop.core.model import Verdict
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, create_store, reads
from desktop.core.verify import verify_project
from tests.backends import count
from tests.conftest import REVIEWER

TEXT = "Flags 🇺🇦 first. The ministry said in solidarity with Ukraine, two citizens died."


@pytest.fixture
def project(new_target: Path | str):
    """One story, in a file and on a server in turn."""
    with create_store(new_target) as project:
        operations.record_project_created(project, name="p", reviewer=REVIEWER)
        operations.import_articles(
            project,
            [ImportedArticle(text=TEXT, title="Story", original_name="s.txt", source_format="txt")],
            reviewer=REVIEWER,
        )
        yield project


def _article_id(project: Store) -> str:
    with project.read() as db:
        return reads.article_summaries(db)[0].id


def _row(project: Store, annotation_id: str):
    with project.read() as db:
        [row] = reads.annotation_rows(
            db, AnnotationFilter(include_deleted=True), annotation_ids=[annotation_id]
        )
        return row


def _events(project: Store) -> int:
    return count(project, "audit_events")


def _tag(project: Store, quote: str, **kwargs) -> str:
    start = TEXT.index(quote)
    changes = operations.annotate(
        project,
        _article_id(project),
        start,
        start + len(quote),
        Verdict.DISPUTED,
        reviewer=REVIEWER,
        **kwargs,
    )
    return changes.annotation_ids[0]


def test_the_span_moves_and_everything_else_stays(project: Store) -> None:
    annotation_id = _tag(project, "solidarity with Ukrain", note="check the name")
    start = TEXT.index("solidarity")
    end = TEXT.index("Ukraine") + len("Ukraine")
    events = _events(project)
    changes = operations.set_annotation_span(
        project, annotation_id, start, end, reviewer="Second Reviewer"
    )
    row = _row(project, annotation_id)
    assert (row.start, row.end, row.quote) == (start, end, "solidarity with Ukraine")
    assert (row.verdict, row.note, row.reviewer) == (
        Verdict.DISPUTED,
        "check the name",
        "Second Reviewer",
    )
    # One event for the change (and one for the new reviewer), showing the span before/after.
    assert _events(project) == events + 2
    [change] = [c for c in changes.changes if c.entity_type == "annotation"]
    assert change.action == "annotation.changed" and change.entity_id == annotation_id
    assert (change.before["quote"], change.after["quote"]) == (
        "solidarity with Ukrain",
        "solidarity with Ukraine",
    )
    assert change.after["start"] == start and change.after["end"] == end
    assert change.after["prefix"] == TEXT[max(0, start - 32) : start]
    assert change.after["suffix"] == TEXT[end : end + 32]
    assert change.before["suffix"] == TEXT[end - 1 : end - 1 + 32]
    assert verify_project(project).ok


def test_the_same_span_records_nothing(project: Store) -> None:
    annotation_id = _tag(project, "two citizens")
    row = _row(project, annotation_id)
    events = _events(project)
    assert not operations.set_annotation_span(
        project, annotation_id, row.start, row.end, reviewer=REVIEWER
    )
    assert _events(project) == events


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ((10, 10), "empty"),
        ((20, 10), "empty"),
        ((-1, 5), "outside the article"),
        ((5, len(TEXT) + 1), "outside the article"),
        ((5, True), "whole numbers"),
    ],
)
def test_bad_spans_are_refused_and_change_nothing(project: Store, span, message) -> None:
    annotation_id = _tag(project, "two citizens")
    before = _row(project, annotation_id)
    events = _events(project)
    with pytest.raises(InvalidInput, match=message):
        operations.set_annotation_span(project, annotation_id, *span, reviewer=REVIEWER)
    assert _row(project, annotation_id) == before
    assert _events(project) == events


def test_deleted_missing_and_duplicate_spans_are_refused(project: Store) -> None:
    first = _tag(project, "two citizens")
    second = _tag(project, "The ministry")
    row = _row(project, first)
    with pytest.raises(InvalidInput, match="already covers exactly"):
        operations.set_annotation_span(project, second, row.start, row.end, reviewer=REVIEWER)
    operations.delete_annotation(project, first, reviewer=REVIEWER)
    with pytest.raises(InvalidInput, match="deleted"):
        operations.set_annotation_span(project, first, 0, 5, reviewer=REVIEWER)
    # Once the first is deleted, its span is free.
    assert operations.set_annotation_span(project, second, row.start, row.end, reviewer=REVIEWER)
    with pytest.raises(NotFound):
        operations.set_annotation_span(project, "no-such-id", 0, 5, reviewer=REVIEWER)


def test_code_points_not_utf16(project: Store) -> None:
    annotation_id = _tag(project, "first")
    start = TEXT.index("🇺🇦")
    operations.set_annotation_span(
        project, annotation_id, start, TEXT.index("first") + 5, reviewer=REVIEWER
    )
    assert _row(project, annotation_id).quote == "🇺🇦 first"
    assert verify_project(project).ok
