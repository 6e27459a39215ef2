"""Long titles: cut with "…" where they do not fit, whole in tooltips, columns that resize."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.models import ArticleListModel


def test_titles_are_elided_with_an_ellipsis_and_whole_in_tooltips(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    window.resize(1100, 700)
    summaries = window.article_panel.model.summaries()
    pane = window.panes.panes()[0]
    title = summaries[0].title
    shown = pane.chooser.shown_text()
    assert shown != title and shown.endswith("…") and title.startswith(shown[:-1])
    assert title in pane.chooser.toolTip()
    # The chart's title, measured in the bold face it is drawn in.
    chart = window.article_panel.chart
    assert chart.shown_title().endswith("…") and title.startswith(chart.shown_title()[:-1])
    assert chart.toolTip().startswith(title)
    # The article list: the title cell is elided by the view, whole in its tooltip.
    table = window.article_panel.table
    assert table.textElideMode() == Qt.TextElideMode.ElideRight
    index = window.article_panel.proxy.index(0, ArticleListModel.TITLE)
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(index.data())


def test_the_title_column_grows_with_the_article_list(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    window.resize(1600, 900)
    header = window.article_panel.table.horizontalHeader()
    before = header.sectionSize(ArticleListModel.TITLE)
    window.resizeDocks([window.articles_dock], [700], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: header.sectionSize(ArticleListModel.TITLE) > before + 200)
    # Wide enough now: a chooser in a wide pane shows the whole title, without "…".
    window.resizeDocks([window.articles_dock], [300], Qt.Orientation.Horizontal)
    window.panes.set_pane_count(1)
    pane = window.panes.panes()[0]
    window.resize(1900, 900)
    qtbot.waitUntil(lambda: pane.chooser.shown_text() == pane.chooser.currentText())
