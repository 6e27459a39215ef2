"""Audit trail, export and verification, reached from the window's menus."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QAction

from desktop.core.model import Verdict
from desktop.ui import dialogs
from desktop.ui.export_ui import ExportDialog
from tests.ui.gestures import drag_select

QUOTE = "nine individuals were detained"


def menu_texts(window, name: str) -> list[str]:
    return [a.text().replace("&", "") for a in window.menu(name).actions() if a.text()]


def tag(window, qtbot, quote: str, key: str) -> None:
    view = window.panes.panes()[0].view
    start = view.text().index(quote)
    drag_select(view, start, start + len(quote))
    qtbot.keyClick(view, key)


def test_menus_offer_export_verify_and_audit_trail(open_window, demo_path, reviewer) -> None:
    window = open_window(demo_path)
    assert "Export…" in menu_texts(window, "File")
    assert "Verify Project" in menu_texts(window, "Tools")
    assert "Audit Trail" in menu_texts(window, "View")
    assert window.tools.export_action.isEnabled() and window.tools.verify_action.isEnabled()
    window.close_project()
    assert not window.tools.export_action.isEnabled()
    assert not window.tools.verify_action.isEnabled()


def test_audit_trail_follows_every_edit(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    trail = window.tools.show_audit_trail()
    qtbot.waitUntil(window.tools.dock.isVisible)
    before = trail.model.total
    assert before > 0  # the project's creation and the demo's import are in it

    tag(window, qtbot, QUOTE, "3")
    assert trail.model.total == before + 1
    newest = trail.model.entry(0)
    assert (newest.action, newest.reviewer) == ("annotation.created", reviewer)

    window.undo()  # undo is a change too, and is logged
    assert trail.model.total == before + 2
    assert trail.model.entry(0).action == "annotation.deleted"


def test_verify_reports_in_a_dialog(open_window, demo_path, reviewer, monkeypatch, qtbot) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_info", lambda _p, title, msg: shown.append((title, msg)))
    window = open_window(demo_path)
    # Triggered without waiting for the work to finish: it runs in the background.
    window.tools.verify_action.activate(QAction.ActionEvent.Trigger)
    assert not window.tools.verify_action.isEnabled()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert window.tools.verify_action.isEnabled()
    [(title, message)] = shown
    assert "verif" in title.lower()
    assert "intact" in message.lower()


def test_export_from_the_menu_writes_the_csv(open_window, demo_path, reviewer, qtbot, tmp_path):
    window = open_window(demo_path)
    tag(window, qtbot, QUOTE, "2")
    window.tools.export_action.trigger()
    dialog = window.tools.export_dialog
    assert isinstance(dialog, ExportDialog)
    target = tmp_path / "verdicts.csv"
    fmt, _path, options = dialog.choice()
    assert fmt == "csv"
    from desktop.ui.export_ui import run_export

    job = run_export(window, window.project, "csv", target, options)
    assert job is not None
    qtbot.waitUntil(lambda: target.exists() and not job.running, timeout=10_000)
    dialog.close()
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["quote"], r["verdict"]) for r in rows] == [(QUOTE, Verdict.DISPUTED.value)]


def test_window_shows_a_project_without_loading_sqlalchemy(demo_path: Path) -> None:
    """Showing a project, up to its first paint, needs no SQLAlchemy or exporters: they are
    most of a cold start. The command line (``python -m desktop``) is part of that path."""
    code = (
        "import sys\n"
        "import desktop.cli\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from desktop.app import open_window\n"
        f"w = open_window({str(demo_path)!r})\n"
        "assert w.project is not None and w.panes.panes()[0].view.text()\n"
        "w.grab()\n"
        "for _ in range(5):\n"
        "    QApplication.processEvents()\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'desktop.core.exports', "
        "'desktop.core.importers') if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CROSSCHECK_REVIEWER": "T"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
