"""Qt table models over the core's query results, and their filter proxies.

Models never read the database: the window hands them rows (ArticleSummary, AnnotationRow)
and they announce every change with the proper signals (reset, insert, dataChanged), so views
keep selection and scroll position when one row changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QIdentityProxyModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core.model import Verdict
from desktop.core.records import AnnotationFilter, AnnotationRow, ArticleSummary
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


class AnnotationQuery:
    """What the annotations table asks the store for: the ids matching its filters in its
    order, and the rows of some ids. The table itself never holds more than it has shown."""

    def ids(self, flt: AnnotationFilter, sort: str, descending: bool) -> list[str]:
        raise NotImplementedError

    def rows(self, annotation_ids: Sequence[str]) -> list[AnnotationRow]:
        raise NotImplementedError

    def reviewers(self) -> list[str]:
        raise NotImplementedError


class AnnotationTableModel(QAbstractTableModel):
    """The annotations that match the table's filters, in its order, fetched as they come
    into view.

    Filters and sorting run in the store (``AnnotationQuery``): the model holds the matching
    ids and the rows shown so far. Given rows directly (``set_rows``, no query), it filters and
    sorts those itself, the same way.
    """

    QUOTE, ARTICLE, VERDICT, NOTE, REVIEWER, UPDATED = range(6)
    HEADERS = ("Quote", "Article", "Verdict", "Note", "Reviewer", "Updated")
    SORT_KEYS = ("quote", "article", "verdict", "note", "reviewer", "updated")
    PAGE = 200

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._query: AnnotationQuery | None = None
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[str, AnnotationRow] = {}
        self._filter = AnnotationFilter()
        self._sort = "reading"
        self._descending = False

    # --- what is listed -------------------------------------------------------------------

    def set_query(
        self,
        query: AnnotationQuery | None,
        ids: Sequence[str] | None = None,
        rows: Sequence[AnnotationRow] = (),
    ) -> None:
        """List what ``query`` finds (``ids`` and some ``rows``: what is already known)."""
        self.beginResetModel()
        self._query = query
        self._cache = {r.id: r for r in rows}
        self._ids = list(ids) if ids is not None else self._find_ids()
        self._reindex()
        self.endResetModel()

    def set_rows(self, rows: Sequence[AnnotationRow]) -> None:
        """List these rows (no store behind them): the model filters and sorts them."""
        self.beginResetModel()
        self._query = None
        self._cache = {r.id: r for r in rows}
        self._ids = self._find_ids()
        self._reindex()
        self.endResetModel()

    def set_filter(
        self,
        *,
        verdict: Verdict | bool | None = False,
        reviewer: str | bool | None = False,
        text: str | None = None,
        show_deleted: bool | None = None,
    ) -> None:
        """Change some of the filters; ``False`` (or None for text/show_deleted) keeps one."""
        flt = self._filter
        changes: dict[str, Any] = {}
        if verdict is not False:
            changes["verdicts"] = None if verdict is None else (Verdict(verdict),)
        if reviewer is not False:
            changes["reviewers"] = None if reviewer is None else (str(reviewer),)
        if text is not None:
            changes["text"] = text.strip()
        if show_deleted is not None:
            changes["include_deleted"] = bool(show_deleted)
        new = replace(flt, **changes)
        if new != flt:
            self._filter = new
            self.refresh()

    @property
    def filter(self) -> AnnotationFilter:
        return self._filter

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (-1: reading order); the store does the sorting."""
        key = self.SORT_KEYS[column] if 0 <= column < len(self.SORT_KEYS) else "reading"
        descending = order == Qt.SortOrder.DescendingOrder and key != "reading"
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.refresh()

    def refresh(self) -> None:
        """Ask again which annotations match, keeping the current row and selection where
        the annotations are still listed."""
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        persistent = self.persistentIndexList()
        new_ids = self._find_ids()
        self._ids = new_ids
        self._reindex()
        moved_from, moved_to = [], []
        for index in persistent:
            moved_from.append(index)
            at = self._index.get(old_ids[index.row()], -1) if index.row() < len(old_ids) else -1
            moved_to.append(self.index(at, index.column()) if at >= 0 else QModelIndex())
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def apply_rows(self, rows: Iterable[AnnotationRow]) -> None:
        """These annotations changed (or are new): show them as they are now, listed or not as
        the filters say."""
        fresh = list(rows)
        for row in fresh:
            self._cache[row.id] = row
        if any(r.id not in self._index for r in fresh) or self._moves(fresh):
            self.refresh()
        for row in fresh:
            at = self._index.get(row.id)
            if at is not None:
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.HEADERS) - 1))

    def remove_ids(self, annotation_ids: Iterable[str]) -> None:
        """Forget these annotations (those of a removed article)."""
        for annotation_id in annotation_ids:
            self._cache.pop(annotation_id, None)
        self.refresh()

    def _moves(self, rows: Sequence[AnnotationRow]) -> bool:
        """Whether a change may move rows in or out of the listing, or within it."""
        if not rows:
            return False
        return (
            not self._filter.is_default or self._sort != "reading" or any(r.deleted for r in rows)
        )

    def _find_ids(self) -> list[str]:
        if self._query is not None:
            return self._query.ids(self._filter, self._sort, self._descending)
        rows = _filtered_sorted(
            list(self._cache.values()), self._filter, self._sort, self._descending
        )
        return [r.id for r in rows]

    # --- reading --------------------------------------------------------------------------

    def row_for_id(self, annotation_id: str) -> int:
        return self._index.get(annotation_id, -1)

    def annotation(self, row: int) -> AnnotationRow:
        annotation_id = self._ids[row]
        found = self._cache.get(annotation_id)
        if found is None:
            self._fetch_page(row)
            found = self._cache[annotation_id]
        return found

    def find(self, annotation_id: str) -> AnnotationRow | None:
        """The annotation with this id, listed or not (a deleted one the editor still shows)."""
        found = self._cache.get(annotation_id)
        if found is None and self._query is not None:
            fetched = self._query.rows([annotation_id])
            for row in fetched:
                self._cache[row.id] = row
            found = self._cache.get(annotation_id)
        return found

    def reviewers(self) -> list[str]:
        if self._query is not None:
            return self._query.reviewers()
        return sorted({r.reviewer for r in self._cache.values()}, key=str.casefold)

    def prefetch(self, row: int) -> None:
        """Read the page of ``row`` now (the first screen, while a quick read is at hand)."""
        if self._query is not None and 0 <= row < len(self._ids):
            self._fetch_page(row)

    def _fetch_page(self, row: int) -> None:
        """The rows around ``row`` that are not read yet: a page at a time, as they scroll in."""
        assert self._query is not None
        first = row - row % self.PAGE
        wanted = [i for i in self._ids[first : first + self.PAGE] if i not in self._cache]
        for fetched in self._query.rows(wanted):
            self._cache[fetched.id] = fetched
        for missing in wanted:
            if missing not in self._cache:  # gone meanwhile: shown as it was last listed
                self._cache[missing] = _gone(missing)

    def _reindex(self) -> None:
        self._index = {annotation_id: i for i, annotation_id in enumerate(self._ids)}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        row = self.annotation(index.row())
        column = index.column()
        if role == _DISPLAY:
            return self._display(row, column)
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


class AnnotationFilterProxy(QIdentityProxyModel):
    """The table's view of the annotations model: filtering and sorting are passed on to the
    model, which has the store do them (a view sorting 100,000 rows itself would read them
    all)."""

    def set_filter(self, **filters: Any) -> None:
        model = self.sourceModel()
        if isinstance(model, AnnotationTableModel):
            model.set_filter(**filters)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, AnnotationTableModel):
            model.sort(column, order)


def _gone(annotation_id: str) -> AnnotationRow:
    """A placeholder for a listed annotation that vanished before it was read."""
    from datetime import UTC

    moment = datetime.fromtimestamp(0, UTC)
    return AnnotationRow(
        annotation_id, "", "", "", None, 0, 0, "", "", "", Verdict.UNVERIFIED, "", (), "", "",
        moment, moment, moment,
    )  # fmt: skip


def _filtered_sorted(
    rows: list[AnnotationRow], flt: AnnotationFilter, sort: str, descending: bool
) -> list[AnnotationRow]:
    """What the store's filters and sorting give, over rows in memory (rows given directly)."""
    needle = flt.text.casefold()
    out = [
        r
        for r in rows
        if (flt.include_deleted or not r.deleted)
        and (flt.verdicts is None or r.verdict in flt.verdicts)
        and (flt.reviewers is None or r.reviewer in flt.reviewers)
        and (not needle or needle in f"{r.quote}\n{r.note}\n{r.article_title}".casefold())
    ]
    keys = {
        "quote": lambda r: r.quote.casefold(),
        "article": lambda r: r.article_title,
        "verdict": lambda r: r.verdict.value,
        "note": lambda r: r.note.casefold(),
        "reviewer": lambda r: r.reviewer.casefold(),
        "updated": lambda r: r.updated_at,
        "created": lambda r: r.created_at,
    }
    reading = {r.id: i for i, r in enumerate(rows)}
    out.sort(key=lambda r: reading[r.id])
    if sort in keys:
        out.sort(key=keys[sort], reverse=descending)
    return out
