"""Starting the application: first run, bad files, the reviewer, settings, read-only files."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop import app as desktop_app
from desktop.core.store.sqlite import APPLICATION_ID
from desktop.ui import demo_project
from desktop.ui.reviewer_dialog import ReviewerDialog
from desktop.ui.settings import Settings
from tests.ui.gestures import drag_select


def test_first_run_creates_the_demo_in_the_data_folder(open_window, reviewer) -> None:
    window = open_window()
    expected = Path(os.environ["XDG_DATA_HOME"]) / "crosscheck" / "Demo.crosscheck"
    assert expected.is_file()
    assert window.project.path == expected
    assert window.article_panel.model.rowCount() == 5
    assert window.windowTitle().endswith("— Crosscheck")
    assert [p.article_id() for p in window.panes.panes()] == [
        window.article_panel.model.summary(0).id,
        window.article_panel.model.summary(1).id,
    ]


def test_no_arguments_reopens_the_last_project(open_window, demo_path, reviewer) -> None:
    open_window(demo_path).close()
    window = open_window()
    assert window.project.path == demo_path


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        (b"plain text, not a database", "not an SQLite database"),
        ("newer", "newer version of Crosscheck"),
    ],
)
def test_a_bad_file_is_a_dialog_and_the_window_stays_usable(
    open_window,
    errors,
    tmp_path,
    reviewer,
    content,
    reason,
) -> None:
    path = tmp_path / "bad.crosscheck"
    if content == "newer":
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 999")
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    elif content is not None:
        path.write_bytes(content)
    window = open_window(path)
    [(title, message)] = errors
    assert title == "Cannot open project"
    assert reason in message and "Traceback" not in message
    assert window.project is None
    assert window.windowTitle() == "Crosscheck"
    assert window.action("file.open").isEnabled()
    assert not window.action("annotate.supported").isEnabled()


def test_a_bad_file_keeps_the_project_that_was_open(
    open_window, errors, demo_path, tmp_path
) -> None:
    window = open_window(demo_path)
    bad = tmp_path / "bad.crosscheck"
    bad.write_text("nope")
    assert not window.open_path(bad)
    assert len(errors) == 1
    assert window.project.path == demo_path


def test_first_run_asks_for_the_reviewer(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    dialog = window.findChild(ReviewerDialog, "reviewerDialog")
    assert dialog is not None and dialog.isVisible()
    assert window.reviewer_label.text() == "No reviewer set"
    dialog.name_edit.setText("  Ada Reviewer ")
    dialog.accept()
    assert Settings().reviewer == "Ada Reviewer"
    assert window.reviewer_label.text() == "Reviewer: Ada Reviewer"

    # Tagging now records that name.
    view = window.panes.panes()[0].view
    drag_select(view, 10, 20)
    qtbot.keyClick(view, "1")
    assert window.annotation_panel.model.annotation(0).reviewer == "Ada Reviewer"


def test_tagging_without_a_reviewer_asks_and_changes_nothing(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    window.findChild(ReviewerDialog, "reviewerDialog").reject()
    view = window.panes.panes()[0].view
    drag_select(view, 10, 20)
    qtbot.keyClick(view, "1")
    assert window.annotation_panel.model.rowCount() == 0
    dialogs = window.findChildren(ReviewerDialog, "reviewerDialog")
    assert any(d.isVisible() for d in dialogs)
    assert "Enter your name" in window.statusBar().currentMessage()


def test_the_environment_overrides_the_stored_reviewer(open_window, demo_path, monkeypatch) -> None:
    Settings().stored_reviewer = "Stored Name"
    monkeypatch.setenv("CROSSCHECK_REVIEWER", "From Env")
    window = open_window(demo_path)
    assert window.reviewer_label.text() == "Reviewer: From Env"
    assert window.findChild(ReviewerDialog, "reviewerDialog") is None


def test_layout_panes_and_articles_are_restored(open_window, demo_path, reviewer) -> None:
    window = open_window(demo_path)
    window.add_pane()
    window.add_pane()
    articles = window.article_panel.model.summaries()
    window.panes.show_article(window.panes.panes()[0], articles[4].id)
    window.action("view.compare").setChecked(True)
    # The offscreen screen is small, so a restored size is clamped; maximised state is not.
    window.showMaximized()
    window.annotations_dock.hide()
    chosen = window.panes.articles()
    assert len(chosen) == 4
    window.close()

    again = open_window(demo_path)
    assert again.panes.articles() == chosen
    assert again.action("view.compare").isChecked()
    assert again.isMaximized()
    assert not again.annotations_dock.isVisible()


def test_read_only_file_refuses_tagging_with_a_message(
    open_window, demo_path, reviewer, qtbot
) -> None:
    demo_path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    window = open_window(demo_path)
    assert window.windowTitle().endswith("[read-only]")
    assert "read-only" in window.state_label.text().lower()
    assert not window.action("annotate.disputed").isEnabled()
    assert not window.editor.note.isEnabled() or window.editor.note.isReadOnly()
    view = window.panes.panes()[0].view
    drag_select(view, 10, 20)
    qtbot.keyClick(view, "2")
    assert "read-only" in window.statusBar().currentMessage()
    assert window.annotation_panel.model.rowCount() == 0
    window.panes.sig_tag_requested.emit(window.panes.panes()[0], "supported")
    assert window.annotation_panel.model.rowCount() == 0


def test_crosscheck_open_shows_the_window_and_quits_after_first_paint(demo_path) -> None:
    env = {**os.environ, desktop_app.EXIT_AFTER_PAINT_ENV: "1", "QT_QPA_PLATFORM": "offscreen"}
    env["CROSSCHECK_REVIEWER"] = "Test Reviewer"
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "open", str(demo_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert Settings().last_project == demo_path


def test_the_application_has_its_name_icon_and_style(open_window, demo_path) -> None:
    open_window(demo_path)
    app = QApplication.instance()
    assert app.applicationName() == "Crosscheck"
    assert not app.windowIcon().isNull()
    assert "QToolBar" in app.styleSheet()


def test_new_project_and_open_recent(
    open_window, demo_path, tmp_path, reviewer, monkeypatch
) -> None:
    from desktop.ui import dialogs

    window = open_window(demo_path)
    target = tmp_path / "fresh"
    monkeypatch.setattr(dialogs, "new_project_path", lambda *a: target.with_suffix(".crosscheck"))
    window.action("file.new").trigger()
    assert window.project.path == tmp_path / "fresh.crosscheck"
    assert window.windowTitle() == "fresh — Crosscheck"
    assert window.article_panel.model.rowCount() == 0

    window.recent_menu.aboutToShow.emit()
    names = [a.text() for a in window.recent_menu.actions()]
    assert names[:2] == ["fresh.crosscheck", "demo.crosscheck"]
    window.recent_menu.actions()[1].trigger()
    assert window.project.path == demo_path

    window.action("file.close").trigger()
    assert window.project is None and window.windowTitle() == "Crosscheck"


def test_demo_command_opens_the_demo_project(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`crosscheck demo` makes the demo in the data folder on first use and opens it."""
    from desktop import app, cli

    opened: list[list[str]] = []
    monkeypatch.setattr(app, "main", lambda argv, qt_args=(): opened.append(list(argv)) or 0)
    assert cli.main(["demo"]) == 0
    assert cli.main(["demo"]) == 0  # the second time the same file is opened again
    assert opened[0] == opened[1] == [str(demo_project.demo_path())]
    assert demo_project.demo_path().is_file()
    from desktop.core.store import open_store, reads

    with open_store(demo_project.demo_path()) as project, project.read() as db:
        assert len(reads.article_summaries(db)) == 5
