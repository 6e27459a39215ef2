"""Edit Article… and Remove Article…: in the Edit menu and the article list's context menu.

Both act on the article chosen in the list when the list has the focus, else on the article of
the active pane, and both are undoable through the window's Editing, like every other edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QMenu

from desktop.core.changes import ChangeSet
from desktop.core.errors import CrosscheckError
from desktop.core.records import ArticleSummary
from desktop.ui import actions as act
from desktop.ui import dialogs
from desktop.ui.models import ROW_ROLE

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from desktop.ui.article_dialog import ArticleDialog
    from desktop.ui.main_window import MainWindow

STATUS_MS = 6000
TITLE_CHARS = 90  # of a title quoted in a message; the full title is in the list's tooltip


def quoted_title(title: str, width: int = TITLE_CHARS) -> str:
    title = " ".join(title.split())
    return "“" + (title if len(title) <= width else title[: width - 1] + "…") + "”"


class ArticleTools(QObject):
    """Adds editing and removing articles to a MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ArticleDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.menu: QMenu | None = None
        edit_menu = window.menu("Edit")
        edit_menu.addSeparator()
        for action_id in (act.EDIT_ARTICLE, act.REMOVE_ARTICLE):
            edit_menu.addAction(window.action(action_id))
        window.action(act.EDIT_ARTICLE).triggered.connect(lambda: self.edit_article())
        window.action(act.REMOVE_ARTICLE).triggered.connect(lambda: self.remove_article())
        # Context menu events are watched rather than customContextMenuRequested, whose
        # position means the viewport for a click but the table for the Menu key.
        table = window.article_panel.table
        table.installEventFilter(self)
        table.viewport().installEventFilter(self)

    # --- which article --------------------------------------------------------------------

    def current_article(self) -> ArticleSummary | None:
        """The list's article while the list has the focus, else the active pane's."""
        panel = self.window.article_panel
        listed = panel.table.currentIndex().data(ROW_ROLE)
        if panel.table.hasFocus() and isinstance(listed, ArticleSummary):
            return listed
        pane = self.window.panes.active_pane()
        article_id = pane.article_id() if pane is not None else None
        if article_id is not None:
            return panel.model.find(article_id)
        return listed if isinstance(listed, ArticleSummary) else None

    def _usable(self, summary: ArticleSummary | None) -> ArticleSummary | None:
        window = self.window
        if window.project is None or window.editing is None:
            return None
        if summary is None:
            window.statusBar().showMessage(
                "Choose an article first: select it in the list or show it in a pane.", STATUS_MS
            )
            return None
        if window.project.read_only:
            window.statusBar().showMessage(
                f"This project is open read-only ({window.project.read_only_reason}); "
                "nothing was changed.",
                STATUS_MS,
            )
            return None
        return summary if window.ensure_reviewer() else None

    # --- edit -----------------------------------------------------------------------------

    def edit_article(self, summary: ArticleSummary | None = None) -> ArticleDialog | None:
        """Open Edit Article for ``summary`` (default: the current article)."""
        target = self._usable(summary or self.current_article())
        if target is None:
            return None
        from desktop.ui.article_dialog import ArticleDialog

        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
        article_id = target.id
        dialog = ArticleDialog(
            target, lambda old, new: self._save(article_id, old, new), self.window
        )
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        dialog.open()
        self.dialog = dialog
        return dialog

    def _save(self, article_id: str, old: dict[str, str], new: dict[str, str]) -> bool:
        """Make the change off the window's thread; the dialog stays open, with everything
        typed, until it is made (then closes) or refused (then says why)."""
        editing, dialog = self.window.editing, self.dialog
        if editing is None:
            return False
        from desktop.core.changes import Edit

        def done(_changes: ChangeSet) -> None:
            if dialog is not None:
                dialog.saved()
            self.window.statusBar().showMessage("Article details changed.", STATUS_MS)

        def failed(error: CrosscheckError) -> None:
            if dialog is not None and dialog.isVisible():
                dialog.save_failed(str(error))
            else:
                dialogs.show_error(self.window, "Nothing was changed", str(error))

        if dialog is not None:
            dialog.setEnabled(False)  # one save at a time; the text stays as typed
        edit = Edit("edit_article", {"article_id": article_id, **new})
        editing.apply(edit, "Edit article details", then=done, failed=failed)
        return False

    # --- remove ---------------------------------------------------------------------------

    def remove_article(self, summary: ArticleSummary | None = None) -> QMessageBox | None:
        """Ask, naming the article and its annotations, then remove it (undoably)."""
        target = self._usable(summary or self.current_article())
        if target is None:
            return None
        from PySide6.QtWidgets import QMessageBox

        count = target.total
        if count:
            question = f"Remove {quoted_title(target.title)} and its " + (
                "annotation?" if count == 1 else f"{count} annotations?"
            )
            detail = "They leave"
        else:
            question = f"Remove {quoted_title(target.title)}? It has no annotations."
            detail = "It leaves"
        box = QMessageBox(self.window)
        box.setObjectName("removeArticleBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Remove Article")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(question)
        box.setInformativeText(
            f"{detail} the lists, the panes and the exports, but stay"
            f"{'s' if not count else ''} in the project file and its audit trail. "
            f"Edit ▸ Undo brings {'them' if count else 'it'} back."
        )
        remove = box.addButton("&Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(remove)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is remove and self._remove(target))
        box.destroyed.connect(lambda *_: setattr(self, "confirmation", None))
        box.open()
        self.confirmation = box
        return box

    def _remove(self, summary: ArticleSummary) -> None:
        editing = self.window.editing
        if editing is None:
            return
        from desktop.core.changes import Edit

        def removed(changes: ChangeSet) -> None:
            if changes:
                count = len(changes.annotation_ids)
                self.window.statusBar().showMessage(
                    f"Removed {quoted_title(summary.title, 50)} with {count} annotation(s); "
                    "Ctrl+Z brings it back.",
                    STATUS_MS,
                )

        editing.apply(
            Edit("remove_articles", {"article_ids": [summary.id]}),
            f"Remove article '{quoted_title(summary.title, 40)}'",
            then=removed,
        )

    # --- the list's context menu ----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ContextMenu or not isinstance(event, QContextMenuEvent):
            return super().eventFilter(watched, event)
        table = self.window.article_panel.table
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            at = table.viewport().mapFromGlobal(event.globalPos())
            index = table.indexAt(at)
        else:  # the Menu key: the current row
            index = table.currentIndex()
            at = table.visualRect(index).center()
        self.show_context_menu(index, table.viewport().mapToGlobal(at))
        return True

    def show_context_menu(self, index: QModelIndex, where: QPoint) -> QMenu | None:
        """The menu of the article at ``index`` of the list, at global position ``where``."""
        table = self.window.article_panel.table
        summary = index.data(ROW_ROLE) if index.isValid() else None
        if not isinstance(summary, ArticleSummary):
            return None
        table.setCurrentIndex(index)
        menu = QMenu(table)
        menu.setObjectName("articleContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("&Show in Active Pane", lambda: self.window.show_in_active_pane(summary.id))
        menu.addSeparator()
        for action_id, slot in (
            (act.EDIT_ARTICLE, self.edit_article),
            (act.REMOVE_ARTICLE, self.remove_article),
        ):
            source = self.window.action(action_id)
            item = menu.addAction(source.text(), lambda *_, s=slot: s(summary))
            item.setObjectName(action_id)
            item.setEnabled(source.isEnabled())
            item.setStatusTip(source.statusTip())
        menu.popup(where)
        self.menu = menu
        return menu
