"""The desktop application: start Qt, open a project, show the main window.

``crosscheck`` with no arguments opens the last project, or on the first run creates the demo
project in the user's data folder and opens that. Nothing here ever shows a traceback for a
file that cannot be opened: the window says why and stays usable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop import __version__
from desktop.core.store import is_server_url
from desktop.ui import dialogs
from desktop.ui.caret import CaretRest
from desktop.ui.demo_project import ensure_demo
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import Settings

# Quit right after the main window's first paint (for start-up benchmarks and smoke tests).
EXIT_AFTER_PAINT_ENV = "CROSSCHECK_EXIT_AFTER_PAINT"


def application(qt_args: Sequence[str] = ()) -> QApplication:
    """The QApplication (made if there is none, given Qt's own options such as ``-style
    fusion``), with name, icon, stylesheet and a caret that rests when the user does."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([*sys.argv[:1], *qt_args])
    if app.property("crosscheck_ready"):
        return app
    app.setApplicationName("Crosscheck")
    app.setOrganizationName("Crosscheck")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("crosscheck")
    from desktop.paths import data_dir

    try:
        resources = data_dir("resources")
    except FileNotFoundError:
        resources = None
    if resources is not None:
        icon = resources / "icons" / "app.svg"
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
        style = resources / "style.qss"
        if style.is_file() and not app.styleSheet():
            app.setStyleSheet(style.read_text(encoding="utf-8"))
    CaretRest(app)
    app.setProperty("crosscheck_ready", True)
    return app


def _start_path(settings: Settings, window: MainWindow) -> Path | str | None:
    """The last project if it still exists (a server project is tried again), else the demo
    (made on first use)."""
    last = settings.last_target
    if last is not None and (is_server_url(last) or Path(last).is_file()):
        return last if is_server_url(last) else Path(last)
    from desktop.core.errors import CrosscheckError

    try:
        return ensure_demo(settings)
    except (CrosscheckError, OSError) as exc:
        dialogs.show_error(window, "Cannot create the demo project", str(exc))
        return None


def open_window(path: str | os.PathLike[str] | None = None) -> MainWindow:
    """Open ``path`` (a file or a server URL; default: the last project, or the demo) in a
    new, shown main window.

    Makes the QApplication if needed and returns without entering the event loop.
    """
    application()
    settings = Settings()
    window = MainWindow(settings)
    if path is None:
        target = _start_path(settings, window)
    else:
        target = str(path) if is_server_url(str(path)) else Path(path)
    window.show()
    if target is not None:
        window.open_path(target)
    if not settings.reviewer:
        window.ask_reviewer()
    return window


class _QuitAfterPaint(QObject):
    """Quits the application once the watched window has painted for the first time."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main(argv: Sequence[str] | None = None, qt_args: Sequence[str] = ()) -> int:
    """The GUI entry point: ``argv`` is ``[]`` or ``[PROJECT_FILE]``; ``qt_args`` are Qt's
    own options."""
    args = list(sys.argv[1:] if argv is None else argv)
    app = application(qt_args)
    window = open_window(args[0] if args else None)
    if os.environ.get(EXIT_AFTER_PAINT_ENV):
        watcher = _QuitAfterPaint(window)
        window.installEventFilter(watcher)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
