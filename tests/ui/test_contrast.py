"""Contrast measured on the colours the window really uses: WCAG AA (4.5:1) for text, and
verdict tints that stand apart from the page and from each other."""

from __future__ import annotations

import math
from itertools import combinations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.core.model import Verdict
from desktop.ui import verdict_style
from desktop.ui.models import AnnotationTableModel
from tests.ui.gestures import drag_select

AA_TEXT = 4.5


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    r, g, b = (_linear(v) for v in colour.getRgb()[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two opaque colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def lab(colour: QColor) -> tuple[float, float, float]:
    r, g, b = (_linear(v) for v in colour.getRgb()[:3])
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: QColor, b: QColor) -> float:
    """CIE76 colour difference: about 2 is just noticeable, over 10 plainly different."""
    return math.dist(lab(a), lab(b))


def over(paint: QColor, base: QColor) -> QColor:
    """``paint`` (with its alpha) composited on an opaque ``base``."""
    alpha = paint.alphaF()
    return QColor(
        *(
            round(b + (p - b) * alpha)
            for p, b in zip(paint.getRgb()[:3], base.getRgb()[:3], strict=True)
        )
    )


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#262626"),
        (QPalette.ColorRole.Text, "#e0e0e0"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


PALETTES = {"light": lambda: QApplication.palette(), "dark": dark_palette}


@pytest.mark.parametrize("theme", PALETTES)
def test_verdict_tints_stand_apart_and_keep_text_readable(qapp, theme) -> None:
    palette = PALETTES[theme]()
    dark = verdict_style.is_dark(palette)
    assert dark == (theme == "dark")
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    tints = {}
    for verdict in Verdict:
        for count in (1, 2):
            fmt = verdict_style.cached_char_format(frozenset({verdict}), count, dark, False)
            shown = over(fmt.background().color(), base)
            assert contrast(text, shown) >= AA_TEXT, (verdict, count, contrast(text, shown))
            if count == 1:
                tints[verdict] = shown
                assert delta_e(shown, base) >= 15, (verdict, delta_e(shown, base))
                assert shown == verdict_style.tint(verdict, dark, base)
    for a, b in combinations(Verdict, 2):
        assert delta_e(tints[a], tints[b]) >= 12, (a, b, delta_e(tints[a], tints[b]))


@pytest.mark.parametrize("theme", PALETTES)
def test_verdict_words_in_tooltips_meet_aa(qapp, theme) -> None:
    palette = PALETTES[theme]()
    dark = verdict_style.is_dark(palette)
    backgrounds = [palette.color(QPalette.ColorRole.Base)]
    if theme == "light":
        backgrounds.append(QToolTip.palette().color(QPalette.ColorRole.ToolTipBase))
    for verdict in Verdict:
        for background in backgrounds:
            ratio = contrast(verdict_style.colour(verdict, dark), background)
            assert ratio >= AA_TEXT, (verdict, background.name(), ratio)


@pytest.mark.parametrize("theme", PALETTES)
def test_quieter_text_still_meets_aa(qapp, theme) -> None:
    palette = PALETTES[theme]()
    muted = verdict_style.muted_text(palette)
    assert contrast(muted, palette.color(QPalette.ColorRole.Window)) >= AA_TEXT
    on_base = verdict_style.muted_text(palette, on_base=True)
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        assert contrast(on_base, palette.color(role)) >= AA_TEXT, role


def test_the_outlet_line_and_deleted_rows_in_the_window_meet_aa(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    pane = window.panes.panes()[0]
    assert pane.outlet.text() and pane.outlet.isEnabled()
    outlet = pane.outlet.palette()
    ratio = contrast(
        outlet.color(QPalette.ColorRole.WindowText), outlet.color(QPalette.ColorRole.Window)
    )
    assert ratio >= AA_TEXT, ratio
    details = window.editor.details.palette()
    assert (
        contrast(
            details.color(QPalette.ColorRole.WindowText), details.color(QPalette.ColorRole.Window)
        )
        >= AA_TEXT
    )
    # A deleted annotation's row, shown with "Show deleted".
    view = pane.view
    drag_select(view, 10, 20)
    qtbot.keyClick(view, "1")
    window.delete_selected()
    window.annotation_panel.show_deleted.setChecked(True)
    model = window.annotation_panel.model
    colour = model.data(model.index(0, AnnotationTableModel.QUOTE), Qt.ItemDataRole.ForegroundRole)
    table_palette = window.annotation_panel.table.palette()
    assert model.annotation(0).deleted
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        assert contrast(QColor(colour), table_palette.color(role)) >= AA_TEXT
