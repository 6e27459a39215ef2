"""Panes: adding, removing, choosing articles, the active pane."""

from __future__ import annotations

from desktop.core.model import Verdict
from desktop.ui.panes import MAX_PANES
from tests.ui.gestures import drag_select


def test_two_panes_by_default_showing_the_first_two_articles(open_window, demo_path) -> None:
    window = open_window(demo_path)
    summaries = window.article_panel.model.summaries()
    assert window.panes.articles() == [summaries[0].id, summaries[1].id]
    assert window.panes.active_pane() is window.panes.panes()[0]
    assert window.panes.panes()[0].view.text().startswith(" date 2025-06-29")


def test_add_and_remove_panes_within_limits(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    summaries = window.article_panel.model.summaries()
    window.action("view.add_pane").trigger()
    window.action("view.add_pane").trigger()
    assert len(window.panes.panes()) == 4
    # Each new pane shows an article not shown yet, and becomes active.
    assert window.panes.articles() == [s.id for s in summaries[:4]]
    assert window.panes.active_pane() is window.panes.panes()[3]
    while window.action("view.add_pane").isEnabled():
        window.action("view.add_pane").trigger()
    assert len(window.panes.panes()) == MAX_PANES >= 4

    while window.action("view.remove_pane").isEnabled():
        window.action("view.remove_pane").trigger()
    assert len(window.panes.panes()) == 1
    assert window.panes.active_pane() is window.panes.panes()[0]


def test_choosing_an_article_in_a_pane(open_window, demo_path) -> None:
    window = open_window(demo_path)
    summaries = window.article_panel.model.summaries()
    pane = window.panes.panes()[1]
    index = pane.chooser.findData(summaries[3].id)
    pane.chooser.setCurrentIndex(index)
    pane.chooser.activated.emit(index)
    assert pane.article_id() == summaries[3].id
    assert window.panes.active_pane() is pane
    assert window.article_panel.chart.toolTip().startswith(summaries[3].title)
    assert "Kyiv Independent" in pane.outlet.text()


def test_activating_an_article_shows_it_in_the_active_pane(open_window, demo_path) -> None:
    window = open_window(demo_path)
    summaries = window.article_panel.model.summaries()
    window.panes.set_active(window.panes.panes()[1])
    proxy = window.article_panel.proxy
    window.article_panel.table.activated.emit(proxy.index(4, 0))
    assert window.panes.articles()[1] == summaries[4].id


def test_the_article_filter_box_has_the_find_shortcut(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    window.action("edit.find").trigger()
    assert window.article_panel.filter.hasFocus()
    qtbot.keyClicks(window.article_panel.filter, "ilkha")
    assert window.article_panel.proxy.rowCount() == 1


def test_a_highlight_shows_in_every_pane_with_that_article(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    first, second = window.panes.panes()
    window.panes.show_article(second, first.article_id())
    start = first.view.text().index("Yekaterinburg")
    drag_select(first.view, start, start + 13)
    qtbot.keyClick(first.view, "3")
    assert second.view.annotation_ids_at(start) == first.view.annotation_ids_at(start) != []
    row = window.annotation_panel.model.annotation(0)
    assert row.verdict == Verdict.UNVERIFIED
