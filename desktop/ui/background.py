"""One call off the window's thread, its result or its one-line error back on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.core.errors import CrosscheckError


class _Signals(QObject):
    sig_finished = Signal(object)
    """The call returned; carries its result."""
    sig_failed = Signal(object)
    """The call raised; carries the exception (a CrosscheckError's message is for the user)."""


class Call(QRunnable):
    """Runs ``work()`` in the thread pool. Connect to ``signals`` before ``start()``."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()
        self.setAutoDelete(False)  # the caller keeps it until its signal has arrived

    def start(self) -> Call:
        QThreadPool.globalInstance().start(self)
        return self

    def run(self) -> None:
        try:
            result = self.work()
        except CrosscheckError as exc:
            self.signals.sig_failed.emit(exc)
        except Exception as exc:  # a bug must not die silently in a pool thread
            self.signals.sig_failed.emit(
                CrosscheckError(f"failed: {exc.__class__.__name__}: {exc}")
            )
        else:
            self.signals.sig_finished.emit(result)
