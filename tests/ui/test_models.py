"""The Qt models: qtmodeltester on each, and the changes views rely on."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from desktop.core import operations
from desktop.core.anchoring import find_quote
from desktop.core.model import Verdict
from desktop.core.records import AnnotationFilter
from desktop.core.store import reads
from desktop.ui.models import (
    ID_ROLE,
    AnnotationFilterProxy,
    AnnotationTableModel,
    ArticleFilterProxy,
    ArticleListModel,
)
from tests.ui.conftest import REVIEWER


@pytest.fixture
def tagged(demo_project):
    """The demo with annotations of every verdict by two reviewers, one deleted."""
    with demo_project.read() as session:
        summaries = reads.article_summaries(session)
        text = reads.article_text(session, summaries[0].id)
    article = summaries[0].id
    ids = []
    for quote, verdict, who in (
        ("Azerbaijan", "supported", REVIEWER),
        ("Culture Ministry", "disputed", "Other Person"),
        ("Yekaterinburg", "unverified", REVIEWER),
        ("police raids", "disputed", REVIEWER),
    ):
        start, end = find_quote(text, quote)
        changes = operations.annotate(demo_project, article, start, end, verdict, reviewer=who)
        ids += changes.annotation_ids
    operations.delete_annotation(demo_project, ids[0], reviewer=REVIEWER)
    with demo_project.read() as session:
        return (
            reads.article_summaries(session),
            reads.annotation_rows(session, AnnotationFilter(include_deleted=True)),
        )


def test_article_models_pass_the_model_tester(qtmodeltester, tagged) -> None:
    summaries, _rows = tagged
    model = ArticleListModel()
    model.set_summaries(summaries)
    qtmodeltester.check(model)
    proxy = ArticleFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_text("kyiv")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 2
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)


def test_annotation_models_pass_the_model_tester(qtmodeltester, tagged) -> None:
    _summaries, rows = tagged
    model = AnnotationTableModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    proxy = AnnotationFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.sort(AnnotationTableModel.VERDICT)
    qtmodeltester.check(proxy)


def test_annotation_filters(tagged) -> None:
    _summaries, rows = tagged
    model = AnnotationTableModel()
    model.set_rows(rows)
    proxy = AnnotationFilterProxy()
    proxy.setSourceModel(model)

    def shown() -> list[str]:
        return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]

    assert sorted(shown()) == ["Culture Ministry", "Yekaterinburg", "police raids"]
    proxy.set_filter(show_deleted=True)
    assert len(shown()) == 4
    proxy.set_filter(verdict=Verdict.DISPUTED)
    assert sorted(shown()) == ["Culture Ministry", "police raids"]
    proxy.set_filter(reviewer="Other Person")
    assert shown() == ["Culture Ministry"]
    proxy.set_filter(verdict=None, reviewer=None, text="MINISTRY")
    assert shown() == ["Culture Ministry"]
    assert model.reviewers() == ["Other Person", REVIEWER]


def test_sorting_by_updated_time_and_verdict(tagged) -> None:
    _summaries, rows = tagged
    model = AnnotationTableModel()
    model.set_rows(rows)
    proxy = AnnotationFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(AnnotationTableModel.VERDICT)
    verdicts = [proxy.index(r, AnnotationTableModel.VERDICT).data() for r in range(3)]
    assert verdicts == ["Disputed", "Disputed", "Unverified"]
    proxy.sort(AnnotationTableModel.UPDATED, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, 0).data() == "police raids"


def test_apply_rows_updates_in_place_and_inserts(qtbot, tagged) -> None:
    _summaries, rows = tagged
    model = AnnotationTableModel()
    model.set_rows(rows[:2])
    model.set_filter(show_deleted=True)
    changed = replace(rows[0], note="new note")
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.apply_rows([changed])
    assert blocker.args[0].row() == 0
    assert model.find(changed.id).note == "new note"
    # New rows join the listing in their place; the view keeps its rows (a layout change).
    with qtbot.waitSignal(model.layoutChanged):
        model.apply_rows([rows[2], rows[3]])
    assert model.rowCount() == 4
    assert model.index(3, 0).data(ID_ROLE) == rows[3].id


def test_article_counts_update_in_place(qtbot, tagged) -> None:
    summaries, _rows = tagged
    model = ArticleListModel()
    model.set_summaries(summaries)
    counts = {**summaries[1].counts, Verdict.SUPPORTED: 7}
    with qtbot.waitSignal(model.dataChanged):
        model.update_summaries([replace(summaries[1], counts=counts)])
    assert model.index(1, 2).data() == "7"
    assert model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole)
