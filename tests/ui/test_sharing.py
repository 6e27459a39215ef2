"""Several reviewers on one shared project, as a reviewer at one of the windows sees it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPlainTextEdit

from desktop.core import operations, presence
from desktop.core.model import Verdict
from desktop.core.store import open_store, reads
from desktop.ui import conflict
from tests.ui.gestures import drag_select, highlighted, settle

ROOT = Path(__file__).resolve().parents[2]
SAM = "Sam Okafor"


def _first_article(path: Path) -> str:
    with open_store(path) as store, store.read() as conn:
        return reads.article_summaries(conn)[0].id


def _listed_quotes(window) -> list[str]:
    model = window.annotation_panel.model
    return [model.annotation(i).quote for i in range(model.rowCount())]


def test_another_reviewer_s_change_appears_without_reopening(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    article = window.panes.panes()[0].article_id()
    assert article is not None
    # Another program (the command line, on another machine sharing the drive) tags a span.
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "annotate", str(demo_path), article,
         "--start", "0", "--end", "10", "--verdict", "disputed", "--reviewer", SAM],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    quote = view.text()[0:10]
    qtbot.waitUntil(lambda: quote in _listed_quotes(window), timeout=3000)
    summary = window.article_panel.model.find(article)
    assert summary is not None and summary.counts[Verdict.DISPUTED] == 1
    qtbot.waitUntil(lambda: 2 in highlighted(view), timeout=3000)


def test_the_window_stays_usable_while_another_reviewer_holds_the_lock(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    other = sqlite3.connect(demo_path, isolation_level=None)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    try:
        other.execute("BEGIN IMMEDIATE")  # another reviewer's write in progress
        drag_select(view, 30, 40)
        timer.start()
        # Asked for without waiting for it to finish, as a reviewer presses a key and goes on.
        tag = type(window).tag_selection.__wrapped__  # type: ignore[attr-defined]
        assert tag(window, Verdict.SUPPORTED)
        qtbot.waitUntil(
            lambda: "waiting for another reviewer's write" in window.statusBar().currentMessage(),
            timeout=3000,
        )
        # The window answers meanwhile: its timers fire, menus open, the tag waits its turn.
        count = len(ticks)
        qtbot.wait(300)
        assert len(ticks) > count + 5
        assert window.runner.writing
        other.execute("COMMIT")
        settle(window)
    finally:
        timer.stop()
        other.close()
    assert any(r.verdict == Verdict.SUPPORTED for r in window.reader.rows())
    assert "waiting" not in window.statusBar().currentMessage()


def test_a_lock_held_too_long_keeps_the_typed_note(
    open_window, demo_path, reviewer, qtbot, errors, monkeypatch
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    drag_select(view, 30, 40)
    window.tag_selection(Verdict.DISPUTED)
    row = window.editor.annotation()
    assert row is not None
    monkeypatch.setattr(window.project, "busy_timeout_ms", 300)
    window.project.close()  # new connections take the shorter wait
    other = sqlite3.connect(demo_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        note = window.editor.note
        note.setFocus()
        qtbot.keyClicks(note, "Two sources disagree")
        window.editor.commit_note()
        settle(window)
        assert errors and "locked" in errors[-1][1]
        assert note.toPlainText() == "Two sources disagree"  # kept for a retry
    finally:
        other.execute("ROLLBACK")
        other.close()
    window.editor.commit_note()  # the retry
    settle(window)
    assert window.reader.rows(annotation_ids=[row.id])[0].note == "Two sources disagree"


def _choose(monkeypatch, choice: str, seen: list[tuple[str, str]]) -> None:
    def exec_(self: conflict.ConflictDialog) -> int:
        theirs = self.findChild(QPlainTextEdit, "theirs_note")
        mine = self.findChild(QPlainTextEdit, "mine_note")
        seen.append((theirs.toPlainText() if theirs else "", mine.toPlainText() if mine else ""))
        self.choice = choice
        return 1

    monkeypatch.setattr(conflict.ConflictDialog, "exec", exec_)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (conflict.KEEP_THEIRS, "Their note"),
        (conflict.OVERWRITE, "My note"),
        (conflict.COMBINE, "Their note\n\nMy note"),
    ],
)
def test_a_note_changed_meanwhile_is_a_conflict_resolved_by_the_reviewer(
    open_window, demo_path, reviewer, qtbot, monkeypatch, choice, expected
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    drag_select(view, 30, 40)
    window.tag_selection(Verdict.DISPUTED)
    row = window.editor.annotation()
    assert row is not None
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "My note")
    # Meanwhile Sam changes the note of the same annotation.
    with open_store(demo_path) as other:
        operations.update_annotation(other, row.id, reviewer=SAM, note="Their note")
    seen: list[tuple[str, str]] = []
    _choose(monkeypatch, choice, seen)
    window.editor.commit_note()
    settle(window)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    assert seen == [("Their note", "My note")]
    settle(window)
    stored = window.reader.rows(annotation_ids=[row.id])[0]
    assert stored.note == expected
    qtbot.waitUntil(lambda: window.editor.annotation().note == expected, timeout=3000)


def test_undo_over_another_reviewer_s_change_asks_and_overwrites_nothing_silently(
    open_window, demo_path, reviewer, qtbot, monkeypatch
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    drag_select(view, 30, 40)
    window.tag_selection(Verdict.DISPUTED)
    row = window.editor.annotation()
    assert row is not None
    window.editor.verdict_buttons[Verdict.UNVERIFIED].click()
    with open_store(demo_path) as other:
        operations.update_annotation(other, row.id, reviewer=SAM, verdict="supported")
    seen: list[tuple[str, str]] = []
    _choose(monkeypatch, conflict.KEEP_THEIRS, seen)
    window.undo()
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    settle(window)
    assert window.reader.rows(annotation_ids=[row.id])[0].verdict == Verdict.SUPPORTED
    assert window.editing.stack.canUndo()  # the step stays for a later decision


def test_who_else_has_the_project_open(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    with open_store(demo_path) as other:
        assert presence.beat(other, presence.new_session_id(), SAM)
    qtbot.waitUntil(lambda: window.presence is not None, timeout=5000)
    window.presence.beat()
    qtbot.waitUntil(lambda: window.presence_label.text() == f"Also open: {SAM}", timeout=3000)


def test_a_project_file_that_goes_away_is_said_and_typed_text_is_kept(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    drag_select(view, 30, 40)
    window.tag_selection(Verdict.DISPUTED)
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "Half a thought")
    moved = demo_path.with_name("elsewhere.crosscheck")
    demo_path.rename(moved)  # the shared drive drops
    try:
        qtbot.waitUntil(lambda: "unavailable" in window.state_label.text(), timeout=3000)
        assert note.toPlainText() == "Half a thought"
    finally:
        moved.rename(demo_path)
    qtbot.waitUntil(lambda: "unavailable" not in window.state_label.text(), timeout=3000)
    assert note.toPlainText() == "Half a thought"
    window.editor.commit_note()
    settle(window)
    assert window.editor.annotation().note == "Half a thought"


def test_two_windows_follow_each_other(open_window, demo_path, reviewer, qtbot) -> None:
    first = open_window(demo_path)
    second = open_window(demo_path)
    view = first.panes.panes()[0].view
    drag_select(view, 30, 40)
    first.tag_selection(Verdict.DISPUTED)
    quote = first.editor.annotation().quote
    qtbot.waitUntil(lambda: quote in _listed_quotes(second), timeout=3000)
    second.undo()  # the second window has nothing of its own to undo
    assert quote in _listed_quotes(second)
    first.undo()
    qtbot.waitUntil(lambda: quote not in _listed_quotes(second), timeout=3000)
    assert second.annotation_panel.table.isEnabled()
