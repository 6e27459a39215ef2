"""Double-checking in the core: every switch and decision takes itself back (the window's
undo), stale undos are refused, and the whole flow works the same on a PostgreSQL server."""

from __future__ import annotations

import csv
import io

import pytest

from desktop.core import operations, review_ops, review_state
from desktop.core.agreement_report import article_agreements
from desktop.core.changes import ChangeSet
from desktop.core.disagreements import find_groups
from desktop.core.errors import Conflict, InvalidInput
from desktop.core.exports import ExportOptions, export_to_stream, resolve_filter
from desktop.core.model import Verdict
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, open_store, reads
from desktop.core.verify import verify_project
from tests.conftest import make_project

ANN, BOB, EDITOR = "Ann Example", "Bob Checker", "Eda Editor"


def articles(store: Store) -> list[str]:
    with store.read() as conn:
        return [s.id for s in reads.article_summaries(conn)]


def blind(store: Store) -> review_state.BlindState:
    with store.read() as conn:
        return review_state.blind_state(conn)


def undo(store: Store, changes: ChangeSet, reviewer: str = EDITOR) -> ChangeSet:
    assert changes.inverse is not None, changes.label
    return changes.inverse.run(store, reviewer=reviewer)


def double_checked(store: Store, article: str) -> None:
    """Ann and Bob: one span alike, one with other verdicts, one only Bob tagged, one with
    other boundaries."""
    for start, end, verdict, who in (
        (200, 230, "supported", ANN), (200, 230, "supported", BOB),
        (0, 20, "supported", ANN), (0, 20, "disputed", BOB),
        (40, 60, "unverified", BOB),
        (100, 130, "supported", ANN), (102, 130, "supported", BOB),
    ):  # fmt: skip
        operations.annotate(store, article, start, end, verdict, reviewer=who)


def groups(store: Store, article: str) -> dict[str, str]:
    """Kind ("agreed" for None) -> group id of the article's groups."""
    with store.read() as conn:
        (tags,) = review_state.article_tags(conn, [article])
        settled = review_state.settled_annotation_ids(conn, [article])
    found = find_groups(tags.reviewers, tags.tags, settled)
    return {g.kind or "agreed": g.id for g in found.groups}


def open_count(store: Store, article: str) -> int:
    (report,) = article_agreements(store, [article])
    return report.open_disagreements


def test_blind_review_on_and_off_undo_and_redo(demo_project: Store) -> None:
    first, second, *_ = articles(demo_project)
    on = review_ops.start_blinding(demo_project, reviewer=EDITOR, article_ids=[first, second])
    assert on.label == "Blind review of 2 articles"
    assert blind(demo_project).articles == {first, second}
    off = undo(demo_project, on)
    assert off.label == "End blind review of 2 articles" and not blind(demo_project).active
    again = undo(demo_project, off)
    assert blind(demo_project).articles == {first, second}
    # Ending it everywhere (the project too) comes back as it was.
    project_wide = review_ops.start_blinding(demo_project, reviewer=EDITOR, project=True)
    assert project_wide.label == "Blind review of the project"
    everywhere = review_ops.end_blinding(demo_project, reviewer=EDITOR)
    assert not blind(demo_project).active
    back = undo(demo_project, everywhere)
    state = blind(demo_project)
    assert state.project_blind and state.articles == {first, second}
    assert back.label == "Blind review of the project and 2 articles"
    # Undoing the project-wide start leaves the articles' own blind review alone.
    project_off = undo(demo_project, project_wide)
    state = blind(demo_project)
    assert not state.project_blind and state.articles == {first, second}
    undo(demo_project, project_off)
    assert blind(demo_project).project_blind
    assert again.inverse is not None and verify_project(demo_project).ok


def test_blind_review_off_for_several_articles_is_all_or_nothing(demo_project: Store) -> None:
    first, second, *_ = articles(demo_project)
    review_ops.start_blinding(demo_project, reviewer=EDITOR, article_id=first)
    with pytest.raises(InvalidInput, match="is not under blind review"):
        review_ops.end_blinding(demo_project, reviewer=EDITOR, article_ids=[first, second])
    assert blind(demo_project).articles == {first}


def test_done_mark_undo_and_redo(demo_project: Store) -> None:
    first = articles(demo_project)[0]
    done = review_ops.mark_done(demo_project, first, reviewer=ANN)
    assert done.label.startswith("Mark '") and done.label.endswith("' done")
    assert blind(demo_project).marked_done(ANN, first)
    undone = undo(demo_project, done, ANN)
    assert not blind(demo_project).marked_done(ANN, first)
    undo(demo_project, undone, ANN)
    assert blind(demo_project).marked_done(ANN, first)
    assert not review_ops.mark_done(demo_project, first, reviewer=ANN)  # twice: nothing


def test_adjudicators_undo_and_redo(demo_project: Store) -> None:
    named = review_ops.change_adjudicators(demo_project, add=[EDITOR, ANN], reviewer=EDITOR)
    assert named.label == "Change adjudicators"
    assert blind(demo_project).adjudicators == {EDITOR, ANN}
    removed = review_ops.remove_adjudicator(demo_project, ANN, reviewer=EDITOR)
    assert removed.label == f"Remove adjudicator {ANN}"
    undo(demo_project, removed)
    assert blind(demo_project).adjudicators == {EDITOR, ANN}
    undo(demo_project, named)  # Eda is still an adjudicator, so she may
    assert blind(demo_project).adjudicators == frozenset()


def test_settle_and_withdraw_undo_and_redo(demo_project: Store) -> None:
    first = articles(demo_project)[0]
    double_checked(demo_project, first)
    verdicts = groups(demo_project, first)["verdicts"]
    settled = review_ops.settle(
        demo_project, first, verdicts, review_ops.Decision(accept=BOB), reviewer=EDITOR
    )
    assert settled.label == f"Settle disagreement {verdicts}"
    assert open_count(demo_project, first) == 2
    final_id = settled.annotation_ids[0]
    withdrawn = undo(demo_project, settled)
    assert [c.action for c in withdrawn.changes] == ["annotation.deleted", "adjudication.withdrawn"]
    assert open_count(demo_project, first) == 3
    reinstated = undo(demo_project, withdrawn)
    assert [c.action for c in reinstated.changes] == [
        "annotation.restored",
        "adjudication.reinstated",
    ]
    assert open_count(demo_project, first) == 2
    with demo_project.read() as conn:
        state = operations.annotation_state(conn, final_id)
    assert state["deleted_at"] is None and state["final"] is True and state["version"] == 3
    # A withdrawal made in the adjudication view is taken back the same way.
    by_group = review_ops.withdraw(demo_project, first, verdicts, reviewer=EDITOR)
    assert open_count(demo_project, first) == 3
    undo(demo_project, by_group)
    assert open_count(demo_project, first) == 2
    assert verify_project(demo_project).ok


def test_a_stale_undo_of_a_settlement_changes_nothing(demo_project: Store) -> None:
    first = articles(demo_project)[0]
    double_checked(demo_project, first)
    verdicts = groups(demo_project, first)["verdicts"]
    decision = review_ops.Decision(verdict=Verdict.UNVERIFIED, note="half true")
    settled = review_ops.settle(demo_project, first, verdicts, decision, reviewer=EDITOR)
    (final_id,) = settled.annotation_ids
    operations.update_annotation(demo_project, final_id, reviewer=EDITOR, note="on reflection")
    with pytest.raises(Conflict):
        undo(demo_project, settled)
    assert open_count(demo_project, first) == 2
    # Withdrawn, then settled again: the old settlement cannot come back over the new one.
    withdrawn = review_ops.withdraw(demo_project, first, verdicts, reviewer=EDITOR)
    review_ops.settle(
        demo_project, first, verdicts, review_ops.Decision(untagged=True), reviewer=EDITOR
    )
    with pytest.raises(InvalidInput, match="settled again since"):
        undo(demo_project, withdrawn)


def test_removed_articles_are_left_out_and_refused(demo_project: Store) -> None:
    first = articles(demo_project)[0]
    double_checked(demo_project, first)
    operations.remove_article(demo_project, first, reviewer=EDITOR)
    assert first not in [r.article_id for r in article_agreements(demo_project)]
    with pytest.raises(InvalidInput, match="is removed; restore it before marking it done"):
        review_ops.mark_done(demo_project, first, reviewer=ANN)
    with pytest.raises(InvalidInput, match="is removed"):
        review_ops.start_blinding(demo_project, reviewer=EDITOR, article_id=first)


def test_double_checking_on_a_server(pg_url: str) -> None:
    """Blind view, done marks, adjudication, the final CSV and withdrawal on PostgreSQL."""
    make_project(pg_url)
    with open_store(pg_url) as store:
        first, second, *_ = articles(store)
        review_ops.add_adjudicator(store, EDITOR, reviewer=EDITOR)
        review_ops.start_blinding(store, reviewer=EDITOR)
        double_checked(store, first)
        operations.annotate(store, second, 0, 5, "disputed", reviewer=BOB)

        flt = resolve_filter(store, viewer=ANN)
        assert set(flt.blind_articles or ()) == set(articles(store))
        with store.read() as conn:
            mine = reads.annotation_rows(conn, flt)
            hidden = review_state.hidden_annotation_ids(conn, ANN)
        assert {r.created_by for r in mine} == {ANN} and len(mine) == 3
        assert len(hidden) == 5
        review_ops.mark_done(store, first, reviewer=ANN)
        flt = resolve_filter(store, viewer=ANN)
        assert flt.blind_articles is not None and first not in flt.blind_articles
        with store.read() as conn:
            assert len(reads.annotation_rows(conn, flt)) == 7
            summaries = reads.article_summaries(conn)
            state = review_state.blind_state(conn)
            counted = review_state.visible_summaries(conn, state, summaries, ANN)
        assert counted[1].total == 0 and summaries[1].total == 1

        found = groups(store, first)
        review_ops.settle(
            store, first, found["verdicts"], review_ops.Decision(accept=BOB), reviewer=EDITOR
        )
        review_ops.finalise_agreed(store, first, reviewer=EDITOR)
        (report,) = article_agreements(store, [first])
        assert report.reviewers == (ANN, BOB) and report.open_disagreements == 2

        out = io.BytesIO()
        final = ExportOptions(filter=AnnotationFilter(final_only=True))
        assert export_to_stream(store, "csv", out, final).count == 2
        rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
        assert [(r["start"], r["verdict"]) for r in rows] == [
            ("0", "disputed"),
            ("200", "supported"),
        ]
        assert all(len(r["settles"].split()) == 2 for r in rows)

        withdrawn = review_ops.withdraw(store, first, found["verdicts"], reviewer=EDITOR)
        assert open_count(store, first) == 3
        undo(store, withdrawn)
        assert open_count(store, first) == 2
        assert verify_project(store).ok
