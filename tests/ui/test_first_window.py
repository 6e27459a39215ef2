"""The first window on a laptop screen: everything on screen, two readable panes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

LAPTOP = QRect(0, 0, 1366, 768 - 27)  # 1366×768 less a desktop panel


def lines_and_words(view) -> tuple[int, float]:
    """Lines shown whole in the view, and the mean word count of its full (wrapped) lines."""
    height = view.viewport().height()
    offset = view.contentOffset()
    block = view.firstVisibleBlock()
    whole, words = 0, []
    while block.isValid():
        top = view.blockBoundingGeometry(block).translated(offset).top()
        if top > height:
            break
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if top + line.y() >= 0 and top + line.y() + line.height() <= height:
                whole += 1
                if i < layout.lineCount() - 1:  # a paragraph's last line is short by nature
                    start = line.textStart()
                    words.append(len(block.text()[start : start + line.textLength()].split()))
        block = block.next()
    return whole, sum(words) / max(len(words), 1)


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch) -> QRect:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(LAPTOP))
    return LAPTOP


def test_the_first_window_fits_a_laptop_screen(open_window, demo_path, reviewer, laptop, qtbot):
    window = open_window(demo_path)
    frame = window.frameGeometry()
    assert laptop.contains(window.geometry()), (window.geometry(), frame)
    # Every control the user may need is inside the screen.
    controls = [
        *window.findChildren(QAbstractButton),
        *window.findChildren(QLineEdit),
        *window.findChildren(QComboBox),
        window.statusBar(),
        window.annotation_panel.show_deleted,
        window.editor.delete_button,
        window.editor.verdict_buttons[next(reversed(window.editor.verdict_buttons))],
    ]
    for control in controls:
        if not control.isVisible() or control.visibleRegion().isEmpty():
            continue  # hidden, or behind another tab
        where = QRect(control.mapToGlobal(QPoint(0, 0)), control.size())
        assert laptop.contains(where), (control.objectName(), where)
    # Two panes, each at least 20 lines of about 8 words.
    panes = window.panes.panes()
    assert len(panes) == 2
    for pane in panes:
        lines, words = lines_and_words(pane.view)
        assert lines >= 20 and words >= 7.5, (lines, words)


def test_a_large_screen_gets_the_preferred_size(open_window, demo_path, reviewer, monkeypatch):
    big = QRect(0, 0, 2560, 1400)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(big))
    window = open_window(demo_path)
    assert (window.width(), window.height()) == (1400, 900)
    assert big.contains(window.geometry())
    assert not window.isMaximized()
