"""Server projects and merging copies in the window, driven from the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.core import operations
from desktop.core.store import Store, open_store, reads
from desktop.core.store.postgres import redact
from desktop.core.transfer import copy_project
from desktop.ui.merge_dialog import MergeDialog
from desktop.ui.server_dialog import ServerProjectDialog
from desktop.ui.settings import Settings, settings_path
from tests.backends import target_of
from tests.conftest import make_project


def server_dialog(qtbot, window) -> ServerProjectDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ServerProjectDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ServerProjectDialog)
    return dialog


def open_by_keyboard(qtbot, window, url: str, password: str) -> ServerProjectDialog:  # type: ignore[no-untyped-def]
    qtbot.keyClick(
        window,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = server_dialog(qtbot, window)
    qtbot.waitUntil(dialog.url_edit.hasFocus)
    qtbot.keyClicks(dialog.url_edit, url)
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Tab)
    assert dialog.password_edit.hasFocus()
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    return dialog


def test_open_a_server_project_with_a_password_typed_once(
    qtbot, open_window, reviewer, demo_path: Path, password_url: str, monkeypatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    window = open_window(demo_path)
    open_by_keyboard(qtbot, window, password_url, "s3cret-pw")
    qtbot.waitUntil(lambda: window.project is not None and window.project.kind == "postgresql")
    database = password_url.split("@/", 1)[1].split("?")[0]
    assert window.windowTitle().startswith(f"{database} — Crosscheck")
    assert window.article_panel.model.rowCount() == 5
    assert window.state_label.text() == database
    # The recent list names it, and nothing the window keeps holds the password.
    window.recent_menu.aboutToShow.emit()
    labels = [a.text() for a in window.recent_menu.actions()]
    assert f"{database} on local server" in labels and demo_path.name in labels
    window.save_layout()
    Settings().sync()
    saved = settings_path().read_text(encoding="utf-8")
    assert redact(password_url).split("?")[0] in saved and "s3cret-pw" not in saved
    assert "s3cret-pw" not in window.project.location
    # Tagging works on the server like on a file.
    with window.project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    window.editing.tag(article, 0, 5, operations.Verdict.SUPPORTED)  # type: ignore[union-attr]
    window.runner.wait()
    assert window.annotation_panel.model.rowCount() == 1


def test_a_wrong_password_says_so_and_keeps_what_was_typed(
    qtbot, open_window, reviewer, demo_path: Path, password_url: str
) -> None:
    window = open_window(demo_path)
    dialog = open_by_keyboard(qtbot, window, password_url, "Wr0ng-pw")
    qtbot.waitUntil(lambda: "refused the password" in dialog.status.text(), timeout=10_000)
    assert dialog.isVisible() and dialog.url_edit.text() == password_url
    assert "Wr0ng-pw" not in dialog.status.text()
    assert window.project is not None and window.project.path == demo_path  # still open
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, "s3cret-pw")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.project is not None and window.project.kind == "postgresql")
    assert QApplication.activeModalWidget() is None  # closed, and gone with what was typed


def test_a_recent_server_project_asks_for_its_password(
    qtbot, open_window, reviewer, demo_path: Path, password_url: str, monkeypatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    Settings().add_recent(redact(password_url))
    window = open_window(demo_path)
    window.recent_menu.aboutToShow.emit()
    (server,) = [a for a in window.recent_menu.actions() if a.text().endswith("local server")]
    server.trigger()
    dialog = server_dialog(qtbot, window)
    assert "asks for a password" in dialog.status.text()
    qtbot.waitUntil(dialog.password_edit.hasFocus)
    assert dialog.url_edit.text() == redact(password_url)
    qtbot.keyClicks(dialog.password_edit, "s3cret-pw")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.project is not None and window.project.kind == "postgresql")


def test_a_server_that_is_not_there_is_a_line_in_the_dialog(
    qtbot, open_window, reviewer, demo_path: Path
) -> None:
    window = open_window(demo_path)
    dialog = open_by_keyboard(qtbot, window, "postgresql://nobody@/db?host=/nonexistent", "")
    qtbot.waitUntil(lambda: "cannot reach the server" in dialog.status.text(), timeout=10_000)
    assert "\n" not in dialog.status.text() and window.project.path == demo_path
    dialog.url_edit.selectAll()
    qtbot.keyClicks(dialog.url_edit, "not a url")
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)
    assert "starts with postgresql://" in dialog.status.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert QApplication.activeModalWidget() is None


# --- merging a copy ---------------------------------------------------------------------------


@pytest.fixture
def shared_and_copy(demo_project: Store, tmp_path: Path) -> tuple[str | Path, Path, str, str]:
    """The shared project (each backend) and a laptop copy: one annotation changed on both
    sides, one made on the laptop."""
    with demo_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    tagged = operations.annotate(demo_project, article, 0, 9, "disputed", reviewer="Sam",
                                 note="Base")  # fmt: skip
    both = tagged.annotation_ids[0]
    laptop = tmp_path / "laptop.crosscheck"
    copy_project(demo_project, laptop)
    operations.update_annotation(demo_project, both, reviewer="Sam", note="Desk note")
    with open_store(laptop) as road:
        operations.update_annotation(road, both, reviewer="Olena", note="Road note")
        new = operations.annotate(road, article, 20, 29, "supported", reviewer="Olena")
    target = target_of(demo_project)
    demo_project.close()
    return target, laptop, both, new.annotation_ids[0]


def test_merge_a_copy_deciding_the_conflict_from_the_keyboard(
    qtbot, open_window, reviewer, shared_and_copy, monkeypatch
) -> None:
    target, laptop, both, new = shared_and_copy
    window = open_window(target)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(laptop), ""))
    window.menu("File").setActiveAction(window.server_tools.merge_action)
    window.server_tools.merge_action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), MergeDialog))
    dialog = QApplication.activeModalWidget()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text().endswith("“Desk note”")
    assert dialog.table.item(0, 2).text().endswith("“Road note”")
    assert "Road note" in dialog.copy_view.toPlainText()
    assert not dialog.merge_button.isEnabled()  # nothing is decided for the reviewer
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.table, Qt.Key.Key_3)  # 3: combine, as the buttons say
    assert dialog.table.item(0, 3).text() == "Combine" and dialog.merge_button.isEnabled()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Merged:" in window.statusBar().currentMessage(), timeout=10_000)
    model = window.annotation_panel.model
    assert model.find(both).note == "Desk note\n\nRoad note"
    assert model.find(new) is not None and model.find(new).reviewer == "Olena"
    with open_store(target) as project, project.read() as conn:
        assert operations.annotation_state(conn, both)["note"] == "Desk note\n\nRoad note"


def test_merging_again_says_there_is_nothing_to_merge(
    qtbot, open_window, reviewer, shared_and_copy, monkeypatch
) -> None:
    target, laptop, _both, _new = shared_and_copy
    with open_store(target) as project, open_store(laptop, read_only=True) as road:
        operations.merge_copy(project, road, reviewer="Desk", default="copy")
    shown: list[tuple[str, str]] = []
    from desktop.ui import dialogs

    monkeypatch.setattr(dialogs, "show_info", lambda _p, title, text: shown.append((title, text)))
    window = open_window(target)
    window.server_tools.merge_from(laptop)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0][0] == "Nothing to merge" and "already has every change" in shown[0][1]


def test_a_copy_of_another_project_is_refused_in_the_window(
    qtbot, open_window, reviewer, errors, demo_path: Path, tmp_path: Path
) -> None:
    other = make_project(tmp_path / "other.crosscheck")
    window = open_window(demo_path)
    window.server_tools.merge_from(other)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    ((title, message),) = errors
    assert title == "Nothing was merged" and "copy of another project" in message


def test_merge_is_off_for_a_read_only_project(open_window, reviewer, demo_path: Path) -> None:
    demo_path.chmod(0o444)
    try:
        window = open_window(demo_path)
        assert window.project.read_only
        assert not window.server_tools.merge_action.isEnabled()
    finally:
        demo_path.chmod(0o644)


def test_the_last_project_on_a_server_opens_at_start(open_window, reviewer, pg_url: str) -> None:
    make_project(pg_url)
    Settings().add_recent(redact(pg_url))
    window = open_window()
    assert window.project is not None and window.project.kind == "postgresql"
    assert window.project.location == redact(pg_url)
    assert window.article_panel.model.rowCount() == 5


def test_recent_projects_keep_files_and_servers(tmp_path: Path) -> None:
    from desktop.ui.server_ui import server_label

    settings = Settings()
    a = tmp_path / "a.crosscheck"
    a.write_bytes(b"")
    settings.add_recent("postgresql://desk@db.example.org:5432/newsroom?sslmode=require")
    settings.add_recent(a)
    settings.add_recent("postgresql:///crosscheck?host=/run/postgresql")
    assert settings.recent_projects() == [
        "postgresql:///crosscheck?host=/run/postgresql",
        str(a),
        "postgresql://desk@db.example.org:5432/newsroom?sslmode=require",
    ]
    assert settings.recent_files() == [a]
    assert settings.last_target == "postgresql:///crosscheck?host=/run/postgresql"
    assert settings.last_project is None  # the last one is not a file
    assert server_label(settings.recent_projects()[0]) == "crosscheck on local server"
    assert server_label(settings.recent_projects()[2]) == "newsroom on db.example.org"
    a.unlink()
    assert str(a) not in settings.recent_projects()  # files that are gone drop out


def test_an_article_changed_on_both_sides_is_decided_in_the_dialog(
    qtbot, open_window, reviewer, demo_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """Not only annotations: an article's details changed at the desk and on the road show
    side by side, field by field, and combine."""
    with open_store(demo_path) as desk, desk.read() as conn:
        article = reads.article_summaries(conn)[0].id
    laptop = tmp_path / "laptop.crosscheck"
    with open_store(demo_path) as desk:
        copy_project(desk, laptop)
        operations.edit_article(desk, article, reviewer="Sam", title="Desk title")
    with open_store(laptop) as road:
        operations.edit_article(road, article, reviewer="Olena", author="R. Writer")
    window = open_window(demo_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(laptop), ""))
    window.server_tools.merge_action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), MergeDialog))
    dialog = QApplication.activeModalWidget()
    assert dialog.table.item(0, 0).text() == "article ‘Desk title’"
    assert "title Desk title" in dialog.table.item(0, 1).text()
    assert "author R. Writer" in dialog.table.item(0, 2).text()
    assert "Author: R. Writer" in dialog.copy_view.toPlainText()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.table, Qt.Key.Key_3)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Merged:" in window.statusBar().currentMessage(), timeout=10_000)
    titles = [s.title for s in window.article_panel.model.summaries()]
    assert "Desk title" in titles
    with open_store(demo_path) as desk, desk.read() as conn:
        (summary,) = [s for s in reads.article_summaries(conn) if s.id == article]
    assert (summary.title, summary.author) == ("Desk title", "R. Writer")


def test_a_dropped_server_connection_is_said_typed_text_is_kept_and_it_reconnects(
    open_window, reviewer, pg_server, pg_url: str, qtbot
) -> None:
    from desktop.core.model import Verdict
    from tests.ui.gestures import drag_select, settle

    make_project(pg_url)
    window = open_window(pg_url)
    view = window.panes.panes()[0].view
    drag_select(view, 30, 40)
    window.tag_selection(Verdict.DISPUTED)
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "Half a thought")
    database = pg_url.split("/")[3].split("?")[0]
    # The server stops taking this database's connections and drops the open ones.
    pg_server.admin(f"ALTER DATABASE {database} ALLOW_CONNECTIONS false")
    try:
        pg_server.admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )
        qtbot.waitUntil(lambda: "unavailable" in window.state_label.text(), timeout=5000)
        assert "cannot reach the server" in window.state_label.toolTip()
        assert note.toPlainText() == "Half a thought"
    finally:
        pg_server.admin(f"ALTER DATABASE {database} ALLOW_CONNECTIONS true")
    qtbot.waitUntil(lambda: "unavailable" not in window.state_label.text(), timeout=5000)
    assert note.toPlainText() == "Half a thought"
    window.editor.commit_note()
    settle(window)
    assert window.editor.annotation().note == "Half a thought"
    with open_store(pg_url) as again, again.read() as conn:
        notes = [row.note for row in reads.annotation_rows(conn, reads.AnnotationFilter())]
    assert notes == ["Half a thought"]
