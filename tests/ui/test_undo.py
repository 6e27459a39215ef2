"""Editing an annotation in the editor, and undoing every kind of edit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.core import operations
from desktop.core.errors import ReadOnlyProjectError
from desktop.core.model import Source, Verdict
from tests.ui.gestures import audit_actions, drag_select, settle

QUOTES = ("two Azerbaijani citizens", "Culture Ministry")


@pytest.fixture
def window(open_window, demo_path, reviewer):
    """The demo with two passages of the first article tagged through the window."""
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    for quote in QUOTES:
        start = view.text().index(quote)
        drag_select(view, start, start + len(quote))
        assert window.tag_selection(Verdict.DISPUTED)
        settle(window)
    return window


def _row(window, quote: str):
    """The annotation with this quote as the project holds it (deleted ones too, which the
    table lists only with Show deleted)."""
    return next(r for r in window.reader.rows(include_deleted=True) if r.quote == quote)


def _undo_text(window) -> str:
    return window.action("edit.undo").text().removeprefix("&Undo ")


def test_verdict_buttons_change_the_verdict_undoably(window) -> None:
    window.annotation_panel.select_annotation(_row(window, QUOTES[0]).id)
    window.editor.verdict_buttons[Verdict.SUPPORTED].click()
    settle(window)
    assert _row(window, QUOTES[0]).verdict == Verdict.SUPPORTED
    assert _undo_text(window) == "Change verdict to 'Supported'"
    window.undo()
    settle(window)
    assert _row(window, QUOTES[0]).verdict == Verdict.DISPUTED
    assert window.editor.verdict_buttons[Verdict.DISPUTED].isChecked()


def test_evidence_links_are_checked_added_removed_and_undone(window, qtbot) -> None:
    editor = window.editor
    window.annotation_panel.select_annotation(_row(window, QUOTES[0]).id)
    qtbot.keyClicks(editor.link_edit, "ftp://example.org/file")
    editor.add_button.click()
    settle(window)
    assert editor.link_error.isVisibleTo(editor)
    assert "not a web address" in editor.link_error.text()
    assert _row(window, QUOTES[0]).sources == ()

    editor.link_edit.clear()
    qtbot.keyClicks(editor.link_edit, "https://example.org/report")
    qtbot.keyClick(editor.link_edit, Qt.Key.Key_Return)
    settle(window)
    assert not editor.link_error.isVisibleTo(editor)
    assert _row(window, QUOTES[0]).sources == (Source("https://example.org/report"),)
    assert editor.links.count() == 1
    assert _undo_text(window) == "Add evidence link"

    editor.links.setCurrentRow(0)
    editor.remove_button.click()
    settle(window)
    assert _row(window, QUOTES[0]).sources == ()
    window.undo()
    settle(window)
    assert _row(window, QUOTES[0]).sources == (Source("https://example.org/report"),)
    window.undo()
    settle(window)
    assert _row(window, QUOTES[0]).sources == ()
    window.redo()
    settle(window)
    assert editor.links.count() == 1


def test_clicking_a_link_opens_it(window, monkeypatch) -> None:
    from desktop.ui import editor as editor_module

    opened: list[str] = []
    monkeypatch.setattr(editor_module, "open_link", opened.append)
    row = _row(window, QUOTES[0])
    window.editor.sig_sources_requested.emit(row.id, (), (Source("https://example.org/a"),))
    settle(window)
    window.annotation_panel.select_annotation(row.id)
    item = window.editor.links.item(0)
    window.editor.links.itemWidget(item).linkActivated.emit("https://example.org/a")
    window.editor.links.itemActivated.emit(item)
    assert opened == ["https://example.org/a", "https://example.org/a"]


def test_delete_and_restore_buttons(window) -> None:
    editor = window.editor
    window.annotation_panel.select_annotation(_row(window, QUOTES[1]).id)
    editor.delete_button.click()
    settle(window)
    assert _row(window, QUOTES[1]).deleted
    assert editor.restore_button.isVisibleTo(editor)
    assert window.article_panel.model.summary(0).counts[Verdict.DISPUTED] == 1
    editor.restore_button.click()
    settle(window)
    assert not _row(window, QUOTES[1]).deleted
    window.undo()
    settle(window)
    assert _row(window, QUOTES[1]).deleted
    window.undo()
    settle(window)
    assert not _row(window, QUOTES[1]).deleted


def test_consecutive_note_edits_are_one_undo_step(window, qtbot) -> None:
    note = window.editor.note
    window.annotation_panel.select_annotation(_row(window, QUOTES[0]).id)
    for words in ("First", " and second"):
        note.setFocus()
        qtbot.keyClicks(note, words)
        window.annotation_panel.table.setFocus()  # focus out commits
        settle(window)
    assert _row(window, QUOTES[0]).note == "First and second"
    window.undo()
    settle(window)
    assert _row(window, QUOTES[0]).note == ""
    assert _undo_text(window) == "Tag 'Disputed'"


def test_deleting_several_rows_is_one_undo_step(window, qtbot) -> None:
    table = window.annotation_panel.table
    table.setFocus()
    table.selectAll()
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    settle(window)
    assert all(_row(window, q).deleted for q in QUOTES)
    assert _undo_text(window) == "Delete 2 annotations"
    window.undo()
    settle(window)
    assert not any(_row(window, q).deleted for q in QUOTES)


def test_a_failed_undo_changes_nothing_and_keeps_the_stack(window, errors, monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise ReadOnlyProjectError("the file became read-only; nothing was changed")

    original = operations.EDITS["delete_annotations"]
    monkeypatch.setitem(operations.EDITS, "delete_annotations", refuse)
    stack = window.editing.stack
    before = stack.index()
    window.undo()
    settle(window)
    assert errors == [("Nothing was changed", "the file became read-only; nothing was changed")]
    assert stack.index() == before
    assert not _row(window, QUOTES[1]).deleted
    monkeypatch.setitem(operations.EDITS, "delete_annotations", original)
    window.undo()
    settle(window)
    assert _row(window, QUOTES[1]).deleted
    assert stack.index() == before - 1


def test_a_failed_edit_is_not_pushed(window, errors, monkeypatch) -> None:
    stack = window.editing.stack
    count = stack.count()
    monkeypatch.setitem(
        operations.EDITS,
        "update_annotation",
        lambda *a, **k: (_ for _ in ()).throw(ReadOnlyProjectError("locked")),
    )
    row = _row(window, QUOTES[0])
    window.annotation_panel.select_annotation(row.id)
    window.editor.verdict_buttons[Verdict.SUPPORTED].click()
    settle(window)
    assert errors and errors[0][1] == "locked"
    assert stack.count() == count
    assert window.editor.verdict_buttons[Verdict.DISPUTED].isChecked()


def test_undo_and_redo_are_audited(window, demo_path) -> None:
    window.undo()
    settle(window)
    window.redo()
    settle(window)
    window.close()
    actions = audit_actions(demo_path)
    assert actions[-3:] == ["annotation.created", "annotation.deleted", "annotation.restored"]
