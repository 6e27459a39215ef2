"""Fixtures for the window tests: a reviewer, captured dialogs, windows closed at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop import app as desktop_app
from desktop.ui import dialogs
from desktop.ui.main_window import MainWindow

REVIEWER = "Test Reviewer"


@pytest.fixture
def reviewer(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CROSSCHECK_REVIEWER", REVIEWER)
    return REVIEWER


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every error dialog the window shows, as (title, message); none is really shown."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, msg: shown.append((title, msg)))
    monkeypatch.setattr(dialogs, "show_info", lambda _p, title, msg: None)
    return shown


@pytest.fixture
def open_window(qtbot, errors) -> Iterator[Callable[..., MainWindow]]:
    """``open_window(path)`` as the app does it; every window is closed after the test."""
    windows: list[MainWindow] = []

    def _open(path: Path | None = None) -> MainWindow:
        window = desktop_app.open_window(path)
        windows.append(window)
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    yield _open
    for window in windows:
        if window.isVisible() or window.project is not None:
            window.close()
        window.deleteLater()


@pytest.fixture(autouse=True)
def _no_unexpected_conflict_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    """A conflict dialog no test asked for fails the test instead of waiting for a click."""
    from desktop.ui import conflict

    def refuse(self: conflict.ConflictDialog) -> int:
        raise AssertionError(f"unexpected conflict: {self.conflict}")

    monkeypatch.setattr(conflict.ConflictDialog, "exec", refuse)


@pytest.fixture(autouse=True)
def _wait_like_a_reviewer(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits run off the window's thread; a reviewer sees their result a moment later. After
    each gesture (key, click) and each direct edit a test makes, wait until every open
    window's work is done and its views show it, as the reviewer would before the next step."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton, QApplication

    def settle_all() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.runner.busy:
                widget.runner.wait()

    def after(call):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            result = call(*args, **kwargs)
            settle_all()
            return result

        wrapped.__wrapped__ = call  # type: ignore[attr-defined]
        return wrapped

    for name in (
        "keyClick",
        "keyClicks",
        "keySequence",
        "mouseClick",
        "mouseDClick",
        "mouseRelease",
    ):
        monkeypatch.setattr(qtbot, name, after(getattr(qtbot, name)))
    monkeypatch.setattr(QAbstractButton, "click", after(QAbstractButton.click))
    monkeypatch.setattr(QAction, "trigger", after(QAction.trigger))
    for name in (
        "undo",
        "redo",
        "tag_selection",
        "set_span",
        "move_span_edge",
        "import_files",
        "delete_selected",
    ):
        monkeypatch.setattr(MainWindow, name, after(getattr(MainWindow, name)))
