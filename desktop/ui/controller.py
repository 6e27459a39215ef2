"""Everything the window asks of a project runs here, off the window's thread, and every change
comes back through one feed.

- ``Runner``: tasks run in pool threads; writes one at a time in the order asked, reads beside
  them. While something runs the cursor shows it is busy (the window stays usable), and a
  write that waits for another reviewer's lock says so in the status bar.
- ``ChangeFeed``: polls the store's watcher about once a second (microseconds on SQLite), and
  after every local write; reads the audit events since the last one seen
  (``changes.changes_since``) and hands them to the window, whoever wrote them. If the project
  cannot be reached (a shared drive dropped, a server restarted) it says so, and keeps trying.
- ``Presence``: the light heartbeat that tells who else has the project open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication

from desktop.core.errors import CrosscheckError, StoreUnavailable
from desktop.core.store import Store

# A write still running after this long is waiting for someone else's lock, not working.
WAITING_AFTER_MS = 400
BUSY_CURSOR_AFTER_MS = 150
POLL_MS = 1000


class Task(QObject):
    """One piece of work for the runner. ``work(task)`` runs in a pool thread and may call
    ``task.progress()``; results come back as queued signals on the window's thread."""

    sig_progressed = Signal(int, int, str)
    """Done so far, the total, and what is being done."""
    sig_finished = Signal(object)
    """The work's result."""
    sig_failed = Signal(object)
    """The CrosscheckError that stopped it (nothing was changed)."""

    def __init__(self, label: str, work: Callable[[Task], Any], *, writes: bool) -> None:
        super().__init__()
        self.label = label
        self.work = work
        self.writes = writes
        self.started_at: float | None = None
        self.done = False
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int, text: str = "") -> bool:
        """Report progress; False once the user has cancelled."""
        self.sig_progressed.emit(done, total, text)
        return not self.cancelled


class _Job(QRunnable):
    def __init__(self, runner: Runner, task: Task) -> None:
        super().__init__()
        self.runner, self.task = runner, task

    def run(self) -> None:
        task = self.task
        task.started_at = time.monotonic()
        if task.cancelled:
            self.runner._report(task, None, CrosscheckError(f"{task.label}: cancelled"))
            return
        try:
            result = task.work(task)
        except CrosscheckError as exc:
            self.runner._report(task, None, exc)
        except Exception as exc:  # a bug must not vanish with its thread
            error = CrosscheckError(f"{task.label} failed: {exc.__class__.__name__}: {exc}")
            self.runner._report(task, None, error)
        else:
            self.runner._report(task, result, None)


class Runner(QObject):
    """Runs tasks off the window's thread: writes in order, one at a time; reads beside them."""

    sig_busy_changed = Signal(bool)
    """Work started (True) or everything finished (False)."""
    sig_waiting_changed = Signal(str)
    """What a long write waits for ("" when it no longer waits)."""
    sig_idle = Signal()
    """Nothing is running or queued any more."""
    _sig_report = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(2)
        self._tasks: list[Task] = []
        self._cursor = False
        self._waiting = ""
        self._sig_report.connect(self._finish, Qt.ConnectionType.QueuedConnection)
        self._watch = QTimer(self)
        self._watch.setInterval(100)
        self._watch.timeout.connect(self._check_long_work)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @property
    def writing(self) -> bool:
        return any(t.writes for t in self._tasks)

    def submit(self, task: Task) -> Task:
        first = not self._tasks
        self._tasks.append(task)
        (self._writes if task.writes else self._reads).start(_Job(self, task))
        if first:
            self.sig_busy_changed.emit(True)
            self._watch.start()
        return task

    def run(
        self,
        label: str,
        work: Callable[[Task], Any],
        *,
        writes: bool,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[CrosscheckError], None] | None = None,
    ) -> Task:
        task = Task(label, work, writes=writes)
        if done is not None:
            task.sig_finished.connect(done)
        if failed is not None:
            task.sig_failed.connect(failed)
        return self.submit(task)

    def cancel_all(self) -> None:
        for task in self._tasks:
            task.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every task has finished and reported (closing a project, tests)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._tasks and time.monotonic() < deadline:
            self._writes.waitForDone(50)
            self._reads.waitForDone(50)
            QApplication.processEvents()
        return not self._tasks

    def _report(self, task: Task, result: Any, error: CrosscheckError | None) -> None:
        """From the pool thread: hand the outcome to the window's thread."""
        self._sig_report.emit(task, result, error)

    def _finish(self, task: Task, result: Any, error: CrosscheckError | None) -> None:
        task.done = True
        if task in self._tasks:
            self._tasks.remove(task)
        if error is None:
            task.sig_finished.emit(result)
        else:
            task.sig_failed.emit(error)
        if not self._tasks:
            self._watch.stop()
            self._set_cursor(False)
            self._set_waiting("")
            self.sig_busy_changed.emit(False)
            self.sig_idle.emit()

    def _check_long_work(self) -> None:
        now = time.monotonic()
        started = [t.started_at for t in self._tasks if t.started_at is not None]
        if started and (now - min(started)) * 1000 >= BUSY_CURSOR_AFTER_MS:
            self._set_cursor(True)
        long_writes = [
            t
            for t in self._tasks
            if t.writes
            and t.started_at is not None
            and (now - t.started_at) * 1000 >= WAITING_AFTER_MS
        ]
        if long_writes:
            self._set_waiting(f"{long_writes[0].label}: waiting for another reviewer's write…")

    def _set_cursor(self, on: bool) -> None:
        if on == self._cursor:
            return
        self._cursor = on
        if on:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _set_waiting(self, text: str) -> None:
        if text != self._waiting:
            self._waiting = text
            self.sig_waiting_changed.emit(text)


class ChangeFeed(QObject):
    """Brings every change to the project, this window's and everyone else's, to the window."""

    sig_changes_arrived = Signal(object)
    """A ChangeSet of events newer than any seen before (``reload`` set: reload everything)."""
    sig_availability_changed = Signal(str)
    """The project cannot be reached (the reason), or can again ("")."""

    def __init__(
        self,
        store: Store,
        runner: Runner,
        seen_seq: int,
        parent: QObject | None = None,
        start_after_ms: int = 0,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.seen_seq = seen_seq
        self.unavailable = ""
        self._pulling = False
        self._again = False
        self._watcher = store.watcher()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        # The watcher tells of commits after its first look: take that look soon, and read once
        # what may have been committed between the window's first read and this. A window
        # passes a delay so that this first read (which loads the database layer) comes after
        # its first paint rather than before it.
        QTimer.singleShot(start_after_ms, self._start)

    def _start(self) -> None:
        try:
            self._watcher.poll()
        except CrosscheckError as exc:
            self._set_unavailable(str(exc))
            return
        self.pull()

    def poll(self) -> None:
        """Ask the watcher (cheap) whether anyone committed; if so, read what."""
        try:
            changed = self._watcher.poll()
        except StoreUnavailable as exc:
            self._set_unavailable(str(exc))
            return
        except CrosscheckError as exc:
            self._set_unavailable(str(exc))
            return
        if self.unavailable:
            self._set_unavailable("")
            changed = True  # whatever happened meanwhile
        if changed:
            self.pull()

    def pull(self) -> None:
        """Read the events after the last one seen, off the window's thread."""
        if self._pulling:
            self._again = True
            return
        self._pulling = True
        since = self.seen_seq

        def work(_task: Task) -> Any:
            from desktop.core.changes import changes_since

            with self.store.read() as conn:
                return changes_since(conn, since)

        self.runner.run(
            "Reading changes", work, writes=False, done=self._arrived, failed=self._failed
        )

    def _arrived(self, changes: Any) -> None:
        self._pulling = False
        if changes:
            self.seen_seq = max(self.seen_seq, changes.last_seq)
            self.sig_changes_arrived.emit(changes)
        if self._again:
            self._again = False
            self.pull()

    def _failed(self, error: CrosscheckError) -> None:
        self._pulling = False
        self._again = False
        self._set_unavailable(str(error))

    def _set_unavailable(self, reason: str) -> None:
        if reason != self.unavailable:
            self.unavailable = reason
            self.sig_availability_changed.emit(reason)

    def stop(self) -> None:
        self._timer.stop()
        self._watcher.close()


class Presence(QObject):
    """This window's heartbeat in the project, and who else has it open."""

    sig_others_changed = Signal(object)
    """The names of the other reviewers with the project open (a sorted list)."""

    def __init__(
        self,
        store: Store,
        runner: Runner,
        reviewer: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        from desktop.core import presence

        self.store = store
        self.runner = runner
        self.reviewer = reviewer
        self.session_id = presence.new_session_id()
        self.others: list[str] = []
        self._timer = QTimer(self)
        self._timer.setInterval(presence.BEAT_SECONDS * 1000)
        self._timer.timeout.connect(self.beat)
        self._timer.start()
        self.beat()

    def beat(self) -> None:
        from desktop.core import presence

        store, session_id, reviewer = self.store, self.session_id, self.reviewer()

        def work(_task: Task) -> list[str]:
            presence.beat(store, session_id, reviewer)
            return presence.others(store, session_id, reviewer)

        # Best effort, beside the edits: a beat never waits for another writer.
        self.runner.run("Presence", work, writes=False, done=self._arrived, failed=lambda _e: None)

    def _arrived(self, names: list[str]) -> None:
        if names != self.others:
            self.others = names
            self.sig_others_changed.emit(names)

    def stop(self) -> None:
        from desktop.core import presence

        self._timer.stop()
        presence.leave(self.store, self.session_id)
