"""Reading a project: article lists with verdict counts, finding articles, listing annotations."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.errors import InvalidInput, NotFound
from desktop.core.importers import ImportedArticle
from desktop.core.model import Source, Verdict
from desktop.core.records import AnnotationFilter, ArticleSummary
from desktop.core.store import Store, create_store, open_store, reads
from tests.conftest import REVIEWER


def _article(
    title: str, name: str, text: str = "Alpha beta gamma delta epsilon.\n"
) -> ImportedArticle:
    return ImportedArticle(text=text, title=title, original_name=name, source_format="txt")


@pytest.fixture
def project(new_target: Path | str) -> Store:
    path = new_target
    with create_store(path) as made:
        operations.record_project_created(made, name="Queries", reviewer=REVIEWER)
        operations.import_articles(
            made,
            [
                _article("Same title", "b.txt"),
                _article("Same title", "a.txt"),
                _article("Other", "c.txt"),
            ],
            reviewer=REVIEWER,
            meta=[
                operations.ArticleMeta(
                    outlet="Wire", url="https://example.org/1", published="2025-06-29"
                ),
                operations.ArticleMeta(),
                operations.ArticleMeta(outlet="Daily"),
            ],
        )
    opened = open_store(path)
    yield opened
    opened.close()


def summaries(project: Store) -> list[ArticleSummary]:
    with project.read() as session:
        return reads.article_summaries(session)


def test_articles_in_import_order_with_their_details(project: Store) -> None:
    listed = summaries(project)
    # Imported together, so ordered by file name.
    assert [(s.original_name, s.title, s.outlet) for s in listed] == [
        ("a.txt", "Same title", ""),
        ("b.txt", "Same title", "Wire"),
        ("c.txt", "Other", "Daily"),
    ]
    b = listed[1]
    assert (b.url, b.published, b.text_length) == ("https://example.org/1", date(2025, 6, 29), 32)
    assert b.imported_at.tzinfo is UTC
    assert all(s.counts == dict.fromkeys(Verdict, 0) and s.total == 0 for s in listed)
    assert b.to_json() == {
        "id": b.id,
        "title": "Same title",
        "outlet": "Wire",
        "url": "https://example.org/1",
        "published": "2025-06-29",
        "imported_at": b.to_json()["imported_at"],
        "original_name": "b.txt",
        "characters": 32,
        "counts": {"supported": 0, "disputed": 0, "unverified": 0},
        "author": "",
    }
    assert b.to_json()["imported_at"].endswith("Z")


def test_counts_per_verdict_ignore_deleted_annotations(project: Store) -> None:
    a, b, c = (s.id for s in summaries(project))
    spans = [
        (a, 0, 5, "supported"),
        (a, 6, 10, "supported"),
        (a, 11, 16, "disputed"),
        (b, 0, 5, "unverified"),
        (b, 6, 10, "disputed"),
    ]
    ids = [
        operations.annotate(project, art, s, e, v, reviewer=REVIEWER).annotation_ids[0]
        for art, s, e, v in spans
    ]
    operations.delete_annotation(project, ids[1], reviewer=REVIEWER)
    operations.delete_annotation(project, ids[4], reviewer=REVIEWER)
    counts = {s.id: tuple(s.counts[v] for v in Verdict) for s in summaries(project)}
    assert counts == {a: (1, 1, 0), b: (0, 0, 1), c: (0, 0, 0)}
    operations.restore_annotation(project, ids[1], reviewer=REVIEWER)
    operations.update_annotation(project, ids[3], reviewer=REVIEWER, verdict="supported")
    counts = {s.id: tuple(s.counts[v] for v in Verdict) for s in summaries(project)}
    assert counts == {a: (2, 1, 0), b: (1, 0, 0), c: (0, 0, 0)}
    assert [s.total for s in summaries(project)] == [3, 1, 0]


def test_resolve_article_by_id_prefix_and_title(project: Store) -> None:
    a, b, c = (s.id for s in summaries(project))
    with project.read() as session:
        assert reads.resolve_article(session, a) == a
        assert reads.resolve_article(session, f"  {c}  ") == c
        assert reads.resolve_article(session, "Other") == c
        # The shortest prefix that tells the articles apart (at least four characters).
        for article_id in (a, b, c):
            others = [x for x in (a, b, c) if x != article_id]
            n = 4
            while any(o.startswith(article_id[:n]) for o in others):
                n += 1
            assert reads.resolve_article(session, article_id[:n]) == article_id


def test_resolve_article_refusals(project: Store) -> None:
    c = summaries(project)[2].id
    with project.read() as session:
        with pytest.raises(InvalidInput) as caught:
            reads.resolve_article(session, "Same title")
        assert str(caught.value) == "'Same title' matches 2 articles; give more of the id"
        for ref in (
            "Nothing like it",
            "other",
            "Other ".upper(),
            "%%%%",
            "____",
            c[:3],
            "zzzzzzzz",
        ):
            with pytest.raises(NotFound) as caught:
                reads.resolve_article(session, ref)
            assert str(caught.value) == (
                f"no article matches {ref.strip()!r} "
                "(give an id, a unique id prefix or an exact title)"
            )
        with pytest.raises(InvalidInput, match="no article given"):
            reads.resolve_article(session, "   ")


def test_resolve_article_prefix_and_title_clash(project: Store) -> None:
    a = summaries(project)[0].id
    operations.import_articles(
        project, [_article(a[:6], "d.txt")], reviewer=REVIEWER
    )  # a title that is also another article's id prefix
    with project.read() as session:
        with pytest.raises(InvalidInput, match="matches 2 articles"):
            reads.resolve_article(session, a[:6])
        assert reads.resolve_article(session, a) == a


def test_article_text_and_project_info(project: Store) -> None:
    a = summaries(project)[0].id
    with project.read() as session:
        assert reads.article_text(session, a) == "Alpha beta gamma delta epsilon.\n"
        with pytest.raises(NotFound, match="no article with id nope"):
            reads.article_text(session, "nope")
        info = reads.project_info(session)
        assert info is not None and info.name == "Queries" and info.created_at.tzinfo is UTC


def test_annotation_rows_filters_and_order(project: Store) -> None:
    a, b, _ = (s.id for s in summaries(project))
    first = operations.annotate(
        project,
        b,
        6,
        10,
        "disputed",
        reviewer="Ann",
        note="n1",
        sources=[Source("https://example.org/e", "E")],
    )
    operations.annotate(project, a, 11, 16, "supported", reviewer="Ann")
    operations.annotate(project, a, 0, 5, "unverified", reviewer="Bob")
    gone = operations.annotate(project, a, 6, 10, "supported", reviewer="Bob")
    operations.delete_annotation(project, gone.annotation_ids[0], reviewer="Bob")
    operations.update_annotation(project, first.annotation_ids[0], reviewer="Bob", note="n2")
    with project.read() as session:
        rows = reads.annotation_rows(session)
        assert [(r.article_id, r.start, r.quote) for r in rows] == [
            (a, 0, "Alpha"),
            (a, 11, "gamma"),
            (b, 6, "beta"),
        ]
        changed = rows[2]
        assert (changed.reviewer, changed.created_by, changed.note) == ("Bob", "Ann", "n2")
        assert changed.sources == (Source("https://example.org/e", "E"),)
        assert (changed.article_title, changed.outlet, changed.url) == (
            "Same title",
            "Wire",
            "https://example.org/1",
        )
        assert changed.prefix == "Alpha " and changed.suffix == " gamma delta epsilon.\n"
        assert [
            r.start for r in reads.annotation_rows(session, AnnotationFilter(include_deleted=True))
        ] == [
            0,
            6,
            11,
            6,
        ]
        assert [
            r.deleted
            for r in reads.annotation_rows(session, AnnotationFilter(include_deleted=True))
        ] == [
            False,
            True,
            False,
            False,
        ]
        assert [
            r.quote for r in reads.annotation_rows(session, AnnotationFilter(article_ids=(b,)))
        ] == ["beta"]
        assert [
            r.quote
            for r in reads.annotation_rows(session, AnnotationFilter(verdicts=(Verdict.SUPPORTED,)))
        ] == ["gamma"]
        assert [
            r.quote for r in reads.annotation_rows(session, AnnotationFilter(reviewers=("Bob",)))
        ] == [
            "Alpha",
            "beta",
        ]
        assert [
            r.quote for r in reads.annotation_rows(session, annotation_ids=first.annotation_ids)
        ] == ["beta"]
        assert reads.annotation_rows(session, AnnotationFilter(article_ids=())) == []
    as_json = changed.to_json()
    assert list(as_json) == [
        "id",
        "article_id",
        "article_title",
        "start",
        "end",
        "quote",
        "verdict",
        "note",
        "sources",
        "reviewer",
        "created_at",
        "updated_at",
        "claim_id",
    ]
    assert as_json["claim_id"] == as_json["id"]
    assert as_json["sources"] == [{"url": "https://example.org/e", "title": "E"}]
    assert as_json["verdict"] == "disputed"
    assert as_json["created_at"].endswith("Z") and as_json["updated_at"] > as_json["created_at"]
