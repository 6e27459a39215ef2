"""Search All Versions: find text in every article, with each match in its context.

Typing searches (after a short pause); Enter or Down goes to the results; Enter or a
double-click on a result shows it in a pane with the match selected. Case, runs of white
space and the style of quotes, apostrophes and dashes do not matter (``core.compare.search``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.tables import list_table

if TYPE_CHECKING:
    from desktop.core.compare.labels import VersionLabel
    from desktop.core.compare.search import Hit

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
TYPING_PAUSE_MS = 300
MAX_SHOWN = 2_000  # more matches than this are counted, not listed


class SearchModel(QAbstractTableModel):
    VERSION, MATCH = 0, 1
    HEADERS = ("Version", "Match in context")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []
        self._labels: Mapping[str, VersionLabel] = {}

    def set_hits(self, hits: Sequence[Hit], labels: Mapping[str, VersionLabel]) -> None:
        self.beginResetModel()
        self._hits = list(hits[:MAX_SHOWN])
        self._labels = labels
        self.endResetModel()

    def hit(self, row: int) -> Hit:
        return self._hits[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        label = self._labels.get(hit.article_id)
        if role == HIT_ROLE:
            return hit
        if index.column() == self.VERSION:
            if role == _DISPLAY:
                return label.short if label is not None else hit.article_title
            if role == Qt.ItemDataRole.ToolTipRole:
                return label.full if label is not None else hit.article_title
            return None
        if role == _DISPLAY:
            return f"…{hit.before}{hit.quote}{hit.after}…"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"…{hit.before}[{hit.quote}]{hit.after}…"
        return None


class MatchDelegate(QStyledItemDelegate):
    """Draws a result's context with the match in bold."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        hit = index.data(HIT_ROLE)
        if hit is None or index.column() != SearchModel.MATCH:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(option.palette.color(role))
        rect: QRect = option.rect.adjusted(4, 0, -4, 0)
        plain = QFont(option.font)
        bold = QFont(option.font)
        bold.setBold(True)
        x = rect.left()
        # The match keeps its place near the left: a long lead-in is cut from its start.
        before = "…" + hit.before
        lead = QFontMetrics(plain)
        room = max(rect.width() // 3, 40)
        if lead.horizontalAdvance(before) > room:
            before = lead.elidedText(before, Qt.TextElideMode.ElideLeft, room)
        for text, font in ((before, plain), (hit.quote, bold), (hit.after + "…", plain)):
            metrics = QFontMetrics(font)
            width = rect.right() - x
            if width <= 0:
                break
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            painter.setFont(font)
            painter.drawText(
                QRect(x, rect.top(), width, rect.height()),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                shown,
            )
            x += metrics.horizontalAdvance(shown)
        painter.restore()


class SearchPanel(QWidget):
    """A search field, a count, and the matches."""

    sig_search_requested = Signal(str)
    """Search now for this text (typing paused, or Enter)."""
    sig_hit_activated = Signal(object)
    """Enter or a double-click on a result: carries the Hit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Find in every version (Ctrl+Shift+F)")
        self.field.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("searchCount")
        self.model = SearchModel(self)
        self.table = list_table("searchResults", self.model)
        self.table.setItemDelegateForColumn(SearchModel.MATCH, MatchDelegate(self.table))
        self.table.setToolTip("Enter or double-click shows the match in a pane")
        header = self.table.horizontalHeader()
        header.resizeSection(SearchModel.VERSION, 190)
        header.setSectionResizeMode(SearchModel.MATCH, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._on_activated)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self._search_now)
        self.field.textChanged.connect(lambda _t: self._pause.start())
        self.field.installEventFilter(self)
        self.searched = ""  # the text the results are for
        top = QHBoxLayout()
        top.addWidget(self.field, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def tab_chain(self) -> list[QWidget]:
        return [self.field, self.table]

    def start(self) -> None:
        """Ctrl+Shift+F: the field takes the keyboard, its text selected to type over."""
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def set_hits(self, text: str, hits: Sequence[Hit], labels: Mapping[str, VersionLabel]) -> None:
        if text != self.field.text().strip():
            return  # typed on meanwhile: a newer search follows
        self.searched = text
        self.model.set_hits(hits, labels)
        versions = len({h.article_id for h in hits})
        if not hits:
            self.count.setText("No match")
        else:
            shown = "" if len(hits) <= MAX_SHOWN else f" (first {MAX_SHOWN:,} listed)"
            self.count.setText(
                f"{len(hits):,} match{'es' if len(hits) != 1 else ''} in {versions} "
                f"version{'s' if versions != 1 else ''}{shown}"
            )
        if hits and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def set_error(self, text: str, message: str) -> None:
        if text == self.field.text().strip():
            self.searched = text
            self.model.set_hits([], {})
            self.count.setText(message)

    def clear(self) -> None:
        self.field.clear()
        self.searched = ""
        self.model.set_hits([], {})
        self.count.clear()

    def _search_now(self) -> None:
        self._pause.stop()
        text = self.field.text().strip()
        if not text:
            self.searched = ""
            self.model.set_hits([], {})
            self.count.clear()
            return
        if text != self.searched:
            self.sig_search_requested.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.field
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down)
        ):
            text = self.field.text().strip()
            if text and text != self.searched:
                self._search_now()
                self._go_to_results_when_found = True
            elif self.model.rowCount():
                self.go_to_results()
            return True
        return super().eventFilter(watched, event)

    _go_to_results_when_found = False

    def results_arrived(self) -> None:
        """After a search: Enter pressed before the results came goes to them now."""
        if self._go_to_results_when_found:
            self._go_to_results_when_found = False
            if self.model.rowCount():
                self.go_to_results()

    def go_to_results(self) -> None:
        if not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_activated(self, index: QModelIndex) -> None:
        hit = index.data(HIT_ROLE)
        if hit is not None:
            self.sig_hit_activated.emit(hit)
