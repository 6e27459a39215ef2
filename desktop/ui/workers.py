"""Long work off the window's thread: verifying a project. (Importing lives in
``import_ui``.) Results come back through queued signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Signal

from desktop.core.store import Store


class VerifySignals(QObject):
    sig_finished = Signal(object)
    """The check is done; carries the VerifyReport."""


class VerifyJob(QRunnable):
    """Check a whole project (minutes on a very large one) off the window's thread."""

    def __init__(self, project: Store) -> None:
        super().__init__()
        self.project = project
        self.signals = VerifySignals()
        self.setAutoDelete(False)  # kept until its signal has arrived

    def run(self) -> None:
        from desktop.ui.audit_view import verify_quietly

        self.signals.sig_finished.emit(verify_quietly(self.project))
