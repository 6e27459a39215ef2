"""Edit Article…: an article's title, outlet, URL, publication date and author.

Each field is checked as an import checks it, with the core's own messages; a refused value
keeps the dialog open with everything typed, and the field at fault gets the focus.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import CrosscheckError
from desktop.core.model import PartialDate
from desktop.core.records import ArticleSummary
from desktop.ui.models import local_time

FIELDS = ("title", "outlet", "url", "published", "author")
# Gets the fields that changed, as (old, new) text; True when saved (the dialog closes).
Save = Callable[[dict[str, str], dict[str, str]], bool]


def field_texts(summary: ArticleSummary) -> dict[str, str]:
    """The article's details as the dialog shows them ("" for none)."""
    return {
        "title": summary.title,
        "outlet": summary.outlet,
        "url": summary.url or "",
        "published": summary.published.isoformat() if summary.published else "",
        "author": summary.author,
    }


class ArticleDialog(QDialog):
    """Window-modal; ``on_save`` makes the change (undoably) and says whether it worked."""

    def __init__(self, summary: ArticleSummary, on_save: Save, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("articleDialog")
        self.setWindowTitle("Edit Article")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        self.article_id = summary.id
        self._old = field_texts(summary)
        self._values: dict[str, Any] = {
            "title": summary.title,
            "outlet": summary.outlet,
            "url": summary.url,
            # As the core gives a checked date back: with how much of it is known.
            "published": _partial(summary.published),
            "author": summary.author or None,
        }
        self._on_save = on_save

        about = QLabel(
            f"From {summary.original_name}, imported {local_time(summary.imported_at)}. "
            "The text never changes; only these details do."
        )
        about.setWordWrap(True)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        labels = {
            "title": "&Title:",
            "outlet": "&Outlet:",
            "url": "&URL:",
            "published": "&Date:",
            "author": "&Author:",
        }
        hints = {
            "title": "",
            "outlet": "Who published it (optional)",
            "url": "https://… (optional)",
            "published": "YYYY-MM-DD, or YYYY-MM or YYYY if that is all it says (optional)",
            "author": "Who wrote it (optional)",
        }
        for name in FIELDS:
            edit = QLineEdit(self._old[name])
            edit.setObjectName(f"article_{name}")
            edit.setPlaceholderText(hints[name])
            edit.setClearButtonEnabled(name != "title")
            edit.textEdited.connect(lambda *_: self.error.hide())
            label = QLabel(labels[name])
            label.setBuddy(edit)
            form.addRow(label, edit)
            self.edits[name] = edit
        self.error = QLabel()
        self.error.setObjectName("articleDialogError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(
            "color: palette(highlighted-text); background: #b3261e; padding: 3px 6px;"
        )
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.edits["title"].selectAll()

    def typed(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items()}

    def accept(self) -> None:
        """Check every field; save what changed; stay open (nothing lost) when refused."""
        from desktop.core import operations

        typed = self.typed()
        # Only what was edited is checked: a detail kept as imported is never refused.
        changed = []
        for name in FIELDS:
            if typed[name] == self._old[name]:
                continue
            try:
                new = operations.check_article_edit(**{name: typed[name]})[name]
            except CrosscheckError as exc:
                self.show_error(name, str(exc))
                return
            if new != self._values[name]:
                changed.append(name)
        if not changed:
            super().accept()
            return
        before = {name: self._old[name] for name in changed}
        after = {name: typed[name].strip() for name in changed}
        if self._on_save(before, after):
            super().accept()

    def saved(self) -> None:
        """The change was made (it runs off the window's thread): close."""
        super().accept()

    def save_failed(self, message: str) -> None:
        """The change could not be made (locked, gone): say why, keep everything typed."""
        self.setEnabled(True)
        self.error.setText(
            message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
        )
        self.error.show()
        self.edits["title"].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, field: str, message: str) -> None:
        self.error.setText(message[:1].upper() + message[1:] + ".")
        self.error.show()
        edit = self.edits[field]
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        edit.selectAll()


def _partial(value: date | PartialDate | None) -> PartialDate | None:
    if value is None or isinstance(value, PartialDate):
        return value
    return PartialDate.from_date(value)
