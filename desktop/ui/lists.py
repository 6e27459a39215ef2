"""The two list panels of the window: articles (with their chart) and annotations."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import Verdict
from desktop.ui import verdict_style
from desktop.ui.chart import VerdictChart
from desktop.ui.models import (
    ID_ROLE,
    AnnotationFilterProxy,
    AnnotationTableModel,
    ArticleFilterProxy,
    ArticleListModel,
)
from desktop.ui.tables import list_table


def _table(name: str) -> QTableView:
    table = list_table(name, single=False)
    table.setSortingEnabled(True)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return table


class ArticleListPanel(QWidget):
    """A filter box, the article table and the chart of the active pane's article."""

    sig_article_activated = Signal(str)
    """The user activated an article (double-click or Enter); carries its id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ArticleListModel(self)
        self.proxy = ArticleFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit()
        self.filter.setObjectName("articleFilter")
        self.filter.setPlaceholderText("Filter articles by title or outlet")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.table = _table("articleTable")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setModel(self.proxy)
        self.table.setToolTip(
            "Double-click an article (or press Enter) to show it in the active pane"
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ArticleListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ArticleListModel.OUTLET, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(ArticleListModel.OUTLET, 80)
        header.setMinimumSectionSize(30)
        # Counts get room for four digits; the title takes the rest and grows with the panel
        # (cut with "…", the whole title in its tooltip).
        count_width = max(36, self.table.fontMetrics().horizontalAdvance("0000") + 14)
        for column in range(2, ArticleListModel.COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, count_width)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(self._on_activated)
        self.chart = VerdictChart()
        self.setMinimumWidth(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chart)

    def _on_activated(self, index: QModelIndex) -> None:
        article_id = index.data(ID_ROLE)
        if article_id:
            self.sig_article_activated.emit(article_id)


class AnnotationListPanel(QWidget):
    """Filters (text, verdict, reviewer, deleted) over the table of annotations."""

    sig_annotation_selected = Signal(object)
    """The current annotation changed; carries its id, or None."""
    sig_annotation_clicked = Signal(str)
    """A row was clicked with the mouse; carries its annotation's id."""
    sig_annotation_activated = Signal(str)
    """A row was activated (Enter or double-click); carries its annotation's id."""

    ALL_VERDICTS = "All verdicts"
    ALL_REVIEWERS = "All reviewers"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AnnotationTableModel(self)
        self.proxy = AnnotationFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.text_filter = QLineEdit()
        self.text_filter.setObjectName("annotationFilter")
        self.text_filter.setPlaceholderText("Filter by quote, note, article or reviewer")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.textChanged.connect(lambda text: self.proxy.set_filter(text=text))
        self.verdict_filter = QComboBox()
        self.verdict_filter.setObjectName("verdictFilter")
        self.verdict_filter.addItem(self.ALL_VERDICTS, None)
        for verdict in Verdict:
            self.verdict_filter.addItem(
                verdict_style.icon(verdict), verdict_style.label(verdict), verdict
            )
        self.verdict_filter.currentIndexChanged.connect(self._on_verdict_filter)
        self.reviewer_filter = QComboBox()
        self.reviewer_filter.setObjectName("reviewerFilter")
        self.reviewer_filter.addItem(self.ALL_REVIEWERS, None)
        self.reviewer_filter.currentIndexChanged.connect(self._on_reviewer_filter)
        self.show_deleted = QCheckBox("Show deleted")
        self.show_deleted.setObjectName("showDeleted")
        self.show_deleted.toggled.connect(lambda on: self.proxy.set_filter(show_deleted=on))

        self.table = _table("annotationTable")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setModel(self.proxy)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        widths = {
            AnnotationTableModel.QUOTE: 300,
            AnnotationTableModel.ARTICLE: 190,
            AnnotationTableModel.VERDICT: 110,
            AnnotationTableModel.NOTE: 260,
            AnnotationTableModel.REVIEWER: 120,
            AnnotationTableModel.UPDATED: 130,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(AnnotationTableModel.NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.pressed.connect(self._on_pressed)
        self.table.activated.connect(self._on_activated)
        self.table.setToolTip(
            "Enter or double-click shows an annotation in a pane; arrows move through the list"
        )

        filters = QHBoxLayout()
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.verdict_filter)
        filters.addWidget(self.reviewer_filter)
        filters.addWidget(self.show_deleted)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.model.modelReset.connect(self.refresh_reviewers)
        self.model.rowsInserted.connect(self.refresh_reviewers)

    def clear_filters(self) -> None:
        """Show every annotation again (a project was closed)."""
        self.text_filter.clear()
        self.verdict_filter.setCurrentIndex(0)
        self.reviewer_filter.setCurrentIndex(0)
        self.show_deleted.setChecked(False)

    def tab_chain(self) -> list[QWidget]:
        """This panel's controls in the order Tab visits them."""
        return [
            self.text_filter,
            self.verdict_filter,
            self.reviewer_filter,
            self.show_deleted,
            self.table,
        ]

    def current_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        ids = [index.data(ID_ROLE) for index in rows]
        current = self.current_id()
        return ids or ([current] if current else [])

    def select_annotation(self, annotation_id: str) -> bool:
        """Make this annotation current and selected; False if it is filtered out."""
        row = self.model.row_for_id(annotation_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection = self.table.selectionModel()
        again = selection.currentIndex().row() == index.row()
        selection.setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        if again:  # no change signal, but the caller still wants it shown
            self.sig_annotation_selected.emit(annotation_id)
        return True

    def refresh_reviewers(self) -> None:
        current = self.reviewer_filter.currentData()
        names = self.model.reviewers()
        existing = [
            self.reviewer_filter.itemData(i) for i in range(1, self.reviewer_filter.count())
        ]
        if existing == names:
            return
        self.reviewer_filter.blockSignals(True)
        self.reviewer_filter.clear()
        self.reviewer_filter.addItem(self.ALL_REVIEWERS, None)
        for name in names:
            self.reviewer_filter.addItem(name, name)
        index = self.reviewer_filter.findData(current) if current else 0
        self.reviewer_filter.setCurrentIndex(max(index, 0))
        self.reviewer_filter.blockSignals(False)
        if current and index < 0:
            self.proxy.set_filter(reviewer=None)

    def _on_verdict_filter(self, index: int) -> None:
        self.proxy.set_filter(verdict=self.verdict_filter.itemData(index))

    def _on_reviewer_filter(self, index: int) -> None:
        self.proxy.set_filter(reviewer=self.reviewer_filter.itemData(index))

    def _on_pressed(self, index: QModelIndex) -> None:
        annotation_id = index.data(ID_ROLE)
        if annotation_id:
            self.sig_annotation_clicked.emit(annotation_id)

    def _on_activated(self, index: QModelIndex) -> None:
        annotation_id = index.data(ID_ROLE)
        if annotation_id:
            self.sig_annotation_activated.emit(annotation_id)

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.sig_annotation_selected.emit(current.data(ID_ROLE) if current.isValid() else None)
