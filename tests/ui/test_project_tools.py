"""Audit trail, export and verification, reached from the window's menus."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.core import operations
from desktop.core.exports import export_to_path
from desktop.core.model import Verdict
from desktop.core.store import open_store, reads
from desktop.core.store.sqlite import AUDIT_TRIGGERS
from desktop.core.verify import verify_project
from desktop.ui.export_ui import ExportDialog
from desktop.ui.verify_dialog import VerifyDialog
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
    assert "Verify Project…" in menu_texts(window, "Tools")
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


def verify_in_dialog(window, qtbot, *, head: str = "", seq: int = 0, export: str = "") -> str:
    """Open Tools ▸ Verify Project…, fill the fields by keyboard, press Enter; the report."""
    window.tools.verify_action.trigger()
    dialog = window.tools.verify_dialog
    assert isinstance(dialog, VerifyDialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.head_edit.hasFocus)
    dialog.head_edit.clear()
    qtbot.keyClicks(dialog.head_edit, head)
    qtbot.keyClick(dialog.head_edit, Qt.Key.Key_Tab)
    assert dialog.seq_box.hasFocus()
    dialog.seq_box.selectAll()
    qtbot.keyClicks(dialog.seq_box, str(seq) if seq else "0")
    dialog.export_edit.setFocus()
    dialog.export_edit.clear()
    qtbot.keyClicks(dialog.export_edit, export)
    qtbot.keyClick(dialog.export_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=20_000)
    return dialog.status_label.text() + "\n" + dialog.result_view.toPlainText()


def test_verify_shows_the_replay_in_its_dialog(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    tag(window, qtbot, QUOTE, "2")
    shown = verify_in_dialog(window, qtbot)
    assert shown.startswith("✓ demo.crosscheck is intact.")
    assert "Hash chain: 8 events, head " in shown
    rows = "project 1, reviewers 1, articles 5, annotations 1"
    assert f"Rows replayed from the log: {rows} — every one matches" in shown
    assert "Problems" not in shown


def test_verify_checks_an_expected_head(open_window, demo_path, reviewer, qtbot) -> None:
    with open_store(demo_path) as project:
        published = verify_project(project).chain
    window = open_window(demo_path)
    tag(window, qtbot, QUOTE, "1")  # one more event since the head was published
    shown = verify_in_dialog(window, qtbot, head=published.head_hash.upper(), seq=7)
    assert shown.startswith("✓ demo.crosscheck is intact.")
    head = f"{published.head_hash[:12]}…"
    assert f"the log still holds the expected head {head} at event 7 (1 event since)" in shown

    shown = verify_in_dialog(window, qtbot, head=published.head_hash, seq=6)
    assert shown.startswith("✗ 1 problem found.")
    assert (
        f"• the expected head {published.head_hash[:12]}… is event 7 of the log, not event 6"
        in shown
    )

    shown = verify_in_dialog(window, qtbot, head="not a hash")
    assert shown.startswith("✗ 'not a hash' is not a head hash (64 hexadecimal digits)")


def test_verify_finds_a_log_cut_short_against_an_export(
    open_window, demo_path, reviewer, qtbot, tmp_path
) -> None:
    """Cut short and covered up, the file agrees with itself; the export kept before does not."""
    with open_store(demo_path) as project:
        with project.read() as conn:
            first = reads.article_summaries(conn)[0].id
        operations.annotate(project, first, 0, 10, "supported", reviewer=reviewer)
        export = tmp_path / "kept.jsonl"
        export_to_path(project, "audit-jsonl", export)
    conn = sqlite3.connect(demo_path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DELETE FROM audit_events WHERE seq = 8")
    conn.execute("DELETE FROM annotations")
    for sql in AUDIT_TRIGGERS.values():
        conn.execute(sql)
    conn.commit()
    conn.close()
    window = open_window(demo_path)
    assert verify_in_dialog(window, qtbot).startswith("✓ demo.crosscheck is intact.")
    shown = verify_in_dialog(window, qtbot, export=str(export))
    assert shown.startswith("✗ 1 problem found.")
    assert "• the log ends at event 7, before the export kept.jsonl " in shown
    assert "at event 8: events were removed from its end" in shown


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
