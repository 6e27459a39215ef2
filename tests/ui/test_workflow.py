"""The reviewer's day, driven through the window as a user would."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.core.model import Verdict
from tests.ui.gestures import (
    audit_actions,
    colour_at,
    drag_select,
    highlighted,
    span_positions,
    verdict_colour,
)

QUOTE = "two Azerbaijani citizens"


def _first_pane(window):
    pane = window.panes.panes()[0]
    return pane, pane.view


def _rows(window):
    """Every annotation of the project (deleted ones too: the table lists those only with
    Show deleted)."""
    return window.reader.rows(include_deleted=True)


def test_tag_edit_undo_redo_and_reopen(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    pane, view = _first_pane(window)
    article_id = pane.article_id()
    text = view.text()
    start = text.index(QUOTE)
    end = start + len(QUOTE)

    drag_select(view, start, end)
    qtbot.keyClick(view, "2")

    # The highlight, the row, the counts and the editor all show the new annotation.
    assert highlighted(view) == span_positions(text, start, end)
    assert colour_at(view, start) == verdict_colour(Verdict.DISPUTED)
    [row] = _rows(window)
    assert (row.quote, row.verdict, row.start, row.end) == (QUOTE, Verdict.DISPUTED, start, end)
    assert row.reviewer == reviewer
    assert window.article_panel.model.find(article_id).counts[Verdict.DISPUTED] == 1
    assert window.editor.annotation().id == row.id
    assert window.article_panel.chart.counts()[Verdict.DISPUTED] == 1

    # Edit the note in the editor and commit with Ctrl+Return.
    note = window.editor.note
    note.setFocus()
    qtbot.keyClicks(note, "Relatives say three died")
    qtbot.keyClick(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert _rows(window)[0].note == "Relatives say three died"
    assert window.action("edit.undo").text() == "&Undo Edit note"

    # Undo takes back the note, then the tag.
    view.setFocus()
    qtbot.keyClick(view, "z", Qt.KeyboardModifier.ControlModifier)
    assert _rows(window)[0].note == ""
    assert window.action("edit.undo").text() == "&Undo Tag 'Disputed'"
    qtbot.keyClick(view, "z", Qt.KeyboardModifier.ControlModifier)
    assert _rows(window)[0].deleted
    assert highlighted(view) == set()
    assert window.article_panel.model.find(article_id).counts[Verdict.DISPUTED] == 0

    # Redo with both standard shortcuts.
    qtbot.keyClick(
        view, "z", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert not _rows(window)[0].deleted
    assert highlighted(view) == span_positions(text, start, end)
    qtbot.keyClick(view, "y", Qt.KeyboardModifier.ControlModifier)
    assert _rows(window)[0].note == "Relatives say three died"

    window.close()
    assert window.project is None

    again = open_window(demo_path)
    pane, view = _first_pane(again)
    assert pane.article_id() == article_id
    [row] = _rows(again)
    assert (row.quote, row.verdict, row.note) == (
        QUOTE,
        Verdict.DISPUTED,
        "Relatives say three died",
    )
    assert highlighted(view) == span_positions(text, start, end)
    again.close()

    actions = audit_actions(demo_path)
    tail = actions[actions.index("annotation.created") :]
    assert tail == [
        "annotation.created",
        "annotation.changed",  # note
        "annotation.changed",  # undo note
        "annotation.deleted",  # undo tag
        "annotation.restored",  # redo tag
        "annotation.changed",  # redo note
    ]


def test_tagging_the_same_span_changes_its_verdict(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    _pane, view = _first_pane(window)
    start = view.text().index(QUOTE)
    drag_select(view, start, start + len(QUOTE))
    qtbot.keyClick(view, "1")
    drag_select(view, start, start + len(QUOTE))
    qtbot.keyClick(view, "3", Qt.KeyboardModifier.ControlModifier)
    [row] = _rows(window)
    assert row.verdict == Verdict.UNVERIFIED
    assert colour_at(view, start) == verdict_colour(Verdict.UNVERIFIED)
    assert window.action("edit.undo").text() == "&Undo Change verdict to 'Unverified'"
    window.undo()
    [row] = _rows(window)
    assert row.verdict == Verdict.SUPPORTED and not row.deleted


def test_annotate_menu_actions_are_named_and_bound(open_window, demo_path) -> None:
    window = open_window(demo_path)
    menu = window.menu("Annotate")
    named = {a.text(): a for a in menu.actions() if a.text()}
    for name, keys in (("Supported", "1"), ("Disputed", "2"), ("Unverified", "3")):
        shortcuts = [s.toString() for s in named[name].shortcuts()]
        assert shortcuts == [keys, f"Ctrl+{keys}"]


def test_no_selection_says_so(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    _pane, view = _first_pane(window)
    view.setFocus()
    qtbot.keyClick(view, "1")
    assert "Select a passage" in window.statusBar().currentMessage()
    assert _rows(window) == []


def test_context_menu_tags_the_selection(open_window, demo_path, reviewer) -> None:
    window = open_window(demo_path)
    _pane, view = _first_pane(window)
    start = view.text().index(QUOTE)
    drag_select(view, start, start + len(QUOTE))
    menu = view.create_context_menu()
    [supported] = [a for a in menu.actions() if a.text().startswith("Supported")]
    supported.trigger()
    assert [r.verdict for r in _rows(window)] == [Verdict.SUPPORTED]


def test_activating_a_row_scrolls_its_pane_to_the_span(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    pane, view = _first_pane(window)
    text = view.text()
    start = text.rindex("Azerbaijan")  # near the end: off screen at first
    drag_select(view, start, start + 10)
    qtbot.keyClick(view, "1")
    view.moveCursor(view.textCursor().MoveOperation.Start)
    assert view.selected_span() is None
    table = window.annotation_panel.table
    table.clearSelection()
    window.editor.set_annotation(None)
    table.setFocus()
    table.setCurrentIndex(window.annotation_panel.proxy.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert view.selected_span() == (start, start + 10)
    assert view.hasFocus()  # Enter goes to the span
    assert window.editor.annotation().start == start

    # A row of an article no pane shows is shown in the active pane.
    other_pane = window.panes.panes()[1]
    window.panes.set_active(other_pane)
    window.panes.show_article(other_pane, window.article_panel.model.summary(4).id)
    window.panes.show_article(pane, window.article_panel.model.summary(3).id)
    window.panes.set_active(other_pane)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert other_pane.article_id() == window.article_panel.model.summary(0).id
    assert other_pane.view.selected_span() == (start, start + 10)


def test_clicking_a_highlight_selects_its_annotation(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    _pane, view = _first_pane(window)
    start = view.text().index(QUOTE)
    drag_select(view, start, start + len(QUOTE))
    qtbot.keyClick(view, "2")
    window.annotation_panel.table.clearSelection()
    window.editor.set_annotation(None)
    view.sig_annotation_clicked.emit(_rows(window)[0].id)
    assert window.editor.annotation().id == _rows(window)[0].id
    assert window.annotation_panel.current_id() == _rows(window)[0].id
