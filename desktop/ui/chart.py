"""A small bar chart of one article's annotation counts per verdict.

Bars differ by colour, by fill pattern and by their label, so the chart reads without colour.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.core.model import Verdict
from desktop.ui import verdict_style

PATTERNS = {
    Verdict.SUPPORTED: Qt.BrushStyle.SolidPattern,
    Verdict.DISPUTED: Qt.BrushStyle.BDiagPattern,
    Verdict.UNVERIFIED: Qt.BrushStyle.Dense5Pattern,
}


class VerdictChart(QWidget):
    """Horizontal bars: one per verdict, labelled with its name and count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictChart")
        self._title = ""
        self._counts: dict[Verdict, int] = {}
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_counts(self, title: str, counts: dict[Verdict, int]) -> None:
        self._title = title
        self._counts = dict(counts)
        total = sum(self._counts.values())
        parts = [f"{verdict_style.label(v)}: {self._counts.get(v, 0)}" for v in Verdict]
        self.setToolTip(f"{title}\n{total} annotations — " + ", ".join(parts) if title else "")
        self.update()

    def shown_title(self) -> str:
        """The title as drawn: elided with "…" to the chart's width."""
        font = self.font()
        font.setBold(True)
        return QFontMetrics(font).elidedText(
            self._title or "No article shown", Qt.TextElideMode.ElideRight, self.width() - 12
        )

    def counts(self) -> dict[Verdict, int]:
        return dict(self._counts)

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(220, line * 5 + 12)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        dark = verdict_style.is_dark(palette)
        metrics = self.fontMetrics()
        line = metrics.height()
        margin = 6
        width = self.width() - 2 * margin
        text_colour = palette.color(palette.ColorRole.WindowText)
        painter.setPen(text_colour)
        title = self._title or "No article shown"
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        # Measured in the bold face it is drawn in, so the "…" is never cut off.
        elided = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRectF(margin, margin, width, line), Qt.AlignmentFlag.AlignLeft, elided)
        font.setBold(False)
        painter.setFont(font)
        labels = {v: f"{verdict_style.label(v)} {self._counts.get(v, 0)}" for v in Verdict}
        label_width = max(metrics.horizontalAdvance(t) for t in labels.values()) + 8
        bar_width = max(width - label_width, 10)
        top = margin + line + 4
        peak = max([*self._counts.values(), 1])
        for i, verdict in enumerate(Verdict):
            y = top + i * (line + 2)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(margin, y, label_width, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                labels[verdict],
            )
            count = self._counts.get(verdict, 0)
            length = bar_width * count / peak
            rect = QRectF(margin + label_width, y + 2, max(length, 1 if count else 0), line - 4)
            colour = QColor(verdict_style.colour(verdict, dark))
            painter.fillRect(rect, colour)
            pattern = PATTERNS[verdict]
            if pattern != Qt.BrushStyle.SolidPattern:
                ink = QColor(text_colour)
                ink.setAlpha(170)
                painter.fillRect(rect, QBrush(ink, pattern))
            painter.setPen(QPen(text_colour, 1))
            if count:
                painter.drawRect(rect)
        painter.end()
