"""File ▸ Merge Copy…: the decisions a merge needs, one per conflicting edit.

Each row is something (an annotation, an article's details, an adjudication...) that was
changed in the shared project and in the copy since the copy was made; the two versions are
shown side by side, and the reviewer keeps the shared one, keeps the copy's, or combines them
(where the kind of change allows it). Nothing is decided for them: Merge stays disabled until
every row has a decision.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

CHOICE_LABELS = {"shared": "Keep shared", "copy": "Keep copy", "combine": "Combine"}
UNDECIDED = "— choose —"


def describe(conflict: Any, side: str) -> str:
    """What one side changed, in one line: the fields in which it differs from the other."""
    parts = [f"{label.lower()} {value}".strip() for label, value in conflict.differing(side)]
    return " · ".join(parts) or "same content"


def _side_html(title: str, who: tuple[str, ...], conflict: Any, side: str) -> str:
    """One side in full; the fields where it differs from the other side marked, as the audit
    trail marks changed fields (dark text on amber, readable in light and dark themes)."""
    differing = {label for label, _value in conflict.differing(side)}
    rows = []
    for label, value in conflict.fields(side):
        if not label:
            rows.append(f"<p><b>{escape(value)}</b></p>")
        elif label in differing:
            rows.append(
                f'<p><span style="background-color:#ffe69a; color:#000"><b>{escape(label)}:</b>'
                f" {escape(value)}</span></p>"
            )
        else:
            rows.append(f"<p><b>{escape(label)}:</b> {escape(value)}</p>")
    changed_by = escape(", ".join(who) or "unknown")
    return f"<h4>{escape(title)}</h4><p>Changed by {changed_by}</p>{''.join(rows)}"


class MergeDialog(QDialog):
    """Shows what a merge would bring in, and collects a decision per conflict."""

    def __init__(self, plan: Any, copy_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge Copy")
        self.resize(980, 620)
        self.plan = plan
        self.conflicts = list(plan.conflicts)
        self.choices: dict[str, str] = {}

        summary = QLabel(
            f"From {copy_name}: {plan.summary()}.\n"
            + (
                f"{len(self.conflicts)} change(s) were made both here and in the copy since it "
                "was made. Decide for each: keep the shared version, keep the copy's, or "
                "combine them (each side's changes; where both changed a field, an "
                "annotation's notes joined, the evidence of both and otherwise the shared "
                "value). Both versions stay in the audit trail."
                if self.conflicts
                else "Nothing conflicts."
            )
        )
        summary.setObjectName("mergeSummary")
        summary.setWordWrap(True)

        self.table = QTableWidget(len(self.conflicts), 4)
        self.table.setObjectName("mergeConflicts")
        self.table.setHorizontalHeaderLabels(["Changed", "Shared project", "Copy", "Decision"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        for row, c in enumerate(self.conflicts):
            cells = [c.label, describe(c, "shared"), describe(c, "copy"), UNDECIDED]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.shared_view = QTextBrowser()
        self.shared_view.setObjectName("mergeShared")
        self.copy_view = QTextBrowser()
        self.copy_view.setObjectName("mergeCopy")
        sides = QHBoxLayout()
        sides.addWidget(self.shared_view)
        sides.addWidget(self.copy_view)

        self.choice_buttons: dict[str, QPushButton] = {}
        decide = QHBoxLayout()
        decide.addWidget(QLabel("For the selected rows (or press 1, 2, 3 in the list):"))
        for choice, text in (("shared", "1  Keep &Shared"), ("copy", "2  Keep &Copy"),
                             ("combine", "3  Com&bine")):  # fmt: skip
            button = QPushButton(text)
            button.setObjectName(f"merge_{choice}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, ch=choice: self.decide_selected(ch))
            decide.addWidget(button)
            self.choice_buttons[choice] = button
        decide.addStretch(1)
        select_all = QShortcut(QKeySequence.StandardKey.SelectAll, self)
        select_all.activated.connect(self.table.selectAll)
        # The decisions also by their digits, from the table (1 shared, 2 copy, 3 combine),
        # as verdicts are tagged in the window; the buttons' Alt+letters where mnemonics are
        # shown.
        for number, choice in enumerate(("shared", "copy", "combine"), start=1):
            key = QShortcut(QKeySequence(str(number)), self.table)
            key.setContext(Qt.ShortcutContext.WidgetShortcut)
            key.activated.connect(lambda ch=choice: self.choice_buttons[ch].click())

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton("&Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setDefault(True)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if self.conflicts:
            layout.addWidget(self.table, 2)
            layout.addLayout(decide)
            layout.addLayout(sides, 3)
        else:
            self.table.hide()
            self.shared_view.hide()
            self.copy_view.hide()
        layout.addWidget(self.buttons)
        self._update()
        if self.conflicts:
            self.table.selectRow(0)
            self.table.setFocus()

    def decide_selected(self, choice: str) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        for row in rows:
            conflict = self.conflicts[row]
            if choice not in conflict.choices:
                continue
            self.choices[conflict.entity_id] = choice
            self.table.item(row, 3).setText(CHOICE_LABELS[choice])
        # On to the next undecided row, so a keyboard user can go down the list.
        if len(rows) == 1:
            following = [
                r for r in range(len(self.conflicts))
                if r > rows[0] and self.conflicts[r].entity_id not in self.choices
            ]  # fmt: skip
            if following:
                self.table.selectRow(following[0])
        self._update()

    def _show_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if not rows:
            return
        c = self.conflicts[rows[0]]
        self.shared_view.setHtml(_side_html("Shared project", c.shared_by, c, "shared"))
        self.copy_view.setHtml(_side_html("Copy", c.copy_by, c, "copy"))
        combinable = all("combine" in self.conflicts[r].choices for r in rows)
        self.choice_buttons["combine"].setEnabled(combinable)

    def _update(self) -> None:
        undecided = len(self.conflicts) - len(self.choices)
        self.merge_button.setEnabled(undecided == 0)
        self.merge_button.setToolTip(
            f"Decide {undecided} more conflict(s) first" if undecided else ""
        )
