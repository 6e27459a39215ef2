"""The text caret rests after a while without input, as GNOME's does (after 10 s).

A blinking caret wakes the application twice a second to repaint it, and a window left open on
a laptop all day should cost next to nothing. After ``REST_MS`` without a key, click or wheel
the caret stays shown without blinking; the next input brings the blinking back. A user whose
system does not blink the caret at all (flash time 0) keeps it that way.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication

REST_MS = 10_000
# The filter sees every event of the application, start-up's thousands too: it starts later.
START_AFTER_MS = 1_000

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
        QEvent.Type.TouchBegin,
    }
)


class CaretRest(QObject):
    """Installed once on the application; see the module's docstring."""

    def __init__(
        self, app: QGuiApplication, rest_ms: int = REST_MS, start_after_ms: int = START_AFTER_MS
    ) -> None:
        super().__init__(app)
        self._app = app
        self._hints = app.styleHints()
        self._flash_ms = self._hints.cursorFlashTime()
        self._resting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(rest_ms)
        self._timer.timeout.connect(self._rest)
        if self._flash_ms > 0:
            QTimer.singleShot(start_after_ms, self, self._start)

    def _start(self) -> None:
        self._app.installEventFilter(self)
        self._timer.start()

    @property
    def resting(self) -> bool:
        return self._resting

    def _rest(self) -> None:
        self._resting = True
        self._hints.setCursorFlashTime(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            if self._resting:
                self._resting = False
                self._hints.setCursorFlashTime(self._flash_ms)
            self._timer.start()
        return False
