"""A project that holds every kind of thing a project can hold, for copy and merge tests.

``before_the_copy`` sets up what a later change removes (blind review, a done mark, an
adjudicator); ``work_on_everything`` then changes something of every entity type the audit
trail knows, through the operations as a reviewer would: web pages fetched and saved as
evidence, a PDF's pages, edited and removed articles, annotations changed, moved, deleted and
carried to another version, an adjudication, blind review started and ended, done marks and
adjudicators added and removed. Together they leave rows in every table of the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.core import operations, review_ops, review_state
from desktop.core.disagreements import find_groups
from desktop.core.fetch import FetchedPage, Redirect
from desktop.core.importers import ImportedArticle
from desktop.core.model import Verdict
from desktop.core.operations import CarryTarget
from desktop.core.store import Store, reads

WHO = "Olena Road"
JUDGE = "Judge Dee"

WEB_TEXT = "Flood waters rise.\n\nThe river rose two metres overnight, the mayor said.\n"
PDF_TEXT = "Statement page one.\nStatement page two ends here.\n"


def fetched(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(
        url=url,
        final_url=url.replace("http://", "https://"),
        status=200,
        content_type="text/html",
        charset="utf-8",
        body=body,
        fetched_at=datetime(2025, 7, 1, 8, 30, tzinfo=UTC),
        redirects=(Redirect(url, 301),),
    )


def demo_articles(store: Store) -> list[str]:
    with store.read() as conn:
        return [s.id for s in reads.article_summaries(conn)]


def before_the_copy(store: Store) -> None:
    """Blind review of the fourth demo article, Ann's done mark on it, and two adjudicators:
    what ``work_on_everything`` then ends, takes back and removes."""
    fourth = demo_articles(store)[3]
    review_ops.change_adjudicators(store, add=[JUDGE, "Cy Second"], reviewer=JUDGE)
    review_ops.start_blinding(store, reviewer=JUDGE, article_id=fourth)
    review_ops.mark_done(store, fourth, reviewer="Ann Example")


@dataclass(frozen=True)
class Worked:
    web: str  # an article imported from a fetched page, then edited
    pdf: str  # an article read from a two-page PDF
    removed: str  # a demo article removed with its annotation
    tagged: str  # an annotation: note, saved evidence copy, moved span, carried
    carried: str  # the annotation the verdict was carried to
    settlement: str
    blinded: str  # a demo article under blind review, and marked done by Ann Example


def work_on_everything(store: Store) -> Worked:
    first, second, third, fourth = demo_articles(store)[:4]
    web = ImportedArticle(
        WEB_TEXT, "Flood waters rise", "http://news.example/flood", "html",
        url="https://news.example/flood",
        fetched=fetched("http://news.example/flood", b"<html><p>Flood waters rise.</p></html>"),
    )  # fmt: skip
    pdf = ImportedArticle(PDF_TEXT, "Statement", "statement.pdf", "pdf", page_starts=(0, 20))
    web_id, pdf_id = operations.import_articles(store, [web, pdf], reviewer=WHO).ids("article")
    operations.edit_article(store, web_id, reviewer=WHO, published="2025-06", author="A. Writer")
    operations.annotate(store, pdf_id, 20, 29, "supported", reviewer=WHO)

    tagged = operations.annotate(
        store, first, 0, 9, "disputed", reviewer=WHO, note="Checked with the ministry",
        sources=["https://evidence.example/a"],
    ).annotation_ids[0]  # fmt: skip
    operations.save_source_copy(
        store, tagged, fetched("https://evidence.example/a", b"<p>Evidence</p>"),
        reviewer=WHO, text="Evidence", title="Evidence page",
    )  # fmt: skip
    operations.set_annotation_span(store, tagged, 0, 12, reviewer=WHO)
    carried = operations.carry(
        store, tagged, [CarryTarget(second, "same", 40, 52)], reviewer=WHO
    ).created[0]

    doomed = operations.annotate(store, third, 0, 5, "unverified", reviewer=WHO)
    operations.update_annotation(store, doomed.annotation_ids[0], reviewer=WHO, note="Gone")
    operations.remove_articles(store, [third], reviewer=WHO)

    # Two reviewers disagree on a span; the adjudicator settles it.
    operations.annotate(store, first, 100, 120, "supported", reviewer="Ann Example")
    operations.annotate(store, first, 100, 120, "disputed", reviewer="Bob Checker")
    with store.read() as conn:
        (tags,) = review_state.article_tags(conn, [first])
    group = next(g for g in find_groups(tags.reviewers, tags.tags).groups if g.start == 100)
    settled = review_ops.settle(
        store, first, group.id, review_ops.Decision(verdict=Verdict.SUPPORTED), reviewer=JUDGE
    )
    (settlement,) = settled.ids("settlement")

    # What was set up before the copy ends, and new review state begins.
    review_ops.end_blinding(store, reviewer=JUDGE, article_id=fourth)
    review_ops.unmark_done(store, fourth, reviewer="Ann Example")
    review_ops.remove_adjudicator(store, "Cy Second", reviewer=JUDGE)
    review_ops.start_blinding(store, reviewer=JUDGE, article_id=second)
    review_ops.mark_done(store, second, reviewer="Ann Example")
    return Worked(web_id, pdf_id, third, tagged, carried, settlement, second)
