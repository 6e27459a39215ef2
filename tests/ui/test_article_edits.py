"""Edit Article…, Remove Article… and undoing an import, driven from the keyboard and mouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.core.errors import ProjectBusy
from desktop.core.model import Verdict
from desktop.ui import actions as act
from tests.ui.gestures import audit_actions, drag_select, highlighted

QUOTES = ("two Azerbaijani citizens", "Culture Ministry")


@pytest.fixture
def window(open_window, demo_path, reviewer):
    """The demo, with two passages of the first article tagged."""
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    for quote in QUOTES:
        start = view.text().index(quote)
        drag_select(view, start, start + len(quote))
        assert window.tag_selection(Verdict.DISPUTED)
    return window


def _titles(window) -> list[str]:
    model = window.article_panel.model
    return [model.summary(i).title for i in range(model.rowCount())]


def _choices(window) -> list[str]:
    chooser = window.panes.panes()[1].chooser
    return [chooser.itemText(i) for i in range(1, chooser.count())]


def _undo_text(window) -> str:
    return window.action(act.UNDO).text().removeprefix("&Undo ")


def _press_menu_key(widget) -> None:
    """What the window system delivers to the focus widget for the keyboard's Menu key (on
    X11 the platform plugin makes this event from the key itself, before the key press)."""
    widget.setFocus()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), widget.mapToGlobal(QPoint(0, 0))
    )
    QApplication.sendEvent(widget, event)


# --- Edit Article… --------------------------------------------------------------------------


def test_edit_article_from_the_keyboard_with_a_mistake_on_the_way(window, qtbot) -> None:
    first = window.article_panel.model.summary(0)
    pane = window.panes.panes()[0]
    assert pane.article_id() == first.id
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_F2)
    dialog = window.article_tools.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Edit Article"
    assert dialog.edits["title"].text() == first.title
    assert dialog.edits["published"].text() == "2025-06-29"

    qtbot.keyClicks(dialog.edits["title"], "Two citizens died")  # the title was selected
    dialog.edits["published"].setFocus()
    dialog.edits["published"].selectAll()
    qtbot.keyClicks(dialog.edits["published"], "2025-13-01")
    qtbot.keyClick(dialog.edits["published"], Qt.Key.Key_Return)
    # Refused: the dialog stays, with what was typed and the reason, at the field at fault.
    assert dialog.isVisible()
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text() == "Published date '2025-13-01' is not a real date."
    assert dialog.edits["title"].text() == "Two citizens died"
    assert dialog.focusWidget() is dialog.edits["published"]
    assert _titles(window)[0] == first.title

    qtbot.keyClicks(dialog.edits["published"], "2025-06-28")  # the bad date was selected
    assert not dialog.error.isVisibleTo(dialog)
    qtbot.keyClick(dialog.edits["published"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.article_tools.dialog is None)
    assert _titles(window)[0] == "Two citizens died"
    assert _choices(window)[0] == "Two citizens died"
    assert pane.chooser.currentText() == "Two citizens died"
    assert pane.outlet.text() == "Kyiv Independent · 2025-06-28"
    rows = window.annotation_panel.model
    assert {rows.annotation(i).article_title for i in range(rows.rowCount())} == {
        "Two citizens died"
    }
    assert audit_actions(window.project.path)[-1] == "article.changed"
    assert _undo_text(window) == "Edit article details"

    window.activateWindow()  # a window manager gives the focus back after a dialog
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(pane.view, "z", Qt.KeyboardModifier.ControlModifier)
    assert _titles(window)[0] == first.title
    assert pane.outlet.text() == "Kyiv Independent · 2025-06-29"
    assert rows.annotation(0).article_title == first.title
    window.redo()
    assert _titles(window)[0] == "Two citizens died"


def test_author_and_a_date_known_only_to_the_month_from_the_keyboard(window, qtbot) -> None:
    first = window.article_panel.model.summary(0)
    dialog = window.article_tools.edit_article()
    qtbot.waitExposed(dialog)
    assert dialog.edits["author"].text() == ""
    dialog.edits["published"].setFocus()
    dialog.edits["published"].selectAll()
    qtbot.keyClicks(dialog.edits["published"], "2025-06")
    qtbot.keyClick(dialog.edits["published"], Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.edits["author"]  # the field after the date
    qtbot.keyClicks(dialog.edits["author"], "Olena Petrenko")
    qtbot.keyClick(dialog.edits["author"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.article_tools.dialog is None)
    edited = window.article_panel.model.summary(0)
    assert (edited.published.isoformat(), edited.author) == ("2025-06", "Olena Petrenko")
    assert window.panes.panes()[0].outlet.text() == "Kyiv Independent · 2025-06"
    window.undo()
    restored = window.article_panel.model.summary(0)
    assert (restored.published, restored.author) == (first.published, "")
    # The dialog opens again with the details as they are now.
    dialog = window.article_tools.edit_article()
    assert dialog.edits["published"].text() == "2025-06-29"
    dialog.reject()


def test_a_dialog_that_changes_nothing_writes_nothing(window, qtbot) -> None:
    events = audit_actions(window.project.path)
    dialog = window.article_tools.edit_article()
    qtbot.keyClick(dialog.edits["title"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.article_tools.dialog is None)
    assert audit_actions(window.project.path) == events


def test_a_failed_save_keeps_the_dialog_and_the_text(window, qtbot, monkeypatch, errors) -> None:
    from desktop.core import operations

    def locked(*_a, **_k):
        raise ProjectBusy("demo.crosscheck: is locked by another program (waited 5 s); try again")

    real = operations.EDITS["edit_article"]
    monkeypatch.setitem(operations.EDITS, "edit_article", locked)
    dialog = window.article_tools.edit_article()
    qtbot.keyClicks(dialog.edits["title"], "New title")
    qtbot.keyClick(dialog.edits["title"], Qt.Key.Key_Return)
    # The dialog says why, in place, and keeps what was typed for another try.
    assert dialog.isVisible() and dialog.isEnabled()
    assert dialog.error.text() == (
        "Demo.crosscheck: is locked by another program (waited 5 s); try again."
    )
    assert dialog.edits["title"].text() == "New title"
    assert errors == []
    monkeypatch.setitem(operations.EDITS, "edit_article", real)
    qtbot.keyClick(dialog.edits["title"], Qt.Key.Key_Return)  # the lock is gone: saved
    qtbot.waitUntil(lambda: window.article_tools.dialog is None)
    assert _titles(window)[0] == "New title"


# --- Remove Article… -------------------------------------------------------------------------


def test_remove_an_article_from_the_list_with_the_keyboard(window, qtbot) -> None:
    first = window.article_panel.model.summary(0)
    table = window.article_panel.table
    pane = window.panes.panes()[0]
    table.setFocus()
    table.setCurrentIndex(window.article_panel.proxy.index(0, 0))
    _press_menu_key(table)
    menu = window.article_tools.menu
    assert menu is not None
    qtbot.waitExposed(menu)
    assert [a.text() for a in menu.actions() if a.text()] == [
        "&Show in Active Pane",
        "&Edit Article…",
        "Re&move Article…",
    ]
    qtbot.keyClick(menu, Qt.Key.Key_M)  # the menu's mnemonic for Remove
    box = window.article_tools.confirmation
    assert box is not None
    qtbot.waitExposed(box)
    assert len(first.title) > 90
    title = first.title[:89] + "…"  # the whole title is in the list's tooltip
    assert box.text() == f"Remove “{title}” and its 2 annotations?"
    assert "Undo brings them back" in box.informativeText()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Remove is the default button

    assert first.id not in [window.article_panel.model.summary(i).id for i in range(4)]
    assert window.article_panel.model.rowCount() == 4
    assert first.title not in _choices(window)
    assert pane.article_id() is None and pane.view.text() == ""
    assert window.annotation_panel.model.rowCount() == 0
    assert window.editor.annotation() is None
    assert audit_actions(window.project.path)[-3:] == [
        "article.removed",
        "annotation.deleted",
        "annotation.deleted",
    ]
    assert "Removed “" in window.statusBar().currentMessage()
    assert _undo_text(window) == "Remove article 'Azerbaijan cancels cultural e…'"

    window.undo()
    assert window.article_panel.model.summary(0).id == first.id  # back in its place
    assert window.article_panel.model.summary(0).total == 2
    assert window.annotation_panel.model.rowCount() == 2
    assert pane.article_id() == first.id  # the empty active pane shows it again
    assert highlighted(pane.view)
    assert audit_actions(window.project.path)[-3:] == [
        "article.restored",
        "annotation.restored",
        "annotation.restored",
    ]
    window.redo()
    assert window.article_panel.model.rowCount() == 4


def test_remove_from_the_edit_menu_acts_on_the_active_pane_and_can_be_cancelled(
    window, qtbot
) -> None:
    second_pane = window.panes.panes()[1]
    second = second_pane.article_id()
    second_pane.view.setFocus()
    window.action(act.REMOVE_ARTICLE).trigger()
    box = window.article_tools.confirmation
    qtbot.waitExposed(box)
    assert box.text().endswith("? It has no annotations.")
    assert box.informativeText().endswith("Edit ▸ Undo brings it back.")
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert second in [window.article_panel.model.summary(i).id for i in range(5)]

    window.action(act.REMOVE_ARTICLE).trigger()
    box = window.article_tools.confirmation
    qtbot.waitExposed(box)
    next(b for b in box.buttons() if b.text() == "&Remove").click()
    assert second not in [window.article_panel.model.summary(i).id for i in range(4)]
    assert second_pane.article_id() is None
    # Undo shows it again in the pane it left, although another pane is active.
    window.panes.panes()[0].view.setFocus()
    window.undo()
    assert second_pane.article_id() == second


def test_right_click_in_the_list_opens_the_menu_on_that_row(window, qtbot) -> None:
    table = window.article_panel.table
    rect = table.visualRect(window.article_panel.proxy.index(2, 0))
    third = window.article_panel.model.summary(2)
    QTest.mouseClick(
        table.window().windowHandle(),
        Qt.MouseButton.RightButton,
        pos=table.viewport().mapTo(table.window(), rect.center()),
    )
    qtbot.waitUntil(lambda: window.article_tools.menu is not None)
    menu = window.article_tools.menu
    edit = next(a for a in menu.actions() if a.objectName() == act.EDIT_ARTICLE)
    edit.trigger()
    dialog = window.article_tools.dialog
    assert dialog is not None and dialog.article_id == third.id
    dialog.reject()


def test_article_actions_are_disabled_read_only(open_window, demo_path, reviewer) -> None:
    demo_path.chmod(0o444)
    try:
        window = open_window(demo_path)
        assert window.project.read_only
        assert not window.action(act.EDIT_ARTICLE).isEnabled()
        assert not window.action(act.REMOVE_ARTICLE).isEnabled()
        assert window.article_tools.edit_article() is None
        assert "read-only" in window.statusBar().currentMessage()
    finally:
        demo_path.chmod(0o644)


def test_edit_menu_lists_the_article_actions(window) -> None:
    texts = [a.text() for a in window.menu("Edit").actions()]
    assert "&Edit Article…" in texts and "Re&move Article…" in texts
    assert window.action(act.EDIT_ARTICLE).shortcut().toString() == "F2"


# --- undoing an import ----------------------------------------------------------------------


def test_an_import_is_one_undo_step(window, qtbot, tmp_path: Path) -> None:
    files = []
    for n in range(3):
        path = tmp_path / f"story{n}.txt"
        path.write_text(f"Story {n}\n\nBody of story {n}.\n", encoding="utf-8")
        files.append(path)
    window.import_files(files)
    qtbot.waitUntil(lambda: not (window.importer.busy or window.runner.busy), timeout=10_000)
    assert window.article_panel.model.rowCount() == 8
    assert _undo_text(window) == "Import 3 articles"

    window.undo()
    assert _titles(window)[5:] == []
    assert [t for t in _choices(window) if t.startswith("Story")] == []
    assert audit_actions(window.project.path)[-3:] == ["article.removed"] * 3
    assert _undo_text(window) == "Tag 'Disputed'"
    window.redo()
    assert _titles(window)[5:] == ["Story 0", "Story 1", "Story 2"]
    assert audit_actions(window.project.path)[-3:] == ["article.restored"] * 3
