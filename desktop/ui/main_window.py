"""The main window: menus, toolbar, docks and panes, and the routing of changes to views.

The window never touches the database: it reads through ProjectReader (core queries) and
every edit runs through Editing (undoable core operations), whose ChangeSets it hands to
each view that shows something changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressDialog,
    QToolBar,
    QWidget,
)

from desktop import __version__
from desktop.core.changes import ChangeSet
from desktop.core.errors import CrosscheckError
from desktop.core.model import Source, Verdict
from desktop.core.records import AnnotationRow, ArticleSummary
from desktop.core.store import Store, is_server_url
from desktop.ui import actions as act
from desktop.ui import dialogs, verdict_style
from desktop.ui.data import ProjectReader
from desktop.ui.editor import AnnotationEditor
from desktop.ui.lists import AnnotationListPanel, ArticleListPanel
from desktop.ui.panes import Pane, PaneArea
from desktop.ui.project_names import project_folder, project_key, project_label
from desktop.ui.project_tools import ProjectTools
from desktop.ui.server_ui import ServerTools, server_label
from desktop.ui.settings import Settings
from desktop.ui.undo import Editing

APP_NAME = "Crosscheck"
PROJECT_SUFFIX = ".crosscheck"
IMPORT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx")
PROGRESS_FROM_FILES = 4  # fewer files import too fast for a progress dialog to help
STATUS_MS = 6000
_TAG_KEYS = {
    Qt.Key.Key_1: Verdict.SUPPORTED,
    Qt.Key.Key_2: Verdict.DISPUTED,
    Qt.Key.Key_3: Verdict.UNVERIFIED,
}


class MainWindow(QMainWindow):
    """One project at a time; an empty window (File menu only useful) when none is open."""

    sig_project_opened = Signal(object)
    """A project was opened; carries the Store (docks added with add_dock follow it)."""
    sig_project_closed = Signal()
    """The project was closed; nothing is open now."""
    sig_changes_applied = Signal(object)
    """The project changed (edit, undo, redo, import); carries the ChangeSet."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or Settings()
        self.project: Store | None = None
        self.reader: ProjectReader | None = None
        self.editing: Editing | None = None
        self._project_name = ""
        self._import_job: object | None = None
        self._progress: QProgressDialog | None = None
        self._reviewer_dialog: QWidget | None = None
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.actions_by_id = act.build(self)
        self.panes = PaneArea()
        self.setCentralWidget(self.panes)
        self.article_panel = ArticleListPanel()
        self.annotation_panel = AnnotationListPanel()
        self.editor = AnnotationEditor()
        self.articles_dock = self.add_dock(
            self.article_panel, "Articles", "articlesDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.editor_dock = self.add_dock(
            self.editor, "Annotation", "editorDock", Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.annotations_dock = self.add_dock(
            self.annotation_panel,
            "Annotations",
            "annotationsDock",
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self._menus: dict[str, QMenu] = {}
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self.tools = ProjectTools(self)
        self.server_tools = ServerTools(self)
        self.resize(1400, 860)
        self.resizeDocks([self.articles_dock], [380], Qt.Orientation.Horizontal)
        self.resizeDocks([self.editor_dock], [300], Qt.Orientation.Horizontal)
        self.resizeDocks([self.annotations_dock], [230], Qt.Orientation.Vertical)
        self._restore_layout()
        self.panes.set_pane_count(2)
        self._update_state()

    # --- building -------------------------------------------------------------------------

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        object_name: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
    ) -> QDockWidget:
        """Add a dock (its state is saved and restored by ``object_name``) and list it in the
        View menu. Other views of the project (audit trail, verification) come in here."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        view_menu = getattr(self, "_menus", {}).get("View")
        if view_menu is not None:
            view_menu.insertAction(self._dock_separator, dock.toggleViewAction())
        return dock

    def menu(self, name: str) -> QMenu:
        """A top-level menu by its plain name: File, Edit, View, Annotate, Tools or Help."""
        return self._menus[name]

    def action(self, action_id: str) -> QAction:
        return self.actions_by_id[action_id]

    def _build_menus(self) -> None:
        a = self.actions_by_id
        bar = self.menuBar()
        for name in ("File", "Edit", "View", "Annotate", "Tools", "Help"):
            menu = bar.addMenu(f"&{name}")
            menu.setObjectName(f"menu{name}")
            self._menus[name] = menu
        file = self._menus["File"]
        file.addAction(a[act.NEW])
        file.addAction(a[act.OPEN])
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menuRecent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file.addSeparator()
        file.addAction(a[act.IMPORT])
        file.addSeparator()
        file.addAction(a[act.CLOSE])
        file.addSeparator()
        file.addAction(a[act.QUIT])

        edit = self._menus["Edit"]
        edit.addAction(a[act.UNDO])
        edit.addAction(a[act.REDO])
        edit.addSeparator()
        edit.addAction(a[act.FIND])

        view = self._menus["View"]
        for dock in (self.articles_dock, self.editor_dock, self.annotations_dock):
            view.addAction(dock.toggleViewAction())
        self._dock_separator = view.addSeparator()
        view.addAction(a[act.ADD_PANE])
        view.addAction(a[act.REMOVE_PANE])
        view.addAction(a[act.SYNC_SCROLL])

        annotate = self._menus["Annotate"]
        for verdict in Verdict:
            annotate.addAction(a[act.TAG[verdict]])
        annotate.addSeparator()
        annotate.addAction(a[act.DELETE])

        self._menus["Tools"].addAction(a[act.REVIEWER])
        self._menus["Help"].addAction(a[act.ABOUT])

    def _build_toolbar(self) -> None:
        a = self.actions_by_id
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("mainToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for verdict in Verdict:
            bar.addAction(a[act.TAG[verdict]])
        bar.addSeparator()
        bar.addAction(a[act.UNDO])
        bar.addAction(a[act.REDO])
        bar.addSeparator()
        bar.addAction(a[act.ADD_PANE])
        bar.addAction(a[act.REMOVE_PANE])
        bar.addAction(a[act.SYNC_SCROLL])
        bar.addSeparator()
        bar.addAction(a[act.IMPORT])
        self.addToolBar(bar)
        self.toolbar = bar
        self._menus["View"].addAction(bar.toggleViewAction())

    def _build_status_bar(self) -> None:
        self.state_label = QLabel()
        self.state_label.setObjectName("projectState")
        self.reviewer_label = QLabel()
        self.reviewer_label.setObjectName("reviewerLabel")
        self.statusBar().addPermanentWidget(self.state_label)
        self.statusBar().addPermanentWidget(self.reviewer_label)

    def _connect(self) -> None:
        a = self.actions_by_id
        a[act.NEW].triggered.connect(self.new_project)
        a[act.OPEN].triggered.connect(self.open_project_dialog)
        a[act.IMPORT].triggered.connect(self.import_dialog)
        a[act.CLOSE].triggered.connect(self.close_project)
        a[act.QUIT].triggered.connect(QApplication.closeAllWindows)
        a[act.UNDO].triggered.connect(self.undo)
        a[act.REDO].triggered.connect(self.redo)
        a[act.FIND].triggered.connect(self.focus_filter)
        a[act.REVIEWER].triggered.connect(self.ask_reviewer)
        a[act.ADD_PANE].triggered.connect(self.add_pane)
        a[act.REMOVE_PANE].triggered.connect(lambda: self.panes.remove_pane())
        a[act.SYNC_SCROLL].toggled.connect(self.panes.set_sync_scroll)
        a[act.DELETE].triggered.connect(self.delete_selected)
        a[act.ABOUT].triggered.connect(lambda: dialogs.about(self, __version__))
        for verdict in Verdict:
            a[act.TAG[verdict]].triggered.connect(lambda _=False, v=verdict: self.tag_selection(v))

        self.panes.sig_tag_requested.connect(
            lambda pane, verdict: self.tag_selection(Verdict(verdict), pane)
        )
        self.panes.sig_annotation_clicked.connect(self._on_highlight_clicked)
        self.panes.sig_active_pane_changed.connect(lambda _pane: self._update_chart())
        self.panes.sig_panes_changed.connect(self._on_panes_changed)
        self.article_panel.sig_article_activated.connect(self.show_in_active_pane)
        self.annotation_panel.sig_annotation_selected.connect(self._on_annotation_selected)
        self.annotation_panel.table.doubleClicked.connect(lambda _i: self._focus_active_view())
        self.editor.sig_verdict_requested.connect(self._on_verdict_requested)
        self.editor.sig_note_requested.connect(self._on_note_requested)
        self.editor.sig_sources_requested.connect(self._on_sources_requested)
        self.editor.sig_delete_requested.connect(lambda i: self._delete([i]))
        self.editor.sig_restore_requested.connect(lambda i: self._delete([i], restore=True))

    # --- project --------------------------------------------------------------------------

    def open_path(self, path: str | Path, *, read_only: bool = False) -> bool:
        """Open a project (a file, or a server URL) instead of the current one; False (after
        saying why) if it cannot be opened, and the current project stays open."""
        from desktop.core.store import open_store

        try:
            project = open_store(path, read_only=read_only)
        except CrosscheckError as exc:
            if type(exc).__name__ == "PasswordNeeded":
                self.server_tools.ask_password(str(path))
                return False
            dialogs.show_error(self, "Cannot open project", str(exc))
            return False
        self.set_project(project)
        return True

    def set_project(self, project: Store | None) -> None:
        """Show ``project`` (the window owns it from now on and closes it)."""
        self._close_current()
        if project is None:
            self._update_state()
            return
        self.project = project
        self.reader = ProjectReader(project)
        self.editing = Editing(project, lambda: self.settings.reviewer, self)
        self.editing.sig_changes_applied.connect(self.apply_changes)
        self.editing.sig_error_raised.connect(self._on_edit_failed)
        self.editing.stack.canUndoChanged.connect(lambda _b: self._update_undo_actions())
        self.editing.stack.canRedoChanged.connect(lambda _b: self._update_undo_actions())
        self.editing.stack.undoTextChanged.connect(lambda _t: self._update_undo_actions())
        self.editing.stack.redoTextChanged.connect(lambda _t: self._update_undo_actions())
        self.settings.add_recent(project_key(project))
        with self.reader.first_paint():
            self._project_name = self.reader.name()
            summaries = self.reader.summaries()
            self.article_panel.model.set_summaries(summaries)
            self.annotation_panel.model.set_rows(self.reader.all_rows())
            self.panes.set_choices(_choices(summaries))
            self.panes.set_loader(self._load_article)
            self._restore_panes([s.id for s in summaries])
        self.editor.set_annotation(None)
        self._update_state()
        for message in project.messages:
            self.statusBar().showMessage(message, STATUS_MS * 2)
        if project.backup_path is not None:
            dialogs.show_info(self, "Project upgraded", "\n".join(project.messages))
        self.sig_project_opened.emit(project)

    def close_project(self) -> None:
        self.set_project(None)

    def _close_current(self) -> None:
        if self.project is None:
            return
        self.editor.commit_note()
        self._finish_import_job()
        self._save_panes()
        editing, project = self.editing, self.project
        self.project = self.reader = self.editing = None
        if editing is not None:
            editing.stack.clear()
            editing.deleteLater()
        self.panes.set_loader(None)
        self.panes.set_choices([])
        self.article_panel.model.set_summaries([])
        self.annotation_panel.model.set_rows([])
        self.editor.set_annotation(None)
        project.close()
        self.sig_project_closed.emit()

    def _load_article(self, article_id: str) -> tuple[str, list[AnnotationRow]]:
        assert self.reader is not None
        return self.reader.article_text(article_id), self.reader.live_rows(article_id)

    def _restore_panes(self, article_ids: list[str]) -> None:
        assert self.project is not None
        saved = self.settings.panes(project_key(self.project))
        if saved is None:
            count = max(self.settings.pane_count, 1)
            saved = [article_ids[i] if i < len(article_ids) else None for i in range(count)]
        known = set(article_ids)
        self.panes.set_pane_count(len(saved))
        for pane, article_id in zip(self.panes.panes(), saved, strict=False):
            self.panes.show_article(pane, article_id if article_id in known else None)
        if self.panes.panes():
            self.panes.set_active(self.panes.panes()[0])

    def _save_panes(self) -> None:
        if self.project is not None:
            self.settings.save_panes(project_key(self.project), self.panes.articles())

    # --- the changes of an edit -----------------------------------------------------------

    def apply_changes(self, changes: ChangeSet) -> None:
        """Bring every view up to date with ``changes``."""
        if self.reader is None or not changes:
            return
        annotation_ids = changes.annotation_ids
        shown = self.editor.annotation()
        if annotation_ids:
            rows = self.reader.rows(annotation_ids=annotation_ids, include_deleted=True)
            # A row may leave the filtered table (deleted); the editor keeps showing it.
            self._hold_editor = True
            try:
                self.annotation_panel.model.apply_rows(rows)
            finally:
                self._hold_editor = False
        article_ids = changes.article_ids
        if article_ids:
            summaries = self.reader.summaries()
            wanted = set(article_ids)
            self.article_panel.model.update_summaries([s for s in summaries if s.id in wanted])
            if changes.ids("article"):
                self.panes.set_choices(_choices(summaries))
            for article_id in article_ids:
                if self.panes.panes_showing(article_id):
                    self.panes.refresh_annotations(article_id, self.reader.live_rows(article_id))
        if shown is not None and shown.id in annotation_ids:
            row = self.annotation_panel.model.find(shown.id)
            self.editor.set_annotation(row)
            if row is not None and self.annotation_panel.current_id() != row.id:
                self._hold_editor = True
                try:
                    if not self.annotation_panel.select_annotation(row.id):
                        self.annotation_panel.table.selectionModel().clear()
                finally:
                    self._hold_editor = False
        self._update_chart()
        self.sig_changes_applied.emit(changes)

    def _on_edit_failed(self, message: str) -> None:
        dialogs.show_error(self, "Nothing was changed", message)

    # --- tagging and editing --------------------------------------------------------------

    def tag_selection(self, verdict: Verdict, pane: Pane | None = None) -> bool:
        """Tag the selection of ``pane`` (default: the active pane) with ``verdict``."""
        label = verdict_style.label(verdict)
        if self.project is None or self.editing is None:
            self.statusBar().showMessage("Open a project first.", STATUS_MS)
            return False
        if self.project.read_only:
            self._say_read_only()
            return False
        pane = pane or self.panes.active_pane()
        span = pane.view.selected_span() if pane is not None else None
        article_id = pane.article_id() if pane is not None else None
        if pane is None or span is None or article_id is None:
            self.statusBar().showMessage(
                f"Select a passage in a pane first, then press {_key_hint(verdict)} to tag "
                f"it {label.lower()}.",
                STATUS_MS,
            )
            return False
        if not self.ensure_reviewer():
            return False
        changes = self.editing.tag(article_id, span[0], span[1], verdict)
        if changes is None:
            return False
        if not changes:
            self.statusBar().showMessage(f"Already tagged {label.lower()}.", STATUS_MS)
            return False
        annotation_id = changes.annotation_ids[0]
        self.statusBar().showMessage(f"Tagged as {label.lower()}.", STATUS_MS)
        self._select_annotation(annotation_id, scroll=False)
        return True

    def delete_selected(self) -> None:
        ids = self.annotation_panel.selected_ids()
        if not ids and self.editor.annotation() is not None:
            ids = [self.editor.annotation().id]
        model = self.annotation_panel.model
        live = [i for i in ids if (row := model.find(i)) is not None and not row.deleted]
        if not live:
            self.statusBar().showMessage("Select an annotation to delete.", STATUS_MS)
            return
        self._delete(live)

    def _delete(self, ids: Sequence[str], *, restore: bool = False) -> None:
        if self._can_edit():
            assert self.editing is not None
            self.editing.delete(ids, restore=restore)

    def _on_verdict_requested(self, annotation_id: str, old: Verdict, new: Verdict) -> None:
        if self._can_edit():
            assert self.editing is not None
            self.editing.set_verdict(annotation_id, Verdict(old), Verdict(new))
        self._reshow_editor(annotation_id)

    def _on_note_requested(self, annotation_id: str, old: str, new: str) -> None:
        if self._can_edit():
            assert self.editing is not None
            self.editing.set_note(annotation_id, old, new)

    def _on_sources_requested(
        self, annotation_id: str, old: Sequence[Source], new: Sequence[Source]
    ) -> None:
        if self._can_edit():
            assert self.editing is not None
            self.editing.set_sources(annotation_id, old, new)

    def _reshow_editor(self, annotation_id: str) -> None:
        """Put the editor back in step after a refused or failed edit."""
        current = self.editor.annotation()
        if current is not None and current.id == annotation_id:
            self.editor.set_annotation(self.annotation_panel.model.find(annotation_id))

    def _can_edit(self) -> bool:
        if self.project is None or self.editing is None:
            return False
        if self.project.read_only:
            self._say_read_only()
            return False
        return self.ensure_reviewer()

    def _say_read_only(self) -> None:
        assert self.project is not None
        self.statusBar().showMessage(
            f"This project is open read-only ({self.project.read_only_reason}); "
            "nothing was changed.",
            STATUS_MS,
        )

    def undo(self) -> None:
        if self.editing is not None and self._can_edit():
            self.editor.commit_note()
            self.editing.undo()

    def redo(self) -> None:
        if self.editing is not None and self._can_edit():
            self.editing.redo()

    # --- selection between views ----------------------------------------------------------

    def select_annotation(self, annotation_id: str) -> None:
        """Show an annotation: its row, the editor, and its span in a pane."""
        self._select_annotation(annotation_id, scroll=True)

    def _select_annotation(self, annotation_id: str, *, scroll: bool) -> None:
        self._scroll_on_select = scroll
        try:
            if not self.annotation_panel.select_annotation(annotation_id):
                self._show_annotation(annotation_id, scroll=scroll)
        finally:
            self._scroll_on_select = True

    _scroll_on_select = True
    _hold_editor = False  # while the table changes under an edit, the editor stays put

    def _on_annotation_selected(self, annotation_id: str | None) -> None:
        if self._hold_editor:
            return
        if annotation_id is None:
            self.editor.set_annotation(None)
            return
        self._show_annotation(annotation_id, scroll=self._scroll_on_select)

    def _show_annotation(self, annotation_id: str, *, scroll: bool) -> None:
        row = self.annotation_panel.model.find(annotation_id)
        self.editor.set_annotation(row)
        if row is None or row.deleted or not scroll:
            return
        pane = next(iter(self.panes.panes_showing(row.article_id)), None)
        if pane is None:
            pane = self.panes.active_pane()
            if pane is None:
                return
            self.panes.show_article(pane, row.article_id)
        self.panes.set_active(pane)
        pane.view.select_span(row.start, row.end)

    def _on_highlight_clicked(self, pane: Pane, annotation_id: str) -> None:
        self._select_annotation(annotation_id, scroll=False)

    def show_in_active_pane(self, article_id: str) -> None:
        pane = self.panes.active_pane()
        if pane is not None:
            self.panes.show_article(pane, article_id)
            pane.view.setFocus()

    def _focus_active_view(self) -> None:
        pane = self.panes.active_pane()
        if pane is not None:
            pane.view.setFocus()

    def focus_filter(self) -> None:
        self.articles_dock.show()
        self.article_panel.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.article_panel.filter.selectAll()

    def add_pane(self) -> None:
        pane = self.panes.add_pane()
        if pane is None:
            self.statusBar().showMessage("No room for another pane.", STATUS_MS)
            return
        # A new pane shows the first article not shown yet, so it is useful at once.
        shown = set(self.panes.articles())
        for summary in self.article_panel.model.summaries():
            if summary.id not in shown:
                self.panes.show_article(pane, summary.id)
                break
        self.panes.set_active(pane)

    def _on_panes_changed(self) -> None:
        self._update_chart()
        for view in self.panes.views():
            view.removeEventFilter(self)
            view.installEventFilter(self)
        count = len(self.panes.panes())
        from desktop.ui.panes import MAX_PANES, MIN_PANES

        self.actions_by_id[act.ADD_PANE].setEnabled(count < MAX_PANES)
        self.actions_by_id[act.REMOVE_PANE].setEnabled(count > MIN_PANES)

    def _update_chart(self) -> None:
        pane = self.panes.active_pane()
        article_id = pane.article_id() if pane is not None else None
        summary = self.article_panel.model.find(article_id) if article_id else None
        if summary is None:
            self.article_panel.chart.set_counts("", {})
        else:
            self.article_panel.chart.set_counts(summary.title, summary.counts)

    # --- reviewer -------------------------------------------------------------------------

    def ensure_reviewer(self) -> bool:
        """True when a reviewer name is set; otherwise ask for it (the edit is not made)."""
        if self.settings.reviewer:
            return True
        self.statusBar().showMessage("Enter your name first; then tag again.", STATUS_MS)
        self.ask_reviewer()
        return False

    def ask_reviewer(self) -> None:
        if self.settings.reviewer_from_env:
            dialogs.show_info(
                self,
                "Reviewer",
                f"The reviewer is set by the environment variable CROSSCHECK_REVIEWER "
                f"({self.settings.reviewer}); change it there.",
            )
            return
        if self._reviewer_dialog is not None and self._reviewer_dialog.isVisible():
            self._reviewer_dialog.raise_()
            return
        self._reviewer_dialog = dialogs.ask_reviewer(
            self, self.settings.stored_reviewer, self.set_reviewer
        )

    def set_reviewer(self, name: str) -> bool:
        from desktop.core import operations

        try:
            name = operations.check_reviewer_name(name)
        except CrosscheckError:
            self.statusBar().showMessage("The reviewer name cannot be empty.", STATUS_MS)
            return False
        self.settings.stored_reviewer = name
        self.settings.sync()
        self._update_state()
        self.statusBar().showMessage(f"Reviewer: {name}", STATUS_MS)
        return True

    # --- files ----------------------------------------------------------------------------

    def _folder(self) -> str:
        return str(project_folder(self.project))

    def open_project_dialog(self) -> None:
        path = dialogs.open_project_path(self, self._folder())
        if path is not None:
            self.open_path(path)

    def new_project(self) -> None:
        path = dialogs.new_project_path(self, self._folder())
        if path is None or not self.ensure_reviewer():
            return
        from desktop.core import operations
        from desktop.core.store import create_store

        try:
            with create_store(path) as project:
                operations.record_project_created(
                    project, name=path.stem, reviewer=self.settings.reviewer
                )
        except CrosscheckError as exc:
            dialogs.show_error(self, "Cannot create project", str(exc))
            return
        self.open_path(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_projects()
        for entry in recent:
            server = is_server_url(entry)
            action = self.recent_menu.addAction(server_label(entry) if server else Path(entry).name)
            action.setToolTip(entry)
            action.setStatusTip(entry)
            action.triggered.connect(lambda _=False, p=entry: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List", self.settings.clear_recent)

    def import_dialog(self) -> None:
        if self.project is None:
            return
        paths = dialogs.import_paths(self, IMPORT_SUFFIXES, self._folder())
        if paths:
            self.import_files(paths)

    def import_files(self, paths: Sequence[Path]) -> object | None:
        """Import article files in the background; returns the running job (or None)."""
        if self.project is None:
            self.statusBar().showMessage("Open a project before importing articles.", STATUS_MS)
            return None
        if self.project.read_only:
            self._say_read_only()
            return None
        if self._import_job is not None:
            self.statusBar().showMessage("An import is already running.", STATUS_MS)
            return None
        if not self.ensure_reviewer():
            return None
        from desktop.ui.workers import ImportJob

        job = ImportJob(self.project, list(paths), self.settings.reviewer)
        job.signals.sig_finished.connect(self._on_import_finished)
        job.signals.sig_failed.connect(self._on_import_failed)
        if len(paths) >= PROGRESS_FROM_FILES:
            progress = QProgressDialog("Reading files…", "Cancel", 0, len(paths) + 1, self)
            progress.setWindowTitle("Importing articles")
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(400)
            progress.canceled.connect(job.cancel)
            job.signals.sig_progressed.connect(
                lambda done, name: (
                    progress.setValue(done),
                    progress.setLabelText(f"Reading {name}…" if name else "Saving…"),
                )
            )
            self._progress = progress
        self._import_job = job
        self.statusBar().showMessage(f"Importing {len(paths)} file(s)…")
        QThreadPool.globalInstance().start(job)
        return job

    def _on_import_finished(self, changes: ChangeSet) -> None:
        self._end_import()
        self.apply_changes(changes)
        count = len(changes.ids("article"))
        self.statusBar().showMessage(f"Imported {count} article(s).", STATUS_MS)
        added = changes.ids("article")
        pane = self.panes.active_pane()
        if added and pane is not None and pane.article_id() is None:
            self.panes.show_article(pane, added[0])

    def _on_import_failed(self, message: str) -> None:
        self._end_import()
        self.statusBar().clearMessage()
        dialogs.show_error(self, "Nothing was imported", message)

    def _end_import(self) -> None:
        self._import_job = None
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None

    def _finish_import_job(self) -> None:
        """Closing the project waits for a running import (after asking it to stop)."""
        job = self._import_job
        if job is not None:
            job.cancel()  # type: ignore[attr-defined]
            QThreadPool.globalInstance().waitForDone()
            QApplication.processEvents()
            self._end_import()

    # --- drag and drop --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_files(event.mimeData())
        if not paths:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        projects = [p for p in paths if p.suffix.lower() == PROJECT_SUFFIX]
        # Open or import once the drop has finished, not inside the drag's event handling.
        if projects:
            QTimer.singleShot(0, lambda: self.open_path(projects[0]))
        else:
            QTimer.singleShot(0, lambda: self.import_files(paths))

    # --- keys on panes of a read-only project ---------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _TAG_KEYS
            and self.project is not None
            and self.project.read_only
        ):
            self._say_read_only()
            return True
        return super().eventFilter(watched, event)

    # --- state ----------------------------------------------------------------------------

    def _update_state(self) -> None:
        project = self.project
        if project is None:
            self.setWindowTitle(APP_NAME)
            self.state_label.setText("No project open")
        else:
            suffix = " [read-only]" if project.read_only else ""
            self.setWindowTitle(f"{self._project_name} — {APP_NAME}{suffix}")
            self.state_label.setText(
                f"Read-only: {project.read_only_reason}"
                if project.read_only
                else project_label(project)
            )
            self.state_label.setToolTip(project.location)
        editable = project is not None and not project.read_only
        for action_id in act.EDITING:
            self.actions_by_id[action_id].setEnabled(editable)
        self.actions_by_id[act.CLOSE].setEnabled(project is not None)
        self.editor.set_editable(editable)
        reviewer = self.settings.reviewer
        self.reviewer_label.setText(f"Reviewer: {reviewer}" if reviewer else "No reviewer set")
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        undo, redo = self.actions_by_id[act.UNDO], self.actions_by_id[act.REDO]
        stack = self.editing.stack if self.editing is not None else None
        writable = self.project is not None and not self.project.read_only
        undo.setEnabled(bool(stack and stack.canUndo() and writable))
        redo.setEnabled(bool(stack and stack.canRedo() and writable))
        undo.setText(f"&Undo {stack.undoText()}" if stack and stack.canUndo() else "&Undo")
        redo.setText(f"&Redo {stack.redoText()}" if stack and stack.canRedo() else "&Redo")

    def _restore_layout(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        sync = self.settings.sync_scroll
        self.actions_by_id[act.SYNC_SCROLL].setChecked(sync)

    def save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync_scroll = self.actions_by_id[act.SYNC_SCROLL].isChecked()
        self._save_panes()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.editor.commit_note()
        self.save_layout()
        self._close_current()
        super().closeEvent(event)


def _local_files(mime: object) -> list[Path]:
    from PySide6.QtCore import QMimeData

    if not isinstance(mime, QMimeData) or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _choices(summaries: Sequence[ArticleSummary]) -> list[tuple[str, str, str]]:
    """What the panes' choosers offer: id, title, and outlet with the publication date."""
    out = []
    for s in summaries:
        detail = " · ".join(
            p for p in (s.outlet, s.published.isoformat() if s.published else "") if p
        )
        out.append((s.id, s.title, detail))
    return out


def _key_hint(verdict: Verdict) -> str:
    return str(list(Verdict).index(verdict) + 1)
