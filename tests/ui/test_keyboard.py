"""The window from the keyboard alone: Tab order, no traps, F6 / Ctrl+Tab between areas."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.gestures import drag_select

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _tag(window, qtbot, pane_index: int, quote: str, key: str = "2") -> str:
    view = window.panes.panes()[pane_index].view
    start = view.text().index(quote)
    drag_select(view, start, start + len(quote))
    qtbot.keyClick(view, key)
    return window.editor.annotation().id


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    return QApplication.focusWidget()


def test_tab_leaves_the_tables_and_arrows_move_inside(open_window, demo_path, reviewer, qtbot):
    window = open_window(demo_path)
    _tag(window, qtbot, 0, "Azerbaijan")
    _tag(window, qtbot, 1, "Azerbaijan", "1")
    articles = window.article_panel.table
    articles.setFocus()
    articles.setCurrentIndex(window.article_panel.proxy.index(0, 0))
    qtbot.keyClick(articles, Qt.Key.Key_Down)
    assert articles.currentIndex().row() == 1 and articles.hasFocus()
    assert _press(qtbot, Qt.Key.Key_Tab) is window.panes.panes()[0].chooser
    articles.setFocus()
    assert _press(qtbot, Qt.Key.Key_Backtab, SHIFT) is window.article_panel.filter

    table = window.annotation_panel.table
    table.setFocus()
    table.setCurrentIndex(window.annotation_panel.proxy.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1 and table.hasFocus()
    assert (
        _press(qtbot, Qt.Key.Key_Tab)
        is window.editor.verdict_buttons[next(iter(window.editor.verdict_buttons))]
    )
    table.setFocus()
    assert _press(qtbot, Qt.Key.Key_Backtab, SHIFT) is window.annotation_panel.show_deleted


def test_tab_reaches_every_control_in_reading_order(open_window, demo_path, reviewer, qtbot):
    window = open_window(demo_path)
    _tag(window, qtbot, 0, "Azerbaijan")
    window.article_panel.filter.setFocus()
    seen = [QApplication.focusWidget()]
    for _ in range(40):
        widget = _press(qtbot, Qt.Key.Key_Tab)
        if widget is seen[0]:
            break
        seen.append(widget)
    names = [w.objectName() or type(w).__name__ for w in seen]
    editor = window.editor
    expected = [
        "articleFilter",
        "articleTable",
        "articleChooser",
        "articleView",
        "articleChooser",
        "articleView",
        "annotationFilter",
        "verdictFilter",
        "reviewerFilter",
        "showDeleted",
        "annotationTable",
        *(b.objectName() for b in editor.verdict_buttons.values()),
        "noteEdit",
        "evidenceLinks",
        "linkEdit",
        "addLink",
        "saveCopy",  # Save Copy and Remove wait for a link to be selected
        "deleteAnnotation",
        "QTabBar",  # the tabs of the docks under the panes: Annotations, Audit Trail
    ]
    assert names == expected, " ".join(names)
    # Shift+Tab walks the same way back.
    back = [QApplication.focusWidget()]
    for _ in range(len(seen) - 1):
        back.append(_press(qtbot, Qt.Key.Key_Backtab, SHIFT))
    assert [w.objectName() or type(w).__name__ for w in back] == [
        expected[0],
        *reversed(expected[1:]),
    ]


def test_moving_through_the_annotations_table_leaves_the_panes_alone(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    summaries = window.article_panel.model.summaries()
    first = _tag(window, qtbot, 0, "Azerbaijan")
    # An annotation of an article no pane shows afterwards.
    pane = window.panes.panes()[1]
    window.panes.show_article(pane, summaries[3].id)
    other = _tag(window, qtbot, 1, "Azerbaijan", "1")
    window.panes.show_article(pane, summaries[1].id)
    shown = window.panes.articles()
    table = window.annotation_panel.table
    table.setFocus()
    table.setCurrentIndex(window.annotation_panel.proxy.index(0, 0))
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down):
        qtbot.keyClick(table, key)
        assert window.panes.articles() == shown
    current = window.annotation_panel.current_id()
    assert window.editor.annotation().id == current  # the editor follows the keys
    assert {current, first, other} == {first, other}
    # Enter shows the annotation: the active pane loads its article.
    table.setCurrentIndex(
        window.annotation_panel.proxy.mapFromSource(
            window.annotation_panel.model.index(window.annotation_panel.model.row_for_id(other), 0)
        )
    )
    assert window.panes.articles() == shown
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert summaries[3].id in window.panes.articles()


def test_f6_and_ctrl_tab_cycle_the_main_areas(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    _tag(window, qtbot, 0, "Azerbaijan")
    views = window.panes.views()
    areas = [
        window.article_panel.table,
        views[0],
        views[1],
        window.annotation_panel.table,
        window.editor.note,
    ]
    for forward, backward in (
        ((Qt.Key.Key_F6, Qt.KeyboardModifier.NoModifier), (Qt.Key.Key_F6, SHIFT)),
        ((Qt.Key.Key_Tab, CTRL), (Qt.Key.Key_Backtab, CTRL | SHIFT)),
    ):
        window.article_panel.filter.setFocus()  # inside the first area's panel, not an area
        assert _press(qtbot, *forward) is areas[0]
        for area in [*areas[1:], areas[0]]:
            assert _press(qtbot, *forward) is area
        for area in reversed(areas):
            assert _press(qtbot, *backward) is area
    # From any control of the editor, the next area is the article list.
    window.editor.link_edit.setFocus()
    assert _press(qtbot, Qt.Key.Key_F6) is areas[0]
