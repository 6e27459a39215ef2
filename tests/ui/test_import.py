"""Importing articles in the background, from the menu and by dropping files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop.ui import dialogs


def _files(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"story {i}.txt"
        path.write_text(f"Version {i}\n\nThe minister said the talks would resume on Monday.\n")
        paths.append(path)
    return paths


def _drop(window, paths: list[Path]) -> None:
    """Drag files from a file manager onto the window and let go."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(200, 200), *args)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(QPointF(200, 200), *args))


def test_import_runs_in_the_background(open_window, demo_path, tmp_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    assert window.import_files(_files(tmp_path, 5)) is not None
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 10, timeout=20_000)
    titles = [s.title for s in window.article_panel.model.summaries()]
    assert "Version 4" in titles
    assert "Imported 5 article(s)." in window.statusBar().currentMessage()
    # Every chooser offers the new articles.
    assert window.panes.panes()[0].chooser.count() == 11


def test_import_dialog_uses_the_chosen_files(
    open_window, demo_path, tmp_path, reviewer, monkeypatch, qtbot
) -> None:
    files = _files(tmp_path, 1)
    monkeypatch.setattr(dialogs, "import_paths", lambda *a, **k: files)
    window = open_window(demo_path)
    window.action("file.import").trigger()
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 6, timeout=20_000)


def test_a_failed_import_says_why_and_imports_nothing(
    open_window, errors, demo_path, tmp_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    files = _files(tmp_path, 2)
    bad = tmp_path / "picture.png"
    bad.write_bytes(b"\x89PNG\r\n")
    assert window.import_files([*files, bad]) is not None
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    [(title, message)] = errors
    assert title == "Nothing was imported"
    assert "picture.png" in message and "\n" not in message
    assert window.article_panel.model.rowCount() == 5


def test_dropping_article_files_imports_them(
    open_window, demo_path, tmp_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    _drop(window, _files(tmp_path, 2))
    qtbot.waitUntil(lambda: window.article_panel.model.rowCount() == 7, timeout=20_000)


def test_dropping_a_project_file_opens_it(
    open_window, demo_path, tmp_path, reviewer, qtbot
) -> None:
    from tests.conftest import make_project

    other = make_project(tmp_path / "other.crosscheck", with_demo=False)
    window = open_window(demo_path)
    _drop(window, [other])
    qtbot.waitUntil(lambda: window.project is not None and window.project.path == other)
    assert window.article_panel.model.rowCount() == 0
    assert window.windowTitle() == "other — Crosscheck"
