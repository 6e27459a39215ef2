"""What compare mode draws over an article pane, and what hovering it tells.

- A bar in the left margin beside passages no other version carries.
- A dotted box around each fact other versions state differently (a contradiction drawn
  stronger than a difference of precision); hovering lists what each version says instead,
  by its short label: "B · ILKHA: “1,800” (a different number)".
- A frame around the passage being compared (in its own pane) and around its counterpart
  (in the others): solid where the counterpart makes the same claim, dashed where it states
  different facts. A pane whose version does not make the claim says so at its top.

Shapes differ (bar, dotted, solid, dashed), so none of this relies on colour alone; the
annotations' own tints and underlines stay visible underneath.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from desktop.ui import verdict_style

if TYPE_CHECKING:
    from desktop.core.compare.labels import VersionLabel
    from desktop.core.compare.overview import Overview
    from desktop.ui.article_view import ArticleView

BAR_X = 5.0  # the margin bar's left edge; the document margin is 18 px
BAR_WIDTH = 4.0
NOTES_SHOWN = 8

SOURCE, SAME, DIFFERS = "source", "same", "differs"

# (light page, dark page); each keeps 3:1 against its page (WCAG's figure for graphics).
_UNIQUE = ("#7b3fb0", "#c7a4ef")
_LINK = ("#00695c", "#4fd1bf")
_DIFFERS = ("#b34700", "#ffa566")
_SOFT = ("#6b6b6b", "#a8a8a8")


def _colour(pair: tuple[str, str], dark: bool) -> QColor:
    return QColor(pair[1] if dark else pair[0])


@dataclass(frozen=True)
class Focus:
    """The passage compared (``SOURCE``) or its counterpart (``SAME`` / ``DIFFERS``)."""

    start: int
    end: int
    kind: str
    tip: str  # rich text for hovering it


class CompareOverlay:
    """Compare mode's marks over one ArticleView (see the module's description)."""

    def __init__(self, labels: Mapping[str, VersionLabel] | None = None) -> None:
        self.overview: Overview | None = None
        self.labels: Mapping[str, VersionLabel] = labels or {}
        self.focus: Focus | None = None
        self.banner = ""

    # --- drawing --------------------------------------------------------------------------

    def paint(self, view: ArticleView, painter: QPainter, area: QRect) -> None:
        dark = verdict_style.is_dark(view.palette())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        overview = self.overview
        if overview is not None:
            bar = _colour(_UNIQUE, dark)
            for start, end in overview.unique:
                rects = view.span_rects(start, end)
                if rects:
                    top = min(r.top() for r in rects)
                    bottom = max(r.bottom() for r in rects)
                    painter.fillRect(QRectF(BAR_X, top + 1, BAR_WIDTH, bottom - top - 2), bar)
            for fact in overview.facts:
                rects = view.span_rects(fact.start, fact.end)
                if not rects:
                    continue
                colour = _colour(_DIFFERS if fact.conflict else _SOFT, dark)
                pen = QPen(colour, 1.6 if fact.conflict else 1.1, Qt.PenStyle.DotLine)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                for rect in rects:
                    painter.drawRoundedRect(rect.adjusted(-1.5, 0.5, 1.5, -0.5), 2.5, 2.5)
        focus = self.focus
        if focus is not None:
            rects = view.span_rects(focus.start, focus.end)
            colour = _colour(_DIFFERS if focus.kind == DIFFERS else _LINK, dark)
            style = Qt.PenStyle.DashLine if focus.kind == DIFFERS else Qt.PenStyle.SolidLine
            pen = QPen(colour, 2.0, style)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline(rects))
            if rects:
                # A tick in the margin finds the frame on a busy page.
                top = min(r.top() for r in rects)
                bottom = max(r.bottom() for r in rects)
                painter.fillRect(QRectF(BAR_X + BAR_WIDTH + 2, top, 3, bottom - top), colour)
        if self.banner:
            self._paint_banner(view, painter, dark)

    def _paint_banner(self, view: ArticleView, painter: QPainter, dark: bool) -> None:
        metrics = view.fontMetrics()
        text = metrics.elidedText(
            self.banner, Qt.TextElideMode.ElideRight, max(view.viewport().width() - 40, 40)
        )
        width = metrics.horizontalAdvance(text) + 20
        rect = QRectF(view.viewport().width() - width - 8, 6, width, metrics.height() + 8)
        background = view.palette().color(view.palette().ColorRole.ToolTipBase)
        painter.setPen(QPen(_colour(_SOFT, dark), 1.0))
        painter.setBrush(background)
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(view.palette().color(view.palette().ColorRole.ToolTipText))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    # --- hovering -------------------------------------------------------------------------

    def tooltip(self, view: ArticleView, point: QPoint, position: int | None) -> str:
        parts: list[str] = []
        overview = self.overview
        if position is None and overview is not None and point.x() < BAR_X + BAR_WIDTH + 6:
            for start, end in overview.unique:
                if any(r.top() <= point.y() <= r.bottom() for r in view.span_rects(start, end)):
                    parts.append(UNIQUE_TIP)
                    break
        if position is not None and overview is not None:
            for fact in overview.facts_at(position):
                parts.append(self.fact_tip(fact))
        focus = self.focus
        if position is not None and focus is not None and focus.start <= position < focus.end:
            parts.append(focus.tip)
        if position is not None and overview is not None and overview.unique_at(position):
            parts.append(UNIQUE_TIP)
        if not parts:
            return ""
        return "<qt>" + "<hr>".join(parts) + "</qt>"

    def fact_tip(self, fact: object) -> str:
        """What other versions say in place of ``fact`` (a FactMark)."""
        from desktop.core.compare.overview import KIND_NAMES, FactMark

        assert isinstance(fact, FactMark)
        lines = [
            f"<b>\u201c{html.escape(fact.text)}\u201d</b> \u2014 "
            + ("other versions contradict it:" if fact.conflict else "other versions differ:")
        ]
        for note in fact.notes[:NOTES_SHOWN]:
            label = self.labels.get(note.article_id)
            name = label.short if label is not None else note.article_id[:8]
            lines.append(
                f"{html.escape(name)}: \u201c{html.escape(note.there)}\u201d "
                f"<i>({html.escape(KIND_NAMES.get(note.kind, note.kind))})</i>"
            )
        more = len(fact.notes) - NOTES_SHOWN
        if more > 0:
            lines.append(f"<i>and {more} more</i>")
        return "<br>".join(lines)


def outline(rects: list[QRectF]) -> QPainterPath:
    """One shape around a passage's lines (each line's run, widened a little and joined to
    the next), so a passage over several lines gets one frame, not a box per line."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for rect in rects:
        path.addRect(rect.adjusted(-3, -1, 3, 1))
    return path.simplified()


UNIQUE_TIP = "<b>Only in this version</b>: no other version carries this passage."
