"""The audit trail shows a change field by field, with names for ids; raw JSON one click away."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from desktop.core.model import Verdict
from tests.ui.gestures import drag_select

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _cells(table) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_a_change_is_a_table_of_fields_with_the_changed_ones_marked(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    start = view.text().index("Azerbaijan")
    drag_select(view, start, start + len("Azerbaijan"))
    qtbot.keyClick(view, "2")
    window.editor.verdict_buttons[Verdict.SUPPORTED].click()
    title = window.panes.panes()[0].chooser.currentText()

    trail = window.tools.show_audit_trail()
    trail.table.setFocus()
    trail.table.setCurrentIndex(trail.proxy.index(1, 0))
    qtbot.keyClick(trail.table, Qt.Key.Key_Up)  # the newest event: the verdict change
    assert trail.states_stack.currentWidget() is trail.fields_table
    assert trail.changed_fields() == ["Verdict", "Updated at", "Version"]
    rows = {cells[0].removeprefix("● "): cells[1:] for cells in _cells(trail.fields_table)}
    assert rows["Verdict"] == ["disputed", "supported"]
    assert rows["Quote"] == ["Azerbaijan", "Azerbaijan"]
    # Ids are named where known, else shortened; no full UUID is shown.
    assert rows["Article"][0].startswith(title) and rows["Article"][0] == rows["Article"][1]
    assert rows["Id"][0].startswith("Azerbaijan (")
    assert not any(UUID.search(text) for cells in _cells(trail.fields_table) for text in cells)
    assert rows["Created by"] == [reviewer, reviewer]
    # The changed rows stand out.
    changed_row = next(
        r
        for r in range(trail.fields_table.rowCount())
        if trail.fields_table.item(r, 0).text() == "● Verdict"
    )
    assert trail.fields_table.item(changed_row, 1).font().bold()

    # Raw JSON, as stored and hashed, one click away.
    qtbot.mouseClick(trail.raw_button, Qt.MouseButton.LeftButton)
    assert trail.states_stack.currentIndex() == 1
    assert '"verdict": "supported"' in trail.after_view.toPlainText()
    assert UUID.search(trail.after_view.toPlainText())
    qtbot.mouseClick(trail.raw_button, Qt.MouseButton.LeftButton)
    assert trail.states_stack.currentWidget() is trail.fields_table


def test_a_creation_shows_what_did_not_exist(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    trail = window.tools.show_audit_trail()
    last = trail.proxy.rowCount() - 1  # the oldest: the reviewer was added
    trail.table.setCurrentIndex(trail.proxy.index(last, 0))
    cells = _cells(trail.fields_table)
    assert cells[0][1] == "(did not exist)"
    assert ["● Name", "(did not exist)", reviewer] in cells
