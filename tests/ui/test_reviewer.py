"""Tools ▸ Change Reviewer: works every time, and refuses an empty name in the dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.reviewer_dialog import ReviewerDialog
from desktop.ui.settings import Settings
from tests.ui.gestures import drag_select


def _dialog(window) -> ReviewerDialog:
    [dialog] = window.findChildren(ReviewerDialog)
    return dialog


def _type_name(qtbot, dialog: ReviewerDialog, name: str) -> None:
    edit = dialog.name_edit
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, name)


def test_an_empty_name_is_refused_in_the_dialog(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    dialog = _dialog(window)
    assert dialog.isVisible() and dialog.name_edit.text() == ""
    assert not dialog.ok_button.isEnabled()
    assert "Enter your name" in dialog.reason.text()
    # Enter with nothing typed (or only spaces) keeps the dialog open and saves nothing.
    qtbot.keyClicks(dialog.name_edit, "   ")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert Settings().reviewer == ""
    _type_name(qtbot, dialog, "Ada")
    assert dialog.ok_button.isEnabled() and dialog.reason.text() == ""
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.reviewer_label.text() == "Reviewer: Ada"


def test_change_reviewer_works_again_and_again(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    action = window.action("edit.reviewer")
    _dialog(window).reject()  # first run: cancelled
    for name in ("Ada", "Grace", "Linus", "Ada Lovelace"):
        action.trigger()
        dialog = _dialog(window)
        assert dialog.isVisible()
        _type_name(qtbot, dialog, name)
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
        assert not dialog.isVisible()
        assert Settings().reviewer == name
        assert window.reviewer_label.text() == f"Reviewer: {name}"
    # Cancel leaves the name as it was, and the dialog still comes next time.
    action.trigger()
    _type_name(qtbot, _dialog(window), "Someone Else")
    qtbot.keyClick(_dialog(window).name_edit, Qt.Key.Key_Escape)
    assert Settings().reviewer == "Ada Lovelace"
    action.trigger()
    assert _dialog(window).isVisible()
    assert _dialog(window).name_edit.text() == "Ada Lovelace"


def test_tagging_after_a_cancelled_first_run_asks_again(open_window, demo_path, qtbot) -> None:
    window = open_window(demo_path)
    qtbot.keyClick(_dialog(window).name_edit, Qt.Key.Key_Escape)
    view = window.panes.panes()[0].view
    drag_select(view, 10, 20)
    qtbot.keyClick(view, "1")
    assert "Enter your name" in window.statusBar().currentMessage()
    dialog = _dialog(window)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.name_edit, "Ada")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    drag_select(view, 10, 20)
    qtbot.keyClick(view, "1")
    assert window.annotation_panel.model.annotation(0).reviewer == "Ada"
