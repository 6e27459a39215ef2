"""Tools ▸ Agreement: how far reviewers agree, per article, with a small chart per article.

The figures are computed off the window's thread (a large project takes a few seconds); the
table fills in when they are ready. Double-click (or Enter on) an article to show it in the
active pane; Adjudicate… opens the adjudication view of the selected article.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.agreement_report import NEEDS_TWO, ArticleAgreement, figure
from desktop.core.store import Store

COLUMNS = ("Article", "Reviewers", "uα", "κ", "Agreement", "Open", "Chart")
CHART_COLUMN = 6
# The chart's bars: name, the figure, and a fill pattern so they read without colour.
BARS = (
    ("uα", "alpha_u", Qt.BrushStyle.SolidPattern),
    ("κ", "kappa", Qt.BrushStyle.Dense4Pattern),
    ("agreement", "percent", Qt.BrushStyle.BDiagPattern),
)
EXPLANATION = (
    "Counted: each reviewer's live annotations (not deleted, not final verdicts). uα over "
    "characters and κ over words count untagged text as a value of its own; Agreement is the "
    "share of words either reviewer tagged that both gave the same verdict. Figures are "
    "averaged over pairs where there are more than two reviewers; — means undefined. "
    "Chart: uα (solid), κ (dotted) and agreement (hatched), each from 0 to 1."
)
_DATA = Qt.ItemDataRole.UserRole


class _Results(QObject):
    sig_ready = Signal(object)
    """The figures are computed; carries the list of ArticleAgreement (or an error text)."""


class ChartDelegate(QStyledItemDelegate):
    """Three bars on a 0-1 scale: uα, κ and agreement (negative values show as empty)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        result = index.data(_DATA)
        if not isinstance(result, ArticleAgreement) or result.status != "ok":
            return
        rect: QRect = option.rect.adjusted(4, 3, -4, -3)  # type: ignore[attr-defined]
        height = max(2, (rect.height() - 4) // 3)
        colour = option.palette.color(option.palette.ColorRole.Text)  # type: ignore[attr-defined]
        painter.save()
        painter.setPen(QPen(colour))
        for row, (_name, attr, pattern) in enumerate(BARS):
            value = getattr(result, attr)
            top = rect.top() + row * (height + 2)
            painter.drawRect(rect.left(), top, rect.width() - 1, height - 1)
            if value is not None and value > 0:
                width = round((rect.width() - 1) * min(value, 1.0))
                painter.fillRect(rect.left(), top, width, height, QBrush(QColor(colour), pattern))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(120, 30)


class AgreementDialog(QDialog):
    sig_article_requested = Signal(str)
    """Show this article in the active pane."""
    sig_adjudicate_requested = Signal(str)
    """Open the adjudication view of this article."""

    def __init__(
        self,
        project: Store,
        parent: QWidget | None = None,
        viewer: Callable[[], str | None] = lambda: None,
    ) -> None:
        """``viewer`` names who is looking, when the figures are computed: blind review hides
        an article's figures from a reviewer until they mark it done."""
        super().__init__(parent)
        self.setObjectName("agreementDialog")
        self.setWindowTitle("Agreement between reviewers")
        self.project = project
        self.viewer = viewer
        self.results: list[ArticleAgreement] = []
        self.hidden: list[ArticleAgreement] = []
        self._signals = _Results(self)
        self._signals.sig_ready.connect(self._on_ready)
        self._running = False

        self.status = QLabel("Computing…")
        self.status.setObjectName("agreementStatus")
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("agreementTable")
        self.table.setAccessibleName("Agreement per article")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setItemDelegateForColumn(CHART_COLUMN, ChartDelegate(self.table))
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(60)
        header.setSectionResizeMode(CHART_COLUMN, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(CHART_COLUMN, 140)
        self.table.activated.connect(self._on_activated)
        self.table.itemSelectionChanged.connect(self._show_pairs)
        self.pairs = QLabel()
        self.pairs.setObjectName("agreementPairs")
        self.pairs.setWordWrap(True)
        self.pairs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.adjudicate_button = QPushButton("&Adjudicate…")
        self.adjudicate_button.setObjectName("agreementAdjudicate")
        self.adjudicate_button.setEnabled(False)
        self.refresh_button = QPushButton("&Refresh")
        buttons.addButton(self.adjudicate_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.adjudicate_button.clicked.connect(self._adjudicate)
        self.refresh_button.clicked.connect(self.refresh)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.pairs)
        layout.addWidget(explanation)
        layout.addWidget(buttons)
        self.resize(980, 520)

    def refresh(self) -> None:
        """Compute the figures again, in the background."""
        if self._running:
            return
        self._running = True
        self.refresh_button.setEnabled(False)
        self.status.setText("Computing…")
        project, signals, viewer = self.project, self._signals, self.viewer()

        def work() -> None:
            from desktop.core.agreement_report import agreements_for

            result: Any
            try:
                result = agreements_for(project, viewer)
            except Exception as exc:  # shown in the dialog; the window goes on
                result = " ".join(str(exc).split()) or type(exc).__name__
            signals.sig_ready.emit(result)

        threading.Thread(target=work, name="agreement", daemon=True).start()

    def wait(self, timeout: float = 30.0) -> None:
        """For tests and closing: let a running computation finish."""
        for thread in threading.enumerate():
            if thread.name == "agreement":
                thread.join(timeout)

    def _on_ready(self, result: object) -> None:
        self._running = False
        self.refresh_button.setEnabled(True)
        if isinstance(result, str):
            self.status.setText(f"Could not compute the agreement: {result}")
            return
        assert isinstance(result, tuple)
        self.results, self.hidden = result
        two = sum(1 for r in self.results if r.status == "ok")
        open_ = sum(r.open_disagreements for r in self.results)
        text = (
            f"{len(self.results)} article(s); {two} with two or more reviewers; "
            f"{open_} open disagreement(s)."
        )
        if self.hidden:
            text += (
                f" {len(self.hidden)} article(s) under blind review left out until you mark "
                "them done."
            )
        self.status.setText(text)
        self._fill()

    def _fill(self) -> None:
        selected = self.selected_article()
        self.table.setRowCount(len(self.results))
        for row, r in enumerate(self.results):
            ok = r.status == "ok"
            cells = [
                r.title,
                ", ".join(r.reviewers) or "—",
                figure(r.alpha_u) if ok else NEEDS_TWO,
                figure(r.kappa) if ok else "",
                figure(r.percent, percent=True) if ok else "",
                str(r.open_disagreements) if ok else "",
                "",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_DATA, r)
                if 2 <= column <= 5:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == CHART_COLUMN and ok:
                    item.setToolTip(
                        ", ".join(
                            f"{name} {figure(getattr(r, attr), percent=attr == 'percent')}"
                            for name, attr, _ in BARS
                        )
                    )
                self.table.setItem(row, column, item)
        if self.results:
            rows = [i for i, r in enumerate(self.results) if r.article_id == selected]
            self.table.selectRow(rows[0] if rows else 0)

    def selected_article(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.results):
            return None
        return self.results[rows[0].row()].article_id

    def row_texts(self) -> list[list[str]]:
        """What the table shows, row by row (the chart column is empty text)."""
        return [
            [self.table.item(r, c).text() for c in range(len(COLUMNS))]
            for r in range(self.table.rowCount())
        ]

    def _show_pairs(self) -> None:
        article = self.selected_article()
        result = next((r for r in self.results if r.article_id == article), None)
        self.adjudicate_button.setEnabled(result is not None and result.status == "ok")
        if result is None or result.status != "ok":
            self.pairs.setText("")
            return
        lines = [
            f"{p.reviewers[0]} / {p.reviewers[1]}: uα {figure(p.alpha_u)}, κ {figure(p.kappa)}, "
            f"agreement {figure(p.percent, percent=True)}"
            for p in result.pairs
        ]
        self.pairs.setText("Pairs — " + "; ".join(lines))

    def _on_activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.results):
            self.sig_article_requested.emit(self.results[index.row()].article_id)

    def _adjudicate(self) -> None:
        article = self.selected_article()
        if article is not None:
            self.sig_adjudicate_requested.emit(article)

    def closeEvent(self, event: Any) -> None:
        self.wait()
        super().closeEvent(event)
