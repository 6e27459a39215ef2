"""The window's tools over a whole project: the Audit trail dock, File ▸ Export… and
Tools ▸ Verify Project….

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

if TYPE_CHECKING:
    from desktop.ui.audit_view import AuditTrailWidget
    from desktop.ui.main_window import MainWindow
    from desktop.ui.verify_dialog import VerifyDialog


class ProjectTools(QObject):
    """Adds the audit trail, export and verification to a MainWindow and keeps them in step
    with the open project."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.trail: AuditTrailWidget | None = None
        self.export_dialog: QWidget | None = None
        self.verify_dialog: VerifyDialog | None = None

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

    def verify(self) -> VerifyDialog | None:
        """Open the Verify dialog (one per window); its checks run on the window's runner."""
        project = self.window.project
        if project is None:
            return None
        from desktop.ui.verify_dialog import VerifyDialog

        if self.verify_dialog is None or self.verify_dialog.project is not project:
            if self.verify_dialog is not None:
                self.verify_dialog.close()
            self.verify_dialog = VerifyDialog(project, self.window.runner, self.window)
            self.verify_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.verify_dialog.open()
        self.verify_dialog.head_edit.setFocus()
        return self.verify_dialog

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
        if self.verify_dialog is not None:
            if self.verify_dialog.running():
                # The check reads through its own connections; let it finish before the
                # file may be moved or reopened.
                self.window.runner.wait()
            self.verify_dialog.close()
            self.verify_dialog.deleteLater()
            self.verify_dialog = None
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
