"""What a user does and sees in the window, as small functions for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from desktop.core.model import Verdict
from desktop.core.store import open_store
from desktop.ui import verdict_style
from desktop.ui.article_view import ArticleView


def utf16(text: str, codepoint: int) -> int:
    """Qt's position of code point ``codepoint`` of ``text``, computed independently."""
    return len(text[:codepoint].encode("utf-16-le")) // 2


def drag_select(view: ArticleView, start: int, end: int) -> None:
    """Select code points [start, end) as a user would (the cursor works in UTF-16)."""
    text = view.text()
    cursor = view.textCursor()
    cursor.setPosition(utf16(text, start))
    cursor.setPosition(utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.setFocus()


def highlighted(view: ArticleView) -> set[int]:
    """UTF-16 positions of the document drawn with a highlight background."""
    positions: set[int] = set()
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().background().style() != Qt.BrushStyle.NoBrush:
                positions.update(
                    range(fragment.position(), fragment.position() + fragment.length())
                )
            it += 1
        block = block.next()
    return positions


def span_positions(text: str, start: int, end: int) -> set[int]:
    return set(range(utf16(text, start), utf16(text, end)))


def colour_at(view: ArticleView, codepoint: int) -> str:
    """The highlight colour (no alpha) drawn behind code point ``codepoint``; '' for none."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(utf16(view.text(), codepoint) + 1)
    brush = cursor.charFormat().background()
    return brush.color().name() if brush.style() != Qt.BrushStyle.NoBrush else ""


def verdict_colour(verdict: Verdict) -> str:
    return verdict_style.colour(verdict, False).name()


def audit_actions(path: Path) -> list[str]:
    project = open_store(path, read_only=True)
    try:
        conn = project.raw_connection()
        try:
            return [r[0] for r in conn.execute("SELECT action FROM audit_events ORDER BY seq")]
        finally:
            conn.close()
    finally:
        project.close()


def settle(window: Any, timeout_ms: int = 10_000) -> None:
    """Wait, as a reviewer would, until every edit asked for is made and every view shows it
    (edits run off the window's thread; the change feed then brings them to the views)."""
    from PySide6.QtWidgets import QApplication

    if not window.runner.wait(timeout_ms):
        raise AssertionError("the window's work did not finish in time")
    QApplication.processEvents()
