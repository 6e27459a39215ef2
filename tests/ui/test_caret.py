"""The text caret stops blinking while the reviewer is away and blinks again on the next key."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.caret import CaretRest

FLASH_MS = 200
REST_MS = 400


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _paints_during(qtbot, widget, ms: int) -> int:
    paints = _Paints()
    widget.installEventFilter(paints)
    qtbot.wait(ms)
    widget.removeEventFilter(paints)
    return paints.count


def test_the_caret_rests_when_the_reviewer_does(open_window, demo_path, reviewer, qtbot):
    app = QApplication.instance()
    hints = app.styleHints()
    before = hints.cursorFlashTime()
    hints.setCursorFlashTime(FLASH_MS)
    rest = CaretRest(app, rest_ms=REST_MS, start_after_ms=0)
    try:
        window = open_window(demo_path)
        field = window.article_panel.filter
        field.setFocus()
        qtbot.keyClick(field, "a")
        qtbot.waitUntil(field.hasFocus)
        # Typing: the caret blinks (it is repainted every half flash).
        assert _paints_during(qtbot, field, 300) >= 2
        qtbot.waitUntil(lambda: rest.resting, timeout=3 * REST_MS)
        assert hints.cursorFlashTime() == 0
        # Away: the field is not repainted at all.
        qtbot.wait(50)
        assert _paints_during(qtbot, field, 3 * FLASH_MS) == 0
        assert field.hasFocus() and field.text() == "a"
        # Back: the next key brings the blinking back, and the key still does its work.
        qtbot.keyClick(field, Qt.Key.Key_Backspace)
        assert field.text() == ""
        assert not rest.resting and hints.cursorFlashTime() == FLASH_MS
        assert _paints_during(qtbot, field, 300) >= 2
    finally:
        app.removeEventFilter(rest)
        rest.setParent(None)
        hints.setCursorFlashTime(before)


def test_a_caret_that_never_blinks_is_left_alone(qtbot):
    app = QApplication.instance()
    hints = app.styleHints()
    before = hints.cursorFlashTime()
    hints.setCursorFlashTime(0)
    rest = CaretRest(app, rest_ms=50, start_after_ms=0)
    try:
        qtbot.wait(150)
        assert not rest.resting and hints.cursorFlashTime() == 0
    finally:
        app.removeEventFilter(rest)
        rest.setParent(None)
        hints.setCursorFlashTime(before)
