"""File ▸ Open Server Project…: a project in a PostgreSQL database, by its libpq URL.

The password typed here is handed to the connection and nowhere else: it is not saved, not
shown again and not part of any message. Left empty, libpq looks in its usual places
(``PGPASSWORD``, the password file). Connecting runs on the window's runner, off its thread
(beside reads: it neither reads nor writes the open project), so a server that does not
answer never freezes the window; the dialog says why it failed and keeps what was typed for
another try.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.core.errors import CrosscheckError
from desktop.core.store import Store, is_server_url
from desktop.ui.controller import Runner, Task

URL_HINT = "postgresql://user@host:5432/database?sslmode=require"


class ServerProjectDialog(QDialog):
    """Asks for a server URL (and a password if needed) and opens the project."""

    sig_opened = Signal(object)
    """The project is open; carries the Store (the receiver owns it from then on)."""

    def __init__(
        self, runner: Runner, parent: QWidget | None = None, url: str = "", message: str = "", *,
        read_only: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("serverProjectDialog")
        self.setWindowTitle("Open Server Project")
        self.setMinimumWidth(560)
        self.read_only = read_only
        self.runner = runner
        self._connecting: Task | None = None

        intro = QLabel(
            "A project kept in a PostgreSQL database, named by its address. Ask your "
            "newsroom's IT for it."
        )
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(url)
        self.url_edit.setObjectName("serverUrl")
        self.url_edit.setPlaceholderText(URL_HINT)
        self.url_edit.setClearButtonEnabled(True)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("serverPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("from PGPASSWORD or your password file if empty")
        note = QLabel("Used for this connection only; never saved.")
        note.setObjectName("passwordNote")
        note.setEnabled(False)
        self.status = QLabel(message)
        self.status.setObjectName("serverStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Server &address:", self.url_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.connect_to_server)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.url_edit.textChanged.connect(self._update)
        self._update()
        self._first_focus = self.password_edit if url else self.url_edit

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._first_focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _update(self) -> None:
        busy = self._connecting is not None
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        ok.setEnabled(not busy and bool(self.url_edit.text().strip()))
        self.url_edit.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)

    def connect_to_server(self) -> None:
        url = self.url_edit.text().strip()
        if not is_server_url(url):
            self.status.setText(
                "A server address starts with postgresql://, for example " + URL_HINT
            )
            self.url_edit.setFocus()
            return
        password = self.password_edit.text() or None
        read_only = self.read_only

        def work(_task: Task) -> Store:
            from desktop.core.store import open_store

            return open_store(url, password=password, read_only=read_only)

        # The runner reports to these plain functions, not to the dialog's methods: a dialog
        # closed (and deleted) while connecting still gets its store closed.
        def opened(store: Store) -> None:
            if not isValid(self) or not self.isVisible():  # cancelled while connecting
                store.close()
                return
            self._on_opened(store)

        def failed(error: CrosscheckError) -> None:
            if isValid(self):
                self._on_failed(error)

        self.status.setText("Connecting…")
        self._connecting = self.runner.run(
            f"Connect to {server_name(url)}", work, writes=False, done=opened, failed=failed
        )
        self._update()

    def _on_opened(self, store: Store) -> None:
        self._connecting = None
        self.password_edit.clear()
        self.sig_opened.emit(store)
        self.accept()

    def _on_failed(self, error: CrosscheckError) -> None:
        self._connecting = None
        self._update()
        from desktop.core.store.postgres import PasswordNeeded

        if isinstance(error, PasswordNeeded):
            self.status.setText("The server asks for a password: type it above.")
            self.password_edit.setFocus()
        else:
            self.status.setText(str(error))
            self.url_edit.setFocus()


def server_name(url: str) -> str:
    """The URL without its password, for labels."""
    from desktop.core.store.postgres import redact

    return redact(url)
