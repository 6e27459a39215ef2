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
