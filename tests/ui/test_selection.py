"""What a selection means when tagged: whole words, no edge spaces, the tint visible after."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QTextCursor

from desktop.core.model import Verdict
from desktop.ui import verdict_style
from desktop.ui.article_view import ArticleView
from tests.ui.gestures import drag_select, utf16

SENTENCE = "the deaths of two Azerbaijani citizens"


def point_of(view: ArticleView, codepoint: int) -> QPoint:
    """The viewport point just right of the caret position before ``codepoint``."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(utf16(view.text(), codepoint))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 1, rect.center().y())


def mouse_drag(qtbot, view: ArticleView, start: int, end: int, modifier=None) -> None:
    """Press between characters start-1 and start, drag to end, release (a held key or not)."""
    mods = modifier or Qt.KeyboardModifier.NoModifier
    viewport = view.viewport()
    view.setFocus()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, mods, point_of(view, start))
    qtbot.mouseMove(viewport, point_of(view, (start + end) // 2))
    qtbot.mouseMove(viewport, point_of(view, end))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, mods, point_of(view, end))


def _rows(window):
    model = window.annotation_panel.model
    return [model.annotation(i) for i in range(model.rowCount())]


def test_a_drag_ending_mid_word_snaps_to_whole_words(open_window, demo_path, reviewer, qtbot):
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    text = view.text()
    at = text.index(SENTENCE)
    # From inside "deaths" to inside "Azerbaijani".
    mouse_drag(qtbot, view, at + 6, at + SENTENCE.index("Azerbaijani") + 4)
    assert text[slice(*view.selected_span())] == "deaths of two Azerbaijani"
    qtbot.keyClick(view, "2")
    [row] = _rows(window)
    assert row.quote == "deaths of two Azerbaijani"


def test_alt_keeps_the_exact_characters(open_window, demo_path, reviewer, qtbot):
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    text = view.text()
    at = text.index(SENTENCE)
    mouse_drag(qtbot, view, at + 6, at + 14, Qt.KeyboardModifier.AltModifier)
    assert text[slice(*view.selected_span())] == text[at + 6 : at + 14]
    qtbot.keyClick(view, "1")
    assert _rows(window)[0].quote == "aths of"  # exact, less the trailing space


def test_spaces_at_the_ends_of_a_selection_are_not_tagged(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    at = view.text().index(SENTENCE)
    drag_select(view, at - 1, at + len("the deaths") + 1)  # shift+arrows can include spaces
    qtbot.keyClick(view, "3")
    [row] = _rows(window)
    assert (row.quote, row.start) == ("the deaths", at)
    # Only spaces selected: nothing is tagged, and the status bar says why.
    drag_select(view, at + 3, at + 4)
    qtbot.keyClick(view, "3")
    assert len(_rows(window)) == 1
    assert "only spaces" in window.statusBar().currentMessage()


def _dominant_colour(view: ArticleView, start: int, end: int) -> QColor:
    image = view.viewport().grab().toImage()
    # Along the first word's line: from the span's start to the end of that word.
    word_end = view.text().index(" ", start)
    first, last = point_of(view, start), point_of(view, min(word_end, end))
    assert last.x() > first.x() + 10
    counts = Counter(image.pixel(x, first.y()) for x in range(first.x() + 1, last.x() - 1))
    return QColor.fromRgb(counts.most_common(1)[0][0])


def test_after_tagging_the_selection_is_cleared_so_the_tint_shows(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    at = view.text().index(SENTENCE)
    end = at + len(SENTENCE)
    drag_select(view, at, end)
    selected = _dominant_colour(view, at, end)
    qtbot.keyClick(view, "2")
    assert not view.textCursor().hasSelection()
    assert view.textCursor().position() == utf16(view.text(), end)  # the caret stays
    shown = _dominant_colour(view, at, end)
    tint = verdict_style.colour(Verdict.DISPUTED, False)
    base = view.palette().color(view.palette().ColorRole.Base)
    alpha = (
        verdict_style.cached_char_format(frozenset({Verdict.DISPUTED}), 1, False)
        .background()
        .color()
        .alphaF()
    )
    expected = [
        round(b + (t - b) * alpha)
        for t, b in zip(tint.getRgb()[:3], base.getRgb()[:3], strict=True)
    ]
    assert shown != selected
    assert all(abs(s - e) <= 3 for s, e in zip(shown.getRgb()[:3], expected, strict=True)), (
        shown.name(),
        expected,
    )
