"""The bundled icons, stylesheet and desktop entry load and render."""

from __future__ import annotations

import configparser
import re

import pytest
from PySide6.QtCore import qInstallMessageHandler
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QLabel

from desktop.paths import data_dir

ICONS = [
    "app",
    "supported",
    "disputed",
    "unverified",
    "add-pane",
    "remove-pane",
    "compare",
    "import",
    "export",
    "undo",
    "redo",
    "verify",
]


@pytest.mark.parametrize("name", ICONS)
def test_icon_renders(qapp, name: str) -> None:
    path = data_dir("resources") / "icons" / f"{name}.svg"
    icon = QIcon(str(path))
    image = icon.pixmap(24, 24).toImage()
    assert not image.isNull()
    inked = sum(
        1 for y in range(24) for x in range(24) if QColor(image.pixelColor(x, y)).alpha() > 128
    )
    assert inked > 20, f"{name}.svg draws (almost) nothing"


def test_verdict_icons_have_different_shapes(qapp) -> None:
    """Shapes differ, not only colours: the marks on the coloured badges (a check, a cross,
    a question mark) have little in common."""
    marks = []
    for name in ("supported", "disputed", "unverified"):
        image = QIcon(str(data_dir("resources") / "icons" / f"{name}.svg")).pixmap(24, 24).toImage()
        marks.append(
            {
                (x, y)
                for y in range(24)
                for x in range(24)
                if image.pixelColor(x, y).alpha() > 200
                and not 60 <= image.pixelColor(x, y).lightness() <= 200
            }
        )
    for i in range(3):
        for j in range(i + 1, 3):
            assert marks[i] and marks[j]
            similarity = len(marks[i] & marks[j]) / len(marks[i] | marks[j])
            assert similarity < 0.4, (i, j, similarity)


def test_stylesheet_parses(qtbot) -> None:
    messages: list[str] = []
    previous = qInstallMessageHandler(lambda _mode, _context, message: messages.append(message))
    try:
        label = QLabel("x")
        qtbot.addWidget(label)
        label.setStyleSheet((data_dir("resources") / "style.qss").read_text(encoding="utf-8"))
        label.ensurePolished()
    finally:
        qInstallMessageHandler(previous)
    assert not [m for m in messages if "parse" in m.lower()], messages


def test_stylesheet_takes_colours_from_the_palette() -> None:
    """Fixed colours would break one of the light and dark themes."""
    sheet = (data_dir("resources") / "style.qss").read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|\b(white|black)\b", sheet)
    assert "palette(" in sheet


def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(data_dir("resources") / "crosscheck.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Crosscheck"
    assert entry["Exec"] == "crosscheck-desktop %f"
    assert entry["Icon"] == "crosscheck"
    assert entry["Categories"] == "Office;Utility;"
    assert "application/x-crosscheck" in entry["MimeType"].split(";")
