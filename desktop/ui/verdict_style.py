"""How each verdict looks, in one table that every view uses.

Verdicts are never told apart by colour alone: each has its own colour, underline style and
icon shape (check in a circle, cross in an octagon, question mark in a triangle), with colours
chosen to stay readable on light and dark backgrounds.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QTextCharFormat,
    QTextFormat,
)

from desktop.core.model import Verdict
from desktop.paths import data_dir

COVER_COUNT_PROPERTY = QTextFormat.Property.UserProperty + 1
"""Set on highlight formats: 1 where one annotation covers the run, 2 where several overlap."""

VERDICT_PROPERTY = QTextFormat.Property.UserProperty + 2
"""Set on highlight formats: the value of the most serious verdict covering the run."""


@dataclass(frozen=True)
class VerdictLook:
    label: str
    light: str
    dark: str
    underline: QTextCharFormat.UnderlineStyle
    severity: int  # the most serious verdict wins the underline where annotations overlap


_U = QTextCharFormat.UnderlineStyle
LOOKS: dict[Verdict, VerdictLook] = {
    Verdict.SUPPORTED: VerdictLook("Supported", "#2e7d32", "#81c784", _U.SingleUnderline, 1),
    Verdict.UNVERIFIED: VerdictLook("Unverified", "#a66300", "#ffca28", _U.DashUnderline, 2),
    Verdict.DISPUTED: VerdictLook("Disputed", "#c62828", "#ef7b7b", _U.WaveUnderline, 3),
}

# Background opacity for one annotation, and for two or more overlapping ones (a stronger
# tint, so an overlap shows even where both annotations share a verdict). Chosen so every
# tint stands apart from the page and from the others (CIE ΔE ≥ 15 and ≥ 12) while text on
# it keeps WCAG AA contrast (4.5:1); tests/ui/test_contrast.py measures it.
_ALPHA = {False: (64, 120), True: (56, 100)}
MUTED_TEXT_SHARE = 0.4  # how far quieter text goes from the text colour towards the page


def label(verdict: Verdict) -> str:
    """The word shown to users: "Supported", "Disputed" or "Unverified"."""
    return LOOKS[Verdict(verdict)].label


def colour(verdict: Verdict, dark: bool) -> QColor:
    look = LOOKS[Verdict(verdict)]
    return QColor(look.dark if dark else look.light)


def tint(verdict: Verdict, dark: bool, base: QColor, *, overlap: bool = False) -> QColor:
    """The colour a single verdict's highlight shows on ``base`` (its tint composited)."""
    alpha = _ALPHA[dark][1 if overlap else 0] / 255
    ink = colour(verdict, dark)
    return QColor(
        *(
            round(b + (i - b) * alpha)
            for i, b in zip(ink.getRgb()[:3], base.getRgb()[:3], strict=True)
        )
    )


def muted_text(palette: QPalette, *, on_base: bool = False) -> QColor:
    """A quieter text colour (details under a title, deleted rows) that still reads at WCAG AA
    contrast on the palette's background (``on_base``: the background of lists and text
    fields), unlike the palette's disabled text."""
    role = QPalette.ColorRole
    text = palette.color(role.Text if on_base else role.WindowText)
    page = palette.color(role.Base if on_base else role.Window)
    share = MUTED_TEXT_SHARE
    return QColor(
        *(
            round(t + (p - t) * share)
            for t, p in zip(text.getRgb()[:3], page.getRgb()[:3], strict=True)
        )
    )


def underline_style(verdict: Verdict) -> QTextCharFormat.UnderlineStyle:
    return LOOKS[Verdict(verdict)].underline


def icon_path(verdict: Verdict) -> Path:
    return data_dir("resources") / "icons" / f"{Verdict(verdict).value}.svg"


def icon(verdict: Verdict) -> QIcon:
    """The verdict's icon (needs a QGuiApplication)."""
    return _icon(Verdict(verdict))


@cache
def _icon(verdict: Verdict) -> QIcon:
    return QIcon(str(icon_path(verdict)))


def most_serious(verdicts: Iterable[Verdict]) -> Verdict | None:
    """Disputed before unverified before supported; None for no verdicts."""
    return max(verdicts, key=lambda v: LOOKS[v].severity, default=None)


def is_dark(palette: QPalette) -> bool:
    """True when text is lighter than the background it is written on."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    return base.lightness() < text.lightness()


def char_format(
    verdicts: Collection[Verdict], dark: bool, *, underline: bool = True
) -> QTextCharFormat:
    """The format for a run of text covered by annotations with these verdicts (one entry per
    annotation). An empty collection gives an empty format, which clears a highlight.

    ``underline=False`` leaves the underline to ``paint_underline`` (bolder than Qt's own).
    """
    return QTextCharFormat(
        cached_char_format(frozenset(verdicts), min(len(verdicts), 2), dark, underline)
    )


@cache
def cached_char_format(
    verdicts: frozenset[Verdict], count: int, dark: bool, underline: bool = True
) -> QTextCharFormat:
    """Shared format objects for hot loops; callers must not modify the result."""
    fmt = QTextCharFormat()
    worst = most_serious(verdicts)
    if worst is None or count == 0:
        return fmt
    # Several verdicts tint with their mix, so a disputed claim inside a supported sentence
    # shows a different background from either alone; the underline names the worst one.
    colours = [colour(v, dark) for v in sorted(verdicts, key=lambda v: LOOKS[v].severity)]
    mixed = QColor(
        sum(c.red() for c in colours) // len(colours),
        sum(c.green() for c in colours) // len(colours),
        sum(c.blue() for c in colours) // len(colours),
    )
    single, overlap = _ALPHA[dark]
    mixed.setAlpha(overlap if count > 1 else single)
    fmt.setBackground(mixed)
    if underline:
        fmt.setUnderlineStyle(LOOKS[worst].underline)
        fmt.setUnderlineColor(colour(worst, dark))
    fmt.setProperty(COVER_COUNT_PROPERTY, count)
    fmt.setProperty(VERDICT_PROPERTY, worst.value)
    return fmt


def underline_thickness(font_line_width: float) -> float:
    """Twice the font's own rule, and never thinner than 1.5 px, so styles stay distinct."""
    return max(1.5, 2.0 * font_line_width)


def paint_underline(
    painter: QPainter, verdict: Verdict, x1: float, x2: float, y: float, dark: bool, width: float
) -> None:
    """Underline ``[x1, x2]`` at height ``y`` in the verdict's colour and style.

    Dashes and waves are phased on absolute x, so adjacent runs join without a seam.
    """
    if x2 <= x1:
        return
    style = LOOKS[Verdict(verdict)].underline
    pen = QPen(colour(verdict, dark))
    pen.setWidthF(width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.save()
    if style == _U.WaveUnderline:
        dpr = painter.device().devicePixelRatioF()
        period = round(max(6.0, 3.0 * width) * dpr) / dpr  # whole device pixels: no drift
        amplitude = max(1.25, 0.85 * width)
        # One antialiased period drawn once, then tiled: far cheaper than a long polyline.
        tile = _wave_tile(colour(verdict, dark).rgba(), width, period, amplitude, dpr)
        height = tile.height() / dpr
        painter.drawTiledPixmap(
            QRectF(x1, y - height / 2, x2 - x1, height), tile, QPointF(x1 % period, 0)
        )
    else:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if style == _U.DashUnderline:
            dash, gap = 2.5, 1.5  # in pen widths
            pen.setDashPattern([dash, gap])
            pen.setDashOffset((x1 / width) % (dash + gap))
        painter.setPen(pen)
        painter.drawLine(QPointF(x1, y), QPointF(x2, y))
    painter.restore()


@cache
def _wave_tile(rgba: int, width: float, period: float, amplitude: float, dpr: float) -> QPixmap:
    """One period of a triangle wave, seamless when tiled side by side."""
    height = 2 * amplitude + width + 2
    tile = QPixmap(max(1, round(period * dpr)), max(1, math.ceil(height * dpr)))
    tile.setDevicePixelRatio(dpr)
    tile.fill(Qt.GlobalColor.transparent)
    pen = QPen(QColor.fromRgba(rgba))
    pen.setWidthF(width)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter = QPainter(tile)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(pen)
    middle = height / 2
    # Crests at 0 and period, a trough halfway; run past both edges so the joins are clean.
    painter.drawPolyline(
        QPolygonF(
            [
                QPointF(x, middle + (amplitude if (i % 2) else -amplitude))
                for i, x in enumerate(
                    [-period / 2 * k for k in (2, 1)] + [period / 2 * k for k in range(4)]
                )
            ]
        )
    )
    painter.end()
    return tile
