"""Typing in the editor's fields: which undo applies, and typed text is never lost."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop.core.model import Verdict
from tests.ui.gestures import drag_select, settle

CTRL = Qt.KeyboardModifier.ControlModifier
QUOTES = ("two Azerbaijani citizens", "Yekaterinburg")


def _tag(window, qtbot, quote: str, key: str = "2"):
    view = window.panes.panes()[0].view
    start = view.text().index(quote)
    drag_select(view, start, start + len(quote))
    qtbot.keyClick(view, key)
    return window.editor.annotation()


def _undo_text(window) -> str:
    return window.action("edit.undo").text().replace("&", "")


def _stored(window, annotation_id):
    return window.annotation_panel.model.find(annotation_id)


def test_ctrl_z_in_the_note_undoes_typing_then_the_project(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    row = _tag(window, qtbot, QUOTES[0])
    note = window.editor.note
    note.setFocus()
    assert _undo_text(window) == "Undo Tag 'Disputed'"
    qtbot.keyClicks(note, "Three")
    assert _undo_text(window) == "Undo Typing"
    assert window.action("edit.undo_project").text().replace("&", "") == (
        "Undo Tag 'Disputed' in Project"
    )
    qtbot.keyClick(note, "z", CTRL)
    assert note.toPlainText() == ""
    assert not _stored(window, row.id).deleted  # the project was not touched
    assert _undo_text(window) == "Undo Tag 'Disputed'"
    # Nothing left to undo in the field: the same key now undoes the project's last change.
    qtbot.keyClick(note, "z", CTRL)
    assert _stored(window, row.id).deleted


def test_ctrl_alt_z_undoes_the_project_from_inside_a_field(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    first = _tag(window, qtbot, QUOTES[0])
    second = _tag(window, qtbot, QUOTES[1], "1")
    window.annotation_panel.select_annotation(first.id)
    link = window.editor.link_edit
    link.setFocus()
    qtbot.keyClicks(link, "https://example.org/")
    assert _undo_text(window) == "Undo Typing"
    qtbot.keyClick(link, "z", CTRL | Qt.KeyboardModifier.AltModifier)
    assert _stored(window, second.id).deleted
    assert link.text() == "https://example.org/"  # the typing stays
    assert _undo_text(window) == "Undo Typing"


def test_a_committed_note_is_undone_as_a_project_change(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    row = _tag(window, qtbot, QUOTES[0])
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "Relatives say three")
    qtbot.keyClick(note, Qt.Key.Key_Return, CTRL)
    assert _stored(window, row.id).note == "Relatives say three"
    assert _undo_text(window) == "Undo Edit note"
    qtbot.keyClick(note, "z", CTRL)
    assert _stored(window, row.id).note == ""
    assert note.toPlainText() == ""


def test_the_header_stays_two_lines_and_the_note_box_does_not_move(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    editor = window.editor
    _tag(window, qtbot, QUOTES[1])
    short_top = editor.note.mapTo(editor, QPoint(0, 0)).y()
    view = window.panes.panes()[0].view
    text = view.text()
    long_start = text.index("Azerbaijan has cancelled")
    long_end = text.index("\n\n", long_start + 400)
    drag_select(view, long_start, long_end)
    qtbot.keyClick(view, "3")
    row = editor.annotation()
    assert len(row.quote) > 400
    assert editor.note.mapTo(editor, QPoint(0, 0)).y() == short_top
    metrics = editor.quote.fontMetrics()
    assert editor.quote.height() <= 2 * metrics.lineSpacing() + 8
    assert editor.quote.text().count("\n") <= 1 and editor.quote.text().endswith("…")
    assert editor.quote.is_elided()
    assert " ".join(row.quote.split()) in editor.quote.toolTip().replace("\n", " ")


def test_a_click_on_the_note_caption_goes_to_the_box_and_keeps_the_text(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    row = _tag(window, qtbot, QUOTES[0])
    editor = window.editor
    editor.note.setFocus()
    qtbot.keyClicks(editor.note, "First thought.")
    qtbot.mouseClick(editor.note_label, Qt.MouseButton.LeftButton)
    assert editor.note.hasFocus()
    qtbot.keyClicks(editor.note, " Second.")
    # A refresh of the same annotation (another edit) keeps the typing.
    editor.verdict_buttons[Verdict.SUPPORTED].click()
    assert editor.note.toPlainText() == "First thought. Second."
    assert _stored(window, row.id).verdict == Verdict.SUPPORTED


def test_typed_notes_are_saved_on_selection_change_and_on_close(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    first = _tag(window, qtbot, QUOTES[0])
    second = _tag(window, qtbot, QUOTES[1], "1")
    window.annotation_panel.select_annotation(first.id)
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "About the first")
    # Another annotation is selected from the table with the keyboard, focus still in the box.
    window.annotation_panel.select_annotation(second.id)
    settle(window)
    assert _stored(window, first.id).note == "About the first"
    assert note.toPlainText() == ""
    qtbot.keyClicks(note, "About the second")
    window.close()  # with the focus still in the field
    again = open_window(demo_path)
    model = again.annotation_panel.model
    notes = {model.annotation(i).id: model.annotation(i).note for i in range(model.rowCount())}
    assert notes == {first.id: "About the first", second.id: "About the second"}


def test_opening_a_menu_keeps_the_typing_a_draft(open_window, demo_path, reviewer, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    window = open_window(demo_path)
    row = _tag(window, qtbot, QUOTES[0])
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "Draft")
    # What a menu popping up sends the field (the focus widget stays the same).
    QApplication.sendEvent(note, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.PopupFocusReason))
    assert _stored(window, row.id).note == ""
    assert _undo_text(window) == "Undo Typing"
    # Alt+E: the menu bar takes the focus while the Edit menu is open.
    window.menuBar().setFocus(Qt.FocusReason.MenuBarFocusReason)
    assert _undo_text(window) == "Undo Typing"
    note.setFocus()
    window.action("edit.undo").trigger()  # chosen from the menu
    assert note.toPlainText() == ""
    assert not _stored(window, row.id).deleted
