"""Server projects and offline copies in the window: File ▸ Open Server Project… and
File ▸ Merge Copy….

Connecting to a server and merging run on the window's runner, off its thread (a server may
be slow to answer). A merge is planned first, beside the reads, without writing: when edits
conflict, the reviewer decides each one in the merge dialog; the merge itself is a write, in
turn with the window's edits, and every view learns of it through the change feed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from desktop.core.errors import CrosscheckError
from desktop.ui import actions as act
from desktop.ui import dialogs
from desktop.ui.controller import Task
from desktop.ui.project_names import project_folder

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.merge_dialog import MergeDialog
    from desktop.ui.server_dialog import ServerProjectDialog

STATUS_MS = 6000


def server_label(url: str) -> str:
    """How the recent list names a server project: its database and host."""
    parts = urlsplit(url)
    database = parts.path.strip("/") or "postgres"
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or query.get("host", "") or "local server"
    if host.startswith("/"):
        host = "local server"
    return f"{database} on {host}"


class ServerTools(QObject):
    """Adds server projects and Merge Copy to a MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ServerProjectDialog | None = None
        self.merge_dialog: MergeDialog | None = None
        self._task: Task | None = None

        self.open_action = QAction("Open &Server Project…", window)
        self.open_action.setObjectName("file.open_server")
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_action.setStatusTip("Open a project kept in a PostgreSQL database")
        self.open_action.triggered.connect(lambda: self.open_dialog())
        file_menu = window.menu("File")
        file_menu.insertAction(window.recent_menu.menuAction(), self.open_action)

        self.merge_action = QAction("&Merge Copy…", window)
        self.merge_action.setObjectName("file.merge_copy")
        self.merge_action.setStatusTip(
            "Bring the work done on a copy of this project (on a laptop, offline) back in"
        )
        self.merge_action.triggered.connect(self.choose_copy)
        items = file_menu.actions()
        after_import = items.index(window.action(act.IMPORT)) + 1
        file_menu.insertAction(items[after_import] if after_import < len(items) else None,
                               self.merge_action)  # fmt: skip
        window.sig_project_opened.connect(lambda _p: self._update())
        window.sig_project_closed.connect(self._update)
        self._update()

    def _update(self) -> None:
        project = self.window.project
        writable = project is not None and not project.read_only
        self.merge_action.setEnabled(writable and self._task is None)

    # --- opening ---------------------------------------------------------------------------

    def open_dialog(self, url: str = "", message: str = "") -> ServerProjectDialog:
        """Ask for a server address (and password); the project opens in the window."""
        from desktop.ui.server_dialog import ServerProjectDialog

        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
        dialog = ServerProjectDialog(self.window.runner, self.window, url, message)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_opened.connect(self.window.set_project)
        dialog.open()
        self.dialog = dialog
        return dialog

    def ask_password(self, url: str) -> ServerProjectDialog:
        return self.open_dialog(url, "The server asks for a password: type it below.")

    # --- merging ---------------------------------------------------------------------------

    def choose_copy(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.window.project is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Merge a copy of this project", str(project_folder(self.window.project)),
            dialogs.PROJECT_FILTER,
        )  # fmt: skip
        if path:
            self.merge_from(path)

    def merge_from(self, copy: str | Path) -> None:
        """Check what merging ``copy`` would do; ask for decisions if needed, then merge."""
        project = self.window.project
        if project is None or self._task is not None:
            return
        if project.read_only:
            self.window.statusBar().showMessage(
                f"This project is open read-only ({project.read_only_reason}); nothing can be "
                "merged into it.",
                STATUS_MS,
            )
            return
        if not self.window.ensure_reviewer():
            return
        reviewer = self.window.settings.reviewer

        def plan(_task: Task) -> Any:
            from desktop.core import operations
            from desktop.core.store import open_store

            with open_store(copy, read_only=True) as other:
                return operations.merge_copy(project, other, reviewer=reviewer, dry_run=True)

        self._run(
            "Check the copy",
            plan,
            lambda result: self._on_planned(copy, result),
            "Checking the copy…",
            writes=False,
        )

    def _on_planned(self, copy: str | Path, result: Any) -> None:
        from desktop.ui.merge_dialog import MergeDialog

        plan = result.plan
        from desktop.core.store import is_server_url
        from desktop.core.store.postgres import redact

        name = redact(str(copy)) if is_server_url(str(copy)) else Path(copy).name
        if plan.nothing_to_do:
            dialogs.show_info(self.window, "Nothing to merge", f"{name}: {plan.summary()}.")
            return
        dialog = MergeDialog(plan, name, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._merge(copy, dict(dialog.choices)))
        dialog.open()
        self.merge_dialog = dialog

    def _merge(self, copy: str | Path, choices: dict[str, str]) -> None:
        project = self.window.project
        if project is None:
            return
        reviewer = self.window.settings.reviewer

        def merge(_task: Task) -> Any:
            from desktop.core import operations
            from desktop.core.store import open_store

            with open_store(copy, read_only=True) as other:
                return operations.merge_copy(project, other, reviewer=reviewer, choices=choices)

        self._run("Merge the copy", merge, self._on_merged, "Merging the copy…", writes=True)

    def _on_merged(self, result: Any) -> None:
        if self.window.feed is not None:
            self.window.feed.pull()  # every view learns of it as of anyone's change
        self.window.statusBar().showMessage(
            f"Merged: {result.plan.summary(done=True)}.", STATUS_MS * 2
        )

    def _run(self, label: str, work: Any, done: Any, status: str, *, writes: bool) -> None:
        def finished(result: object) -> None:
            self._end()
            done(result)

        def failed(error: CrosscheckError) -> None:
            self._end()
            from desktop.core.merge import DecisionsNeeded

            if isinstance(error, DecisionsNeeded):  # the shared project changed meanwhile
                self.window.statusBar().showMessage(
                    "The project changed while you decided; decide again.", STATUS_MS
                )
            dialogs.show_error(self.window, "Nothing was merged", str(error))

        self.window.statusBar().showMessage(status)
        self._task = self.window.runner.run(
            label, work, writes=writes, done=finished, failed=failed
        )
        self._update()

    def _end(self) -> None:
        self._task = None
        self.window.statusBar().clearMessage()
        self._update()

    def busy(self) -> bool:
        return self._task is not None
