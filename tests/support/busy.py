"""A project that has seen every kind of write the program makes, for the replay's tests."""

from __future__ import annotations

from pathlib import Path

from desktop.core import operations, review_ops
from desktop.core.disagreements import find_groups
from desktop.core.importers import ImportedArticle
from desktop.core.signing import generate_key_files, load_private_key
from desktop.core.store import Store, reads
from tests.support.every_kind import fetched

ANN, BOB, EDITOR = "Ann Example", "Bob Checker", "Eda Editor"
PDF_TEXT = "First page of the statement. " * 4 + "Second page, with the figures. " * 4


def every_kind_of_write(store: Store, keys: Path) -> dict[str, str]:
    """Tags by several reviewers with evidence links, a changed note, a moved span, a delete
    and a restore, a carried verdict, an edited article, a removed and restored article, a
    PDF with pages, a page imported from the web and a saved copy, blind review on and off,
    a done mark, adjudicators named and removed, a settlement withdrawn and reinstated, and a
    signed checkpoint. Returns ids by name for the tests."""
    with store.read() as conn:
        first, second, third, *_ = [s.id for s in reads.article_summaries(conn)]
    operations.annotate(
        store, first, 0, 10, "disputed", reviewer=ANN, note='ünïcode ✓ "quoted"',
        sources=["https://example.org/a"],
    )  # fmt: skip
    [changed] = operations.annotate(store, second, 5, 25, "supported", reviewer=BOB).annotation_ids
    operations.update_annotation(store, changed, reviewer=ANN, note="second look")
    operations.set_annotation_span(store, changed, 6, 25, reviewer=BOB)
    operations.delete_annotation(store, changed, reviewer=BOB)
    operations.restore_annotation(store, changed, reviewer=ANN)
    carried = operations.carry(
        store,
        changed,
        [operations.CarryTarget(third, "same", 10, 30)],
        reviewer=ANN,
    )
    operations.edit_article(store, second, reviewer=ANN, author="A. Writer", published="2026-02")
    operations.remove_article(store, third, reviewer=EDITOR)
    operations.restore_article(store, third, reviewer=EDITOR)
    pdf = ImportedArticle(
        PDF_TEXT, "Statement", "statement.pdf", "pdf", page_starts=(0, PDF_TEXT.index("Second"))
    )
    web = ImportedArticle(
        "A page read from the web, in full.", "From the web", "page.html", "html",
        url="https://example.org/story",
        fetched=fetched("http://example.org/story", b"<html><p>A page read from the web</p>"),
    )  # fmt: skip
    imported = operations.import_articles(store, [pdf, web], reviewer=BOB)
    pdf_id = imported.changes[0].entity_id
    operations.save_source_copy(
        store, changed, fetched("http://example.org/evidence", b"<p>evidence</p>"),
        reviewer=BOB, text="evidence", title="Evidence",
    )  # fmt: skip
    # Double-checking on the first article.
    for start, end, verdict, who in (
        (200, 230, "supported", ANN), (200, 230, "supported", BOB),
        (40, 60, "supported", ANN), (40, 60, "disputed", BOB),
    ):  # fmt: skip
        operations.annotate(store, first, start, end, verdict, reviewer=who)
    blinding = review_ops.start_blinding(store, reviewer=EDITOR, article_ids=[second])
    review_ops.end_blinding(store, reviewer=EDITOR, article_ids=[second])
    review_ops.start_blinding(store, reviewer=EDITOR, project=True)
    review_ops.mark_done(store, first, reviewer=ANN)
    review_ops.mark_done(store, first, reviewer=BOB)
    review_ops.mark_done(store, second, reviewer=BOB)
    review_ops.unmark_done(store, second, reviewer=BOB)
    review_ops.change_adjudicators(store, add=[EDITOR, ANN], reviewer=EDITOR)
    review_ops.remove_adjudicator(store, ANN, reviewer=EDITOR)
    review_ops.add_adjudicator(store, ANN, reviewer=EDITOR)  # named again: a new first event
    with store.read() as conn:
        from desktop.core import review_state

        (tags,) = review_state.article_tags(conn, [first])
        settled_ids = review_state.settled_annotation_ids(conn, [first])
    groups = find_groups(tags.reviewers, tags.tags, settled_ids).groups
    group = next(g for g in groups if g.kind == "verdicts")
    settlement = review_ops.settle(
        store, first, group.id, review_ops.Decision(accept=BOB), reviewer=EDITOR
    )
    review_ops.withdraw_settlements(store, [settlement.changes[-1].entity_id], reviewer=EDITOR)
    review_ops.reinstate_settlements(store, [settlement.changes[-1].entity_id], reviewer=EDITOR)
    review_ops.finalise_agreed(store, first, reviewer=EDITOR)
    generate_key_files(keys / "key")
    operations.sign_checkpoint(store, load_private_key(keys / "key"), reviewer=BOB)
    return {
        "first": first,
        "second": second,
        "third": third,
        "changed": changed,
        "carried": carried.created[0],
        "pdf": pdf_id,
        "blinding": blinding.changes[-1].entity_id,
        "settlement": settlement.changes[-1].entity_id,
    }
