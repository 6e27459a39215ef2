"""The editor of the selected annotation: verdict, note, evidence links, delete and restore.

The editor changes nothing itself: it asks for each change with a signal carrying the old and
the new value, and the window runs it as an undoable edit. The note is committed when the
field loses focus, on Ctrl+Return, and before another annotation is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFocusEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import InvalidInput
from desktop.core.model import Source, Verdict
from desktop.core.records import AnnotationRow
from desktop.ui import verdict_style
from desktop.ui.models import local_time

URL_ROLE = Qt.ItemDataRole.UserRole + 1
COPY_SCHEME = "copy:"  # links in a row's label that open the saved copy of its page


def open_link(url: str) -> None:
    """Open an evidence link in the user's browser."""
    QDesktopServices.openUrl(QUrl(url))


class ElidedLabel(QLabel):
    """Plain text in at most ``lines`` lines, the last one cut with "…"; the full text is the
    tooltip. Its height never changes, so what sits below it never moves."""

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = lines
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fix_height()

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._relayout()

    def is_elided(self) -> bool:
        return self.text().replace("\n", " ") != " ".join(self._full.split())

    def _fix_height(self) -> None:
        margins = self.contentsMargins()
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(self._lines * line + margins.top() + margins.bottom() + 2)

    def _relayout(self) -> None:
        text = " ".join(self._full.split())
        width = max(self.contentsRect().width(), 40)
        metrics = self.fontMetrics()
        lines: list[str] = []
        while text and len(lines) < self._lines - 1:
            if metrics.horizontalAdvance(text) <= width:
                break
            # The longest run of whole words that fits; a word longer than the line is cut.
            cut = len(text)
            while cut > 0 and metrics.horizontalAdvance(text[:cut]) > width:
                space = text.rfind(" ", 0, cut)
                cut = space if space > 0 else cut - 1
            cut = max(cut, 1)
            lines.append(text[:cut])
            text = text[cut:].lstrip()
        if text:
            lines.append(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
        self.setText("\n".join(lines))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fix_height()
            self._relayout()


class FieldLabel(QLabel):
    """A field's caption: its mnemonic focuses the field, and so does a click on it (a click
    aimed at a box that lands on its caption must not go nowhere)."""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        buddy = self.buddy()
        if buddy is not None and buddy.isEnabled():
            buddy.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)


class NoteEdit(QPlainTextEdit):
    """A note field that reports when its text should be committed."""

    sig_commit_requested = Signal()
    """Focus left the field, or Ctrl+Return was pressed."""

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # A menu opening (Edit, the field's own) only borrows the keyboard: the typing stays
        # a draft, so Edit ▸ Undo Typing still applies to it.
        menu = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.MenuBarFocusReason)
        if event.reason() not in menu:
            self.sig_commit_requested.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.sig_commit_requested.emit()
            return
        super().keyPressEvent(event)


class AnnotationEditor(QWidget):
    """Shows one annotation (or none) and asks for edits to it."""

    sig_verdict_requested = Signal(str, object, object)
    """Change an annotation's verdict: id, old Verdict, new Verdict."""
    sig_note_requested = Signal(str, str, str)
    """Change an annotation's note: id, old note, new note."""
    sig_sources_requested = Signal(str, object, object)
    """Change an annotation's evidence links: id, old tuple of Source, new tuple."""
    sig_delete_requested = Signal(str)
    """Delete this annotation."""
    sig_restore_requested = Signal(str)
    """Restore this deleted annotation."""
    sig_annotation_shown = Signal(object)
    """The editor now shows another annotation (or none); carries its id or None."""
    sig_copy_requested = Signal(str, str)
    """Fetch an evidence link's page now and keep a copy: annotation id, URL."""
    sig_copy_shown = Signal(str)
    """Show the saved copy of a page: its id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationEditor")
        self._row: AnnotationRow | None = None
        self._editable = True
        self._empty_text = "Select an annotation, or select text in a pane and press 1, 2 or 3."
        # Describes a saved copy beside its link ("copy of 12 Mar 2025 14:03"); set by the
        # window, which can read the project.
        self.copy_label: Callable[[str], str] | None = None

        # A fixed header: the quote in two lines at most, the details in one.
        self.quote = ElidedLabel(2)
        self.quote.setObjectName("editorQuote")
        self.details = ElidedLabel(1)
        self.details.setObjectName("editorDetails")

        self.verdict_buttons: dict[Verdict, QToolButton] = {}
        # No button group: Qt would make the three one Tab stop whose arrow keys change the
        # verdict. Each is its own stop; their checked states follow the annotation.
        verdict_row = QHBoxLayout()
        for verdict in Verdict:
            button = QToolButton()
            button.setObjectName(f"verdict_{verdict.value}")
            button.setText(verdict_style.label(verdict))
            button.setIcon(verdict_style.icon(verdict))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.clicked.connect(partial(self._on_verdict_clicked, button))  # (button, checked)
            self.verdict_buttons[verdict] = button
            verdict_row.addWidget(button)
        verdict_row.addStretch(1)

        self.note = NoteEdit()
        self.note.setObjectName("noteEdit")
        self.note.setPlaceholderText("Why? (saved when you leave the field or press Ctrl+Return)")
        self.note.setTabChangesFocus(True)
        self.note.sig_commit_requested.connect(self.commit_note)

        self.links = QListWidget()
        self.links.setObjectName("evidenceLinks")
        self.links.setToolTip("Click a link to open it in your browser")
        self.links.itemActivated.connect(self._open_item)
        self.links.currentItemChanged.connect(lambda *_: self._update_enabled())
        self.link_edit = QLineEdit()
        self.link_edit.setObjectName("linkEdit")
        self.link_edit.setPlaceholderText("https://… evidence link")
        self.link_edit.returnPressed.connect(self.add_link)
        self.link_edit.textChanged.connect(lambda *_: self.link_error.hide())
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("addLink")
        self.add_button.clicked.connect(self.add_link)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("removeLink")
        self.remove_button.clicked.connect(self.remove_link)
        self.save_copy = QCheckBox("Save a &copy")
        self.save_copy.setObjectName("saveCopy")
        self.save_copy.setToolTip(
            "Fetch the page now and keep it in the project, so it can be shown as it was "
            "even if it changes"
        )
        self.copy_button = QPushButton("Save Cop&y")
        self.copy_button.setObjectName("saveCopyButton")
        self.copy_button.setToolTip("Fetch the selected link's page now and keep a copy")
        self.copy_button.clicked.connect(self.copy_selected)
        self.link_error = QLabel()
        self.link_error.setObjectName("linkError")
        self.link_error.setWordWrap(True)
        self.link_error.setStyleSheet("color: palette(highlighted-text); background: #b3261e;")
        self.link_error.hide()

        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteAnnotation")
        self.delete_button.clicked.connect(self._on_delete)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setObjectName("restoreAnnotation")
        self.restore_button.clicked.connect(self._on_restore)

        add_row = QHBoxLayout()
        add_row.addWidget(self.link_edit, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.remove_button)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.save_copy)
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.quote)
        layout.addWidget(self.details)
        layout.addLayout(verdict_row)
        self.note_label = FieldLabel("&Note")
        self.note_label.setBuddy(self.note)
        self.links_label = FieldLabel("Evidence &links")
        self.links_label.setBuddy(self.links)
        layout.addWidget(self.note_label)
        layout.addWidget(self.note, 2)
        layout.addWidget(self.links_label)
        layout.addWidget(self.links, 1)
        layout.addLayout(add_row)
        layout.addLayout(copy_row)
        layout.addWidget(self.link_error)
        layout.addLayout(buttons)
        self.set_annotation(None)

    # --- showing --------------------------------------------------------------------------

    def annotation(self) -> AnnotationRow | None:
        return self._row

    def set_empty_text(self, text: str) -> None:
        """What the header says when no annotation is shown."""
        self._empty_text = text
        if self._row is None:
            self.quote.set_full_text(text)

    def show_saved(self, row: AnnotationRow) -> None:
        """Show ``row`` as saved, replacing whatever was typed in the note."""
        self.note.setPlainText(row.note)
        self.note.document().clearUndoRedoStacks()
        self._row = None  # nothing left to save from the old text
        self.set_annotation(row)

    def has_unsaved_note(self) -> bool:
        """A note is typed that differs from the shown annotation's and is not saved yet."""
        row = self._row
        return (
            row is not None
            and not row.deleted
            and self._editable
            and self.note.toPlainText() != row.note
        )

    def set_editable(self, editable: bool) -> None:
        """False for a read-only project: the annotation shows, nothing can change."""
        self._editable = editable
        self._update_enabled()

    def set_annotation(self, row: AnnotationRow | None) -> None:
        """Show ``row`` (or nothing). A note typed for the previous annotation is committed
        first; one typed for this same annotation is kept while the field has focus."""
        previous = self._row
        moved_on = (previous is None) != (row is None) or (
            previous is not None and row is not None and row.id != previous.id
        )
        if previous is not None and moved_on:
            self.commit_note()
        # Typing not yet committed (a draft) survives a refresh of the same annotation.
        keep_note = (
            row is not None
            and previous is not None
            and row.id == previous.id
            and self.note.toPlainText() != previous.note
        )
        self._row = row
        if row is None:
            self.quote.set_full_text(self._empty_text)
            self.details.set_full_text("")
            self.note.setPlainText("")
            self.links.clear()
        else:
            state = " — deleted" if row.deleted else ""
            self.quote.set_full_text(f"“{_clip(row.quote, 2000)}”")
            self.details.set_full_text(
                f"{row.article_title} · characters {row.start}–{row.end}{state} · "
                f"created {local_time(row.created_at)} by {row.created_by}; "
                f"changed {local_time(row.updated_at)} by {row.reviewer}"
            )
            for verdict, button in self.verdict_buttons.items():
                button.setChecked(verdict == row.verdict)
            if not keep_note and self.note.toPlainText() != row.note:
                self.note.setPlainText(row.note)
            elif keep_note and self.note.toPlainText() == row.note:
                # The typing was saved (the save runs off the window's thread and comes back
                # as this refresh): it is the project's to undo now (Edit ▸ Undo Edit note).
                self.note.document().clearUndoRedoStacks()
            self._fill_links(row.sources)
        self.link_error.hide()
        self._update_enabled()
        if moved_on:
            self.sig_annotation_shown.emit(row.id if row is not None else None)

    def _fill_links(self, sources: tuple[Source, ...]) -> None:
        current = self.links.currentItem()
        current_url = current.data(URL_ROLE) if current else None
        self.links.clear()
        for source in sources:
            item = QListWidgetItem()
            item.setData(URL_ROLE, source.url)
            item.setToolTip(f"Open {source.url}")
            self.links.addItem(item)
            # A rich-text label makes the link itself clickable; the rest of the row selects.
            title = f"{escape(source.title)} — " if source.title else ""
            copy = ""
            if source.copy:
                described = self.copy_label(source.copy) if self.copy_label else "saved copy"
                # On a line of its own, so a long address does not push it out of sight.
                href = f"{COPY_SCHEME}{escape(source.copy)}"
                copy = f'<br><small>Saved: <a href="{href}">{escape(described)}</a></small>'
            label = QLabel(f'{title}<a href="{escape(source.url)}">{escape(source.url)}</a>{copy}')
            label.setObjectName("evidenceLabel")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
            label.linkActivated.connect(self._on_link_activated)
            label.setContentsMargins(4, 1, 4, 1)
            item.setSizeHint(label.sizeHint())
            self.links.setItemWidget(item, label)
            if source.url == current_url:
                self.links.setCurrentItem(item)

    def _update_enabled(self) -> None:
        row = self._row
        live = row is not None and not row.deleted and self._editable
        for button in self.verdict_buttons.values():
            button.setEnabled(live)
        self.note.setReadOnly(not live)
        self.note.setEnabled(row is not None)
        self.link_edit.setEnabled(live)
        self.add_button.setEnabled(live)
        self.remove_button.setEnabled(live and self.links.currentItem() is not None)
        self.save_copy.setEnabled(live)
        self.copy_button.setEnabled(live and self.links.currentItem() is not None)
        self.delete_button.setVisible(row is None or not row.deleted)
        self.delete_button.setEnabled(live)
        self.restore_button.setVisible(row is not None and row.deleted)
        self.restore_button.setEnabled(row is not None and row.deleted and self._editable)

    def tab_chain(self) -> list[QWidget]:
        """The editor's controls in the order Tab visits them."""
        return [
            *self.verdict_buttons.values(),
            self.note,
            self.links,
            self.link_edit,
            self.add_button,
            self.remove_button,
            self.save_copy,
            self.copy_button,
            self.restore_button,
            self.delete_button,
        ]

    def focus_target(self) -> QWidget | None:
        """Where focus goes when the editor is entered as an area: the note when it can be
        typed in, else the first control that can take focus; None with nothing to edit."""
        if self._row is None:
            return None
        for widget in (self.note, *self.tab_chain()):
            if widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                return widget
        return None

    # --- asking for edits -----------------------------------------------------------------

    def commit_note(self) -> None:
        row = self._row
        if row is None or row.deleted or not self._editable:
            return
        text = self.note.toPlainText()
        if text != row.note:
            self.sig_note_requested.emit(row.id, row.note, text)
            saved = self._row
            if saved is not None and saved.id == row.id and saved.note == text:
                # Saved typing is the project's to undo now (Edit ▸ Undo Edit note).
                self.note.document().clearUndoRedoStacks()

    def add_link(self) -> None:
        row = self._row
        if row is None or not self.add_button.isEnabled():
            return
        try:
            source = Source.parse(self.link_edit.text())
        except InvalidInput as exc:
            self.link_error.setText(str(exc))
            self.link_error.show()
            return
        if any(s.url == source.url for s in row.sources):
            self.link_error.setText(f"{source.url} is already listed")
            self.link_error.show()
            return
        self.link_edit.clear()
        self.sig_sources_requested.emit(row.id, row.sources, (*row.sources, source))
        if self.save_copy.isChecked():
            self.sig_copy_requested.emit(row.id, source.url)

    def copy_selected(self) -> None:
        """Save a copy of the selected link's page (again, if it has one: both are kept)."""
        row = self._row
        item = self.links.currentItem()
        if row is None or item is None or not self.copy_button.isEnabled():
            return
        self.sig_copy_requested.emit(row.id, item.data(URL_ROLE))

    def _on_link_activated(self, url: str) -> None:
        if url.startswith(COPY_SCHEME):
            self.sig_copy_shown.emit(url[len(COPY_SCHEME) :])
        else:
            open_link(url)

    def remove_link(self) -> None:
        row = self._row
        item = self.links.currentItem()
        if row is None or item is None or not self.remove_button.isEnabled():
            return
        url = item.data(URL_ROLE)
        remaining = tuple(s for s in row.sources if s.url != url)
        self.sig_sources_requested.emit(row.id, row.sources, remaining)

    def _on_verdict_clicked(self, button: QAbstractButton, _checked: bool = False) -> None:
        row = self._row
        verdict = next(v for v, b in self.verdict_buttons.items() if b is button)
        if row is not None and verdict != row.verdict:
            self.sig_verdict_requested.emit(row.id, row.verdict, verdict)
        shown = self._row
        for v, b in self.verdict_buttons.items():
            b.setChecked(shown is not None and v == shown.verdict)

    def _on_delete(self) -> None:
        if self._row is not None:
            self.commit_note()
            self.sig_delete_requested.emit(self._row.id)

    def _on_restore(self) -> None:
        if self._row is not None:
            self.sig_restore_requested.emit(self._row.id)

    def _open_item(self, item: QListWidgetItem) -> None:
        url = item.data(URL_ROLE)
        if url:
            open_link(url)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
