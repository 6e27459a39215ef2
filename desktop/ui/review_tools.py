"""Double-checking in the window: Tools ▸ Agreement, Tools ▸ Adjudicate Article, blind review
of the project or an article, and Annotate ▸ Mark Article Done.

The blind view itself is in ``ProjectReader``: every read of the window goes through it. This
object switches the state (through the window's undoable ``Editing``, so Edit ▸ Undo takes a
switch back), keeps its actions and the status bar in step, and reloads what the window shows
when what the reviewer may see changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from desktop.core.changes import ChangeSet
from desktop.core.store import Store
from desktop.ui import dialogs

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop.ui.main_window import MainWindow

STATUS_MS = 6000
# Changes to these change what the reviewer may see: the window is shown again.
VIEW_ENTITIES = frozenset({"blinding", "done_mark", "adjudicator"})


class ReviewTools(QObject):
    """Adds blind review, done marks, agreement and adjudication to a MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.agreement_dialog: QWidget | None = None
        self.adjudication_dialog: QWidget | None = None

        def action(text: str, name: str, tip: str, *, checkable: bool = False) -> QAction:
            a = QAction(text, window)
            a.setObjectName(name)
            a.setStatusTip(tip)
            a.setToolTip(tip)
            a.setCheckable(checkable)
            return a

        self.agreement_action = action(
            "&Agreement…",
            "tools.agreement",
            "How far reviewers agree on each article (uα, κ, percent) and what is still open",
        )
        self.agreement_action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.adjudicate_action = action(
            "A&djudicate Article…",
            "tools.adjudicate",
            "Settle where reviewers disagree on the article in the active pane",
        )
        self.blind_project_action = action(
            "&Blind Review of Project",
            "tools.blindProject",
            "Each reviewer sees only their own annotations until they mark an article done",
            checkable=True,
        )
        self.blind_article_action = action(
            "Blind Review of This A&rticle",
            "tools.blindArticle",
            "Blind review of the article in the active pane only",
            checkable=True,
        )
        self.done_action = action(
            "Mark Article &Done",
            "annotate.done",
            "Your pass over this article is finished: see the other reviewers' annotations",
            checkable=True,
        )
        self.done_action.setShortcut(QKeySequence("Ctrl+Shift+D"))

        tools = window.menu("Tools")
        first = tools.actions()[0] if tools.actions() else None
        for a in (self.agreement_action, self.adjudicate_action):
            tools.insertAction(first, a)
        tools.insertSeparator(first)
        for a in (self.blind_project_action, self.blind_article_action):
            tools.insertAction(first, a)
        tools.insertSeparator(first)
        annotate = window.menu("Annotate")
        annotate.addSeparator()
        annotate.addAction(self.done_action)
        tools.aboutToShow.connect(self.update_actions)
        annotate.aboutToShow.connect(self.update_actions)

        self.blind_label = QLabel()
        self.blind_label.setObjectName("blindLabel")
        window.statusBar().addPermanentWidget(self.blind_label)

        self.agreement_action.triggered.connect(self.show_agreement)
        self.adjudicate_action.triggered.connect(lambda: self.adjudicate())
        self.blind_project_action.triggered.connect(
            lambda on: self._switch_blind(on, article=False)
        )
        self.blind_article_action.triggered.connect(lambda on: self._switch_blind(on, article=True))
        self.done_action.triggered.connect(self._switch_done)

        # The audit trail holds every annotation's states: under blind review it leaves out
        # the events of annotations hidden from the viewer.
        window.tools.dock.visibilityChanged.connect(lambda _v: self._blind_trail())
        window.sig_changes_applied.connect(self._on_changes)
        window.sig_project_opened.connect(lambda _p: (self.update_actions(), self._blind_trail()))
        window.sig_project_closed.connect(self._on_project_closed)
        window.sig_reviewer_changed.connect(lambda _name: self.reload())
        window.panes.sig_active_pane_changed.connect(lambda _p: self.update_actions())
        window.panes.sig_panes_changed.connect(self.update_actions)
        self.update_actions()

    # --- state ----------------------------------------------------------------------------

    def _article(self) -> str | None:
        pane = self.window.panes.active_pane()
        return pane.article_id() if pane is not None else None

    def _viewer(self) -> str | None:
        return self.window.settings.reviewer or None

    def update_actions(self) -> None:
        """Check and enable the actions for the active pane's article, and say in the status
        bar whether blind review hides anything there."""
        w = self.window
        reader, project = w.reader, w.project
        article = self._article()
        if reader is None or project is None:
            for a in (
                self.agreement_action,
                self.adjudicate_action,
                self.blind_project_action,
                self.blind_article_action,
                self.done_action,
            ):
                a.setEnabled(False)
                a.setChecked(False)
            self.blind_label.setText("")
            return
        state = reader.blind_state()
        viewer = self._viewer()
        writable = not project.read_only
        self.agreement_action.setEnabled(True)
        self.adjudicate_action.setEnabled(article is not None)
        self.blind_project_action.setEnabled(writable)
        self.blind_project_action.setChecked(state.project_blind)
        self.blind_article_action.setEnabled(
            writable and article is not None and not state.project_blind
        )
        self.blind_article_action.setChecked(article is not None and state.blinded(article))
        self.done_action.setEnabled(writable and article is not None)
        self.done_action.setChecked(article is not None and state.marked_done(viewer, article))
        if article is None or not state.blinded(article):
            text, tip = "", ""
        elif state.hides_others(viewer, article):
            text = "Blind review: only your annotations"
            tip = "Other reviewers' annotations show once you mark the article done"
        elif state.is_adjudicator(viewer):
            text, tip = "Blind review: all shown (adjudicator)", ""
        else:
            text, tip = "Blind review: all shown (you marked it done)", ""
        self.blind_label.setText(text)
        self.blind_label.setToolTip(tip)

    def reload(self) -> None:
        """Show again everything the window shows, as the reviewer may now see it."""
        w = self.window
        if w.reader is None:
            self.update_actions()
            return
        summaries = w.reader.summaries()
        w.article_panel.model.update_summaries(summaries)
        w.annotation_panel.model.refresh()
        for article_id in {a for a in w.panes.articles() if a is not None}:
            w.panes.refresh_annotations(article_id, w.reader.live_rows(article_id))
        article = self._article()
        summary = w.article_panel.model.find(article) if article else None
        if summary is not None:
            w.article_panel.chart.set_counts(summary.title, summary.counts)
        self._blind_trail()
        editor_row = w.editor.annotation()
        if editor_row is not None and w.annotation_panel.model.find(editor_row.id) is None:
            w.editor.set_annotation(None)
        self.update_actions()
        # Blind review hides figures as it hides annotations.
        if self.agreement_dialog is not None and self.agreement_dialog.isVisible():
            self.agreement_dialog.refresh()  # type: ignore[attr-defined]

    def _on_changes(self, changes: ChangeSet) -> None:
        """Any edit, undo or redo: a change of what the reviewer may see shows the window
        again; open double-checking views are brought up to date."""
        if self.window.reader is not None:
            self.window.reader.forget_blind_state()
        if any(c.entity_type in VIEW_ENTITIES for c in changes.changes):
            self.reload()
        else:
            self._blind_trail()
        dialog = self.adjudication_dialog
        if dialog is not None and dialog.isVisible() and not dialog.refresh():  # type: ignore[attr-defined]
            dialog.close()
            self.adjudication_dialog = None
        # The figures of a whole project take a while: computed again after adjudication.
        settled = any(c.entity_type == "settlement" for c in changes.changes)
        if settled and self.agreement_dialog is not None and self.agreement_dialog.isVisible():
            self.agreement_dialog.refresh()  # type: ignore[attr-defined]

    def _blind_trail(self) -> None:
        trail, reader = self.window.tools.trail, self.window.reader
        if trail is not None and reader is not None:
            trail.proxy.set_hidden(reader.hidden_annotation_ids())

    def _on_project_closed(self) -> None:
        for dialog in (self.agreement_dialog, self.adjudication_dialog):
            if dialog is not None:
                dialog.close()
        self.agreement_dialog = self.adjudication_dialog = None
        self.update_actions()

    # --- writes ---------------------------------------------------------------------------

    def _write(
        self,
        work: Callable[[Store, str], ChangeSet],
        title: str,
        then: Callable[[ChangeSet], None] | None = None,
    ) -> bool:
        """Run one review operation as the window's reviewer, off the window's thread, as one
        undo step; ``then`` gets its changes, and an error becomes a dialog."""
        project, editing = self.window.project, self.window.editing
        if project is None or editing is None or not self.window.ensure_reviewer():
            return False

        def done(changes: ChangeSet) -> None:
            self.update_actions()
            if then is not None:
                then(changes)

        editing.apply_work(
            title,
            work,
            then=done,
            failed=lambda error: dialogs.show_error(self.window, title, str(error)),
        )
        return True

    def _switch_blind(self, on: bool, *, article: bool) -> None:
        from desktop.core import review_ops

        article_id = self._article() if article else None
        change = review_ops.start_blinding if on else review_ops.end_blinding
        scope = "this article" if article else "the project"
        said = "on" if on else "off"
        self._write(
            lambda project, reviewer: change(project, reviewer=reviewer, article_id=article_id),
            "Blind review not changed",
            lambda _changes: self.window.statusBar().showMessage(
                f"Blind review {said} for {scope}.", STATUS_MS
            ),
        )
        self.update_actions()

    def _switch_done(self, on: bool) -> None:
        from desktop.core import review_ops

        article_id = self._article()
        if article_id is None:
            self.update_actions()
            return
        change = review_ops.mark_done if on else review_ops.unmark_done
        said = (
            "Marked done: every reviewer's annotations are shown."
            if on
            else ("No longer marked done.")
        )
        self._write(
            lambda project, reviewer: change(project, article_id, reviewer=reviewer),
            "Done mark not changed",
            lambda _changes: self.window.statusBar().showMessage(said, STATUS_MS),
        )
        self.update_actions()

    # --- views ----------------------------------------------------------------------------

    def show_agreement(self) -> QWidget | None:
        project = self.window.project
        if project is None:
            return None
        from desktop.ui.agreement_view import AgreementDialog

        if self.agreement_dialog is not None:
            self.agreement_dialog.close()
        dialog = AgreementDialog(project, self.window, self._viewer)
        dialog.sig_article_requested.connect(self.window.show_in_active_pane)
        dialog.sig_adjudicate_requested.connect(self.adjudicate)
        dialog.show()
        dialog.refresh()
        self.agreement_dialog = dialog
        return dialog

    def adjudicate(self, article_id: str | None = None) -> QWidget | None:
        """Open the adjudication view of ``article_id`` (default: the active pane's)."""
        w = self.window
        article_id = article_id or self._article()
        if w.project is None or article_id is None:
            w.statusBar().showMessage("Show an article in a pane first.", STATUS_MS)
            return None
        from desktop.ui.adjudication_view import AdjudicationDialog

        if self.adjudication_dialog is not None:
            self.adjudication_dialog.close()
        editing = w.editing
        dialog = AdjudicationDialog(
            w.project,
            article_id,
            lambda: w.settings.reviewer,
            w,
            apply=editing.apply_work if editing is not None else None,
        )
        dialog.sig_changes_applied.connect(w.apply_changes)
        dialog.sig_annotation_requested.connect(w.select_annotation)
        self.adjudication_dialog = dialog
        dialog.show()
        if not dialog.refresh():
            dialog.close()
            self.adjudication_dialog = None
            return None
        return dialog
