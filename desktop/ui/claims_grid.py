"""The Claims grid: the story's verdict table.

One row per claim (annotations sharing a claim id across versions, or one annotation alone),
one column per version under its short label; each cell shows the verdict given there, with
its icon. Enter or a double-click on a cell shows that annotation in a pane.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import verdict_style
from desktop.ui.counterparts_panel import one_line, verdict_summary, verdicts_tip
from desktop.ui.tables import list_table

if TYPE_CHECKING:
    from desktop.core.compare.claims import ClaimRow
    from desktop.core.compare.labels import VersionLabel

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 1  # the id of the annotation a cell shows


class ClaimsModel(QAbstractTableModel):
    CLAIM = 0

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._claims: list[ClaimRow] = []
        self._versions: list[str] = []
        self._labels: Mapping[str, VersionLabel] = {}

    def set_claims(
        self,
        claims: Sequence[ClaimRow],
        versions: Sequence[str],
        labels: Mapping[str, VersionLabel],
    ) -> None:
        self.beginResetModel()
        self._claims = list(claims)
        self._versions = list(versions)
        self._labels = labels
        self.endResetModel()

    def claim(self, row: int) -> ClaimRow:
        return self._claims[row]

    def version(self, column: int) -> str | None:
        return self._versions[column - 1] if column >= 1 else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._claims)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self._versions)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        article_id = self.version(section)
        label = self._labels.get(article_id) if article_id else None
        if role == _DISPLAY:
            if section == self.CLAIM:
                return "Claim"
            return label.short if label is not None else (article_id or "")[:8]
        if role == Qt.ItemDataRole.ToolTipRole and label is not None:
            return label.full
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._claims):
            return None
        claim = self._claims[index.row()]
        article_id = self.version(index.column())
        if article_id is None:
            first = next((rows[0] for rows in claim.cells.values() if rows), None)
            if role == _DISPLAY:
                return one_line(claim.quote, 160)
            if role == Qt.ItemDataRole.ToolTipRole:
                tagged = sum(1 for rows in claim.cells.values() if rows)
                return f"{claim.quote}\n\nTagged in {tagged} of {len(self._versions)} versions"
            if role == ANNOTATION_ROLE:
                return first.id if first is not None else None
            return None
        rows = claim.cells.get(article_id, ())
        if role == _DISPLAY:
            return verdict_summary(rows)[0] if rows else "—"
        if role == Qt.ItemDataRole.DecorationRole and rows:
            return verdict_summary(rows)[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            label = self._labels.get(article_id)
            name = label.short if label is not None else article_id[:8]
            return f"{name}\n{verdicts_tip(rows)}" if rows else f"Not tagged in {name}"
        if role == Qt.ItemDataRole.ForegroundRole and not rows:
            return verdict_style.muted_text(QApplication.palette(), on_base=True)
        if role == ANNOTATION_ROLE:
            return rows[0].id if rows else None
        return None


class ClaimsPanel(QWidget):
    """The grid with a line saying how many claims and versions it shows."""

    sig_annotation_activated = Signal(str)
    """Enter or a double-click on a tagged cell (or a claim): carries the annotation id."""
    sig_untagged_activated = Signal(str, str)
    """Enter or a double-click on an empty cell: the claim's first annotation id and the
    version's id (the window shows the claim's counterpart there)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("claimsPanel")
        self.summary = QLabel()
        self.summary.setObjectName("claimsSummary")
        self.model = ClaimsModel(self)
        self.table = list_table(
            "claimsTable",
            self.model,
            select=QAbstractItemView.SelectionBehavior.SelectItems,
            grid=True,
        )
        self.table.setToolTip(
            "Arrows move between claims and versions; Enter or double-click shows the annotation"
        )
        header = self.table.horizontalHeader()
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.activated.connect(self._on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.summary.setText("No claims yet: tag a passage, then Tag All or Carry Verdict.")

    def tab_chain(self) -> list[QWidget]:
        return [self.table]

    def set_claims(
        self,
        claims: Sequence[ClaimRow],
        versions: Sequence[str],
        labels: Mapping[str, VersionLabel],
    ) -> None:
        current = self.table.currentIndex()
        keep = (current.row(), current.column()) if current.isValid() else None
        self.model.set_claims(claims, versions, labels)
        header = self.table.horizontalHeader()
        # Versions get room for a verdict and a short label; the claim takes what is left
        # (scrolling sideways only when there are many versions).
        width = max(self.table.fontMetrics().horizontalAdvance("Unverified +1") + 40, 120)
        room = self.table.viewport().width() - width * len(versions)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, max(room, 240))
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        spread = sum(1 for c in claims if sum(1 for rows in c.cells.values() if rows) > 1)
        self.summary.setText(
            f"{len(claims)} claim{'s' if len(claims) != 1 else ''} in {len(versions)} versions; "
            f"{spread} tagged in more than one version."
            if claims
            else "No claims yet: tag a passage, then Tag All or Carry Verdict."
        )
        if keep is not None and keep[0] < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(*keep))

    def _on_activated(self, index: QModelIndex) -> None:
        annotation_id = index.data(ANNOTATION_ROLE)
        if annotation_id:
            self.sig_annotation_activated.emit(annotation_id)
            return
        claim = self.model.claim(index.row())
        article_id = self.model.version(index.column())
        first = next((rows[0] for rows in claim.cells.values() if rows), None)
        if first is not None and article_id is not None:
            self.sig_untagged_activated.emit(first.id, article_id)
