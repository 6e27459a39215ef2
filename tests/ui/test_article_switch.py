"""Loading another article never carries the previous article's formats into it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from desktop.ui.article_view import ArticleView
from tests.ui.gestures import highlighted, utf16

WORD = "Azerbaijani"


def point_of(view: ArticleView, codepoint: int) -> QPoint:
    """Viewport point in the middle of the character at ``codepoint``."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(utf16(view.text(), codepoint))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 3, rect.center().y())


def tag_word_and_click_inside(window, qtbot) -> ArticleView:
    """Double-click a word, press 2, then click inside the new highlight."""
    view = window.panes.panes()[0].view
    at = view.text().index(WORD) + 2
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, at))
    qtbot.keyClick(view, "2")
    assert len(highlighted(view)) == len(WORD)
    # A pause, so the click is not taken for the third click of a triple click.
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, at))
    assert window.editor.annotation() is not None
    assert not view.textCursor().hasSelection()
    return view


def test_choosing_another_article_in_the_pane_shows_it_untinted(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = tag_word_and_click_inside(window, qtbot)
    chooser = window.panes.panes()[0].chooser
    chooser.setFocus()
    qtbot.keyClick(chooser, Qt.Key.Key_Down)
    assert view.article_id() == window.article_panel.model.summary(1).id
    assert highlighted(view) == set()
    # Back to the first article: only the tagged word is tinted.
    qtbot.keyClick(chooser, Qt.Key.Key_Up)
    assert len(highlighted(view)) == len(WORD)


def test_opening_an_article_from_the_list_shows_it_untinted(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = tag_word_and_click_inside(window, qtbot)
    table = window.article_panel.table
    table.setFocus()
    table.setCurrentIndex(window.article_panel.proxy.index(3, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert view.article_id() == window.article_panel.model.summary(3).id
    assert highlighted(view) == set()
    # Text typed into the view's document later would not be tinted either.
    assert view.currentCharFormat().background().style() == Qt.BrushStyle.NoBrush


def test_opening_an_annotation_from_the_table_shows_its_article_untinted(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = tag_word_and_click_inside(window, qtbot)
    first = view.article_id()
    # Tag a word in the second pane's article, then show that article in the first pane
    # through the annotations table.
    other = window.panes.panes()[1]
    window.panes.show_article(other, window.article_panel.model.summary(2).id)
    other_view = other.view
    at = other_view.text().index("Azerbaijan") + 1
    qtbot.mouseDClick(
        other_view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(other_view, at)
    )
    qtbot.keyClick(other_view, "1")
    window.panes.show_article(other, window.article_panel.model.summary(4).id)
    window.panes.set_active(window.panes.panes()[0])
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=point_of(view, view.text().index(WORD) + 2)
    )
    table = window.annotation_panel.table
    row = next(
        r
        for r in range(window.annotation_panel.proxy.rowCount())
        if window.annotation_panel.proxy.index(r, 0).data() != WORD
    )
    table.setFocus()
    table.setCurrentIndex(window.annotation_panel.proxy.index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    shown = next(p.view for p in window.panes.panes() if p.article_id() != first)
    assert shown.article_id() == window.article_panel.model.summary(2).id
    assert len(highlighted(shown)) == len("Azerbaijan")
