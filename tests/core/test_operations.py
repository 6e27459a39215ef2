"""Writing through the operations layer: annotations, imports, reviewers, and bad input."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core import operations
from desktop.core.errors import CrosscheckError, InvalidInput, NotFound
from desktop.core.importers import ImportedArticle, read_article
from desktop.core.model import MAX_NOTE_CHARS, Source, Verdict
from desktop.core.operations import ArticleMeta
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, create_store, reads
from desktop.core.verify import verify_project
from tests.backends import count, rows, stored_annotation
from tests.conftest import REVIEWER

# Characters that take more than one UTF-16 unit or one byte, or combine, before the span.
UNICODE_TEXT = (
    "Flags 🇺🇦🇦🇿 and a family 👨‍👩‍👧 came first. "
    "Cafe\u0301 au lait, a\u00a0non-breaking space. "
    "Киев сообщил: «два человека погибли». "
    "قالت الوزارة إن التحقيق مستمر. "
    "The ministry said 2 citizens died in Yekaterinburg.\n"
    "Second line ends the text."
)


def event_count(project: Store) -> int:
    return count(project, "audit_events")


def annotation_count(project: Store) -> int:
    return count(project, "annotations")


def article_count(project: Store) -> int:
    return count(project, "articles")


def article(text: str, title: str = "Story", name: str = "story.txt") -> ImportedArticle:
    return ImportedArticle(text=text, title=title, original_name=name, source_format="txt")


@pytest.fixture
def project(new_target: Path | str) -> Store:
    with create_store(new_target) as made:
        operations.record_project_created(made, name="p", reviewer=REVIEWER)
        operations.import_articles(made, [article(UNICODE_TEXT)], reviewer=REVIEWER)
    from desktop.core.store import open_store

    opened = open_store(new_target)
    yield opened
    opened.close()


@pytest.fixture
def article_id(project: Store) -> str:
    with project.read() as session:
        return reads.article_summaries(session)[0].id


def refused(
    project: Store, attempt: Callable[[], object], error: type[Exception], message: str
) -> None:
    """The attempt fails with exactly this message and writes nothing."""
    events, annotations, articles = (
        event_count(project),
        annotation_count(project),
        article_count(project),
    )
    with pytest.raises(error) as caught:
        attempt()
    assert str(caught.value) == message
    assert (event_count(project), annotation_count(project), article_count(project)) == (
        events,
        annotations,
        articles,
    )


# --- offsets and quotes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "🇦🇿",
        "👨‍👩‍👧",
        "Cafe\u0301",
        "a\u00a0non",
        "«два человека погибли»",
        "التحقيق",
        "2 citizens died",
    ],
)
def test_annotate_stores_code_point_offsets(project: Store, article_id: str, quote: str) -> None:
    start = UNICODE_TEXT.index(quote)
    end = start + len(quote)
    changes = operations.annotate(project, article_id, start, end, "disputed", reviewer=REVIEWER)
    (annotation_id,) = changes.annotation_ids
    row = stored_annotation(project, annotation_id)
    assert (row["start"], row["end"]) == (start, end)
    assert row["quote"] == quote == UNICODE_TEXT[start:end]
    assert row["prefix"] == UNICODE_TEXT[max(0, start - 32) : start]
    assert row["suffix"] == UNICODE_TEXT[end : end + 32]
    assert len(row["suffix"]) == 32
    after = changes.changes[-1].after
    assert after is not None
    assert (after["start"], after["end"], after["quote"]) == (start, end, quote)
    assert verify_project(project).ok


def test_context_is_shorter_at_the_edges(project: Store, article_id: str) -> None:
    n = len(UNICODE_TEXT)
    first = operations.annotate(project, article_id, 0, 5, "supported", reviewer=REVIEWER)
    near = operations.annotate(project, article_id, 3, 9, "supported", reviewer=REVIEWER)
    last = operations.annotate(project, article_id, n - 5, n, "supported", reviewer=REVIEWER)
    whole = operations.annotate(project, article_id, 0, n, "unverified", reviewer=REVIEWER)
    states = [c.changes[-1].after for c in (first, near, last, whole)]
    assert (
        [(s["quote"], s["prefix"], s["suffix"]) for s in states]
        == [  # type: ignore[index]
            ("Flags", "", UNICODE_TEXT[5:37]),
            (UNICODE_TEXT[3:9], "Fla", UNICODE_TEXT[9:41]),
            ("text.", UNICODE_TEXT[n - 37 : n - 5], ""),
            (UNICODE_TEXT, "", ""),
        ]
    )


def test_annotation_state_and_changeset(project: Store, article_id: str) -> None:
    changes = operations.annotate(
        project,
        article_id,
        0,
        5,
        Verdict.SUPPORTED,
        reviewer=REVIEWER,
        note="Seen on the ministry site.",
        sources=[
            "https://example.org/a",
            Source("https://example.org/b", "Ministry statement"),
            " https://example.org/a ",
        ],
    )
    assert changes
    (change,) = changes.changes
    assert change.action == "annotation.created" and change.before is None
    assert changes.annotation_ids == [change.entity_id]
    assert changes.article_ids == [article_id]
    after = change.after
    assert after is not None
    assert set(after) == {
        "id",
        "version",
        "article_id",
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "verdict",
        "note",
        "sources",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "deleted_at",
        "deleted_by",
        "claim_id",
    }
    assert after["verdict"] == "supported"
    assert after["note"] == "Seen on the ministry site."
    assert after["sources"] == [
        {"url": "https://example.org/a", "title": ""},
        {"url": "https://example.org/b", "title": "Ministry statement"},
    ]
    assert after["created_by"] == after["updated_by"] == REVIEWER
    assert after["deleted_at"] is None and after["deleted_by"] is None
    assert after["created_at"] == after["updated_at"]
    stamp = datetime.strptime(after["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)
    with project.read() as session:
        (row,) = reads.annotation_rows(session)
    assert row.created_at.tzinfo is UTC and row.updated_at.tzinfo is UTC
    assert row.created_at == stamp
    assert row.sources == (
        Source("https://example.org/a", ""),
        Source("https://example.org/b", "Ministry statement"),
    )
    # What the log says was created is exactly the row as stored.
    with project.read() as conn:
        assert operations.annotation_state(conn, change.entity_id) == after


def test_tagging_the_same_span_changes_its_verdict(project: Store, article_id: str) -> None:
    first = operations.annotate(
        project, article_id, 6, 10, "supported", reviewer=REVIEWER, note="n"
    )
    events = event_count(project)
    again = operations.annotate(project, article_id, 6, 10, "disputed", reviewer=REVIEWER)
    (change,) = again.changes
    assert change.action == "annotation.changed"
    assert change.entity_id == first.annotation_ids[0]
    assert change.before is not None and change.after is not None
    assert (change.before["verdict"], change.after["verdict"]) == ("supported", "disputed")
    assert change.after["note"] == "n"  # a blank note leaves the note alone
    assert annotation_count(project) == 1
    assert event_count(project) == events + 1
    # The same verdict again changes nothing and records nothing.
    assert not operations.annotate(project, article_id, 6, 10, "disputed", reviewer=REVIEWER)
    assert event_count(project) == events + 1
    # A different span, even overlapping, is another annotation.
    operations.annotate(project, article_id, 6, 11, "disputed", reviewer=REVIEWER)
    assert annotation_count(project) == 2


def test_tagging_the_span_of_a_deleted_annotation_adds_a_new_one(
    project: Store, article_id: str
) -> None:
    first = operations.annotate(project, article_id, 6, 10, "supported", reviewer=REVIEWER)
    operations.delete_annotation(project, first.annotation_ids[0], reviewer=REVIEWER)
    second = operations.annotate(project, article_id, 6, 10, "disputed", reviewer=REVIEWER)
    assert second.changes[0].action == "annotation.created"
    assert second.annotation_ids != first.annotation_ids
    # Restoring the old one now gives two live annotations on the span; both are kept.
    operations.restore_annotation(project, first.annotation_ids[0], reviewer=REVIEWER)
    with project.read() as session:
        assert len(reads.annotation_rows(session)) == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 5, "span -1-5 lies outside the article (its text has {n} characters)"),
        (5, 5, "span 5-5 is empty (the end must be after the start)"),
        (9, 4, "span 9-4 is empty (the end must be after the start)"),
        (0, "n+1", "span 0-{n1} lies outside the article (its text has {n} characters)"),
        ("n", "n+1", "span {n}-{n1} lies outside the article (its text has {n} characters)"),
        (0, 10**20, "span 0-{big} lies outside the article (its text has {n} characters)"),
        (
            10**20,
            10**20 + 1,
            "span {big}-{big1} lies outside the article (its text has {n} characters)",
        ),
        (-(10**20), 3, "span -{big}-3 lies outside the article (its text has {n} characters)"),
        (1.5, 4, "span offsets must be whole numbers, not 1.5"),
        (True, 4, "span offsets must be whole numbers, not True"),
        (0, "7", "span offsets must be whole numbers, not '7'"),
    ],
)
def test_bad_spans_are_refused(
    project: Store, article_id: str, start: Any, end: Any, message: str
) -> None:
    n = len(UNICODE_TEXT)
    values = {"n": n, "n+1": n + 1}
    start, end = values.get(start, start), values.get(end, end)
    expected = message.format(n=n, n1=n + 1, big=10**20, big1=10**20 + 1)
    refused(
        project,
        lambda: operations.annotate(
            project, article_id, start, end, "supported", reviewer=REVIEWER
        ),
        InvalidInput,
        expected,
    )


def test_unknown_verdict_is_refused(project: Store, article_id: str) -> None:
    refused(
        project,
        lambda: operations.annotate(project, article_id, 0, 5, "true", reviewer=REVIEWER),
        InvalidInput,
        "unknown verdict 'true' (choose supported, disputed, unverified)",
    )
    changes = operations.annotate(project, article_id, 0, 5, " Disputed ", reviewer=REVIEWER)
    assert changes.changes[-1].after["verdict"] == "disputed"  # type: ignore[index]


NOT_WEB = "is not a web address (it must start with http:// or https://)"
SPACES = "contains spaces or control characters"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/file", NOT_WEB),
        ("javascript:alert(1)", NOT_WEB),
        ("https://", NOT_WEB),
        ("https:///path", NOT_WEB),
        ("example.org/page", NOT_WEB),
        ("mailto:desk@example.org", NOT_WEB),
        ("https://example.org/a page", SPACES),
        ("https://exa\tmple.org", SPACES),
        ("https://example.org:99999/", "has an invalid port"),
        ("", "an evidence link cannot be empty"),
        ("   ", "an evidence link cannot be empty"),
        ("https://example.org/" + "a" * 2100, "evidence link is longer than 2048 characters"),
    ],
)
def test_bad_evidence_links_are_refused(
    project: Store, article_id: str, url: str, message: str
) -> None:
    if message in (NOT_WEB, SPACES, "has an invalid port"):
        message = f"evidence link {url.strip()!r} {message}"
    refused(
        project,
        lambda: operations.annotate(
            project,
            article_id,
            0,
            5,
            "supported",
            reviewer=REVIEWER,
            sources=["https://example.org/ok", url],
        ),
        InvalidInput,
        message,
    )


def test_bad_notes_are_refused(project: Store, article_id: str) -> None:
    refused(
        project,
        lambda: operations.annotate(
            project,
            article_id,
            0,
            5,
            "supported",
            reviewer=REVIEWER,
            note="x" * (MAX_NOTE_CHARS + 1),
        ),
        InvalidInput,
        "note is longer than 100,000 characters",
    )
    refused(
        project,
        lambda: operations.annotate(
            project, article_id, 0, 5, "supported", reviewer=REVIEWER, note="a\x00b"
        ),
        InvalidInput,
        "note contains a NUL character",
    )
    longest = "é" * MAX_NOTE_CHARS
    changes = operations.annotate(
        project, article_id, 0, 5, "supported", reviewer=REVIEWER, note=longest
    )
    assert stored_annotation(project, changes.annotation_ids[0])["note"] == longest


def test_unknown_ids_are_refused(project: Store, article_id: str) -> None:
    refused(
        project,
        lambda: operations.annotate(
            project, "no-such-article", 0, 5, "supported", reviewer=REVIEWER
        ),
        NotFound,
        "no article with id no-such-article",
    )
    for attempt in (
        lambda: operations.update_annotation(project, "nope", reviewer=REVIEWER, note="x"),
        lambda: operations.delete_annotation(project, "nope", reviewer=REVIEWER),
        lambda: operations.restore_annotation(project, "nope", reviewer=REVIEWER),
    ):
        refused(project, attempt, NotFound, "no annotation with id nope")


# --- update, delete, restore ---------------------------------------------------------------


@pytest.fixture
def annotation_id(project: Store, article_id: str) -> str:
    changes = operations.annotate(
        project, article_id, 0, 5, "supported", reviewer=REVIEWER, sources=["https://a.example"]
    )
    return changes.annotation_ids[0]


def test_update_changes_only_what_is_given(project: Store, annotation_id: str) -> None:
    changes = operations.update_annotation(
        project, annotation_id, reviewer="Second Reviewer", note="New note"
    )
    assert [c.action for c in changes.changes] == ["reviewer.added", "annotation.changed"]
    assert changes.ids("reviewer") == [changes.changes[0].entity_id]
    change = changes.changes[1]
    assert change.before is not None and change.after is not None
    assert {k for k in change.after if change.after[k] != change.before[k]} == {
        "note",
        "version",
        "updated_at",
        "updated_by",
    }
    assert change.after["updated_by"] == "Second Reviewer"
    assert change.after["created_by"] == REVIEWER
    changes = operations.update_annotation(
        project, annotation_id, reviewer=REVIEWER, verdict="unverified", sources=[]
    )
    after = changes.changes[0].after
    assert after is not None
    assert (after["verdict"], after["note"], after["sources"]) == ("unverified", "New note", [])
    with project.read() as session:
        (row,) = reads.annotation_rows(session)
    assert row.reviewer == REVIEWER and row.created_by == REVIEWER


def test_update_with_no_change_writes_nothing(project: Store, annotation_id: str) -> None:
    events = event_count(project)
    before = stored_annotation(project, annotation_id)
    for kwargs in (
        {},
        {"verdict": "supported"},
        {"note": ""},
        {"sources": ["https://a.example"]},
        {"verdict": Verdict.SUPPORTED, "note": "", "sources": [Source("https://a.example")]},
    ):
        changes = operations.update_annotation(project, annotation_id, reviewer=REVIEWER, **kwargs)
        assert not changes and changes.changes == ()
    assert event_count(project) == events
    assert stored_annotation(project, annotation_id) == before


def test_update_refuses_bad_input(project: Store, annotation_id: str) -> None:
    refused(
        project,
        lambda: operations.update_annotation(
            project, annotation_id, reviewer=REVIEWER, verdict="maybe"
        ),
        InvalidInput,
        "unknown verdict 'maybe' (choose supported, disputed, unverified)",
    )
    refused(
        project,
        lambda: operations.update_annotation(
            project, annotation_id, reviewer=REVIEWER, sources=["mailto:a@b.c"]
        ),
        InvalidInput,
        "evidence link 'mailto:a@b.c' is not a web address (it must start with http:// or https://)",
    )
    refused(
        project,
        lambda: operations.update_annotation(
            project, annotation_id, reviewer=REVIEWER, note="x" * (MAX_NOTE_CHARS + 1)
        ),
        InvalidInput,
        "note is longer than 100,000 characters",
    )


def test_delete_and_restore_round_trip(project: Store, annotation_id: str) -> None:
    original = stored_annotation(project, annotation_id)
    deleted = operations.delete_annotation(project, annotation_id, reviewer="Second Reviewer")
    change = deleted.changes[-1]
    assert change.action == "annotation.deleted"
    assert change.after is not None and change.after["deleted_by"] == "Second Reviewer"
    assert change.after["deleted_at"] == change.after["updated_at"]
    with project.read() as session:
        assert reads.annotation_rows(session) == []
        (hidden,) = reads.annotation_rows(session, AnnotationFilter(include_deleted=True))
        assert hidden.deleted and hidden.deleted_at is not None
        assert hidden.deleted_at.tzinfo is UTC
    assert annotation_count(project) == 1  # kept, only hidden
    # Deleting twice does nothing; a deleted annotation cannot be changed.
    events = event_count(project)
    assert not operations.delete_annotation(project, annotation_id, reviewer=REVIEWER)
    refused(
        project,
        lambda: operations.update_annotation(project, annotation_id, reviewer=REVIEWER, note="x"),
        InvalidInput,
        "this annotation is deleted; restore it before changing it",
    )
    assert event_count(project) == events
    restored = operations.restore_annotation(project, annotation_id, reviewer=REVIEWER)
    change = restored.changes[-1]
    assert change.action == "annotation.restored"
    assert change.before == deleted.changes[-1].after
    assert change.after is not None and change.after["deleted_at"] is None
    now = stored_annotation(project, annotation_id)
    moving = ("updated_at", "updated_by", "version")
    unchanged = {k: v for k, v in now.items() if k not in moving}
    assert unchanged == {k: v for k, v in original.items() if k not in moving}
    assert now["version"] == original["version"] + 2
    assert not operations.restore_annotation(project, annotation_id, reviewer=REVIEWER)
    assert verify_project(project).ok


# --- reviewers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER"),
        ("   ", "no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER"),
        (None, "no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER"),
        ("Ann\nBob", "reviewer name contains control characters"),
        ("Ann\x1b[31m", "reviewer name contains control characters"),
        ("A" * 201, "reviewer name is longer than 200 characters"),
    ],
)
def test_bad_reviewer_names_are_refused(
    project: Store, article_id: str, annotation_id: str, name: Any, message: str
) -> None:
    for attempt in (
        lambda: operations.annotate(project, article_id, 10, 20, "supported", reviewer=name),
        lambda: operations.update_annotation(project, annotation_id, reviewer=name, note="x"),
        lambda: operations.delete_annotation(project, annotation_id, reviewer=name),
        lambda: operations.import_articles(project, [article("Text.")], reviewer=name),
    ):
        refused(project, attempt, InvalidInput, message)


def test_reviewers_are_added_once(project: Store, article_id: str) -> None:
    first = operations.annotate(project, article_id, 0, 3, "supported", reviewer="  Dana Ü. ")
    assert [c.action for c in first.changes] == ["reviewer.added", "annotation.created"]
    added = first.changes[0]
    assert added.after == {"id": added.entity_id, "name": "Dana Ü.", "email": None}
    second = operations.annotate(project, article_id, 4, 9, "supported", reviewer="Dana Ü.")
    assert [c.action for c in second.changes] == ["annotation.created"]
    assert second.changes[0].after["created_by"] == "Dana Ü."  # type: ignore[index]
    longest = "R" * 200
    assert operations.annotate(project, article_id, 10, 12, "supported", reviewer=longest)


# --- importing -----------------------------------------------------------------------------


def test_import_stores_text_exactly(project: Store, tmp_path: Path) -> None:
    text = "Title line\r\nCafe\u0301\u00a0au lait — “quoted”\r\nLast line 🇺🇦\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    changes = operations.import_articles(
        project,
        [read_article(path)],
        reviewer=REVIEWER,
        meta=ArticleMeta(outlet=" Wire ", url="https://example.org/s", published="2025-06-29"),
    )
    (change,) = changes.changes
    new_id = change.entity_id
    expected = text.replace("\r\n", "\n")
    with project.read() as session:
        assert reads.article_text(session, new_id) == expected
        summary = next(s for s in reads.article_summaries(session) if s.id == new_id)
    assert (summary.title, summary.outlet, summary.url) == (
        "Title line",
        "Wire",
        "https://example.org/s",
    )
    assert summary.published == date(2025, 6, 29)
    assert summary.original_name == "crlf.txt"
    assert summary.text_length == len(expected)
    assert summary.imported_at.tzinfo is UTC
    digest = hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert change.after is not None and change.after["text_sha256"] == digest
    assert change.after["text_length"] == len(expected)
    assert rows(project, "SELECT text_sha256 FROM articles WHERE id = :id", id=new_id) == [
        (digest,)
    ]
    assert changes.article_ids == [new_id]


def test_import_several_files_in_one_go(project: Store) -> None:
    changes = operations.import_articles(
        project,
        [article("One.", "One", "1.txt"), article("Two.", "Two", "2.txt")],
        reviewer=REVIEWER,
        meta=[ArticleMeta(outlet="A", published=date(2024, 1, 2)), ArticleMeta(title="Second")],
    )
    assert [c.action for c in changes.changes] == ["article.imported", "article.imported"]
    with project.read() as session:
        summaries = {s.id: s for s in reads.article_summaries(session)}
    first, second = (summaries[i] for i in changes.article_ids)
    assert (first.title, first.outlet, first.published) == ("One", "A", date(2024, 1, 2))
    assert (second.title, second.outlet, second.published) == ("Second", "", None)


def test_long_titles_are_shortened(project: Store) -> None:
    changes = operations.import_articles(
        project, [article("Body.")], reviewer=REVIEWER, meta=ArticleMeta(title="T" * 600)
    )
    title = changes.changes[0].after["title"]  # type: ignore[index]
    assert len(title) == 500 and title.endswith("T…")


TOMORROW_PLUS = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()


NOT_A_DATE = "is not a real date"
NOT_ISO = "must be written YYYY-MM-DD (or YYYY-MM or YYYY when only that is known)"


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (ArticleMeta(published="2025-13-01"), f"published date '2025-13-01' {NOT_A_DATE}"),
        (ArticleMeta(published="2025-02-30"), f"published date '2025-02-30' {NOT_A_DATE}"),
        (ArticleMeta(published="2025/06/29"), f"published date '2025/06/29' {NOT_ISO}"),
        (ArticleMeta(published="29.06.2025"), f"published date '29.06.2025' {NOT_ISO}"),
        (ArticleMeta(published="2025-6-29"), f"published date '2025-6-29' {NOT_ISO}"),
        (ArticleMeta(published=TOMORROW_PLUS), f"published date {TOMORROW_PLUS} is in the future"),
        (ArticleMeta(url="ftp://example.org/x"), f"article URL 'ftp://example.org/x' {NOT_WEB}"),
        (ArticleMeta(url="not a url"), f"article URL 'not a url' {SPACES}"),
        (ArticleMeta(outlet="O" * 201), "outlet is longer than 200 characters"),
        (ArticleMeta(title="   "), None),
    ],
)
def test_bad_article_details_import_nothing(
    project: Store, meta: ArticleMeta, message: str | None
) -> None:
    if message is None:  # a blank title means "the file's own title"
        changes = operations.import_articles(
            project, [article("Body.", "Own")], reviewer=REVIEWER, meta=meta
        )
        assert changes.changes[0].after["title"] == "Own"  # type: ignore[index]
        return
    refused(
        project,
        lambda: operations.import_articles(
            project,
            [article("One.", "One", "1.txt"), article("Two.", "Two", "2.txt")],
            reviewer=REVIEWER,
            meta=[ArticleMeta(), meta],
        ),
        InvalidInput,
        message,
    )


def test_import_refusals(project: Store) -> None:
    two = [article("One.", "One", "1.txt"), article("Two.", "Two", "2.txt")]
    refused(
        project,
        lambda: operations.import_articles(project, [], reviewer=REVIEWER),
        InvalidInput,
        "no files to import",
    )
    refused(
        project,
        lambda: operations.import_articles(
            project, two, reviewer=REVIEWER, meta=ArticleMeta(title="T")
        ),
        InvalidInput,
        "a title or URL names one article: import the files one at a time",
    )
    refused(
        project,
        lambda: operations.import_articles(
            project, two, reviewer=REVIEWER, meta=ArticleMeta(url="https://example.org")
        ),
        InvalidInput,
        "a title or URL names one article: import the files one at a time",
    )
    refused(
        project,
        lambda: operations.import_articles(project, two, reviewer=REVIEWER, meta=[ArticleMeta()]),
        InvalidInput,
        "one set of article details is needed per file",
    )
    refused(
        project,
        lambda: operations.import_articles(
            project, [article("Body.", title=" ")], reviewer=REVIEWER
        ),
        InvalidInput,
        "story.txt: the title cannot be empty",
    )
    # One outlet and date may be given for several files.
    changes = operations.import_articles(
        project, two, reviewer=REVIEWER, meta=ArticleMeta(outlet="Wire", published="2025-06-29")
    )
    assert [c.after["outlet"] for c in changes.changes] == ["Wire", "Wire"]  # type: ignore[index]


def test_every_error_is_a_crosscheck_error() -> None:
    assert issubclass(InvalidInput, CrosscheckError) and issubclass(NotFound, CrosscheckError)
