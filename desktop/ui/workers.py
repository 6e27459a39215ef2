"""Long work off the window's thread: importing article files.

Reading and parsing files is the slow part; it and the one write transaction run in a pool
thread, so the window keeps painting. Results come back through queued signals. The import
is all or nothing: the first file that fails stops it and nothing is written.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from desktop.core.changes import ChangeSet
from desktop.core.errors import CrosscheckError, ImportFailed
from desktop.core.store import Store


class ImportSignals(QObject):
    sig_progressed = Signal(int, str)
    """Files read so far and the name of the one being read."""
    sig_finished = Signal(object)
    """The import was written; carries its ChangeSet."""
    sig_failed = Signal(str)
    """The import failed or was cancelled; carries the one-line reason. Nothing was written."""


class ImportJob(QRunnable):
    """Read ``paths`` and import them into ``project`` as ``reviewer``."""

    def __init__(self, project: Store, paths: Sequence[Path], reviewer: str) -> None:
        super().__init__()
        self.project = project
        self.paths = list(paths)
        self.reviewer = reviewer
        self.signals = ImportSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)  # the window keeps it until its signals have arrived

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            changes = self._work()
        except CrosscheckError as exc:
            self.signals.sig_failed.emit(str(exc))
        except Exception as exc:  # a bug must not kill the thread silently
            self.signals.sig_failed.emit(f"import failed: {exc.__class__.__name__}: {exc}")
        else:
            if changes is None:
                self.signals.sig_failed.emit("Import cancelled; nothing was imported.")
            else:
                self.signals.sig_finished.emit(changes)

    def _work(self) -> ChangeSet | None:
        from desktop.core import importers, operations

        seen: set[str] = set()
        articles = []
        for count, path in enumerate(self.paths):
            if self._cancel.is_set():
                return None
            self.signals.sig_progressed.emit(count, path.name)
            # Same check as importers.read_articles, done per file to report progress.
            key = os.path.normcase(os.path.realpath(path))
            if key in seen:
                raise ImportFailed(os.fspath(path), "given more than once")
            seen.add(key)
            articles.append(importers.read_article(path))
        if self._cancel.is_set():
            return None
        self.signals.sig_progressed.emit(len(self.paths), "")
        return operations.import_articles(self.project, articles, reviewer=self.reviewer)


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
