"""The window's tools over a whole project: the Audit trail dock, File ▸ Export… and
Tools ▸ Verify Project.

Their views are built on first use: they bring in the exporters and SQLAlchemy, which the
window does not need to show a project, and start-up time counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.core.changes import ChangeSet
from desktop.core.store import Store
from desktop.ui import actions as act
from desktop.ui.project_names import project_label

if TYPE_CHECKING:
    from desktop.ui.audit_view import AuditTrailWidget
    from desktop.ui.controller import Task
    from desktop.ui.main_window import MainWindow


class ProjectTools(QObject):
    """Adds the audit trail, export and verification to a MainWindow and keeps them in step
    with the open project."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.trail: AuditTrailWidget | None = None
        self.export_dialog: QWidget | None = None
        self.verify_job: Task | None = None

        self._holder = QWidget()
        self._holder.setObjectName("auditTrailHolder")
        QVBoxLayout(self._holder).setContentsMargins(0, 0, 0, 0)
        self.dock = window.add_dock(
            self._holder, "Audit Trail", "auditDock", Qt.DockWidgetArea.BottomDockWidgetArea
        )
        # Beside the annotations table, behind it until asked for.
        window.tabifyDockWidget(window.annotations_dock, self.dock)
        window.annotations_dock.raise_()
        self.dock.visibilityChanged.connect(self._on_dock_visible)

        self.export_action = window.action(act.EXPORT)
        self.export_action.triggered.connect(self.export)
        file_menu = window.menu("File")
        close = window.action(act.CLOSE)
        file_menu.insertAction(close, self.export_action)
        file_menu.insertSeparator(close)

        self.verify_action = window.action(act.VERIFY)
        self.verify_action.triggered.connect(self.verify)
        # The Audit Trail is listed once, in the View menu with the other panels.
        tools = window.menu("Tools")
        first = tools.actions()[0] if tools.actions() else None
        tools.insertAction(first, self.verify_action)
        tools.insertSeparator(first)

        window.sig_project_opened.connect(self._on_project_opened)
        window.sig_project_closed.connect(self._on_project_closed)
        window.sig_changes_applied.connect(self._on_changes)
        self._enable(window.project is not None)

    # --- actions --------------------------------------------------------------------------

    def export(self) -> None:
        project = self.window.project
        if project is None:
            return
        from desktop.ui.export_ui import export_with_dialog

        settings = self.window.settings
        dialog = export_with_dialog(self.window, project, settings.export_folder, settings.reviewer)

        def remember_folder() -> None:
            _fmt, path, _options = dialog.choice()
            if path.parent.is_dir():
                settings.export_folder = path.parent

        dialog.accepted.connect(remember_folder)
        self.export_dialog = dialog

    def verify(self) -> None:
        """Check the project in the background; the result comes as a dialog."""
        project = self.window.project
        if project is None or self.verify_job is not None:
            return
        from desktop.core.verify import VerifyReport

        name = project_label(project)
        self.verify_action.setEnabled(False)
        self.window.statusBar().showMessage(f"Verifying {name}…")

        def work(_task: Task) -> VerifyReport:
            from desktop.ui.audit_view import verify_quietly

            return verify_quietly(project)

        def done(report: VerifyReport) -> None:
            from desktop.ui.audit_view import report_verification

            self.verify_job = None
            self.verify_action.setEnabled(self.window.project is not None)
            self.window.statusBar().clearMessage()
            report_verification(name, report, self.window)

        self.verify_job = self.window.runner.run(
            f"Verify {name}", work, writes=False, done=done, failed=lambda e: done_failed(e)
        )

        def done_failed(error: object) -> None:
            self.verify_job = None
            self.verify_action.setEnabled(self.window.project is not None)
            self.window.statusBar().showMessage(str(error), 6000)

    def show_audit_trail(self) -> AuditTrailWidget:
        self.dock.show()
        self.dock.raise_()
        return self._ensure_trail()

    # --- keeping up with the window -------------------------------------------------------

    def _ensure_trail(self) -> AuditTrailWidget:
        if self.trail is None:
            from desktop.ui.audit_view import AuditTrailWidget

            self.trail = AuditTrailWidget(self.window.project)
            self.trail.sig_annotation_requested.connect(self.window.select_annotation)
            layout = self._holder.layout()
            assert layout is not None
            layout.addWidget(self.trail)
        return self.trail

    def _on_dock_visible(self, visible: bool) -> None:
        if visible:
            self._ensure_trail()

    def _on_project_opened(self, project: Store) -> None:
        self._enable(True)
        if self.trail is not None:
            self.trail.set_project(project)

    def _on_project_closed(self) -> None:
        self._enable(False)
        if self.verify_job is not None:
            # The check reads through its own connections; let it finish before the file
            # may be moved or reopened.
            self.window.runner.wait()
        job = getattr(self.export_dialog, "job", None)
        if job is not None and job.running:
            job.cancel()
            job.wait()
        if self.trail is not None:
            self.trail.set_project(None)

    def _on_changes(self, _changes: ChangeSet) -> None:
        if self.trail is not None:
            self.trail.refresh()

    def _enable(self, has_project: bool) -> None:
        self.export_action.setEnabled(has_project)
        self.verify_action.setEnabled(has_project)
        self._holder.setEnabled(has_project)
