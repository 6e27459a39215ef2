"""The dialog that asks for the reviewer's name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import InvalidInput
from desktop.core.model import check_reviewer_name


class ReviewerDialog(QDialog):
    """Asks for the reviewer's name. OK stays disabled, with the reason shown, until the name
    is one the project accepts, so an empty name is refused here and never saved.

    The window keeps one and opens it again each time (it is never deleted on close)."""

    def __init__(self, parent: QWidget | None, on_name: Callable[[str], object]) -> None:
        super().__init__(parent)
        self.setObjectName("reviewerDialog")
        self.setWindowTitle("Reviewer")
        self._on_name = on_name
        label = QLabel("Your &name, as it will appear on every annotation and in the audit trail:")
        label.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("reviewerName")
        label.setBuddy(self.name_edit)
        self.reason = QLabel()
        self.reason.setObjectName("reviewerReason")
        self.reason.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._check)
        self.setMinimumWidth(420)

    def ask(self, current: str) -> None:
        """Show the dialog (window-modal, no nested event loop) with ``current`` filled in."""
        self.name_edit.setText(current)
        self.name_edit.selectAll()
        self._check()
        self.open()
        self.name_edit.setFocus()

    def problem(self) -> str:
        """Why the name typed cannot be used; '' when it can."""
        if not self.name_edit.text().strip():
            return "Enter your name: every change you make is recorded with it."
        try:
            check_reviewer_name(self.name_edit.text())
        except InvalidInput as exc:
            return str(exc)[:1].upper() + str(exc)[1:] + "."
        return ""

    def _check(self) -> None:
        problem = self.problem()
        self.reason.setText(problem)
        self.ok_button.setEnabled(not problem)

    def accept(self) -> None:
        if self.problem():  # Enter in the field with OK disabled: stay open
            return
        name = self.name_edit.text().strip()
        super().accept()
        self._on_name(name)
