"""The main window: menus, toolbar, docks and panes, and the routing of changes to views.

The window never touches the database: it reads through ProjectReader (core queries) and
every edit runs through Editing (undoable core operations), whose ChangeSets it hands to
each view that shows something changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
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
from desktop.ui.article_tools import ArticleTools
from desktop.ui.compare_tools import CompareTools
from desktop.ui.controller import ChangeFeed, Presence, Runner
from desktop.ui.data import ProjectReader
from desktop.ui.editor import AnnotationEditor
from desktop.ui.import_ui import Importer, dropped_sources
from desktop.ui.lists import AnnotationListPanel, ArticleListPanel
from desktop.ui.panes import Pane, PaneArea
from desktop.ui.project_names import project_folder, project_key, project_label
from desktop.ui.project_tools import ProjectTools
from desktop.ui.review_tools import ReviewTools
from desktop.ui.server_ui import ServerTools, server_label
from desktop.ui.settings import Settings
from desktop.ui.undo import Editing

if TYPE_CHECKING:
    from desktop.ui.reviewer_dialog import ReviewerDialog

APP_NAME = "Crosscheck"
PROJECT_SUFFIX = ".crosscheck"
STATUS_MS = 6000
PREFERRED_SIZE = (1400, 900)
# Room left for the window manager's frame and title bar, which the window cannot measure
# before it is first shown.
FRAME_ALLOWANCE = (0, 36)
PRESENCE_DELAY_MS = 1500
# The change feed's first read waits this long: after the first paint on any machine we know,
# and well before anyone can have typed anything that depends on it.
FEED_DELAY_MS = 250
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
    sig_reviewer_changed = Signal(str)
    """The reviewer using the window changed; carries the new name."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or Settings()
        self.project: Store | None = None
        self.reader: ProjectReader | None = None
        self.editing: Editing | None = None
        self.feed: ChangeFeed | None = None
        self.presence: Presence | None = None
        # Everything that reads or writes the project runs here, off this thread.
        self.runner = Runner(self)
        self._project_name = ""
        self._reviewer_dialog: ReviewerDialog | None = None
        self._pages: dict[str, QWidget] = {}
        # Views that add themselves after the editor to Tab and F6 (see ExtraArea).
        self.extra_areas: list[ExtraArea] = []
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.actions_by_id = act.build(self)
        self.panes = PaneArea()
        self.setCentralWidget(self.panes)
        self.article_panel = ArticleListPanel()
        self.annotation_panel = AnnotationListPanel()
        self.editor = AnnotationEditor()
        # One column on the left (articles above the editor) and the annotations under the
        # panes: the reading panes get the width, which a laptop screen is short of.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.articles_dock = self.add_dock(
            self.article_panel, "Articles", "articlesDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.editor_dock = self.add_dock(
            self.editor, "Annotation Editor", "editorDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.splitDockWidget(self.articles_dock, self.editor_dock, Qt.Orientation.Vertical)
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
        self.runner.sig_waiting_changed.connect(self._on_waiting_changed)
        self.tools = ProjectTools(self)
        self.article_tools = ArticleTools(self)
        self.review = ReviewTools(self)
        self.compare = CompareTools(self)
        self.importer = Importer(self)
        self.server_tools = ServerTools(self)
        self._fit_to_screen()
        self._restore_layout()
        self.panes.set_pane_count(2)
        self._update_tab_order()
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
        edit.addAction(a[act.UNDO_PROJECT])
        edit.addSeparator()
        edit.addAction(a[act.FIND])

        view = self._menus["View"]
        for dock in (self.articles_dock, self.editor_dock, self.annotations_dock):
            view.addAction(dock.toggleViewAction())
        self._dock_separator = view.addSeparator()
        view.addAction(a[act.ADD_PANE])
        view.addAction(a[act.REMOVE_PANE])
        view.addAction(a[act.COMPARE])
        view.addSeparator()
        view.addAction(a[act.NEXT_AREA])
        view.addAction(a[act.PREVIOUS_AREA])

        annotate = self._menus["Annotate"]
        for verdict in Verdict:
            annotate.addAction(a[act.TAG[verdict]])
        annotate.addSeparator()
        span_menu = annotate.addMenu("Adjust &Span")
        span_menu.setObjectName("menuSpan")
        for action_id in (
            act.SPAN_START_LEFT,
            act.SPAN_START_RIGHT,
            act.SPAN_END_LEFT,
            act.SPAN_END_RIGHT,
        ):
            span_menu.addAction(a[action_id])
        annotate.addSeparator()
        annotate.addAction(a[act.DELETE])

        self._menus["Tools"].addAction(a[act.REVIEWER])
        help_menu = self._menus["Help"]
        help_menu.addAction(a[act.GUIDE])
        help_menu.addAction(a[act.SHORTCUTS])
        help_menu.addSeparator()
        help_menu.addAction(a[act.ABOUT])

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
        bar.addAction(a[act.COMPARE])
        bar.addSeparator()
        bar.addAction(a[act.IMPORT])
        self.addToolBar(bar)
        self.toolbar = bar
        self._menus["View"].addAction(bar.toggleViewAction())

    def _build_status_bar(self) -> None:
        self.presence_label = QLabel()
        self.presence_label.setObjectName("presenceLabel")
        self.statusBar().addPermanentWidget(self.presence_label)
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
        a[act.UNDO_PROJECT].triggered.connect(self.undo_project)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        a[act.FIND].triggered.connect(self.focus_filter)
        a[act.REVIEWER].triggered.connect(self.ask_reviewer)
        a[act.ADD_PANE].triggered.connect(self.add_pane)
        a[act.REMOVE_PANE].triggered.connect(lambda: self.panes.remove_pane())
        a[act.NEXT_AREA].triggered.connect(lambda: self.cycle_area(1))
        a[act.PREVIOUS_AREA].triggered.connect(lambda: self.cycle_area(-1))
        a[act.DELETE].triggered.connect(self.delete_selected)
        a[act.ABOUT].triggered.connect(lambda: dialogs.about(self, __version__))
        a[act.SHORTCUTS].triggered.connect(self.show_shortcuts)
        a[act.GUIDE].triggered.connect(self.show_guide)
        for verdict in Verdict:
            a[act.TAG[verdict]].triggered.connect(lambda _=False, v=verdict: self.tag_selection(v))
        for action_id, (edge, step) in act.SPAN_MOVES.items():
            a[action_id].triggered.connect(
                lambda _=False, e=edge, s=step: self.move_span_edge(e, s)
            )

        self.panes.sig_tag_requested.connect(
            lambda pane, verdict: self.tag_selection(Verdict(verdict), pane)
        )
        self.panes.sig_annotation_clicked.connect(self._on_highlight_clicked)
        self.panes.sig_active_pane_changed.connect(lambda _pane: self._update_chart())
        self.panes.sig_panes_changed.connect(self._on_panes_changed)
        self.panes.sig_span_adjust_requested.connect(self.set_span)
        self.editor.sig_annotation_shown.connect(self.panes.set_selected_annotation)
        self.article_panel.sig_article_activated.connect(self.show_in_active_pane)
        self.annotation_panel.sig_annotation_selected.connect(self._on_annotation_selected)
        self.annotation_panel.sig_annotation_clicked.connect(self._on_annotation_clicked)
        self.annotation_panel.sig_annotation_activated.connect(self._on_annotation_activated)
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
        self.reader = ProjectReader(project, lambda: self.settings.reviewer)
        self.settings.add_recent(project_key(project))
        with self.reader.first_paint():
            seen = self.reader.head_seq()
            self._project_name = self.reader.name()
            summaries = self.reader.summaries()
            self.article_panel.model.set_summaries(summaries)
            self._list_annotations()
            self.panes.set_choices(_choices(summaries))
            self.panes.set_loader(self._load_article)
            self._restore_panes([s.id for s in summaries])
        self.feed = ChangeFeed(project, self.runner, seen, self, start_after_ms=FEED_DELAY_MS)
        self.feed.sig_changes_arrived.connect(self.apply_changes)
        self.feed.sig_availability_changed.connect(self._on_availability_changed)
        self.editing = Editing(
            project, lambda: self.settings.reviewer, self.runner, self.feed, self
        )
        self.editing.sig_error_raised.connect(self._on_edit_failed)
        self.editing.sig_conflict.connect(self._on_conflict)
        self.editing.stack.canUndoChanged.connect(lambda _b: self._update_undo_actions())
        self.editing.stack.canRedoChanged.connect(lambda _b: self._update_undo_actions())
        self.editing.stack.undoTextChanged.connect(lambda _t: self._update_undo_actions())
        self.editing.stack.redoTextChanged.connect(lambda _t: self._update_undo_actions())
        # Who else is here: started once the window shows, never before the first paint.
        QTimer.singleShot(PRESENCE_DELAY_MS, self._start_presence)
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
        self.compare.stop()  # a comparison under way is not waited for
        self.runner.wait()  # edits asked for are made before the project closes
        self._save_panes()
        editing, project, feed, presence = self.editing, self.project, self.feed, self.presence
        self.project = self.reader = self.editing = self.feed = self.presence = None
        if feed is not None:
            feed.stop()
            feed.deleteLater()
        if presence is not None:
            presence.stop()
            presence.deleteLater()
        self.presence_label.clear()
        if editing is not None:
            editing.stack.clear()
            editing.deleteLater()
        self.panes.set_loader(None)
        self.panes.set_choices([])
        self.article_panel.model.set_summaries([])
        self.article_panel.filter.clear()
        self.annotation_panel.model.set_rows([])
        self.annotation_panel.clear_filters()
        self.editor.set_annotation(None)
        self._update_chart()
        project.close()
        self.sig_project_closed.emit()

    def _load_article(self, article_id: str) -> tuple[str, list[AnnotationRow]]:
        assert self.reader is not None
        return self.reader.article_text(article_id), self.reader.live_rows(article_id)

    def _list_annotations(self) -> None:
        """The annotations table: its filters' ids from the store, and the first rows (the
        rest are read as they come into view)."""
        assert self.reader is not None
        model = self.annotation_panel.model
        model.set_query(self.reader.annotation_query())
        model.prefetch(0)

    def _start_presence(self) -> None:
        if self.project is None or self.presence is not None:
            return
        self.presence = Presence(self.project, self.runner, lambda: self.settings.reviewer, self)
        self.presence.sig_others_changed.connect(self._show_others)

    def _show_others(self, names: list[str]) -> None:
        """Who else has the project open, from their heartbeats (never blocks anything)."""
        if not names:
            self.presence_label.clear()
            self.presence_label.setToolTip("")
            return
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.presence_label.setText(f"Also open: {shown}")
        self.presence_label.setToolTip("Also open by: " + ", ".join(names))

    def _on_availability_changed(self, reason: str) -> None:
        """The project cannot be reached (a shared drive dropped, a server restarted): say so,
        keep everything typed, and carry on when it is back."""
        if reason:
            self.state_label.setText("Project unavailable — reconnecting…")
            self.state_label.setToolTip(reason)
            self.statusBar().showMessage(
                f"{reason}. Your unsaved input is kept; trying again every second.", STATUS_MS * 2
            )
        else:
            self._update_state()
            self.statusBar().showMessage("The project is available again.", STATUS_MS)

    def _on_conflict(self, conflict: object, edit: object, again: object) -> None:
        """Someone changed what this reviewer edited: their version and mine, and a choice."""
        from desktop.ui.conflict import ConflictDialog

        dialog = ConflictDialog(conflict, edit, self)  # type: ignore[arg-type]
        dialog.exec()
        chosen = dialog.resolved_edit()
        dialog.deleteLater()
        self._note_in_flight = None
        entity_id = str(getattr(conflict, "entity_id", ""))
        if chosen is not None:
            again(chosen, lambda _changes: self._show_saved(entity_id))  # type: ignore[operator]
        else:
            self.statusBar().showMessage("Kept the other reviewer's version.", STATUS_MS)
            self._show_saved(entity_id)
            if self.feed is not None:
                self.feed.pull()

    def _show_saved(self, annotation_id: str) -> None:
        """Show the annotation as saved now in the editor, dropping any typing over it (the
        reviewer has decided about it)."""
        if "not saved yet" in self.statusBar().currentMessage():
            self.statusBar().showMessage("Saved as you chose.", STATUS_MS)
        shown = self.editor.annotation()
        if self.reader is None or shown is None or shown.id != annotation_id:
            return
        rows = self.reader.rows(annotation_ids=[annotation_id])
        if rows:
            self.editor.show_saved(rows[0])

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
        """Bring every view up to date with ``changes`` (from the feed: anyone's changes)."""
        if self.reader is None or not changes:
            return
        if changes.reload:
            self._reload()
            self.sig_changes_applied.emit(changes)
            return
        annotation_ids = changes.annotation_ids
        shown = self.editor.annotation()
        # An article's new title shows in the rows of its annotations too.
        retitled = [
            c.entity_id
            for c in changes.changes
            if c.action in ("article.changed", "article.merged")
        ]
        if annotation_ids or retitled:
            rows = self.reader.rows(annotation_ids=annotation_ids, include_deleted=True)
            if retitled:
                rows += self.reader.rows(article_ids=retitled, include_deleted=True)
            # A row may leave the filtered table (deleted); the editor keeps showing it.
            self._hold_editor = True
            try:
                self.annotation_panel.model.apply_rows(rows)
                # The annotations of a removed article leave the table altogether.
                self.annotation_panel.model.remove_ids(set(annotation_ids) - {r.id for r in rows})
            finally:
                self._hold_editor = False
        article_ids = changes.article_ids
        if article_ids:
            summaries = self.reader.summaries()
            self.article_panel.model.sync_summaries(summaries, article_ids)
            if changes.ids("article"):
                self.panes.set_choices(_choices(summaries))
            listed = {s.id for s in summaries}
            for article_id in article_ids:
                if article_id not in listed:  # removed: its panes go blank
                    for pane in self.panes.panes_showing(article_id):
                        self.panes.show_article(pane, None)
                elif self.panes.panes_showing(article_id):
                    self.panes.refresh_annotations(article_id, self.reader.live_rows(article_id))
            self._show_restored(changes, listed)
        if shown is not None and shown.id in annotation_ids:
            row = self.annotation_panel.model.find(shown.id)
            # A note being typed stays; saving it then meets the newer version as a conflict.
            # (A note the newer version already holds is no longer unsaved: it was saved.)
            typed = self.editor.has_unsaved_note() and (
                row is None or row.note != self.editor.note.toPlainText()
            )
            if not typed:
                self.editor.set_annotation(row)
            elif row is not None and row.version != shown.version:
                self.statusBar().showMessage(
                    f"{row.reviewer} changed this annotation; your note is not saved yet.",
                    STATUS_MS,
                )
            if row is not None and self.annotation_panel.current_id() != row.id:
                self._hold_editor = True
                try:
                    if not self.annotation_panel.select_annotation(row.id):
                        self.annotation_panel.table.selectionModel().clear()
                finally:
                    self._hold_editor = False
        self._update_chart()
        self._select_pending()
        self.sig_changes_applied.emit(changes)

    def _reload(self) -> None:
        """Read again everything shown (the window fell far behind the project)."""
        assert self.reader is not None
        summaries = self.reader.summaries()
        self.article_panel.model.set_summaries(summaries)
        self.annotation_panel.model.refresh()
        self.panes.set_choices(_choices(summaries))
        listed = {s.id for s in summaries}
        for pane in self.panes.panes():
            article_id = pane.article_id()
            if article_id is not None and article_id not in listed:
                self.panes.show_article(pane, None)
            elif article_id is not None:
                self.panes.refresh_annotations(article_id, self.reader.live_rows(article_id))
        shown = self.editor.annotation()
        if shown is not None and not self.editor.has_unsaved_note():
            self.editor.set_annotation(self.annotation_panel.model.find(shown.id))
        self._update_chart()

    def _show_restored(self, changes: ChangeSet, listed: set[str]) -> None:
        """An article brought back (undo of a removal) shows again in an empty pane: the
        active one if it is empty, else the first empty one."""
        restored = [
            c.entity_id
            for c in changes.changes
            if c.action == "article.restored" and c.entity_id in listed
        ]
        empty = [p for p in self.panes.panes() if p.article_id() is None]
        active = self.panes.active_pane()
        if active in empty:
            empty.remove(active)
            empty.insert(0, active)
        for pane, article_id in zip(empty, restored, strict=False):
            self.panes.show_article(pane, article_id)

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
        from desktop.core.anchoring import trim_span

        start, end = trim_span(pane.view.text(), *span)
        if end <= start:
            self.statusBar().showMessage(
                "The selection holds only spaces; select some words to tag.", STATUS_MS
            )
            return False
        if not self.ensure_reviewer():
            return False

        def tagged(changes: ChangeSet) -> None:
            if not changes:
                self.statusBar().showMessage(f"Already tagged {label.lower()}.", STATUS_MS)
                return
            self.statusBar().showMessage(f"Tagged as {label.lower()}.", STATUS_MS)
            self._pending_select = changes.annotation_ids[0]
            self._select_pending()

        # The verdict's tint shows at once, not hidden under the selection's colour.
        pane.view.clear_selection()
        self.editing.tag(article_id, start, end, verdict, then=tagged)
        return True

    def move_span_edge(self, edge: str, step: int) -> bool:
        """Move one end of the selected annotation by a word (Annotate ▸ Adjust Span)."""
        from desktop.core.anchoring import move_edge

        row = self.editor.annotation()
        if self.reader is None or row is None or row.deleted:
            self.statusBar().showMessage("Select an annotation to adjust its span.", STATUS_MS)
            return False
        text = self.reader.article_text(row.article_id)
        span = move_edge(text, row.start, row.end, "start" if edge == "start" else "end", step)
        if span == (row.start, row.end):
            self.statusBar().showMessage(f"The {edge} cannot move further that way.", STATUS_MS)
            return False
        return self.set_span(row.id, *span)

    def set_span(self, annotation_id: str, start: int, end: int) -> bool:
        """Give an annotation a new span (an undoable, audited change)."""
        row = self._row_shown(annotation_id)
        if row is None or not self._can_edit():
            return False
        assert self.editing is not None

        def moved(changes: ChangeSet) -> None:
            if changes:
                change = changes.changes[-1]
                quote = " ".join(str((change.after or {}).get("quote", "")).split())
                self.statusBar().showMessage(f"Span now “{_clip(quote, 80)}”.", STATUS_MS)

        self.editing.set_span(row, start, end, then=moved)
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
            rows = [r for i in ids if (r := self._row_shown(i)) is not None]
            if rows:
                self.editing.delete(rows, restore=restore)

    def _row_shown(self, annotation_id: str) -> AnnotationRow | None:
        """The annotation as this reviewer sees it: the editor's (while a note is typed there,
        that is the version the edit is made on), else the table's."""
        shown = self.editor.annotation()
        if shown is not None and shown.id == annotation_id:
            return shown
        return self.annotation_panel.model.find(annotation_id)

    def _on_verdict_requested(self, annotation_id: str, old: Verdict, new: Verdict) -> None:
        row = self._row_shown(annotation_id)
        if self._can_edit() and row is not None:
            assert self.editing is not None
            self.editing.set_verdict(row, Verdict(new))
        self._reshow_editor(annotation_id)

    def _on_note_requested(self, annotation_id: str, old: str, new: str) -> None:
        # The same note asked for again while it is being saved (the field lost focus to a
        # dialog, say) is the same edit, not a second one.
        if self._note_in_flight == (annotation_id, new):
            return
        row = self._row_shown(annotation_id)
        if self._can_edit() and row is not None:
            assert self.editing is not None
            self._note_in_flight = (annotation_id, new)
            self.editing.set_note(row, new, then=self._note_landed, failed=self._note_refused)

    _note_in_flight: tuple[str, str] | None = None

    def _note_landed(self, _changes: ChangeSet) -> None:
        self._note_in_flight = None

    def _note_refused(self, error: CrosscheckError) -> None:
        self._note_in_flight = None
        self._on_edit_failed(str(error))

    def _on_sources_requested(
        self, annotation_id: str, old: Sequence[Source], new: Sequence[Source]
    ) -> None:
        row = self._row_shown(annotation_id)
        if self._can_edit() and row is not None:
            assert self.editing is not None
            self.editing.set_sources(row, new)

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
        """Edit ▸ Undo: the typing in the focused field while it has some to undo, else the
        project's last change."""
        field = self._text_field()
        if field is not None and _field_can(field, undo=True):
            field.undo()
            return
        if self.editing is not None and self._can_edit():
            self.editor.commit_note()
            self.editing.undo()

    def undo_project(self) -> None:
        """Edit ▸ Undo in Project (Ctrl+Alt+Z): the project's last change, from anywhere. A
        note being typed stays in its field, uncommitted."""
        if self.editing is not None and self._can_edit():
            self.editing.undo()

    def redo(self) -> None:
        field = self._text_field()
        if field is not None and _field_can(field, undo=False):
            field.redo()
            return
        if self.editing is not None and self._can_edit():
            self.editing.redo()

    # --- selection between views ----------------------------------------------------------

    def select_annotation(self, annotation_id: str) -> None:
        """Show an annotation: its row, the editor, and its span in a pane (loading its
        article into the active pane when no pane shows it)."""
        self._select_annotation(annotation_id)
        self._show_annotation(annotation_id, load=True)

    def _select_annotation(self, annotation_id: str) -> None:
        """Make the annotation the table's current row and the editor's; panes stay put."""
        if not self.annotation_panel.select_annotation(annotation_id):
            self.editor.set_annotation(self.annotation_panel.model.find(annotation_id))

    _pending_select: str | None = None  # a new annotation to select once the feed brings it
    _hold_editor = False  # while the table changes under an edit, the editor stays put

    def _select_pending(self) -> None:
        annotation_id = self._pending_select
        if annotation_id is not None and self.annotation_panel.model.find(annotation_id):
            self._pending_select = None
            self._select_annotation(annotation_id)

    def _on_annotation_selected(self, annotation_id: str | None) -> None:
        """The table's current row changed (keys, clicks): the editor follows, the panes do
        not, so moving through the table never replaces what a pane shows."""
        if self._hold_editor:
            return
        row = self.annotation_panel.model.find(annotation_id) if annotation_id else None
        self.editor.set_annotation(row)

    def _on_annotation_clicked(self, annotation_id: str) -> None:
        """A row was clicked: its span is selected in a pane that already shows it."""
        self._show_annotation(annotation_id, load=False)

    def _on_annotation_activated(self, annotation_id: str) -> None:
        """Enter or a double-click on a row: show it in a pane and go there."""
        self._select_annotation(annotation_id)
        pane = self._show_annotation(annotation_id, load=True)
        if pane is not None:
            pane.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_annotation(self, annotation_id: str, *, load: bool) -> Pane | None:
        """Select the annotation's span in a pane showing its article; with ``load``, show
        the article in the active pane first when no pane does. Returns the pane used."""
        row = self.annotation_panel.model.find(annotation_id)
        if row is None or row.deleted:
            return None
        pane = next(iter(self.panes.panes_showing(row.article_id)), None)
        if pane is None:
            pane = self.panes.active_pane() if load else None
            if pane is None:
                return None
            self.panes.show_article(pane, row.article_id)
        self.panes.set_active(pane)
        pane.view.select_span(row.start, row.end)
        return pane

    def _on_highlight_clicked(self, pane: Pane, annotation_id: str) -> None:
        self._select_annotation(annotation_id)

    def show_in_active_pane(self, article_id: str) -> None:
        pane = self.panes.active_pane()
        if pane is not None:
            self.panes.show_article(pane, article_id)
            pane.view.setFocus()

    # --- keyboard: areas and tab order -----------------------------------------------------

    def focus_areas(self) -> list[QWidget]:
        """Where F6 and Ctrl+Tab go, in order: the article list, each pane, the annotations
        table and the editor; areas hidden or disabled are skipped."""
        editor = self.editor.focus_target()
        areas = [self.article_panel.table, *self.panes.views(), self.annotation_panel.table]
        if editor is not None:
            areas.append(editor)
        for extra in self.extra_areas:
            areas += extra.focus_areas()
        return [w for w in areas if w.isVisible() and w.isEnabled()]

    def cycle_area(self, step: int) -> QWidget | None:
        """Move the focus to the next (``step`` 1) or previous (-1) main area."""
        areas = self.focus_areas()
        if not areas:
            return None
        focus = QApplication.focusWidget()
        current = None
        for i, area in enumerate(areas):
            # The editor is one area whichever of its controls has focus.
            container = self.editor if self.editor.isAncestorOf(area) else area
            if focus is not None and (focus is container or container.isAncestorOf(focus)):
                current = i
                break
        if current is None:
            target = areas[0] if step > 0 else areas[-1]
        else:
            target = areas[(current + step) % len(areas)]
        reason = Qt.FocusReason.TabFocusReason if step > 0 else Qt.FocusReason.BacktabFocusReason
        target.setFocus(reason)
        return target

    def _update_tab_order(self) -> None:
        """Tab walks the window in reading order: article filter and list, each pane's
        chooser and text, the annotation filters and table, then the editor."""
        chain: list[QWidget] = [self.article_panel.filter, self.article_panel.table]
        for pane in self.panes.panes():
            chain += [pane.chooser, pane.view]
        chain += self.annotation_panel.tab_chain()
        chain += self.editor.tab_chain()
        for extra in self.extra_areas:
            chain += extra.tab_chain()
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def update_tab_order(self) -> None:
        """A view added later (a panel built on first use) takes its place in the Tab order."""
        self._update_tab_order()

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
        self._update_tab_order()
        for view in self.panes.views():
            view.removeEventFilter(self)
            view.installEventFilter(self)
        count = len(self.panes.panes())
        from desktop.ui.panes import MAX_PANES, MIN_PANES

        has_project = self.project is not None
        self.actions_by_id[act.ADD_PANE].setEnabled(has_project and count < MAX_PANES)
        self.actions_by_id[act.REMOVE_PANE].setEnabled(has_project and count > MIN_PANES)

    def _update_chart(self) -> None:
        pane = self.panes.active_pane()
        article_id = pane.article_id() if pane is not None else None
        summary = self.article_panel.model.find(article_id) if article_id else None
        if summary is None:
            self.article_panel.chart.set_counts("", {})
        else:
            self.article_panel.chart.set_counts(summary.title, summary.counts)

    # --- help -----------------------------------------------------------------------------

    def show_shortcuts(self) -> QWidget:
        """Help ▸ Keyboard Shortcuts: every key, made from the actions table."""
        from desktop.ui.help import shortcuts_page

        return self._show_page("shortcuts", lambda: shortcuts_page(self, self.actions_by_id))

    def show_guide(self) -> QWidget:
        """Help ▸ How to Check a Story, with a button that opens the demo project."""
        from desktop.ui.help import guide_page

        return self._show_page("guide", lambda: guide_page(self, self.open_demo))

    def _show_page(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = make()
        page.show()
        page.raise_()
        page.activateWindow()
        return page

    def open_demo(self) -> bool:
        """Open the demo project (made in the data folder the first time)."""
        from desktop.ui.demo_project import ensure_demo

        try:
            path = ensure_demo(self.settings)
        except (CrosscheckError, OSError) as exc:
            dialogs.show_error(self, "Cannot create the demo project", str(exc))
            return False
        return self.open_path(path)

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
        dialog = self._reviewer_dialog
        if dialog is None:
            self._reviewer_dialog = dialogs.ask_reviewer(
                self, self.settings.stored_reviewer, self.set_reviewer
            )
        elif dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.ask(self.settings.stored_reviewer)

    def set_reviewer(self, name: str) -> bool:
        from desktop.core.model import check_reviewer_name

        try:
            name = check_reviewer_name(name)
        except CrosscheckError:
            self.statusBar().showMessage("The reviewer name cannot be empty.", STATUS_MS)
            return False
        self.settings.stored_reviewer = name
        self.settings.sync()
        self._update_state()
        self.statusBar().showMessage(f"Reviewer: {name}", STATUS_MS)
        self.sig_reviewer_changed.emit(name)
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
        """File ▸ Import Articles: files and web addresses."""
        self.importer.import_dialog()

    def import_files(self, paths: Sequence[Path | str]) -> object | None:
        """Import files or web pages in the background; returns the running job (or None)."""
        return self.importer.import_sources(paths)

    def _finish_import_job(self) -> None:
        """Closing the project waits for a running import (after asking it to stop)."""
        self.importer.finish()

    # --- drag and drop --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(dropped_sources(event.mimeData())):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:
        if any(dropped_sources(event.mimeData())):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files from a file manager, or links from a browser."""
        paths, links = dropped_sources(event.mimeData())
        if not paths and not links:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        projects = [p for p in paths if p.suffix.lower() == PROJECT_SUFFIX]
        # Open or import once the drop has finished, not inside the drag's event handling.
        if projects:
            QTimer.singleShot(0, lambda: self.open_path(projects[0]))
        else:
            QTimer.singleShot(0, lambda: self.import_files([*paths, *links]))

    # --- keys on panes of a read-only project ---------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QLineEdit | QPlainTextEdit)
        ):
            undo = event.matches(QKeySequence.StandardKey.Undo)
            redo = event.matches(QKeySequence.StandardKey.Redo) or (
                event.key() == Qt.Key.Key_Y
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier
            )
            if (undo or redo) and not _field_can(watched, undo=undo):
                # Nothing of the field's own to undo: leave the key to Edit ▸ Undo / Redo.
                event.ignore()
                return True
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
        for action_id in act.NEEDS_PROJECT:
            self.actions_by_id[action_id].setEnabled(project is not None)
        self._on_panes_changed()  # the pane count decides Add / Remove Pane
        # With nothing open, the views say so and take no input.
        for widget in (self.article_panel, self.annotation_panel, self.editor, self.panes):
            widget.setEnabled(project is not None)
        self.editor.set_empty_text(
            "Select an annotation, or select text in a pane and press 1, 2 or 3."
            if project is not None
            else "No project open. Open one with File ▸ Open or File ▸ Open Recent."
        )
        self.editor.set_editable(editable)
        reviewer = self.settings.reviewer
        self.reviewer_label.setText(f"Reviewer: {reviewer}" if reviewer else "No reviewer set")
        self._update_undo_actions()

    # --- which undo applies -----------------------------------------------------------------

    def _text_field(self) -> TextField | None:
        """The editable text field of this window that has focus, if any. The menu bar and
        menus borrow the focus while open; the field they borrowed it from still counts."""
        widget = QApplication.focusWidget()
        if isinstance(widget, QMenuBar | QMenu) or (
            widget is None and QApplication.activePopupWidget() is not None
        ):
            widget = self._last_field
        if isinstance(widget, QLineEdit | QPlainTextEdit) and not widget.isReadOnly():
            return widget if self.isAncestorOf(widget) else None
        return None

    _last_field: QWidget | None = None

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not isinstance(new, QMenuBar | QMenu):
            self._last_field = new
        field = self._text_field()
        if field is not None and not field.property("undoRouted"):
            # The field keeps Ctrl+Z only while it has typing to undo (see eventFilter), and
            # the Edit menu names the undo that applies as the field's history changes.
            field.setProperty("undoRouted", True)
            field.installEventFilter(self)
            if isinstance(field, QLineEdit):
                field.textChanged.connect(self._update_undo_actions)
            else:
                field.undoAvailable.connect(self._update_undo_actions)
                field.redoAvailable.connect(self._update_undo_actions)
        self._update_undo_actions()

    def _update_undo_actions(self, *_args: object) -> None:
        undo, redo = self.actions_by_id[act.UNDO], self.actions_by_id[act.REDO]
        in_project = self.actions_by_id[act.UNDO_PROJECT]
        stack = self.editing.stack if self.editing is not None else None
        writable = self.project is not None and not self.project.read_only
        can_undo = bool(stack and stack.canUndo() and writable)
        can_redo = bool(stack and stack.canRedo() and writable)
        field = self._text_field()
        if field is not None and _field_can(field, undo=True):
            undo.setEnabled(True)
            undo.setText("&Undo Typing")
        else:
            undo.setEnabled(can_undo)
            undo.setText(f"&Undo {stack.undoText()}" if stack and stack.canUndo() else "&Undo")
        if field is not None and _field_can(field, undo=False):
            redo.setEnabled(True)
            redo.setText("&Redo Typing")
        else:
            redo.setEnabled(can_redo)
            redo.setText(f"&Redo {stack.redoText()}" if stack and stack.canRedo() else "&Redo")
        in_project.setEnabled(can_undo)
        in_project.setText(
            f"Undo {stack.undoText()} in &Project" if stack and can_undo else "Undo in &Project"
        )

    def _fit_to_screen(self) -> None:
        """The first window's size: the preferred size where the screen has room, else the
        available screen (less the frame), with the docks sized so two panes stay readable."""
        available = _available_geometry(self)
        width = min(PREFERRED_SIZE[0], available.width() - FRAME_ALLOWANCE[0])
        height = min(PREFERRED_SIZE[1], available.height() - FRAME_ALLOWANCE[1])
        self.resize(width, height)
        self.move(
            available.x() + (available.width() - width) // 2,
            available.y() + max((available.height() - height - FRAME_ALLOWANCE[1]) // 2, 0),
        )
        column = max(300, min(380, round(width * 0.235)))
        self.resizeDocks([self.articles_dock], [column], Qt.Orientation.Horizontal)
        # Height: the article list and the editor share the column; the annotations get a
        # few rows under the panes, which keep the most.
        self.resizeDocks(
            [self.articles_dock, self.editor_dock],
            [round(height * 0.45), round(height * 0.55)],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks(
            [self.annotations_dock], [max(160, round(height * 0.22))], Qt.Orientation.Vertical
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # The frame is known once shown: pull the window inside the screen if it sticks
            # out (a wider frame than allowed for, or a layout saved on a bigger screen).
            QTimer.singleShot(0, self._keep_on_screen)

    _shown_once = False

    def _keep_on_screen(self) -> None:
        if self.isMaximized() or self.isFullScreen():
            return
        available = _available_geometry(self)
        frame = self.frameGeometry()
        if available.contains(frame):
            return
        extra_w = frame.width() - self.width()
        extra_h = frame.height() - self.height()
        width = min(self.width(), available.width() - extra_w)
        height = min(self.height(), available.height() - extra_h)
        self.resize(width, height)
        x = min(max(frame.x(), available.x()), available.right() + 1 - width - extra_w)
        y = min(max(frame.y(), available.y()), available.bottom() + 1 - height - extra_h)
        self.move(x, y)

    def _restore_layout(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        self.actions_by_id[act.COMPARE].setChecked(self.settings.compare_mode)

    def save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.compare_mode = self.actions_by_id[act.COMPARE].isChecked()
        self._save_panes()
        self.settings.sync()

    def _on_waiting_changed(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        elif self.statusBar().currentMessage().endswith("waiting for another reviewer's write…"):
            self.statusBar().clearMessage()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.editor.commit_note()
        self.save_layout()
        self._close_current()
        super().closeEvent(event)


TextField = QLineEdit | QPlainTextEdit


class ExtraArea(Protocol):
    """A view that takes part in Tab (``tab_chain``) and F6 (``focus_areas``)."""

    def tab_chain(self) -> list[QWidget]: ...

    def focus_areas(self) -> list[QWidget]: ...


def _field_can(field: QLineEdit | QPlainTextEdit, *, undo: bool) -> bool:
    """True when the text field has typing of its own to undo (or redo)."""
    if field.isReadOnly() or not field.isEnabled():
        return False
    if isinstance(field, QLineEdit):
        return field.isUndoAvailable() if undo else field.isRedoAvailable()
    document = field.document()
    return document.isUndoAvailable() if undo else document.isRedoAvailable()


def _available_geometry(widget: QWidget) -> QRect:
    """The part of the widget's screen that windows may use (without panels and docks)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, *PREFERRED_SIZE)


def _choices(summaries: Sequence[ArticleSummary]) -> list[tuple[str, str, str]]:
    """What the panes' choosers offer: id, title, and outlet with the publication date."""
    out = []
    for s in summaries:
        detail = " · ".join(
            p for p in (s.outlet, s.published.isoformat() if s.published else "") if p
        )
        out.append((s.id, s.title, detail))
    return out


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_hint(verdict: Verdict) -> str:
    return str(list(Verdict).index(verdict) + 1)
