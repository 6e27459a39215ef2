"""The Audit trail view, and the "Verify project" action's report.

``AuditTrailWidget`` lists the project's audit events newest first (time, reviewer, action,
what), filters them by reviewer, action and text, and shows the selected event's before and
after side by side with the changed keys marked. It loads the log in pages as the list is
scrolled, so a long log opens at once; any filter loads the rest first so it sees every event.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.audit import GENESIS_HASH, ChainReport
from desktop.core.errors import CrosscheckError
from desktop.core.exports import audit_trail
from desktop.core.exports.audit_trail import AuditEntry
from desktop.core.model import Verdict
from desktop.core.store import Store
from desktop.core.verify import VerifyReport, VerifyRequest
from desktop.ui import dialogs, verdict_style

Index = QModelIndex | QPersistentModelIndex
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE = 2_000


def local_time(iso: str) -> str:
    """A stored ISO 8601 UTC time in the computer's time zone, to the second."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class AuditLogModel(QAbstractTableModel):
    """Audit events, newest first, loaded a page at a time (``canFetchMore``/``fetchMore``)."""

    SEQ, TIME, REVIEWER, ACTION, WHAT = range(5)
    HEADERS = ("#", "Time", "Reviewer", "Action", "What")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Store | None = None
        self._entries: list[AuditEntry] = []
        self._total = 0

    # --- loading ------------------------------------------------------------------------

    def set_project(self, project: Store | None) -> None:
        self.beginResetModel()
        self._project = project
        self._entries = []
        self._total = 0
        if project is not None:
            with project.read() as conn:
                self._total = audit_trail.count_entries(conn)
                self._entries = audit_trail.list_entries(conn, limit=PAGE)
        self.endResetModel()

    def refresh(self) -> int:
        """Add events written since the last load at the top; returns how many."""
        if self._project is None:
            return 0
        newest = self._entries[0].seq if self._entries else 0
        with self._project.read() as conn:
            total = audit_trail.count_entries(conn)
            fresh = audit_trail.list_entries(conn, after_seq=newest, limit=PAGE + 1)
        if len(fresh) > PAGE:  # more than a page arrived: start again
            self.set_project(self._project)
            return len(fresh)
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self._entries[:0] = fresh
            self.endInsertRows()
        self._total = total
        return len(fresh)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._entries) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._project is None or not self._entries:
            return
        try:
            with self._project.read() as conn:
                more = audit_trail.list_entries(conn, before_seq=self._entries[-1].seq, limit=PAGE)
        except CrosscheckError:
            # The project cannot be reached just now (the window says so): the rest of the
            # list is read when the view asks again.
            return
        if not more:
            self._total = len(self._entries)
            return
        first = len(self._entries)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._entries.extend(more)
        self.endInsertRows()

    def fetch_all(self) -> None:
        while self.canFetchMore():
            before = len(self._entries)
            self.fetchMore()
            if len(self._entries) == before:
                break

    @property
    def project(self) -> Store | None:
        return self._project

    @property
    def total(self) -> int:
        return self._total

    def entry(self, row: int) -> AuditEntry:
        return self._entries[row]

    # --- the model ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.SEQ:
                return str(entry.seq)
            if column == self.TIME:
                return local_time(entry.at)
            if column == self.REVIEWER:
                return entry.reviewer
            if column == self.ACTION:
                return entry.action_label
            if column == self.WHAT:
                return entry.what
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TIME:
                return f"{entry.at} (UTC)"
            if column == self.ACTION:
                return entry.action
            if column == self.WHAT:
                return f"{entry.what}\n{entry.entity_type} {entry.entity_id}"
        elif role == Qt.ItemDataRole.DecorationRole and column == self.WHAT and entry.verdict:
            try:
                return verdict_style.icon(Verdict(entry.verdict))
            except ValueError:
                return None
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.SEQ:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == ENTRY_ROLE:
            return entry
        return None


class AuditFilterProxy(QSortFilterProxyModel):
    """Keeps events by reviewer, action and a case-insensitive text (in any shown column)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._reviewer: str | None = None
        self._action: str | None = None
        self._text = ""
        self._hidden: frozenset[str] = frozenset()

    def set_hidden(self, entity_ids: frozenset[str]) -> None:
        """Leave out the events of these entities (blind review hides them from the viewer)."""
        if entity_ids != self._hidden:
            self.beginFilterChange()
            self._hidden = entity_ids
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_filters(self, reviewer: str | None, action: str | None, text: str) -> None:
        self.beginFilterChange()
        self._reviewer, self._action, self._text = reviewer, action, text.casefold().strip()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def active(self) -> bool:
        return bool(self._reviewer or self._action or self._text)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AuditLogModel) or source_parent.isValid():
            return True
        entry = model.entry(source_row)
        if entry.entity_id in self._hidden:
            return False
        if self._reviewer is not None and entry.reviewer != self._reviewer:
            return False
        if self._action is not None and entry.action != self._action:
            return False
        if self._text:
            haystack = " ".join(
                (str(entry.seq), entry.reviewer, entry.action_label, entry.what, entry.entity_id)
            )
            return self._text in haystack.casefold()
        return True


def state_html(state: dict[str, Any] | None, changed: set[str], mark: str) -> str:
    """A state as pretty JSON, one key per block; changed keys bold, tinted and marked."""
    if state is None:
        return '<p style="color:gray"><i>(did not exist)</i></p>'
    lines = []
    for key in sorted(state):
        value = json.dumps(state[key], ensure_ascii=False, indent=2)
        text = escape(f"{json.dumps(key)}: {value}")
        if key in changed:
            lines.append(
                f'<span style="background-color:#ffe69a; color:#000; font-weight:bold">'
                f"{mark} {text}</span>"
            )
        else:
            lines.append(f"  {text}")
    body = "\n".join(lines)
    return f'<pre style="white-space:pre-wrap">{body}</pre>'


# --- the field-by-field view of a change ---------------------------------------------------

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
FIELD_LABELS = {
    "id": "Id",
    "article_id": "Article",
    "text_sha256": "Text SHA-256",
    "url": "URL",
}
SHORT_ID = 8  # characters of an id shown where it has no name
# The order a reader wants: what was said first, bookkeeping last (other keys follow).
FIELD_ORDER = [
    "quote",
    "verdict",
    "note",
    "sources",
    "start",
    "end",
    "prefix",
    "suffix",
    "title",
    "outlet",
    "url",
    "published",
    "name",
    "email",
    "original_name",
    "source_format",
    "text_length",
    "text_sha256",
    "article_id",
    "id",
    "imported_at",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "deleted_at",
    "deleted_by",
]


def ids_in(*states: dict[str, Any] | None) -> set[str]:
    """Every UUID among the values of these states (to look their names up)."""
    return {
        value
        for state in states
        if state
        for value in state.values()
        if isinstance(value, str) and _UUID.match(value)
    }


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " ").capitalize())


def show_value(value: Any, names: dict[str, str]) -> str:
    """A stored value as a person reads it: names for ids, short hashes, local times."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        if _UUID.match(value):
            name = names.get(value)
            return f"{name} ({value[:SHORT_ID]})" if name else f"{value[:SHORT_ID]}…"
        if _HASH.match(value):
            return f"{value[:12]}…"
        if _TIME.match(value):
            return local_time(value)
        return " ".join(value.split()) if value.strip() else "(empty)"
    if isinstance(value, list):
        if not value:
            return "(none)"
        items = []
        for item in value:
            if isinstance(item, dict) and "url" in item:
                title = item.get("title") or ""
                items.append(f"{item['url']} ({title})" if title else str(item["url"]))
            else:
                items.append(json.dumps(item, ensure_ascii=False))
        return "; ".join(items)
    return json.dumps(value, ensure_ascii=False)


def field_rows(
    before: dict[str, Any] | None, after: dict[str, Any] | None, names: dict[str, str]
) -> list[tuple[str, str, str, bool]]:
    """(field, before, after, changed) for each field of an event's states: the changed ones
    first, each group in FIELD_ORDER."""
    changed = audit_trail.changed_keys(before, after)
    present = set(before or {}) | set(after or {})
    keys = [k for k in FIELD_ORDER if k in present]
    keys += sorted(present - set(keys))
    rows = []
    for key in keys:
        old = show_value((before or {}).get(key), names) if before is not None else ""
        new = show_value((after or {}).get(key), names) if after is not None else ""
        rows.append((field_label(key), old, new, key in changed))
    return sorted(rows, key=lambda r: not r[3])


class AuditTrailWidget(QWidget):
    """The audit trail of one project: a filterable list and the selected event's states."""

    sig_event_selected = Signal(int)
    """An event was selected; carries its sequence number."""
    sig_annotation_requested = Signal(str)
    """An annotation's event was double-clicked; carries the annotation's id."""

    ALL = "__all__"

    def __init__(self, project: Store | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditTrail")
        self.model = AuditLogModel(self)
        self.proxy = AuditFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.reviewer_box = QComboBox()
        self.reviewer_box.setObjectName("auditReviewer")
        self.reviewer_box.setAccessibleName("Filter by reviewer")
        self.action_box = QComboBox()
        self.action_box.setObjectName("auditAction")
        self.action_box.setAccessibleName("Filter by action")
        self.text_edit = QLineEdit()
        self.text_edit.setObjectName("auditText")
        self.text_edit.setPlaceholderText("Filter events…")
        self.text_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")

        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(AuditLogModel.SEQ, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(AuditLogModel.TIME, 140)
        header.resizeSection(AuditLogModel.REVIEWER, 110)
        header.resizeSection(AuditLogModel.ACTION, 110)

        self.fields_table = QTableWidget(0, 3)
        self.fields_table.setObjectName("auditFields")
        self.fields_table.setHorizontalHeaderLabels(["Field", "Before", "After"])
        self.fields_table.verticalHeader().hide()
        self.fields_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fields_table.setWordWrap(False)
        self.fields_table.setTabKeyNavigation(False)
        fields_header = self.fields_table.horizontalHeader()
        fields_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        fields_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        fields_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.raw_button = QToolButton()
        self.raw_button.setObjectName("auditRawToggle")
        self.raw_button.setText("Raw &JSON")
        self.raw_button.setCheckable(True)
        self.raw_button.setToolTip("Show the states exactly as stored (and hashed)")
        self.before_view = self._state_view("auditBefore", "Before")
        self.after_view = self._state_view("auditAfter", "After")
        self.detail_label = QLabel()
        self.detail_label.setObjectName("auditDetail")
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(self.reviewer_box)
        filters.addWidget(self.action_box)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.count_label)

        states = QSplitter(Qt.Orientation.Horizontal)
        states.addWidget(self._titled("Before", self.before_view))
        states.addWidget(self._titled("After", self.after_view))
        # The table of fields by default; the stored JSON one click away.
        self.states_stack = QStackedWidget()
        self.states_stack.addWidget(self.fields_table)
        self.states_stack.addWidget(states)
        self.raw_button.toggled.connect(lambda raw: self.states_stack.setCurrentIndex(int(raw)))
        heading = QHBoxLayout()
        heading.addWidget(self.detail_label, 1)
        heading.addWidget(self.raw_button, 0, Qt.AlignmentFlag.AlignTop)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addLayout(heading)
        details_layout.addWidget(self.states_stack, 1)
        # Side by side: the view lives in a wide, short dock under the panes.
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("auditSplitter")
        split.addWidget(self.table)
        split.addWidget(details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        # Proportions, not pixels: the splitter scales them to its width when first shown.
        split.setSizes([3000, 2000])

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)

        self.reviewer_box.currentIndexChanged.connect(self._apply_filters)
        self.action_box.currentIndexChanged.connect(self._apply_filters)
        self.text_edit.textChanged.connect(self._apply_filters)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.model.rowsInserted.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.set_project(project)

    @staticmethod
    def _state_view(name: str, title: str) -> QTextBrowser:
        view = QTextBrowser()
        view.setObjectName(name)
        view.setAccessibleName(f"{title} the change")
        view.setOpenLinks(False)
        view.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        font = QGuiApplication.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        view.document().setDefaultFont(font)
        return view

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"<b>{title}</b>")
        label.setBuddy(widget)
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        return box

    # --- public API ---------------------------------------------------------------------

    def set_project(self, project: Store | None) -> None:
        """Show another project's log (None: empty)."""
        self.model.set_project(project)
        self._fill_filter_choices()
        self._apply_filters()
        self._show_states(None)

    def refresh(self) -> None:
        """Pick up events written since the list was loaded (after an edit, undo, import)."""
        if self.model.refresh():
            self._fill_filter_choices()
            if self.proxy.active:
                self.model.fetch_all()
        self._update_count()

    def reload(self) -> None:
        """Reload the whole log."""
        self.set_project(self.model.project)

    def select_seq(self, seq: int) -> bool:
        """Select the event with this number (loading pages until it is listed)."""
        while True:
            for row in range(self.proxy.rowCount()):
                index = self.proxy.index(row, 0)
                entry = index.data(ENTRY_ROLE)
                if entry is not None and entry.seq == seq:
                    self.table.setCurrentIndex(index)
                    self.table.scrollTo(index)
                    return True
            if not self.model.canFetchMore():
                return False
            self.model.fetchMore()

    # --- behaviour ----------------------------------------------------------------------

    def _fill_filter_choices(self) -> None:
        reviewers: list[str] = []
        actions: list[str] = []
        project = self.model.project
        if project is not None:
            with project.read() as conn:
                reviewers, actions = audit_trail.distinct_values(conn)
        for box, everyone, values, label in (
            (self.reviewer_box, "All reviewers", reviewers, None),
            (self.action_box, "All actions", actions, audit_trail.ACTION_LABELS),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(everyone, self.ALL)
            for value in values:
                box.addItem(label.get(value, value) if label else value, value)
            found = box.findData(current)
            box.setCurrentIndex(found if found >= 0 else 0)
            box.blockSignals(False)

    def _apply_filters(self) -> None:
        reviewer = self.reviewer_box.currentData()
        action = self.action_box.currentData()
        text = self.text_edit.text()
        reviewer = None if reviewer in (None, self.ALL) else reviewer
        action = None if action in (None, self.ALL) else action
        if reviewer or action or text.strip():
            # A filter must see every event, not only the pages loaded so far.
            self.model.fetch_all()
        self.proxy.set_filters(reviewer, action, text)
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        shown, loaded, total = self.proxy.rowCount(), self.model.rowCount(), self.model.total
        if self.proxy.active:
            self.count_label.setText(f"{shown:,} of {total:,} events")
        elif loaded < total:
            self.count_label.setText(f"{total:,} events (newest {loaded:,} listed)")
        else:
            self.count_label.setText(f"{total:,} events")

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.data(ENTRY_ROLE) if current.isValid() else None
        self._show_states(entry)
        if entry is not None:
            self.sig_event_selected.emit(entry.seq)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        entry = index.data(ENTRY_ROLE)
        if entry is not None and entry.entity_type == "annotation":
            self.sig_annotation_requested.emit(entry.entity_id)

    def _show_states(self, entry: AuditEntry | None) -> None:
        project = self.model.project
        if entry is None or project is None:
            self.detail_label.setText(
                "Select an event to see what it changed." if project else "No project open."
            )
            self.before_view.clear()
            self.after_view.clear()
            self.fields_table.setRowCount(0)
            return
        with project.read() as conn:
            before, after = audit_trail.event_states(conn, entry.seq)
            names = audit_trail.entity_names(conn, ids_in(before, after))
        self._fill_fields(field_rows(before, after, names), before is None, after is None)
        changed = audit_trail.changed_keys(before, after)
        self.detail_label.setText(
            f"Event {entry.seq} · {local_time(entry.at)} · {entry.reviewer} · {entry.action}"
            + (f" · changed: {', '.join(sorted(changed))}" if before and after else "")
        )
        self.detail_label.setToolTip(f"{entry.entity_type} {entry.entity_id}")
        self.before_view.setHtml(state_html(before, changed if after else set(), "−"))
        self.after_view.setHtml(state_html(after, changed if before else set(), "+"))

    def _fill_fields(self, rows: list[tuple[str, str, str, bool]], new: bool, gone: bool) -> None:
        table = self.fields_table
        table.setRowCount(len(rows))
        mark = QColor("#ffe69a")  # the same marker as the raw view's, with black text
        for r, (label, old, now, changed) in enumerate(rows):
            cells = [f"● {label}" if changed else label, old, now]
            if new:
                cells[1] = "(did not exist)" if r == 0 else ""
            if gone:
                cells[2] = "(removed)" if r == 0 else ""
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if len(text) > 40 else "")
                if changed:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(mark)
                    item.setForeground(QColor("#000000"))
                table.setItem(r, c, item)
        table.setToolTip("● marks the fields this event changed")

    def changed_fields(self) -> list[str]:
        """The field labels the table marks as changed, in order."""
        return [
            self.fields_table.item(r, 0).text().removeprefix("● ")
            for r in range(self.fields_table.rowCount())
            if self.fields_table.item(r, 0).text().startswith("● ")
        ]


# --- verify ---------------------------------------------------------------------------------


def verify_and_report(project: Store, parent: QWidget | None = None) -> VerifyReport:
    """Check the project (SQLite's checks, audit triggers, hash chain, texts and quotes) and
    say the result in a message box: information when intact, a warning naming each problem."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        report = verify_quietly(project)
    finally:
        QGuiApplication.restoreOverrideCursor()
    from desktop.ui.project_names import project_label

    report_verification(project_label(project), report, parent)
    return report


def verify_quietly(project: Store, request: VerifyRequest | None = None) -> VerifyReport:
    """``verify_project``, with a failure to read the project (or an export) reported as a
    problem found."""
    from desktop.core.verify import verify_project

    try:
        return verify_project(project) if request is None else verify_project(project, request)
    except CrosscheckError as exc:
        return VerifyReport(chain=ChainReport(0, GENESIS_HASH, None, str(exc)), problems=[str(exc)])


def report_verification(name: str, report: VerifyReport, parent: QWidget | None) -> None:
    """Information when intact, a warning naming each problem otherwise."""
    if report.ok:
        dialogs.show_info(
            parent,
            "Project verified",
            f"{name} is intact.\n\n"
            f"{report.chain.events:,} audit events, hash chain unbroken.\n"
            f"Head hash: {report.chain.head_hash}\n\n"
            "SQLite integrity and foreign keys, the audit triggers, every row against the "
            "log, every article text and every quote were checked.",
        )
    else:
        count = len(report.problems)
        lines = "\n".join(f"• {p}" for p in report.problems)
        dialogs.show_error(
            parent,
            "Project verification failed",
            f"{name} has {count} problem{'s' if count != 1 else ''}:\n\n{lines}",
        )
