"""Article panes side by side: each an article chooser above a read-only article view.

The active pane is the one whose view had focus last; tagging and "show this article" act
on it. Compare mode (``compare_tools``) keeps the panes at the same passage of the story.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from desktop.core.records import AnnotationRow
from desktop.ui import verdict_style
from desktop.ui.article_view import ArticleView

DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
MIN_PANES = 1
MAX_PANES = 6

# Reads an article for a pane: its text and its live annotations.
Loader = Callable[[str], tuple[str, Sequence[AnnotationRow]]]


class ElidingComboBox(QComboBox):
    """A combo box that ends a title too long for it with "…" instead of cutting it."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            self,
        )
        icon = option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, max(field.width() - icon, 0)
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def shown_text(self) -> str:
        """The text as drawn: the current title, elided to the box."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            self,
        )
        return self.fontMetrics().elidedText(
            self.currentText(), Qt.TextElideMode.ElideRight, field.width()
        )


class Pane(QFrame):
    """One article chooser and the view under it."""

    sig_article_chosen = Signal(object)
    """The user picked an article in the chooser; carries its id (None for no article)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articlePane")
        self.marker = QFrame()
        self.marker.setFixedHeight(3)
        self.marker.setAutoFillBackground(True)
        self.chooser = ElidingComboBox()
        self.chooser.setObjectName("articleChooser")
        self.chooser.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.chooser.setMinimumContentsLength(8)
        self.chooser.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.chooser.setToolTip("The article shown in this pane")
        self.chooser.activated.connect(self._on_activated)
        # Outlet and date under the chooser; ignored in width so narrow panes stay possible.
        self.outlet = QLabel()
        self.outlet.setObjectName("paneOutlet")
        self.outlet.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._colour_outlet()
        # The version's letter, as the Counterparts panel and the Claims grid name it.
        self.letter = QLabel()
        self.letter.setObjectName("paneLetter")
        self.letter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.letter.setMinimumWidth(self.letter.fontMetrics().horizontalAdvance("MM") + 6)
        font = self.letter.font()
        font.setBold(True)
        self.letter.setFont(font)
        self.letter.hide()
        self.view = ArticleView()
        self.view.setObjectName("articleView")
        self.view.setMinimumWidth(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.marker)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.letter)
        row.addWidget(self.chooser, 1)
        layout.addLayout(row)
        layout.addWidget(self.outlet)
        layout.addWidget(self.view, 1)
        self.set_active(False)

    def article_id(self) -> str | None:
        return self.view.article_id()

    def _colour_outlet(self) -> None:
        # Quieter than the title, yet readable (not the palette's faint disabled text).
        palette = self.outlet.palette()
        palette.setColor(QPalette.ColorRole.WindowText, verdict_style.muted_text(self.palette()))
        self.outlet.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_outlet()

    def set_choices(self, choices: Sequence[tuple[str, str, str]]) -> None:
        """Offer these articles (id, title, detail), keeping the current one chosen; the
        detail (outlet, date) shows under the chooser."""
        current = self.article_id()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        self.chooser.addItem("(no article)", None)
        for article_id, title, detail in choices:
            self.chooser.addItem(title, article_id)
            index = self.chooser.count() - 1
            self.chooser.setItemData(index, detail, DETAIL_ROLE)
            self.chooser.setItemData(
                index, f"{title}\n{detail}" if detail else title, Qt.ItemDataRole.ToolTipRole
            )
        self._select_choice(current)
        self.chooser.blockSignals(False)

    def show_article(
        self, article_id: str | None, text: str, rows: Sequence[AnnotationRow]
    ) -> None:
        self.view.set_article(article_id, text)
        self.view.set_annotations(rows)
        self._select_choice(article_id)

    def _select_choice(self, article_id: str | None) -> None:
        index = max(self.chooser.findData(article_id) if article_id else 0, 0)
        self.chooser.setCurrentIndex(index)
        self.chooser.setToolTip(self.chooser.itemData(index, Qt.ItemDataRole.ToolTipRole) or "")
        self.outlet.setText(self.chooser.itemData(index, DETAIL_ROLE) or "")

    def set_letter(self, letter: str, tooltip: str = "") -> None:
        """Show the version's short letter beside the chooser ("" hides it)."""
        self.letter.setText(letter)
        self.letter.setToolTip(tooltip)
        self.letter.setVisible(bool(letter))

    def set_active(self, active: bool) -> None:
        self.setProperty("active", active)
        palette = self.marker.palette()
        role = QPalette.ColorRole.Highlight if active else QPalette.ColorRole.Window
        palette.setColor(QPalette.ColorRole.Window, self.palette().color(role))
        self.marker.setPalette(palette)
        self.marker.setToolTip(
            "Active pane: tagging and the article list act here" if active else ""
        )

    def _on_activated(self, index: int) -> None:
        self.sig_article_chosen.emit(self.chooser.itemData(index))


class PaneArea(QWidget):
    """A splitter of panes, between MIN_PANES and MAX_PANES of them."""

    sig_active_pane_changed = Signal(object)
    """Another pane became active; carries the Pane."""
    sig_tag_requested = Signal(object, str)
    """A pane's context menu asked to tag its selection: the Pane and the verdict value."""
    sig_annotation_clicked = Signal(object, str)
    """A highlight was clicked: the Pane and the annotation id."""
    sig_panes_changed = Signal()
    """A pane was added or removed, or a pane's article changed."""
    sig_span_adjust_requested = Signal(str, int, int)
    """An end of the selected annotation was dragged in a pane: id, new start, new end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneArea")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("paneSplitter")
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._panes: list[Pane] = []
        self._active: Pane | None = None
        self._choices: list[tuple[str, str, str]] = []
        self._loader: Loader | None = None
        self._selected_annotation: str | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    # --- panes ----------------------------------------------------------------------------

    def panes(self) -> list[Pane]:
        return list(self._panes)

    def active_pane(self) -> Pane | None:
        return self._active

    def views(self) -> list[ArticleView]:
        return [p.view for p in self._panes]

    def add_pane(self, article_id: str | None = None) -> Pane | None:
        if len(self._panes) >= MAX_PANES:
            return None
        pane = Pane()
        pane.set_choices(self._choices)
        pane.sig_article_chosen.connect(partial(self._on_article_chosen, pane))
        pane.view.sig_tag_requested.connect(partial(self._on_tag_requested, pane))
        pane.view.sig_annotation_clicked.connect(partial(self._on_annotation_clicked, pane))
        pane.view.sig_span_adjust_requested.connect(self.sig_span_adjust_requested)
        pane.view.set_selected_annotation(self._selected_annotation)
        self.splitter.addWidget(pane)
        self._panes.append(pane)
        self._even_sizes()
        if article_id is not None:
            self.show_article(pane, article_id)
        if self._active is None:
            self.set_active(pane)
        self.sig_panes_changed.emit()
        return pane

    def remove_pane(self, pane: Pane | None = None) -> bool:
        """Remove ``pane`` (default: the active one); the last pane stays."""
        pane = pane or self._active or (self._panes[-1] if self._panes else None)
        if pane is None or len(self._panes) <= MIN_PANES or pane not in self._panes:
            return False
        index = self._panes.index(pane)
        self._panes.remove(pane)
        pane.hide()
        pane.setParent(None)
        pane.deleteLater()
        if self._active is pane:
            self._active = None
            self.set_active(self._panes[min(index, len(self._panes) - 1)])
        self._even_sizes()
        self.sig_panes_changed.emit()
        return True

    def set_pane_count(self, count: int) -> None:
        count = min(max(count, MIN_PANES), MAX_PANES)
        while len(self._panes) < count:
            self.add_pane()
        while len(self._panes) > count:
            self.remove_pane(self._panes[-1])

    def set_active(self, pane: Pane) -> None:
        if pane is self._active or pane not in self._panes:
            return
        if self._active is not None:
            self._active.set_active(False)
        self._active = pane
        pane.set_active(True)
        self.sig_active_pane_changed.emit(pane)

    def pane_of(self, view: QObject | None) -> Pane | None:
        while view is not None:
            if isinstance(view, Pane) and view in self._panes:
                return view
            view = view.parent()
        return None

    def _even_sizes(self) -> None:
        if self._panes:
            width = max(self.splitter.width(), 400 * len(self._panes))
            self.splitter.setSizes([width // len(self._panes)] * len(self._panes))

    # --- articles -------------------------------------------------------------------------

    def set_loader(self, loader: Loader | None) -> None:
        """Where panes read articles from; None when no project is open (panes empty)."""
        self._loader = loader
        if loader is None:
            for pane in self._panes:
                pane.show_article(None, "", [])

    def set_choices(self, choices: Sequence[tuple[str, str, str]]) -> None:
        """The articles every chooser offers: (id, title, detail)."""
        self._choices = list(choices)
        for pane in self._panes:
            pane.set_choices(self._choices)

    def show_article(self, pane: Pane, article_id: str | None) -> None:
        if article_id is None or self._loader is None:
            pane.show_article(None, "", [])
        elif article_id != pane.article_id():
            text, rows = self._loader(article_id)
            pane.show_article(article_id, text, rows)
        self.sig_panes_changed.emit()

    def articles(self) -> list[str | None]:
        return [p.article_id() for p in self._panes]

    def panes_showing(self, article_id: str) -> list[Pane]:
        return [p for p in self._panes if p.article_id() == article_id]

    def set_selected_annotation(self, annotation_id: str | None) -> None:
        """The annotation the editor shows: panes showing it draw handles on its ends."""
        self._selected_annotation = annotation_id
        for pane in self._panes:
            pane.view.set_selected_annotation(annotation_id)

    def refresh_annotations(self, article_id: str, rows: Sequence[AnnotationRow]) -> None:
        """New highlights for every pane showing ``article_id``."""
        for pane in self.panes_showing(article_id):
            pane.view.set_annotations(rows)

    # --- events from panes ----------------------------------------------------------------

    def _on_focus_changed(self, old: QObject | None, new: QObject | None) -> None:
        pane = self.pane_of(new)
        if pane is not None:
            self.set_active(pane)

    def _on_article_chosen(self, pane: Pane, article_id: str | None) -> None:
        self.set_active(pane)
        self.show_article(pane, article_id)

    def _on_tag_requested(self, pane: Pane, verdict: str) -> None:
        self.set_active(pane)
        self.sig_tag_requested.emit(pane, verdict)

    def _on_annotation_clicked(self, pane: Pane, annotation_id: str) -> None:
        self.set_active(pane)
        self.sig_annotation_clicked.emit(pane, annotation_id)
