"""Bringing articles into the window: File ▸ Import Articles (files and web addresses), File ▸
New Article from Clipboard, a web address pasted or a link dropped onto the window, and
"Save a copy" for evidence links.

Reading (files, pages over the network) runs in a pool thread of its own with progress and
Cancel: it is not project work, and it may wait for the reviewer (an encrypted PDF asks for its
password), so it stays off the window's runner. When some sources cannot be read the reviewer
is told which and why, and chooses whether the others are imported; nothing is written before
that. The write itself is an edit like any other (``window.editing``, on the runner): one
undoable step, whose changes reach every view through the change feed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from desktop.core.changes import ChangeSet
from desktop.core.errors import CrosscheckError
from desktop.ui import actions as act
from desktop.ui import dialogs

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog

    from desktop.core.importers import ImportedArticle, SourceResult
    from desktop.core.store import Store
    from desktop.ui.controller import Task
    from desktop.ui.main_window import MainWindow

PASTE_ARTICLE = "file.paste_article"
PASTE_LINK = "edit.paste_link"
STATUS_MS = 6000
PROGRESS_FROM_FILES = 4  # fewer local files import too fast for a progress dialog to help


def web_addresses(text: str) -> list[str]:
    """The http(s) addresses in pasted or dropped text, one per line; [] unless every
    non-blank line is one (a sentence that mentions a link is not a link)."""
    from desktop.core.fetch import looks_like_url

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or not all(looks_like_url(line) and " " not in line for line in lines):
        return []
    return list(dict.fromkeys(lines))


def dropped_sources(mime: object) -> tuple[list[Path], list[str]]:
    """(local files, web addresses) carried by a drag: files from a file manager, links from
    a browser (as URLs, or as text)."""
    from PySide6.QtCore import QMimeData

    if not isinstance(mime, QMimeData):
        return [], []
    files: list[Path] = []
    links: list[str] = []
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile():
                files.append(Path(url.toLocalFile()))
            elif url.scheme() in ("http", "https"):
                links.append(url.toString())
    if not files and not links and mime.hasText():
        links = web_addresses(mime.text())
    return files, list(dict.fromkeys(links))


# --- background work --------------------------------------------------------------------------


class ReadSignals(QObject):
    sig_progressed = Signal(int, str)
    """Sources read so far, and what is being read now."""
    sig_password_needed = Signal(str, bool)
    """An encrypted PDF: its name, and whether the last password was wrong."""
    sig_read = Signal(object)
    """Every source was tried; carries the list of SourceResult."""
    sig_failed = Signal(str)
    """Reading stopped (cancelled, or a fault); carries the one-line reason."""


class ReadJob(QRunnable):
    """Read files and web pages; what was read is handed back, nothing is written."""

    def __init__(self, sources: Sequence[str | Path]) -> None:
        super().__init__()
        self.sources = [str(s) for s in sources]
        self.signals = ReadSignals()
        self._cancel = threading.Event()
        self._answered = threading.Event()
        self._password: str | None = None
        self.setAutoDelete(False)  # kept by the window until its signals have arrived

    def cancel(self) -> None:
        self._cancel.set()
        self._answered.set()  # a password prompt waiting for an answer gives up

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def give_password(self, password: str | None) -> None:
        self._password = password
        self._answered.set()

    def _ask_password(self, name: str, wrong: bool) -> str | None:
        self._answered.clear()
        self.signals.sig_password_needed.emit(name, wrong)
        self._answered.wait()
        return None if self._cancel.is_set() else self._password

    def run(self) -> None:
        from desktop.core import importers

        try:
            results = importers.read_sources(
                self.sources,
                keep_going=True,
                cancelled=self.cancelled,
                progress=lambda step, what: self.signals.sig_progressed.emit(step, what),
                ask_password=self._ask_password,
            )
        except CrosscheckError as exc:
            self.signals.sig_failed.emit(str(exc))
        except Exception as exc:  # a bug must not kill the thread silently
            self.signals.sig_failed.emit(f"import failed: {exc.__class__.__name__}: {exc}")
        else:
            if self.cancelled():
                self.signals.sig_failed.emit("Import cancelled; nothing was imported.")
            else:
                self.signals.sig_read.emit(results)


class FetchSignals(QObject):
    sig_finished = Signal(object)
    """Fetched; carries what the work returned."""
    sig_failed = Signal(str)
    """Nothing was fetched; carries the reason."""


class FetchJob(QRunnable):
    """Fetch a page (an evidence link's, for its saved copy) in a pool thread; nothing is
    written here."""

    def __init__(self, work: Any) -> None:
        super().__init__()
        self.work = work
        self.signals = FetchSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.work()
        except CrosscheckError as exc:
            self.signals.sig_failed.emit(str(exc))
        except Exception as exc:
            self.signals.sig_failed.emit(f"{exc.__class__.__name__}: {exc}")
        else:
            self.signals.sig_finished.emit(result)


# --- the window's side ----------------------------------------------------------------------


class Importer(QObject):
    """Adds importing from files, the web and the clipboard to a MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.read_job: ReadJob | None = None
        self.write_task: Task | None = None  # the import's write, on the window's runner
        self.copy_jobs: list[FetchJob | Task] = []  # saved copies being fetched or written
        self.progress: QProgressDialog | None = None
        self.dialog: QDialog | None = None  # the open import, paste or copy dialog
        self.prompt: QWidget | None = None  # the open question (password, partial import)

        self.paste_article_action = QAction("New Article from &Clipboard…", window)
        self.paste_article_action.setObjectName(PASTE_ARTICLE)
        self.paste_article_action.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.paste_article_action.setStatusTip("Add the text on the clipboard as a new article")
        self.paste_article_action.triggered.connect(self.paste_article)
        file_menu = window.menu("File")
        actions = file_menu.actions()
        after_import = actions[actions.index(window.action(act.IMPORT)) + 1]
        file_menu.insertAction(after_import, self.paste_article_action)

        self.paste_link_action = QAction("&Paste Web Address to Import", window)
        self.paste_link_action.setObjectName(PASTE_LINK)
        self.paste_link_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Paste))
        # Text fields keep their own Ctrl+V: they claim the key before the window does.
        self.paste_link_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.paste_link_action.setStatusTip("Import the web page whose address is on the clipboard")
        self.paste_link_action.triggered.connect(self.paste_link)
        window.menu("Edit").addAction(self.paste_link_action)

        window.editor.sig_copy_requested.connect(self.save_copy)
        window.editor.sig_copy_shown.connect(self.show_copy)
        window.editor.copy_label = self._copy_label
        window.sig_project_opened.connect(lambda _p: self._enable())
        window.sig_project_closed.connect(self._enable)
        self._enable()

    def _enable(self) -> None:
        project = self.window.project
        editable = project is not None and not project.read_only
        self.paste_article_action.setEnabled(editable)
        self.paste_link_action.setEnabled(editable)

    @property
    def busy(self) -> bool:
        return self.read_job is not None or self.write_task is not None

    # --- File ▸ Import Articles -----------------------------------------------------------

    def import_dialog(self) -> None:
        if self.window.project is None:
            return
        from desktop.ui.import_dialogs import ImportDialog

        dialog = ImportDialog(self.window, self.window._folder())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.import_sources(dialog.sources()))
        self.dialog = dialog
        dialog.open()

    def import_sources(self, sources: Sequence[str | Path]) -> ReadJob | None:
        """Read ``sources`` (files, web addresses) in the background, then import them."""
        window = self.window
        if window.project is None:
            window.statusBar().showMessage("Open a project before importing articles.", STATUS_MS)
            return None
        if window.project.read_only:
            window._say_read_only()
            return None
        if self.busy:
            window.statusBar().showMessage("An import is already running.", STATUS_MS)
            return None
        if not window.ensure_reviewer():
            return None
        from desktop.core.fetch import looks_like_url

        job = ReadJob(sources)
        signals = job.signals
        queued = Qt.ConnectionType.QueuedConnection
        signals.sig_read.connect(lambda results: self._on_read(job, results), queued)
        signals.sig_failed.connect(self._on_failed, queued)
        signals.sig_password_needed.connect(
            lambda name, wrong: self._ask_password(job, name, wrong), queued
        )
        web = any(looks_like_url(str(s)) for s in sources)
        if web or len(sources) >= PROGRESS_FROM_FILES:
            from PySide6.QtWidgets import QProgressDialog

            progress = QProgressDialog("Reading…", "Cancel", 0, len(sources) + 1, window)
            progress.setObjectName("importProgress")
            progress.setWindowTitle("Importing articles")
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(400)
            progress.canceled.connect(job.cancel)
            signals.sig_progressed.connect(
                lambda done, what: (progress.setValue(done), progress.setLabelText(f"{what}…")),
                queued,
            )
            self.progress = progress
        self.read_job = job
        count = len(sources)
        window.statusBar().showMessage(f"Reading {count} source{'s' if count != 1 else ''}…")
        QThreadPool.globalInstance().start(job)
        return job

    def _on_read(self, job: ReadJob, results: list[SourceResult]) -> None:
        self.read_job = None
        self._end_progress()
        if job.cancelled():
            self._on_failed("Import cancelled; nothing was imported.")
            return
        articles = [r.article for r in results if r.article is not None]
        failed = [r for r in results if r.error is not None]
        if not failed:
            self._write(articles)
            return
        reasons = "\n".join(f"• {r.error}" for r in failed)
        self.window.statusBar().clearMessage()
        if not articles:
            dialogs.show_error(self.window, "Nothing was imported", reasons)
            return
        self._ask_partial(articles, failed, reasons)

    def _ask_partial(
        self, articles: list[ImportedArticle], failed: list[SourceResult], reasons: str
    ) -> None:
        from PySide6.QtWidgets import QMessageBox

        total = len(articles) + len(failed)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Some sources could not be read",
            f"{len(failed)} of {total} could not be read:\n\n{reasons}\n\n"
            f"Import the {len(articles)} that could?",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        box.setObjectName("partialImport")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        go = box.addButton(f"Import {len(articles)}", QMessageBox.ButtonRole.AcceptRole)
        go.setObjectName("importTheOthers")
        stop = box.addButton("Import Nothing", QMessageBox.ButtonRole.RejectRole)
        stop.setObjectName("importNothing")
        box.setDefaultButton(stop)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: object) -> None:
            self.prompt = None
            if button is go:
                self._write(articles)
            else:
                self.window.statusBar().showMessage("Nothing was imported.", STATUS_MS)

        box.buttonClicked.connect(answered)
        self.prompt = box
        box.open()

    def _write(self, articles: list[ImportedArticle], meta: Any = None) -> None:
        """Import what was read: one undoable edit on the window's runner."""
        from desktop.core import operations

        project, editing = self.window.project, self.window.editing
        if project is None or editing is None:
            return
        given = operations.ArticleMeta() if meta is None else meta

        def work(_task: Task, reviewer: str) -> ChangeSet:
            return operations.import_articles(project, articles, reviewer=reviewer, meta=given)

        count = len(articles)
        self.write_task = editing.perform(
            f"Import {count} article{'s' if count != 1 else ''}",
            work,
            then=self._on_written,
            failed=lambda error: self._on_failed(str(error)),
        )

    def _on_written(self, changes: ChangeSet) -> None:
        """The import is written (and on the undo stack); the change feed shows it."""
        self.write_task = None
        window = self.window
        added = changes.ids("article")
        window.statusBar().showMessage(f"Imported {len(added)} article(s).", STATUS_MS)
        pane = window.panes.active_pane()
        if added and pane is not None and pane.article_id() is None:
            window.panes.show_article(pane, added[0])

    def _on_failed(self, message: str) -> None:
        self.read_job = self.write_task = None
        self._end_progress()
        self.window.statusBar().clearMessage()
        dialogs.show_error(self.window, "Nothing was imported", message)

    def _ask_password(self, job: ReadJob, name: str, wrong: bool) -> None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        prompt = QInputDialog(self.window)
        prompt.setObjectName("pdfPassword")
        prompt.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        prompt.setWindowTitle("Encrypted PDF")
        label = f"{Path(name).name} is encrypted. Its password:"
        prompt.setLabelText(("The password was wrong. " if wrong else "") + label)
        prompt.setTextEchoMode(QLineEdit.EchoMode.Password)
        prompt.textValueSelected.connect(lambda text: job.give_password(text))
        prompt.rejected.connect(lambda: job.give_password(None))
        prompt.finished.connect(lambda _r: setattr(self, "prompt", None))
        self.prompt = prompt
        prompt.open()

    def _end_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None

    def finish(self) -> None:
        """Closing the project: stop reading and fetching (the window's runner then finishes
        the writes asked for), forget questions."""
        if self.read_job is not None:
            self.read_job.cancel()
        if self.read_job is not None or any(isinstance(j, FetchJob) for j in self.copy_jobs):
            QThreadPool.globalInstance().waitForDone()
            QGuiApplication.processEvents()
        self.read_job = self.write_task = None
        self.copy_jobs.clear()
        self._end_progress()

    # --- the clipboard --------------------------------------------------------------------

    def paste_article(self) -> None:
        """File ▸ New Article from Clipboard: the text on the clipboard, with a title and an
        outlet asked for."""
        window = self.window
        if window.project is None or window.project.read_only:
            return
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            window.statusBar().showMessage("The clipboard holds no text to add.", STATUS_MS)
            return
        if self.busy or not window.ensure_reviewer():
            return
        from desktop.ui.import_dialogs import PastedArticleDialog

        dialog = PastedArticleDialog(window, text)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._add_pasted(dialog))
        self.dialog = dialog
        dialog.open()

    def _add_pasted(self, dialog: Any) -> None:
        from desktop.core import operations
        from desktop.core.importers import read_pasted

        try:
            article = read_pasted(dialog.text, name="clipboard", title=dialog.title.text())
        except CrosscheckError as exc:
            dialogs.show_error(self.window, "Nothing was imported", str(exc))
            return
        self._write([article], operations.ArticleMeta(outlet=dialog.outlet.text()))

    def paste_link(self) -> None:
        """Ctrl+V on the window (not in a text field): import the web pages whose
        addresses are on the clipboard."""
        text = QGuiApplication.clipboard().text()
        links = web_addresses(text)
        if not links:
            self.window.statusBar().showMessage(
                "Paste a web address to import its page, or use File ▸ New Article from "
                "Clipboard for text.",
                STATUS_MS,
            )
            return
        self.import_sources(links)

    # --- evidence copies ------------------------------------------------------------------

    def save_copy(self, annotation_id: str, url: str) -> FetchJob | None:
        """Fetch an evidence link's page now (in a pool thread), then keep it with the link:
        an undoable edit on the window's runner."""
        from desktop.core import fetch, importers

        window = self.window
        project: Store | None = window.project
        if project is None or project.read_only or not window.ensure_reviewer():
            return None

        def work() -> tuple[Any, str | None, str]:
            page = fetch.fetch(url)
            text, title = importers.readable_copy(page)
            return page, text, title

        job = FetchJob(work)
        queued = Qt.ConnectionType.QueuedConnection

        def failed(message: str, job: FetchJob | Task = job) -> None:
            if job in self.copy_jobs:
                self.copy_jobs.remove(job)
            window.statusBar().clearMessage()
            dialogs.show_error(window, "No copy was saved", message)

        def fetched(result: tuple[Any, str | None, str]) -> None:
            if job in self.copy_jobs:
                self.copy_jobs.remove(job)
            if window.project is not project or window.editing is None:
                return  # the project was closed meanwhile: nothing is written
            self._write_copy(project, annotation_id, url, result, failed)

        job.signals.sig_finished.connect(fetched, queued)
        job.signals.sig_failed.connect(failed, queued)
        self.copy_jobs.append(job)
        window.statusBar().showMessage(f"Saving a copy of {url}…")
        QThreadPool.globalInstance().start(job)
        return job

    def _write_copy(
        self,
        project: Store,
        annotation_id: str,
        url: str,
        fetched: tuple[Any, str | None, str],
        failed: Any,
    ) -> None:
        from desktop.core import operations

        window = self.window
        assert window.editing is not None
        page, text, title = fetched

        def work(_task: Task, reviewer: str) -> ChangeSet:
            return operations.save_source_copy(
                project, annotation_id, page, reviewer=reviewer, text=text, title=title
            )

        def saved(_changes: ChangeSet) -> None:
            if task in self.copy_jobs:
                self.copy_jobs.remove(task)
            window.statusBar().showMessage(f"Saved a copy of {url}.", STATUS_MS)

        task = window.editing.perform(
            "Save a copy of the evidence page",
            work,
            then=saved,
            failed=lambda error: failed(str(error), task),
        )
        self.copy_jobs.append(task)

    def _copy_label(self, page_id: str) -> str:
        """Shown beside a link: when its saved copy was fetched."""
        from desktop.ui.models import local_time

        reader = self.window.reader
        if reader is None:
            return ""
        try:
            page = reader.saved_page(page_id, with_text=False)
        except CrosscheckError:
            return "saved copy missing"
        return f"copy of {local_time(page.fetched_at)}"

    def show_copy(self, page_id: str) -> None:
        reader = self.window.reader
        if reader is None:
            return
        try:
            page = reader.saved_page(page_id)
        except CrosscheckError as exc:
            dialogs.show_error(self.window, "Cannot show the copy", str(exc))
            return
        from desktop.ui.import_dialogs import SavedCopyDialog

        dialog = SavedCopyDialog(self.window, page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
