"""Adjusting the selected annotation's span from the keyboard and by dragging its ends."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from desktop.core.model import Verdict
from tests.ui.gestures import audit_actions, drag_select, highlighted, span_positions
from tests.ui.test_selection import point_of

ALT_SHIFT = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT_SHIFT = ALT_SHIFT | Qt.KeyboardModifier.ControlModifier
PHRASE = "deaths of two Azerbaijani citizens"


def _tag_partial(window, qtbot, note: str = ""):
    """Tag "deaths of two Azerbaijani citiz" with a note, as in the trial."""
    view = window.panes.panes()[0].view
    at = view.text().index(PHRASE)
    drag_select(view, at, at + len(PHRASE) - 3)
    qtbot.keyClick(view, "2")
    row = window.editor.annotation()
    assert row.quote == PHRASE[:-3]
    if note:
        window.editor.note.setFocus()
        qtbot.keyClicks(window.editor.note, note)
        view.setFocus()  # leaving the field commits the note
    return view, at


def _row(window):
    return window.annotation_panel.model.find(window.editor.annotation().id)


def test_keyboard_moves_the_ends_by_words_and_undo_puts_them_back(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view, at = _tag_partial(window, qtbot, note="Two died")
    annotation_id = window.editor.annotation().id
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT_SHIFT)
    row = _row(window)
    assert (row.id, row.quote, row.note) == (annotation_id, PHRASE, "Two died")
    assert highlighted(view) == span_positions(view.text(), at, at + len(PHRASE))
    qtbot.keyClick(view, Qt.Key.Key_Left, CTRL_ALT_SHIFT)
    assert _row(window).quote == "the " + PHRASE
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL_ALT_SHIFT)
    qtbot.keyClick(view, Qt.Key.Key_Right, CTRL_ALT_SHIFT)
    assert _row(window).quote == PHRASE[len("deaths ") :]
    qtbot.keyClick(view, Qt.Key.Key_Left, ALT_SHIFT)
    assert _row(window).quote == "of two Azerbaijani"
    assert "Azerbaijani" in window.statusBar().currentMessage()
    # The adjustments in a row are one undo step, named in the Edit menu.
    assert window.action("edit.undo").text() == "&Undo Adjust span"
    qtbot.keyClick(view, "z", Qt.KeyboardModifier.ControlModifier)
    row = _row(window)
    assert (row.quote, row.note, row.verdict) == (PHRASE[:-3], "Two died", Verdict.DISPUTED)
    assert window.action("edit.undo").text() == "&Undo Edit note"
    window.close()
    actions = audit_actions(demo_path)
    # Every move is audited as a change of the same annotation; the undo too.
    assert actions[-7:] == ["annotation.changed"] * 7


def test_an_end_that_cannot_move_says_so(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    at = view.text().index("deaths")
    drag_select(view, at, at + len("deaths"))
    qtbot.keyClick(view, "1")
    qtbot.keyClick(view, Qt.Key.Key_Left, ALT_SHIFT)  # would leave nothing
    assert _row(window).quote == "deaths"
    assert "cannot move" in window.statusBar().currentMessage()


def test_without_a_selected_annotation_nothing_moves(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT_SHIFT)
    assert "Select an annotation" in window.statusBar().currentMessage()


def test_dragging_an_end_of_the_highlight_moves_it(open_window, demo_path, reviewer, qtbot):
    window = open_window(demo_path)
    view, at = _tag_partial(window, qtbot, note="Kept")
    end_handle = view.edge_rects()["end"].center()
    assert view.edge_at(end_handle) == "end"
    viewport = view.viewport()
    # Drag the end to the middle of the next word: it snaps to that word's end.
    target = point_of(view, at + len(PHRASE) + 4)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=end_handle)
    qtbot.mouseMove(viewport, QPoint((end_handle.x() + target.x()) // 2, end_handle.y()))
    qtbot.mouseMove(viewport, target)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=target)
    row = _row(window)
    after = view.text()[at + len(PHRASE) :].split()[0]
    assert row.quote == f"{PHRASE} {after}".strip() and row.note == "Kept"
    assert not view.textCursor().hasSelection()
    # The start handle, with Alt: exact characters.
    start_handle = view.edge_rects()["start"].center()
    target = point_of(view, at + 2)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start_handle)
    qtbot.mouseMove(viewport, target)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, target)
    assert _row(window).quote.startswith("aths of two")
    window.undo()  # both drags of the same annotation are one step
    assert _row(window).quote == PHRASE[:-3]
    assert _row(window).note == "Kept"
