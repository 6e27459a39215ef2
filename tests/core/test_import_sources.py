"""Articles from web pages, PDFs and pasted text, stored with what they came from: the
fetched bytes, the pages of a PDF, and saved copies of evidence pages."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from desktop.core import fetch, importers, operations, pages
from desktop.core.errors import ImportFailed, InvalidInput, NotFound
from desktop.core.exports import ExportOptions
from desktop.core.exports.csv_verdicts import write_csv
from desktop.core.exports.w3c import write_w3c
from desktop.core.model import PartialDate, Source
from desktop.core.records import ArticleSummary
from desktop.core.store import Store, create_store, open_store, reads
from desktop.core.store.schema import Article, AuditEvent
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER
from tests.support import pdf_samples

PAGES = Path(__file__).parent / "pages"
HTML = "text/html; charset=utf-8"


@pytest.fixture(params=["sqlite", "postgresql"])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A new project, in a file and on a server in turn."""
    if request.param == "postgresql":
        target: str | Path = str(request.getfixturevalue("pg_url"))
    else:
        target = tmp_path / "sources.crosscheck"
    with create_store(target) as made:
        operations.record_project_created(made, name="Sources", reviewer=REVIEWER)
    opened = open_store(target)
    yield opened
    opened.close()


def events(project: Store) -> list[tuple[str, str, dict[str, object] | None]]:
    with project.read() as db:
        stmt = select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.after).order_by(
            AuditEvent.seq
        )
        return [
            (action, entity_type, json.loads(after) if after else None)
            for action, entity_type, after in db.execute(stmt)
        ]


def test_a_web_page_is_imported_with_its_metadata_and_kept(
    project: Store, httpserver: HTTPServer
) -> None:
    body = (PAGES / "jsonld-story.html").read_bytes()
    httpserver.expect_request("/old-link").respond_with_data(
        "", status=301, headers={"Location": "/health/story"}
    )
    httpserver.expect_request("/health/story").respond_with_data(body, content_type=HTML)
    asked = httpserver.url_for("/old-link")
    article = importers.read_url(asked)
    changes = operations.import_articles(project, [article], reviewer=REVIEWER)
    (article_id,) = changes.ids("article")
    with project.read() as db:
        (summary,) = reads.article_summaries(db)
        page_id = pages.article_page_id(db, article_id)
        assert page_id is not None
        saved = pages.saved_page(db, page_id)
        raw = pages.saved_page_body(db, page_id)
        text = reads.article_text(db, article_id)
    # The article: canonical URL and date from the page's JSON-LD, site name as outlet.
    assert (
        summary.title
        == "Hospital waiting lists fall for third month, but cancer targets still missed"
    )
    assert summary.outlet == "Northern Daily Times"
    assert summary.author == "Tom Hargreaves"
    assert (
        summary.url
        == "https://www.northerndailytimes.example/health/waiting-lists-fall-third-month-20240509"
    )
    assert summary.published is not None and summary.published.isoformat() == "2024-05-09"
    assert text.startswith("Hospital waiting lists fall") and "Subscribe" not in text
    # The page as fetched: exact bytes, when, and by which redirects.
    assert raw == body
    assert saved.sha256 == hashlib.sha256(body).hexdigest()
    assert (saved.url, saved.final_url) == (asked, httpserver.url_for("/health/story"))
    assert saved.redirects == ((asked, 301),)
    assert saved.content_type == "text/html" and saved.size == len(body)
    # The log holds the page's hash and how it was fetched, never its bytes or text.
    logged = events(project)
    page_event = next(after for action, _, after in logged if action == "page.fetched")
    article_event = next(after for action, _, after in logged if action == "article.imported")
    assert page_event is not None and article_event is not None
    assert page_event["sha256"] == saved.sha256 and page_event["size"] == len(body)
    assert page_event["redirects"] == [{"url": asked, "status": 301}]
    assert article_event["fetched_page_id"] == page_id
    flat = json.dumps(logged)
    assert "Northern Daily Times is part of" not in flat and "412,300" not in flat
    assert verify_project(project).ok


def test_a_failed_url_changes_nothing(project: Store, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data(
        (PAGES / "blog-comments.html").read_bytes(), content_type=HTML
    )
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    before = events(project)
    with pytest.raises(ImportFailed) as caught:
        importers.read_articles([httpserver.url_for("/ok"), httpserver.url_for("/gone")])
    assert str(caught.value) == f"{httpserver.url_for('/gone')}: the server answered 404 Not Found"
    assert events(project) == before
    # Keeping the pages that worked is a choice the reviewer makes.
    results = importers.read_sources(
        [httpserver.url_for("/ok"), httpserver.url_for("/gone")], keep_going=True
    )
    assert [r.error is None for r in results] == [True, False]


def test_a_page_without_an_article_is_refused(project: Store, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/menu").respond_with_data(
        "<html><body><nav><a href='/'>Home</a> <a href='/b'>B</a></nav></body></html>",
        content_type=HTML,
    )
    with pytest.raises(ImportFailed) as caught:
        importers.read_url(httpserver.url_for("/menu"))
    assert str(caught.value) == f"{httpserver.url_for('/menu')}: contains no article text"


def test_a_pdf_at_a_url_is_read_as_a_pdf(project: Store, httpserver: HTTPServer) -> None:
    data = pdf_samples.statement().data
    httpserver.expect_request("/statement.pdf").respond_with_data(
        data, content_type="application/pdf"
    )
    article = importers.read_url(httpserver.url_for("/statement.pdf"))
    assert article.source_format == "pdf" and len(article.page_starts) == 2
    assert article.fetched is not None and article.fetched.body == data


def _pdf_project(project: Store, tmp_path: Path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf_samples.statement().data)
    changes = operations.import_articles(project, [importers.read_article(path)], reviewer=REVIEWER)
    (article_id,) = changes.ids("article")
    return article_id


def test_every_annotation_knows_its_pdf_page(project: Store, tmp_path: Path) -> None:
    article_id = _pdf_project(project, tmp_path)
    with project.read() as db:
        text = reads.article_text(db, article_id)
        starts = pages.page_starts(db, [article_id])[article_id]
    first = text.index("24 patients")
    second = text.index("patient advice service")
    across = text.index("regional government")  # begins on page 1, ends on page 2
    for start, quote in ((first, "24 patients"), (second, "patient advice service"),
                         (across, "regional government office")):  # fmt: skip
        operations.annotate(
            project, article_id, start, start + len(quote), "supported", reviewer=REVIEWER
        )
    assert [pages.page_of(starts, o) for o in (first, second, across)] == [1, 2, 1]
    # The page is in the import's audit event, with the text's hash.
    imported = next(after for action, _, after in events(project) if action == "article.imported")
    assert imported is not None and imported["page_starts"] == starts
    # CSV: a page column at the end of the header.
    out = io.BytesIO()
    write_csv(project, out, ExportOptions(spreadsheet_safe=False))
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert list(rows[0])[-1] == "page"
    assert {r["quote"]: r["page"] for r in rows} == {
        "24 patients": "1",
        "patient advice service": "2",
        "regional government office": "1",
    }
    # W3C: the page named with an RFC 3778 fragment, refined by the quote.
    out = io.BytesIO()
    write_w3c(project, out)
    items = json.loads(out.getvalue())["first"]["items"]
    by_quote = {item["target"]["selector"][0]["exact"]: item for item in items}
    second_item = by_quote["patient advice service"]
    quote_selector, _, fragment = second_item["target"]["selector"]
    assert fragment == {
        "type": "FragmentSelector",
        "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
        "value": "page=2",
        "refinedBy": quote_selector,
    }
    assert by_quote["24 patients"]["target"]["selector"][2]["value"] == "page=1"
    assert verify_project(project).ok


def test_articles_without_pages_export_no_page(project: Store) -> None:
    article = importers.read_pasted("Headline\n\nBody of a pasted article.")
    (article_id,) = operations.import_articles(project, [article], reviewer=REVIEWER).ids("article")
    operations.annotate(project, article_id, 0, 8, "disputed", reviewer=REVIEWER)
    out = io.BytesIO()
    write_w3c(project, out)
    (item,) = json.loads(out.getvalue())["first"]["items"]
    assert [s["type"] for s in item["target"]["selector"]] == [
        "TextQuoteSelector",
        "TextPositionSelector",
    ]


def test_pasted_text_becomes_an_article(project: Store) -> None:
    article = importers.read_pasted(
        "Minister resigns\r\n\r\nThe minister resigned on Tuesday.", title=None, outlet="Wire"
    )
    assert (article.title, article.outlet, article.source_format) == (
        "Minister resigns",
        "Wire",
        "txt",
    )
    assert article.text == "Minister resigns\n\nThe minister resigned on Tuesday."
    whole_page = importers.read_pasted((PAGES / "wordpress-news.html").read_bytes())
    assert whole_page.source_format == "html" and "Leave a Reply" not in whole_page.text
    with pytest.raises(ImportFailed) as caught:
        importers.read_pasted("  \n ")
    assert str(caught.value) == "standard input: is empty"


def test_a_vague_date_is_stored_and_shown_vague(project: Store) -> None:
    article = importers.read_pasted((PAGES / "french-vague-date.html").read_bytes())
    assert article.published == PartialDate(2024, 11)
    (article_id,) = operations.import_articles(project, [article], reviewer=REVIEWER).ids("article")
    with project.read() as db:
        (summary,) = reads.article_summaries(db)
        stored = db.execute(
            select(Article.published, Article.published_precision).where(Article.id == article_id)
        ).one()
    assert summary.published is not None and summary.published.isoformat() == "2024-11"
    assert summary.to_json()["published"] == "2024-11"
    assert tuple(stored) == (date(2024, 11, 1), "month")


def test_the_reviewer_corrects_url_date_and_author(project: Store) -> None:
    article = importers.read_pasted("Story\n\nText.")
    (article_id,) = operations.import_articles(project, [article], reviewer=REVIEWER).ids("article")
    changes = operations.edit_article(
        project,
        article_id,
        reviewer=REVIEWER,
        url="https://news.example/story",
        published="2024",
        author="Ana Ruiz",
    )
    (change,) = changes.changes
    assert change.action == "article.changed"
    assert change.before is not None and change.after is not None
    assert (change.before["url"], change.before["published"], change.before["author"]) == (
        None,
        None,
        None,
    )
    assert (
        change.after["url"],
        change.after["published"],
        change.after["published_precision"],
        change.after["author"],
    ) == ("https://news.example/story", "2024-01-01", "year", "Ana Ruiz")

    def summary() -> ArticleSummary:
        with project.read() as db:
            (only,) = reads.article_summaries(db)
        return only

    edited = summary()
    assert edited.published is not None and edited.published.isoformat() == "2024"
    assert edited.author == "Ana Ruiz"
    # The day made precise, then undone: the vague date comes back as it was.
    precise = operations.edit_article(
        project, article_id, reviewer=REVIEWER, published="2024-01-01"
    )
    assert precise.inverse is not None
    assert precise.inverse.args == {"article_id": article_id, "published": "2024"}
    assert summary().published == date(2024, 1, 1)
    precise.inverse.run(project, reviewer=REVIEWER)
    assert summary().to_json()["published"] == "2024"
    # Clearing, and a change that changes nothing (None leaves a field alone).
    cleared = operations.edit_article(
        project, article_id, reviewer=REVIEWER, published="", author=""
    )
    assert cleared.inverse is not None
    assert cleared.inverse.args == {
        "article_id": article_id,
        "published": "2024",
        "author": "Ana Ruiz",
    }
    assert (summary().published, summary().author) == (None, "")
    assert not operations.edit_article(project, article_id, reviewer=REVIEWER, published=None)
    with pytest.raises(InvalidInput, match="is not a web address"):
        operations.edit_article(project, article_id, reviewer=REVIEWER, url="file:///x")
    with pytest.raises(InvalidInput, match="author is longer than 500 characters"):
        operations.edit_article(project, article_id, reviewer=REVIEWER, author="A" * 501)
    with pytest.raises(NotFound):
        operations.edit_article(project, "nope", reviewer=REVIEWER, title="X")
    assert verify_project(project).ok


def test_a_saved_copy_shows_the_page_as_it_was(project: Store, httpserver: HTTPServer) -> None:
    article = importers.read_pasted("Claim\n\nThe council spent £4m on the bridge.")
    (article_id,) = operations.import_articles(project, [article], reviewer=REVIEWER).ids("article")
    url = httpserver.url_for("/report")
    annotation_id = operations.annotate(
        project, article_id, 7, 20, "supported", reviewer=REVIEWER, sources=[Source(url, "Report")]
    ).annotation_ids[0]
    first = (
        "<html><head><title>Council report</title></head><body><article>"
        + ("<p>The bridge cost £4m in total, the council's accounts show.</p>" * 6)
        + "</article></body></html>"
    )
    httpserver.expect_request("/report").respond_with_data(first, content_type=HTML)
    page = fetch.fetch(url)
    text, title = importers.readable_copy(page)
    operations.save_source_copy(
        project, annotation_id, page, reviewer=REVIEWER, text=text, title=title
    )
    # The page changes; the copy does not.
    httpserver.clear()
    httpserver.expect_request("/report").respond_with_data(
        "<html><body><p>This page has been removed.</p></body></html>", content_type=HTML
    )
    with project.read() as db:
        (row,) = reads.annotation_rows(db)
        (source,) = row.sources
        copy = pages.saved_page(db, source.copy)
    assert (source.url, source.title) == (url, "Report")
    assert copy.text is not None and "The bridge cost £4m in total" in copy.text
    assert copy.title == "Council report"
    assert copy.fetched_at == page.fetched_at
    # Saving again keeps both copies: the link now shows the new one, the old one stays.
    newer = fetch.fetch(url)
    new_text, new_title = importers.readable_copy(newer)
    changes = operations.save_source_copy(
        project, annotation_id, newer, reviewer=REVIEWER, text=new_text, title=new_title
    )
    (changed,) = [c for c in changes.changes if c.action == "annotation.changed"]
    assert changed.before is not None and changed.after is not None
    assert changed.before["sources"][0]["copy"] == copy.id
    assert changed.after["sources"][0]["copy"] != copy.id
    with project.read() as db:
        assert pages.saved_page(db, copy.id).text == copy.text
        assert len(pages.saved_pages(db)) == 2
    # W3C: a link with a copy says when its page was read.
    out = io.BytesIO()
    write_w3c(project, out)
    (item,) = json.loads(out.getvalue())["first"]["items"]
    (link,) = [b for b in item["body"] if b.get("purpose") == "linking"]
    assert link["state"]["type"] == "TimeState"
    assert link["state"]["sourceDate"].endswith("Z")
    assert verify_project(project).ok


def test_undoing_a_saved_copy_points_the_link_back_and_keeps_the_copy(
    project: Store, httpserver: HTTPServer
) -> None:
    article = importers.read_pasted("Claim\n\nThe council spent £4m on the bridge.")
    (article_id,) = operations.import_articles(project, [article], reviewer=REVIEWER).ids("article")
    url = httpserver.url_for("/report")
    annotation_id = operations.annotate(
        project, article_id, 7, 20, "supported", reviewer=REVIEWER, sources=[url]
    ).annotation_ids[0]
    httpserver.expect_request("/report").respond_with_data(
        "<html><body><article>"
        + "<p>The bridge cost £4m in total, the council's accounts show.</p>" * 6
        + "</article></body></html>",
        content_type=HTML,
    )
    page = fetch.fetch(url)
    text, title = importers.readable_copy(page)
    saved = operations.save_source_copy(
        project, annotation_id, page, reviewer=REVIEWER, text=text, title=title
    )
    assert saved.label == "Save a copy of the evidence page"
    assert [c.action for c in saved.changes] == ["page.fetched", "annotation.changed"]

    def link() -> Source:
        with project.read() as db:
            (row,) = reads.annotation_rows(db)
        (only,) = row.sources
        return only

    copy_id = link().copy
    assert copy_id
    assert saved.inverse is not None
    undone = saved.inverse.run(project, reviewer=REVIEWER)
    assert (link().url, link().copy) == (url, "")
    with project.read() as db:  # the page stays kept: what was read is never thrown away
        assert [p.id for p in pages.saved_pages(db)] == [copy_id]
    assert undone.inverse is not None
    undone.inverse.run(project, reviewer=REVIEWER)
    assert link().copy == copy_id
    assert verify_project(project).ok


def test_undoing_a_url_import_removes_the_article(project: Store, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/s").respond_with_data(
        (PAGES / "blog-comments.html").read_bytes(), content_type=HTML
    )
    changes = operations.import_articles(
        project, [importers.read_url(httpserver.url_for("/s"))], reviewer=REVIEWER
    )
    assert changes.label == "Import 1 article"
    assert changes.inverse is not None and changes.inverse.op == "remove_articles"
    (article_id,) = changes.ids("article")
    removed = changes.inverse.run(project, reviewer=REVIEWER)
    (event,) = [c for c in removed.changes if c.action == "article.removed"]
    assert event.after is not None and event.after["fetched_page_id"] is not None
    with project.read() as db:
        assert reads.article_summaries(db) == []
    assert removed.inverse is not None
    restored = removed.inverse.run(project, reviewer=REVIEWER)
    assert [c.action for c in restored.changes] == ["article.restored"]
    with project.read() as db:
        assert [s.id for s in reads.article_summaries(db)] == [article_id]
    assert verify_project(project).ok


def test_a_pdf_article_keeps_its_pages_through_removal(project: Store, tmp_path: Path) -> None:
    article_id = _pdf_project(project, tmp_path)
    removed = operations.remove_article(project, article_id, reviewer=REVIEWER)
    (event,) = removed.changes
    assert event.before is not None and event.after is not None
    assert event.before["page_starts"] == event.after["page_starts"]
    assert len(event.after["page_starts"]) == 2 and event.after["deleted_by"] == REVIEWER


def test_a_copy_must_be_one_kept_in_the_project(project: Store) -> None:
    article = importers.read_pasted("Claim\n\nText of the claim.")
    (article_id,) = operations.import_articles(project, [article], reviewer=REVIEWER).ids("article")
    with pytest.raises(NotFound) as caught:
        operations.annotate(
            project, article_id, 0, 5, "supported", reviewer=REVIEWER,
            sources=[Source("https://a.example", "", "00000000-0000-0000-0000-000000000000")],
        )  # fmt: skip
    assert str(caught.value) == "no saved page copy with id 00000000-0000-0000-0000-000000000000"


def test_an_older_project_upgrades_and_imports_urls(tmp_path: Path, httpserver: HTTPServer) -> None:
    from tests.core.first_revision import make_first_revision_project

    old = make_first_revision_project(tmp_path / "old.crosscheck")
    httpserver.expect_request("/s").respond_with_data(
        (PAGES / "main-mostread.html").read_bytes(), content_type=HTML
    )
    with open_store(old.path) as upgraded:
        operations.import_articles(
            upgraded, [importers.read_url(httpserver.url_for("/s"))], reviewer=REVIEWER
        )
        assert verify_project(upgraded).ok
    conn = sqlite3.connect(old.path)
    try:
        assert conn.execute("SELECT count(*) FROM fetched_pages").fetchone() == (1,)
        assert conn.execute(
            "SELECT count(*) FROM articles WHERE published_precision IS NULL"
        ).fetchone() == (2,)
    finally:
        conn.close()
