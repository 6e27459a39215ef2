"""Comparing versions in the window: what the window builds at start-up.

The actions (View ▸ Compare Versions, Counterparts, Claims Grid; Edit ▸ Search All Versions;
Annotate ▸ Tag All Versions…, Carry Verdict…), three empty docks beside the annotations
table, and each pane's version letter. Everything that compares (``compare_controller``:
compare mode in the panes, the panels, the comparison itself) is loaded the first time it is
asked for, after the window has shown the project: start-up time counts, and compare mode
left on at the last session waits until then too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget, QVBoxLayout, QWidget

from desktop.core.changes import ChangeSet
from desktop.ui import actions as act

if TYPE_CHECKING:
    from desktop.core.compare.labels import VersionLabel
    from desktop.core.store import Store
    from desktop.ui.article_view import ArticleView
    from desktop.ui.compare_controller import CompareController
    from desktop.ui.main_window import MainWindow
    from desktop.ui.panes import Pane

# Compare mode or a panel restored with the window starts this long after the project shows,
# never before the window's first paint; anything the reviewer asks for starts at once.
FIRST_USE_DELAY_MS = 1500
# Changes to these entities change what can be compared.
ARTICLE_ACTIONS = frozenset({"article.imported", "article.removed", "article.restored"})


def _holder(name: str) -> QWidget:
    holder = QWidget()
    holder.setObjectName(name)
    QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
    return holder


class CompareTools(QObject):
    """Adds comparing versions to a MainWindow; the work is the controller's."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller: CompareController | None = None
        self.labels: dict[str, VersionLabel] = {}
        self.settled = False  # the window has shown the project: comparing may start
        self._shown: dict[str, bool] = {}  # dock name: on screen (not behind a tab)

        a = window.actions_by_id
        self.compare_action = a[act.COMPARE]
        self.counterparts_action = a[act.COUNTERPARTS]
        self.claims_action = a[act.CLAIMS]
        self.search_action = a[act.SEARCH]
        self.tag_all_action = a[act.TAG_ALL]
        self.carry_action = a[act.CARRY]

        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.counterparts_dock = window.add_dock(
            _holder("counterpartsHolder"), "Counterparts", "counterpartsDock", bottom
        )
        self.claims_dock = window.add_dock(_holder("claimsHolder"), "Claims", "claimsDock", bottom)
        self.search_dock = window.add_dock(_holder("searchHolder"), "Search", "searchDock", bottom)
        # Beside the annotations table and the audit trail, behind them until asked for.
        for dock in (self.counterparts_dock, self.claims_dock, self.search_dock):
            window.tabifyDockWidget(window.annotations_dock, dock)
        window.annotations_dock.raise_()
        view_menu = window.menu("View")
        for dock, action in (
            (self.counterparts_dock, self.counterparts_action),
            (self.claims_dock, self.claims_action),
        ):
            # The table's action (with its key) stands in the View menu for the dock's own.
            view_menu.insertAction(dock.toggleViewAction(), action)
            view_menu.removeAction(dock.toggleViewAction())
            dock.toggleViewAction().toggled.connect(action.setChecked)
        edit_menu = window.menu("Edit")
        find = window.action(act.FIND)
        actions = edit_menu.actions()
        after = actions[actions.index(find) + 1] if find in actions[:-1] else None
        edit_menu.insertAction(after, self.search_action)
        annotate = window.menu("Annotate")
        first_extra = next((x for x in annotate.actions() if x.isSeparator()), None)
        annotate.insertSeparator(first_extra)
        annotate.insertAction(first_extra, self.tag_all_action)
        annotate.insertAction(first_extra, self.carry_action)

        self.compare_action.toggled.connect(self.set_compare_mode)
        self.counterparts_action.triggered.connect(
            lambda _c=False: self.toggle_dock(self.counterparts_dock, self.counterparts_action)
        )
        self.claims_action.triggered.connect(
            lambda _c=False: self.toggle_dock(self.claims_dock, self.claims_action)
        )
        self.search_action.triggered.connect(lambda _c=False: self._use("show_search"))
        self.tag_all_action.triggered.connect(lambda _c=False: self._use("tag_all"))
        self.carry_action.triggered.connect(lambda _c=False: self._use("carry"))
        for dock in (self.counterparts_dock, self.claims_dock, self.search_dock):
            dock.visibilityChanged.connect(
                lambda visible, d=dock: self._on_dock_visible(d, visible)
            )

        window.sig_project_opened.connect(self._on_project_opened)
        window.sig_project_closed.connect(self._on_project_closed)
        window.sig_changes_applied.connect(self._on_changes)
        window.sig_reviewer_changed.connect(lambda _name: self._forward("on_reviewer_changed"))
        window.panes.sig_panes_changed.connect(self._on_panes_changed)
        window.editor.sig_annotation_shown.connect(
            lambda annotation_id: self._forward("on_annotation_shown", annotation_id)
        )
        window.extra_areas.append(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(lambda old, new: self._forward("on_focus_changed", old, new))
        self._on_panes_changed()

    # --- the controller -------------------------------------------------------------------

    def control(self) -> CompareController | None:
        """The controller, made on first use (None while no project is open)."""
        if self.controller is None and self.window.project is not None:
            from desktop.ui.compare_controller import CompareController

            self.settled = True
            self.controller = CompareController(self)
        return self.controller

    def _use(self, name: str, *args: Any) -> Any:
        controller = self.control()
        return getattr(controller, name)(*args) if controller is not None else None

    def _forward(self, name: str, *args: Any) -> None:
        """Events the controller follows once it exists (nothing compares before that)."""
        if self.controller is not None:
            getattr(self.controller, name)(*args)

    # What the controller holds, for the views and tests that look at it.
    @property
    def session(self) -> Any:
        return self.controller.session if self.controller is not None else None

    @property
    def found(self) -> Any:
        return self.controller.found if self.controller is not None else None

    @property
    def counterparts_panel(self) -> Any:
        return self.controller.counterparts_panel if self.controller is not None else None

    @property
    def claims_panel(self) -> Any:
        return self.controller.claims_panel if self.controller is not None else None

    @property
    def search_panel(self) -> Any:
        return self.controller.search_panel if self.controller is not None else None

    @property
    def tag_dialog(self) -> Any:
        return self.controller.tag_dialog if self.controller is not None else None

    @property
    def carry_dialog(self) -> Any:
        return self.controller.carry_dialog if self.controller is not None else None

    # --- keyboard -------------------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        """After the editor, Tab visits the panels that are built, in dock order."""
        return self.controller.tab_chain() if self.controller is not None else []

    def focus_areas(self) -> list[QWidget]:
        """F6 stops at each open panel's list (and the search field)."""
        return self.controller.focus_areas() if self.controller is not None else []

    # --- project --------------------------------------------------------------------------

    def _on_project_opened(self, _project: Store) -> None:
        self.settled = False
        self._forward("on_project_opened")
        # The letters come right after the first paint, which they are not needed for.
        QTimer.singleShot(0, self._relabel_if_open)
        QTimer.singleShot(FIRST_USE_DELAY_MS, self._settle)

    def _settle(self) -> None:
        """The project has been on screen a moment: start what was left on."""
        if self.window.project is None or self.settled:
            return
        self.settled = True
        panels = self.on_screen(self.counterparts_dock) or self.on_screen(self.claims_dock)
        if self.compare_action.isChecked() or panels or self.on_screen(self.search_dock):
            controller = self.control()
            if controller is not None:
                if self.compare_action.isChecked():
                    controller.set_compare_mode(True, raise_panel=False)
                controller.refresh_visible_panels()

    def stop(self) -> None:
        """The project is closing: stop comparing, forget everything."""
        self._forward("stop")

    def _on_project_closed(self) -> None:
        self._forward("on_project_closed")
        self.labels = {}
        for pane in self.window.panes.panes():
            pane.set_letter("")

    def _relabel_if_open(self) -> None:
        if self.window.project is not None:
            self.relabel()

    def relabel(self) -> None:
        """The versions' short labels, from the article list (its order gives the letters)."""
        from desktop.core.compare.labels import version_labels

        summaries = self.window.article_panel.model.summaries()
        self.labels = version_labels([(s.id, s.title, s.outlet, s.published) for s in summaries])
        for pane in self.window.panes.panes():
            self._label_pane(pane)
        self._forward("on_relabelled")

    def _label_pane(self, pane: Pane) -> None:
        article_id = pane.article_id()
        label = self.labels.get(article_id) if article_id else None
        if label is None:
            pane.set_letter("")
        else:
            pane.set_letter(label.letter, label.full)

    def _on_changes(self, changes: ChangeSet) -> None:
        if self.window.project is None:
            return
        if changes.reload or changes.ids("article"):
            self.relabel()  # a version came or went, or its title, outlet or date changed
        self._forward("on_changes", changes)

    # --- compare mode and the panels ------------------------------------------------------

    def compare_mode(self) -> bool:
        return self.compare_action.isChecked()

    def set_compare_mode(self, on: bool) -> None:
        """View ▸ Compare Versions."""
        self.window.settings.compare_mode = on
        if self.window.project is None:
            return
        if on and (self.settled or self.window.isVisible()):
            controller = self.control()
            if controller is not None:
                controller.set_compare_mode(True)
        elif not on:
            self._forward("set_compare_mode", False)

    def on_screen(self, dock: QDockWidget) -> bool:
        """Whether the dock's panel is on screen (a dock behind another tab counts as
        visible to Qt, but not here)."""
        return dock.isVisible() and self._shown.get(dock.objectName(), False)

    def toggle_dock(self, dock: QDockWidget, action: QAction) -> None:
        """The View menu's entry (and its key): shows the panel and goes to it; hides it
        when it is already where the keyboard is."""
        panel = dock.widget()
        inside = panel is not None and panel.isAncestorOf(QApplication.focusWidget())
        if dock.isVisible() and inside:
            dock.hide()
        else:
            dock.show()
            dock.raise_()
            controller = self.control()
            if controller is not None:
                controller.build(dock)
                target = controller.focus_target(dock)
                if target is not None:
                    target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        action.setChecked(dock.isVisible())

    def _on_dock_visible(self, dock: QDockWidget, visible: bool) -> None:
        self._shown[dock.objectName()] = visible
        if visible and self.window.project is not None and self.settled:
            controller = self.control()
            if controller is not None:
                controller.on_dock_visible(dock)

    # --- the panes ------------------------------------------------------------------------

    def _on_panes_changed(self) -> None:
        for pane in self.window.panes.panes():
            view = pane.view
            if not view.property("compareWired"):
                view.setProperty("compareWired", True)
                view.sig_selection_changed.connect(lambda v=view: self._forward("on_view_moved", v))
                view.cursorPositionChanged.connect(lambda v=view: self._forward("on_view_moved", v))
                view.verticalScrollBar().valueChanged.connect(
                    lambda _value, v=view: self._forward("on_scrolled", v)
                )
            self._label_pane(pane)
        self._forward("on_panes_changed")

    def views(self) -> list[ArticleView]:
        return self.window.panes.views()
