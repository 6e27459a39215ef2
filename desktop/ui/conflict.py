"""When someone else changed an annotation after this reviewer last saw it.

The core refuses the edit (nothing is changed) and says what the annotation is now. This dialog
shows their version and mine side by side; the reviewer keeps theirs (drops their own edit),
overwrites (makes the same edit on the version now there), or, where both wrote a note,
combines the notes. Whatever is chosen is an ordinary audited edit, so the audit trail shows
every step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import Edit
from desktop.core.errors import Conflict

KEEP_THEIRS, OVERWRITE, COMBINE = "theirs", "overwrite", "combine"
# What each kind of edit would set, as the reviewer reads it.
_FIELDS = (("verdict", "Verdict"), ("note", "Note"), ("sources", "Evidence links"))


def mine_of(edit: Edit) -> dict[str, Any]:
    """What my edit would make the annotation (the fields it sets)."""
    args = edit.args
    out: dict[str, Any] = {k: args[k] for k, _ in _FIELDS if k in args}
    if edit.op == "delete_annotations":
        out["deleted"] = True
    elif edit.op == "restore_annotations":
        out["deleted"] = False
    return out


def _text(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if field == "sources":
        return "\n".join(s["url"] if isinstance(s, dict) else str(s) for s in value) or "(none)"
    if field == "deleted":
        return "deleted" if value else "not deleted"
    if field == "verdict":
        return str(value).capitalize()
    return str(value) or "(empty)"


def combined_note(theirs: str, mine: str) -> str:
    """Both notes, theirs first, once each."""
    theirs, mine = theirs.strip(), mine.strip()
    if not theirs or mine == theirs or mine.startswith(theirs + "\n"):
        return mine
    if not mine or theirs.endswith(mine):
        return theirs
    return f"{theirs}\n\n{mine}"


class ConflictDialog(QDialog):
    """Their version and mine side by side, and the three ways on."""

    def __init__(self, conflict: Conflict, edit: Edit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle("Changed by another reviewer")
        self.conflict, self.edit = conflict, edit
        self.choice = KEEP_THEIRS
        theirs: dict[str, Any] = conflict.theirs if isinstance(conflict.theirs, dict) else {}
        mine = mine_of(edit)
        layout = QVBoxLayout(self)
        who = theirs.get("updated_by") or "Another reviewer"
        when = str(theirs.get("updated_at") or "")[:16].replace("T", " ")
        intro = QLabel(
            f"{who} changed this annotation at {when} UTC, after you last saw it. Nothing of "
            "yours was saved yet. Choose which version to keep."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Theirs (saved now)</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Yours (not saved)</b>"), 0, 2)
        row = 1
        keys = [k for k, _ in _FIELDS if k in mine] + (["deleted"] if "deleted" in mine else [])
        labels = dict(_FIELDS) | {"deleted": "Deleted"}
        for key in keys:
            grid.addWidget(QLabel(labels[key]), row, 0)
            their_value = (
                theirs.get("deleted_at") is not None if key == "deleted" else theirs.get(key)
            )
            for column, value in ((1, their_value), (2, mine[key])):
                box = QPlainTextEdit(_text(key, value))
                box.setReadOnly(True)
                box.setObjectName(f"{'theirs' if column == 1 else 'mine'}_{key}")
                box.setMaximumHeight(110 if key == "note" else 60)
                grid.addWidget(box, row, column)
            row += 1
        layout.addLayout(grid)
        buttons = QDialogButtonBox()
        self.keep_button = buttons.addButton("Keep Theirs", QDialogButtonBox.ButtonRole.RejectRole)
        self.overwrite_button = buttons.addButton(
            "Overwrite with Mine", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.combine_button: QPushButton | None = None
        if "note" in mine and str(theirs.get("note") or "").strip():
            self.combine_button = buttons.addButton(
                "Combine Notes", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.combine_button.clicked.connect(lambda: self._choose(COMBINE))
        self.keep_button.clicked.connect(lambda: self._choose(KEEP_THEIRS))
        self.overwrite_button.clicked.connect(lambda: self._choose(OVERWRITE))
        self.keep_button.setDefault(True)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The reviewer answers from the keyboard too: the dialog takes the focus at once.
        self.activateWindow()
        self.keep_button.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        (self.reject if choice == KEEP_THEIRS else self.accept)()

    def resolved_edit(self) -> Edit | None:
        """The edit to run for the choice made, or None (keep theirs: run nothing)."""
        theirs = self.conflict.theirs if isinstance(self.conflict.theirs, dict) else {}
        version = int(theirs.get("version", self.conflict.expected))
        rebased = self.edit.rebased(self.conflict.entity_id, version)
        if self.choice == OVERWRITE:
            return rebased
        if self.choice == COMBINE:
            note = combined_note(str(theirs.get("note") or ""), str(self.edit.args.get("note", "")))
            return rebased.with_args(note=note)
        return None
