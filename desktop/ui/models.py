"""Qt table models over the core's query results, and their filter proxies.

Models never read the database: the window hands them rows (ArticleSummary, AnnotationRow)
and they announce every change with the proper signals (reset, insert, dataChanged), so views
keep selection and scroll position when one row changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core.model import Verdict
from desktop.core.records import AnnotationRow, ArticleSummary
from desktop.ui import verdict_style

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the entity's id
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts right (numbers, ISO times)
ROW_ROLE = Qt.ItemDataRole.UserRole + 3  # the whole row object

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- articles -------------------------------------------------------------------------------


class ArticleListModel(QAbstractTableModel):
    """Articles with their live annotation counts per verdict."""

    TITLE, OUTLET = 0, 1
    VERDICTS = (Verdict.SUPPORTED, Verdict.DISPUTED, Verdict.UNVERIFIED)
    COLUMNS = 2 + len(VERDICTS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[ArticleSummary] = []

    def set_summaries(self, items: Sequence[ArticleSummary]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def update_summaries(self, items: Iterable[ArticleSummary]) -> None:
        """Refresh the given articles in place; articles not yet listed are appended."""
        rows = {s.id: i for i, s in enumerate(self._items)}
        for item in items:
            row = rows.get(item.id)
            if row is None:
                at = len(self._items)
                self.beginInsertRows(QModelIndex(), at, at)
                self._items.append(item)
                self.endInsertRows()
                rows[item.id] = at
            elif item != self._items[row]:
                self._items[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))

    def sync_summaries(self, summaries: Sequence[ArticleSummary], ids: Iterable[str]) -> None:
        """Bring the articles ``ids`` in line with ``summaries`` (every listed article, in
        order): refreshed in place, inserted where they belong, or removed when gone."""
        wanted = {s.id: s for s in summaries}
        order = {s.id: i for i, s in enumerate(summaries)}
        for article_id in dict.fromkeys(ids):
            row = self.row_of(article_id)
            item = wanted.get(article_id)
            if item is None:
                if row >= 0:
                    self.beginRemoveRows(QModelIndex(), row, row)
                    del self._items[row]
                    self.endRemoveRows()
            elif row < 0:
                place = order[article_id]
                at = sum(1 for s in self._items if order.get(s.id, len(order)) < place)
                self.beginInsertRows(QModelIndex(), at, at)
                self._items.insert(at, item)
                self.endInsertRows()
            elif item != self._items[row]:
                self._items[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))

    def summary(self, row: int) -> ArticleSummary:
        return self._items[row]

    def summaries(self) -> list[ArticleSummary]:
        return list(self._items)

    def find(self, article_id: str) -> ArticleSummary | None:
        return next((s for s in self._items if s.id == article_id), None)

    def row_of(self, article_id: str) -> int:
        return next((i for i, s in enumerate(self._items) if s.id == article_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = index.column()
        verdict = self.VERDICTS[column - 2] if column >= 2 else None
        if role == _DISPLAY:
            if column == self.TITLE:
                return item.title
            if column == self.OUTLET:
                return item.outlet
            return str(item.counts.get(verdict, 0)) if verdict else None
        if role == SORT_ROLE:
            if verdict is not None:
                return item.counts.get(verdict, 0)
            return (item.title if column == self.TITLE else item.outlet).casefold()
        if role == ID_ROLE:
            return item.id
        if role == ROW_ROLE:
            return item
        if role == Qt.ItemDataRole.ToolTipRole:
            if verdict is not None:
                return f"{item.counts.get(verdict, 0)} {verdict_style.label(verdict).lower()}"
            parts = [item.title, item.outlet]
            if item.published:
                parts.append(f"Published {item.published.isoformat()}")
            parts.append(f"{item.text_length:,} characters, from {item.original_name}")
            return "\n".join(p for p in parts if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and verdict is not None:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.COLUMNS:
            return None
        verdict = self.VERDICTS[section - 2] if section >= 2 else None
        if role == _DISPLAY:
            if verdict is None:
                return "Title" if section == self.TITLE else "Outlet"
            return ""
        if role == Qt.ItemDataRole.DecorationRole and verdict is not None:
            return verdict_style.icon(verdict)
        if role == Qt.ItemDataRole.ToolTipRole and verdict is not None:
            return f"Annotations marked {verdict_style.label(verdict).lower()}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ArticleFilterProxy(QSortFilterProxyModel):
    """Filters articles by a text found in their title or outlet (case-insensitive)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        item = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if item is None:
            return False
        return self._needle in f"{item.title}\n{item.outlet}".casefold()


# --- annotations ----------------------------------------------------------------------------


class AnnotationTableModel(QAbstractTableModel):
    """Every annotation of the project (deleted ones too; the proxy decides what shows)."""

    QUOTE, ARTICLE, VERDICT, NOTE, REVIEWER, UPDATED = range(6)
    HEADERS = ("Quote", "Article", "Verdict", "Note", "Reviewer", "Updated")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AnnotationRow] = []
        self._index: dict[str, int] = {}

    def set_rows(self, rows: Sequence[AnnotationRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._reindex()
        self.endResetModel()

    def apply_rows(self, rows: Iterable[AnnotationRow]) -> None:
        """Update the rows with these ids in place, appending the ones not listed yet."""
        new: list[AnnotationRow] = []
        for row in rows:
            at = self._index.get(row.id)
            if at is None:
                new.append(row)
            elif row != self._rows[at]:
                self._rows[at] = row
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.HEADERS) - 1))
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self._reindex()
            self.endInsertRows()

    def remove_ids(self, annotation_ids: Iterable[str]) -> None:
        """Drop these rows (the annotations of a removed article); unknown ids are ignored."""
        rows = sorted({self._index[i] for i in annotation_ids if i in self._index})
        # Runs of neighbouring rows go at once, last run first so earlier rows keep their place.
        runs: list[list[int]] = []
        for row in rows:
            if runs and runs[-1][1] == row - 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self._reindex()
            self.endRemoveRows()

    def row_for_id(self, annotation_id: str) -> int:
        return self._index.get(annotation_id, -1)

    def annotation(self, row: int) -> AnnotationRow:
        return self._rows[row]

    def find(self, annotation_id: str) -> AnnotationRow | None:
        at = self._index.get(annotation_id)
        return None if at is None else self._rows[at]

    def reviewers(self) -> list[str]:
        return sorted({r.reviewer for r in self._rows}, key=str.casefold)

    def _reindex(self) -> None:
        self._index = {r.id: i for i, r in enumerate(self._rows)}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DecorationRole and column == self.VERDICT:
            return verdict_style.icon(row.verdict)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.FontRole and row.deleted:
            font = QFont()
            font.setItalic(True)
            font.setStrikeOut(column == self.QUOTE)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.deleted:
            # Quieter than live rows, still readable (the disabled colour is too faint).
            app = QApplication.instance()
            palette = app.palette() if isinstance(app, QApplication) else QPalette()
            return verdict_style.muted_text(palette, on_base=True)
        return None

    def _display(self, row: AnnotationRow, column: int) -> str:
        if column == self.QUOTE:
            return _one_line(row.quote, 120)
        if column == self.ARTICLE:
            return row.article_title
        if column == self.VERDICT:
            label = verdict_style.label(row.verdict)
            return f"{label} (deleted)" if row.deleted else label
        if column == self.NOTE:
            return _one_line(row.note, 120)
        if column == self.REVIEWER:
            return row.reviewer
        return local_time(row.updated_at)

    def _sort_key(self, row: AnnotationRow, column: int) -> Any:
        if column == self.UPDATED:
            return row.updated_at.timestamp()
        if column == self.VERDICT:
            return list(Verdict).index(row.verdict)
        if column == self.ARTICLE:
            return f"{row.article_title.casefold()}\x00{row.start:012d}"
        return self._display(row, column).casefold()

    def _tooltip(self, row: AnnotationRow, column: int) -> str:
        if column == self.QUOTE:
            return row.quote[:1000]
        if column == self.NOTE:
            return row.note[:2000]
        if column == self.UPDATED:
            return f"Created {local_time(row.created_at)} by {row.created_by}"
        return self._display(row, column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class AnnotationFilterProxy(QSortFilterProxyModel):
    """Shows annotations matching a verdict, a reviewer and a text; deleted ones on request."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.verdict: Verdict | None = None
        self.reviewer: str | None = None
        self.text = ""
        self.show_deleted = False

    def set_filter(
        self,
        *,
        verdict: Verdict | bool | None = False,
        reviewer: str | bool | None = False,
        text: str | None = None,
        show_deleted: bool | None = None,
    ) -> None:
        """Change some of the filters; ``False`` (or None for text/show_deleted) keeps one."""
        self.beginFilterChange()
        if verdict is not False:
            self.verdict = verdict  # type: ignore[assignment]
        if reviewer is not False:
            self.reviewer = reviewer  # type: ignore[assignment]
        if text is not None:
            self.text = text.strip().casefold()
        if show_deleted is not None:
            self.show_deleted = show_deleted
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        row = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if row is None:
            return False
        if row.deleted and not self.show_deleted:
            return False
        if self.verdict is not None and row.verdict != self.verdict:
            return False
        if self.reviewer is not None and row.reviewer != self.reviewer:
            return False
        if self.text:
            haystack = f"{row.quote}\n{row.note}\n{row.article_title}\n{row.reviewer}"
            return self.text in haystack.casefold()
        return True
