"""The window's list tables, set up alike: no cell editing, no wrapping, alternating rows,
rows a line high, and Tab leaving the table (arrows move inside it), so the keyboard never
gets stuck in one."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView

_SelectionBehavior = QAbstractItemView.SelectionBehavior


def list_table(
    name: str,
    model: QAbstractItemModel | None = None,
    *,
    select: _SelectionBehavior = _SelectionBehavior.SelectRows,
    single: bool = True,
    grid: bool = False,
) -> QTableView:
    """A read-only table named ``name`` (for tests and style sheets) over ``model``."""
    table = QTableView()
    table.setObjectName(name)
    if model is not None:
        table.setModel(model)
    table.setSelectionBehavior(select)
    if single:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.setShowGrid(grid)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    return table
