"""The Counterparts panel: the claim being compared, and where each other version makes it.

One row per other version: its short label, whether it makes the same claim, states
different facts or does not make it, the score, any verdict already there, the passage and
what differs. Enter or a double-click shows that passage in a pane. "Tag All…" and "Carry
Verdict…" act on the whole list (see ``compare_tools``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.core.records import AnnotationRow
from desktop.ui import verdict_style
from desktop.ui.tables import list_table

if TYPE_CHECKING:
    from desktop.core.compare.counterparts import Counterpart
    from desktop.core.compare.labels import VersionLabel
    from desktop.ui.compare_session import Found

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole

STATUS_TEXT = {"same": "Same", "differs": "Differs", "absent": "Not there"}
STATUS_TIP = {
    "same": "This version makes the same claim",
    "differs": "This version makes the claim with different facts: check it on its own",
    "absent": "No passage of this version makes this claim",
}


def one_line(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def verdict_summary(rows: Sequence[AnnotationRow]) -> tuple[str, Any]:
    """What a cell says of the annotations on a passage: the most serious verdict (and how
    many more), with its icon."""
    verdict = verdict_style.most_serious(r.verdict for r in rows)
    if verdict is None:
        return "", None
    text = verdict_style.label(verdict)
    if len(rows) > 1:
        text += f" +{len(rows) - 1}"
    return text, verdict_style.icon(verdict)


def verdicts_tip(rows: Sequence[AnnotationRow]) -> str:
    return "\n".join(
        f"{verdict_style.label(r.verdict)} — {r.reviewer}: \u201c{one_line(r.quote, 80)}\u201d"
        for r in rows
    )


class CounterpartsModel(QAbstractTableModel):
    VERSION, STATUS, SCORE, VERDICT, PASSAGE, DIFFERS = range(6)
    HEADERS = ("Version", "Status", "Score", "Verdict there", "Passage", "What differs")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Counterpart] = []
        self._labels: Mapping[str, VersionLabel] = {}
        self._existing: Mapping[str, Sequence[AnnotationRow]] = {}

    def set_found(self, found: Found | None, labels: Mapping[str, VersionLabel]) -> None:
        self.beginResetModel()
        self._rows = list(found.counterparts) if found is not None else []
        self._labels = labels
        self._existing = found.existing if found is not None else {}
        self.endResetModel()

    def counterpart(self, row: int) -> Counterpart:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        column = index.column()
        label = self._labels.get(c.article_id)
        existing = self._existing.get(c.article_id, ())
        if role == ID_ROLE:
            return c.article_id
        if role == _DISPLAY:
            if column == self.VERSION:
                return label.short if label is not None else c.article_id[:8]
            if column == self.STATUS:
                return STATUS_TEXT.get(c.status, c.status)
            if column == self.SCORE:
                return f"{c.score:.2f}"
            if column == self.VERDICT:
                return verdict_summary(existing)[0]
            if column == self.PASSAGE:
                return one_line(c.quote) if c.quote else "—"
            if column == self.DIFFERS:
                return "; ".join(
                    f"\u201c{d.here}\u201d \u2192 \u201c{d.there}\u201d" for d in c.differences
                )
        if role == Qt.ItemDataRole.DecorationRole and column == self.VERDICT:
            return verdict_summary(existing)[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.VERSION:
                return label.full if label is not None else c.article_id
            if column == self.STATUS:
                return STATUS_TIP.get(c.status, "")
            if column == self.VERDICT:
                return verdicts_tip(existing) or "Not tagged there yet"
            if column in (self.PASSAGE, self.DIFFERS):
                lines = [c.quote or "No counterpart in this version."]
                for d in c.differences:
                    lines.append(f"{d.kind.replace('_', ' ')}: \u201c{d.here}\u201d here, ")
                    lines[-1] += f"\u201c{d.there}\u201d there"
                return "\n".join(lines)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SCORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ElidedLabel(QLabel):
    """One line of plain text, ended with "…" when too long for its width; ``text()`` is
    the whole text, and so is the tooltip unless one is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(self.width(), 40)
        )
        super().setText(shown)


class CounterpartsPanel(QWidget):
    """The claim compared, its counterparts, and the buttons that tag or carry to them."""

    sig_activated = Signal(str)
    """Enter or a double-click on a row: show that version's passage; carries its id."""
    sig_tag_all_requested = Signal()
    """The Tag All… button was pressed."""
    sig_carry_requested = Signal()
    """The Carry Verdict… button was pressed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("counterpartsPanel")
        self.source = ElidedLabel()
        self.source.setObjectName("counterpartsSource")
        self.model = CounterpartsModel(self)
        self.table = list_table("counterpartsTable", self.model)
        self.table.setToolTip("Enter or double-click shows the passage in a pane")
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        widths = {
            CounterpartsModel.VERSION: 190,
            CounterpartsModel.STATUS: 80,
            CounterpartsModel.SCORE: 52,
            CounterpartsModel.VERDICT: 110,
            CounterpartsModel.PASSAGE: 320,
            CounterpartsModel.DIFFERS: 180,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(CounterpartsModel.PASSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._on_activated)
        self.tag_all_button = QPushButton("Tag &All…")
        self.tag_all_button.setObjectName("tagAllButton")
        self.tag_all_button.setToolTip(
            "Tag this claim and its counterparts with one verdict (Ctrl+Shift+T)"
        )
        self.tag_all_button.clicked.connect(self.sig_tag_all_requested)
        self.carry_button = QPushButton("&Carry Verdict…")
        self.carry_button.setObjectName("carryButton")
        self.carry_button.setToolTip(
            "Give the counterparts this annotation's verdict (Ctrl+Shift+R)"
        )
        self.carry_button.clicked.connect(self.sig_carry_requested)
        buttons = QVBoxLayout()
        buttons.addWidget(self.tag_all_button)
        buttons.addWidget(self.carry_button)
        buttons.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.source)
        layout.addLayout(body, 1)
        self.set_message("Select a passage in a pane, or an annotation, to see its counterparts.")

    def tab_chain(self) -> list[QWidget]:
        return [self.table, self.tag_all_button, self.carry_button]

    def set_message(self, text: str) -> None:
        """Say what the panel is waiting for; the list empties."""
        self.source.setText(text)
        self.source.setToolTip("")
        self.model.set_found(None, {})
        self._enable(False, False)

    def set_found(
        self, found: Found, labels: Mapping[str, VersionLabel], *, can_edit: bool
    ) -> None:
        label = labels.get(found.source.article_id)
        name = label.short if label is not None else ""
        whose = "Annotation" if found.source.annotation is not None else "Passage"
        self.source.setText(f"{whose} \u201c{one_line(found.quote, 200)}\u201d in {name}")
        self.source.setToolTip(f"{found.quote}\n\n{label.full if label is not None else ''}")
        keep = self.table.currentIndex().row()
        self.model.set_found(found, labels)
        if 0 <= keep < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(keep, 0))
        annotation = found.source.annotation
        self._enable(can_edit, can_edit and annotation is not None and not annotation.deleted)

    def _enable(self, tag: bool, carry: bool) -> None:
        self.tag_all_button.setEnabled(tag)
        self.carry_button.setEnabled(carry)
        self.carry_button.setToolTip(
            "Give the counterparts this annotation's verdict (Ctrl+Shift+R)"
            if carry
            else "Carry Verdict works on an annotation: select one to carry its verdict"
        )

    def _on_activated(self, index: QModelIndex) -> None:
        article_id = index.data(ID_ROLE)
        if article_id:
            self.sig_activated.emit(article_id)
