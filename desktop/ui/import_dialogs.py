"""The dialogs of importing: files and web addresses, text from the clipboard, and a saved
copy of an evidence page. Loaded on first use; the window does not need them to start."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import dialogs

IMPORT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")


class ImportDialog(QDialog):
    """Web addresses typed or pasted (one per line) and files chosen, imported together."""

    def __init__(self, parent: QWidget, folder: str) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import Articles")
        self.folder = folder
        self.addresses = QPlainTextEdit()
        self.addresses.setObjectName("importAddresses")
        self.addresses.setPlaceholderText("https://… one web address per line")
        self.addresses.setTabChangesFocus(True)
        self.files = QListWidget()
        self.files.setObjectName("importFiles")
        add = QPushButton("Add &Files…")
        add.setObjectName("importAddFiles")
        add.clicked.connect(self.add_files)
        self.error = QLabel()
        self.error.setObjectName("importError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Import")
        ok.setObjectName("importOk")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(QLabel("Files (.txt .md .html .docx .pdf)"), 1)
        row.addWidget(add)
        layout = QVBoxLayout(self)
        label = QLabel("&Web addresses of pages or PDFs")
        label.setBuddy(self.addresses)
        layout.addWidget(label)
        layout.addWidget(self.addresses, 1)
        layout.addLayout(row)
        layout.addWidget(self.files, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(620, 420)

    def add_files(self) -> None:
        for path in dialogs.import_paths(self, IMPORT_SUFFIXES, self.folder):
            self.files.addItem(str(path))

    def sources(self) -> list[str]:
        typed = [line.strip() for line in self.addresses.toPlainText().splitlines()]
        chosen = [self.files.item(i).text() for i in range(self.files.count())]
        return [s for s in typed if s] + chosen

    def _accept(self) -> None:
        from desktop.core.fetch import looks_like_url

        typed = [line.strip() for line in self.addresses.toPlainText().splitlines() if line.strip()]
        wrong = [line for line in typed if not looks_like_url(line)]
        if wrong:
            self.error.setText(
                f"{wrong[0]!r} is not a web address (it must start with http:// or https://)"
            )
            self.error.show()
            return
        if not self.sources():
            self.error.setText("Type a web address or add a file to import.")
            self.error.show()
            return
        self.accept()


class PastedArticleDialog(QDialog):
    """Title and outlet for text pasted as a new article."""

    def __init__(self, parent: QWidget, text: str) -> None:
        from desktop.core.importers import read_pasted

        super().__init__(parent)
        self.setObjectName("pastedArticleDialog")
        self.setWindowTitle("New Article from Clipboard")
        self.text = text
        default = read_pasted(text).title if text.strip() else ""
        self.title = QLineEdit(default)
        self.title.setObjectName("pastedTitle")
        self.outlet = QLineEdit()
        self.outlet.setObjectName("pastedOutlet")
        self.outlet.setPlaceholderText("e.g. the newspaper or broadcaster")
        preview = QPlainTextEdit(text[:5000])
        preview.setReadOnly(True)
        preview.setObjectName("pastedPreview")
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Outlet", self.outlet)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add Article")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(f"{len(text):,} characters pasted"))
        layout.addWidget(preview, 1)
        layout.addWidget(buttons)
        self.resize(560, 420)


class SavedCopyDialog(QDialog):
    """An evidence page as it was saved: its text, when and from where it was fetched."""

    def __init__(self, parent: QWidget, page: Any) -> None:
        from desktop.ui.models import local_time

        super().__init__(parent)
        self.setObjectName("savedCopyDialog")
        self.setWindowTitle(f"Saved copy — {page.title or page.final_url}")
        hops = "".join(f"\nRedirected by {u} ({s})" for u, s in page.redirects)
        header = QLabel(
            f"{page.final_url}\nFetched {local_time(page.fetched_at)} · {page.size:,} bytes "
            f"· SHA-256 {page.sha256}{hops}"
        )
        header.setObjectName("savedCopyHeader")
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.setWordWrap(True)
        self.text = QPlainTextEdit(
            page.text if page.text is not None else "(No readable text; the page's bytes are kept.)"
        )
        self.text.setObjectName("savedCopyText")
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(700, 520)
