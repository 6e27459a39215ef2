"""File ▸ Export: a dialog for format, filters and target, and exports run off the window's
thread with progress and cancel.

``start_export`` runs one export on the window's runner and reports through an
``ExportJob``'s signals; the window keeps painting and answering. The file appears only when
the export is complete (see ``desktop.core.exports``), so cancelling or a failure leaves the
old file as it was.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import CrosscheckError
from desktop.core.exports import (
    FORMATS,
    AnnotationFilter,
    ExportCancelled,
    ExportOptions,
    ExportResult,
    export_to_path,
)
from desktop.core.exports.common import DEFAULT_OPTIONS, check_target
from desktop.core.model import Verdict
from desktop.core.store import Store, reads
from desktop.ui import dialogs, verdict_style
from desktop.ui.controller import Runner, Task

# Default file names: <project name><ending>.
FILE_ENDINGS = {
    "csv": "-verdicts.csv",
    "audit-csv": "-audit.csv",
    "audit-jsonl": "-audit.jsonl",
    "w3c": "-annotations.jsonld",
    "claimreview": "-claimreview.jsonld",
    "html": "-report.html",
}
FILE_FILTERS = {
    ".csv": "CSV files (*.csv)",
    ".jsonl": "JSON Lines (*.jsonl)",
    ".jsonld": "JSON-LD (*.jsonld *.json)",
    ".html": "HTML files (*.html *.htm)",
}


class ExportJob(QObject):
    """One export, run by the window's runner off its thread. Keep a reference until it has
    finished."""

    sig_progressed = Signal(int, int)
    """Rows written so far and the total (annotations or events)."""
    sig_finished = Signal(str)
    """The export is complete; carries the file's path (details in ``result``)."""
    sig_failed = Signal(str)
    """The export failed; carries the one-line reason. Nothing was written."""
    sig_cancelled = Signal()
    """The export was cancelled. Nothing was written."""
    _sig_progress = Signal(int, int)

    def __init__(
        self,
        project: Store,
        fmt: str,
        path: Path,
        options: ExportOptions,
        parent: Any = None,
        runner: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.format = fmt
        self.path = Path(path)
        self.options = options
        self.runner = runner or shared_runner()
        self.result: ExportResult | None = None
        self.error: str | None = None
        self._cancel = threading.Event()
        self._started = threading.Event()
        self._done = threading.Event()
        # Progress is reported from the runner's thread: a queued signal brings it here.
        self._sig_progress.connect(self.sig_progressed, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        if self._started.is_set() or self._done.is_set():
            return
        self._started.set()
        _RUNNING.add(self)
        self.runner.run(
            f"Export to {self.path.name}",
            self._work,
            writes=False,
            done=self._finished,
            failed=self._failed,
        )

    def cancel(self) -> None:
        """Ask the export to stop at its next batch; ``sig_cancelled`` follows."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the export is done (before closing the project); True if it is.
        A job that has not started yet is cancelled instead of waited for."""
        if not self._started.is_set():
            self._cancel.set()
            self._done.set()
            _RUNNING.discard(self)
            return True
        return self._done.wait(timeout)

    @property
    def running(self) -> bool:
        return self in _RUNNING and not self._done.is_set()

    def _progress(self, done: int, total: int) -> bool:
        self._sig_progress.emit(done, total)
        return not self._cancel.is_set()

    def _work(self, _task: Task) -> ExportResult:
        try:
            return export_to_path(
                self.project, self.format, self.path, self.options, self._progress
            )
        finally:
            self._done.set()

    def _finished(self, result: ExportResult) -> None:
        _RUNNING.discard(self)
        self.result = result
        self.sig_finished.emit(str(result.path))

    def _failed(self, error: CrosscheckError) -> None:
        _RUNNING.discard(self)
        if isinstance(error, ExportCancelled):
            self.sig_cancelled.emit()
            return
        self.error = str(error)
        self.sig_failed.emit(self.error)


_RUNNING: set[ExportJob] = set()
_SHARED: list[Runner] = []


def shared_runner() -> Runner:
    """A runner for exports started without a window (scripts, tests)."""
    if not _SHARED:
        _SHARED.append(Runner())
    return _SHARED[0]


def start_export(
    project: Store,
    fmt: str,
    path: str | Path,
    options: ExportOptions = DEFAULT_OPTIONS,
    runner: Runner | None = None,
) -> ExportJob:
    """Start one export in the background and return its job. It starts when control returns
    to the event loop, so signals connected right after this call see every emission."""
    job = ExportJob(project, fmt, Path(path), options, runner=runner)
    _RUNNING.add(job)
    QTimer.singleShot(0, job.start)
    return job


def run_export(
    parent: QWidget | None,
    project: Store,
    fmt: str,
    path: str | Path,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> ExportJob | None:
    """Start an export with a progress dialog that can cancel; say how it ended in a message
    box. Returns the job, or None if the target cannot be written (the reason is shown)."""
    try:
        target = check_target(Path(path), project=project)
    except CrosscheckError as exc:
        dialogs.show_error(parent, "Cannot export", str(exc))
        return None
    job = start_export(project, fmt, target, options, getattr(parent, "runner", None))
    progress = QProgressDialog(f"Exporting to {target.name}…", "Cancel", 0, 0, parent)
    progress.setObjectName("exportProgress")
    progress.setWindowTitle("Export")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    progress.setAutoReset(False)
    progress.setAutoClose(False)
    progress.canceled.connect(job.cancel)
    job.progress_dialog = progress  # type: ignore[attr-defined]

    def on_progress(done: int, total: int) -> None:
        if total and progress.maximum() != total:
            progress.setMaximum(total)
        progress.setValue(min(done, total) if total else 0)

    def close_progress() -> None:
        progress.canceled.disconnect(job.cancel)
        progress.reset()
        progress.hide()
        progress.deleteLater()

    def on_finished(_path: str) -> None:
        close_progress()
        result = job.result
        if result is None:
            return
        noun = FORMATS[fmt].counts + ("" if result.count == 1 else "s")
        extra = f"\nChecksum and head hash: {result.sidecar.name}" if result.sidecar else ""
        dialogs.show_saved(
            parent,
            "Export finished",
            f"Exported {result.count:,} {noun} to\n{result.path}{extra}",
            Path(result.path),
        )

    def on_failed(message: str) -> None:
        close_progress()
        dialogs.show_error(parent, "Export failed", message)

    job.sig_progressed.connect(on_progress)
    job.sig_finished.connect(on_finished)
    job.sig_failed.connect(on_failed)
    job.sig_cancelled.connect(close_progress)
    return job


def choose_path(parent: QWidget | None, current: str, suffix: str) -> str:
    """Ask where to save (the platform's dialog asks before replacing a file)."""
    file_filter = FILE_FILTERS.get(suffix, "All files (*)") + ";;All files (*)"
    path, _ = QFileDialog.getSaveFileName(parent, "Export to", current, file_filter)
    return path


class ExportDialog(QDialog):
    """Pick the format, the filters and the file. ``choice()`` gives what was picked."""

    def __init__(
        self, project: Store, default_dir: str | Path = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.project = project
        from desktop.ui.project_names import project_folder

        self.default_dir = Path(default_dir) if default_dir else project_folder(project)
        self._auto_path = True
        # Whose side of a blind review the export is made from (the window's reviewer).
        self.viewer: str | None = None
        with project.read() as db:
            info = reads.project_info(db)
            self._articles = reads.article_summaries(db)
            self._reviewers = reads.reviewer_names(db)
        self._stem = _safe_stem(info.name if info else project.display_name)

        self.format_box = QComboBox()
        self.format_box.setObjectName("exportFormat")
        for fmt in FORMATS.values():
            self.format_box.addItem(fmt.label, fmt.name)

        self.verdict_boxes: dict[Verdict, QCheckBox] = {}
        verdict_row = QHBoxLayout()
        for verdict in Verdict:
            box = QCheckBox(verdict_style.label(verdict))
            box.setObjectName(f"exportVerdict_{verdict.value}")
            box.setChecked(True)
            box.setIcon(verdict_style.icon(verdict))
            self.verdict_boxes[verdict] = box
            verdict_row.addWidget(box)
        verdict_row.addStretch(1)

        self.article_list = QListWidget()
        self.article_list.setObjectName("exportArticles")
        self.article_list.setMaximumHeight(110)
        self.article_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.article_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.article_list.setUniformItemSizes(True)
        for article in self._articles:
            item = QListWidgetItem(article.title)
            item.setData(Qt.ItemDataRole.UserRole, article.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(f"{article.title}\n{article.outlet}".strip())
            self.article_list.addItem(item)

        self.reviewer_box = QComboBox()
        self.reviewer_box.setObjectName("exportReviewer")
        self.reviewer_box.addItem("Anyone", None)
        for name in self._reviewers:
            self.reviewer_box.addItem(name, name)
        self.deleted_box = QCheckBox("Include deleted annotations")
        self.deleted_box.setObjectName("exportDeleted")
        self.safe_box = QCheckBox("Spreadsheet-safe cells (a ' before formula-like text)")
        self.safe_box.setObjectName("exportSafe")
        self.safe_box.setChecked(True)
        self.bom_box = QCheckBox("Byte order mark for Excel")
        self.bom_box.setObjectName("exportBom")

        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("exportPath")
        self.path_edit.textEdited.connect(self._on_path_edited)
        browse = QPushButton("Choose…")
        browse.setObjectName("exportBrowse")
        browse.clicked.connect(self._browse)
        self.note_label = QLabel()
        self.note_label.setObjectName("exportNote")
        self.note_label.setWordWrap(True)

        self.filters_group = QGroupBox("Annotations")
        filters = QFormLayout(self.filters_group)
        filters.addRow("Verdicts:", verdict_row)
        filters.addRow("Articles:", self.article_list)
        filters.addRow("Last changed by:", self.reviewer_box)
        filters.addRow("", self.deleted_box)
        self.cells_group = QGroupBox("CSV cells")
        cells = QVBoxLayout(self.cells_group)
        cells.addWidget(self.safe_box)
        cells.addWidget(self.bom_box)
        target = QHBoxLayout()
        target.addWidget(self.path_edit, 1)
        target.addWidget(browse)

        form = QFormLayout()
        form.addRow("Format:", self.format_box)
        form.addRow("", self.note_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.filters_group)
        layout.addWidget(self.cells_group)
        layout.addWidget(QLabel("Save to:"))
        layout.addLayout(target)
        layout.addWidget(self.buttons)

        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        for box in self.verdict_boxes.values():
            box.toggled.connect(self._update_ok)
        self.article_list.itemChanged.connect(self._update_ok)
        self.path_edit.textChanged.connect(self._update_ok)
        self._on_format_changed()
        self.resize(560, self.sizeHint().height())

    # --- state --------------------------------------------------------------------------

    def format_name(self) -> str:
        return str(self.format_box.currentData())

    def set_format(self, name: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(name))

    def choice(self) -> tuple[str, Path, ExportOptions]:
        """The format, the target file and the options as the dialog shows them."""
        fmt = FORMATS[self.format_name()]
        flt = AnnotationFilter()
        if fmt.filtered:
            verdicts = tuple(v for v, box in self.verdict_boxes.items() if box.isChecked())
            checked = [
                self.article_list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.article_list.count())
                if self.article_list.item(i).checkState() == Qt.CheckState.Checked
            ]
            reviewer = self.reviewer_box.currentData()
            hidden = self.blind_articles()
            flt = AnnotationFilter(
                article_ids=None if len(checked) == len(self._articles) else tuple(checked),
                verdicts=None if len(verdicts) == len(Verdict) else verdicts,
                reviewers=(reviewer,) if reviewer else None,
                include_deleted=self.deleted_box.isChecked(),
                blind_articles=hidden or None,
                viewer=self.viewer if hidden else None,
            )
        options = ExportOptions(
            filter=flt,
            spreadsheet_safe=self.safe_box.isChecked() if fmt.cells else True,
            bom=self.bom_box.isChecked() if fmt.cells else False,
        )
        return fmt.name, Path(self.path_edit.text().strip()).expanduser(), options

    def blind_articles(self) -> tuple[str, ...]:
        """Articles on which blind review hides other reviewers' annotations from the viewer."""
        from desktop.core import review_state

        with self.project.read() as db:
            state = review_state.blind_state(db)
        return tuple(state.hidden_articles(self.viewer, (a.id for a in self._articles)))

    def _default_path(self) -> str:
        return str(self.default_dir / f"{self._stem}{FILE_ENDINGS[self.format_name()]}")

    def _on_format_changed(self, *_args: object) -> None:
        fmt = FORMATS[self.format_name()]
        self.filters_group.setEnabled(fmt.filtered)
        self.cells_group.setEnabled(fmt.cells)
        notes = {
            "csv": "One row per annotation, for spreadsheets and editors.",
            "audit-csv": "Every audit event, with a .sha256 file beside it to check the copy.",
            "audit-jsonl": "Every audit event, one JSON object per line, then a summary line.",
            "w3c": "W3C Web Annotation collection (JSON-LD) for annotation tools.",
            "claimreview": "schema.org ClaimReview (JSON-LD) for publishing systems.",
            "html": "A printable report with a chart, highlights and footnotes.",
        }
        extra = "" if fmt.filtered else " The whole log is exported so it can be checked."
        self.note_label.setText(notes.get(fmt.name, "") + extra)
        if self._auto_path or not self.path_edit.text().strip():
            self.path_edit.setText(self._default_path())
            self._auto_path = True
        self._update_ok()

    def _on_path_edited(self, _text: str) -> None:
        self._auto_path = False

    def _browse(self) -> None:
        suffix = FORMATS[self.format_name()].suffix
        path = choose_path(self, self.path_edit.text() or self._default_path(), suffix)
        if path:
            self.path_edit.setText(path)
            self._auto_path = False

    def _update_ok(self, *_args: object) -> None:
        fmt = FORMATS[self.format_name()]
        ok = bool(self.path_edit.text().strip())
        if fmt.filtered:
            any_article = self.article_list.count() == 0 or any(
                self.article_list.item(i).checkState() == Qt.CheckState.Checked
                for i in range(self.article_list.count())
            )
            any_verdict = any(box.isChecked() for box in self.verdict_boxes.values())
            ok = ok and any_article and any_verdict
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def _on_accept(self) -> None:
        _fmt, path, _options = self.choice()
        try:
            check_target(path, project=self.project)
        except CrosscheckError as exc:
            dialogs.show_error(self, "Cannot export", str(exc))
            return
        self.accept()


def _safe_stem(name: str) -> str:
    """A project name made usable as a file name on every system."""
    cleaned = "".join("-" if c in '<>:"/\\|?*' or ord(c) < 32 else c for c in name).strip(" .")
    return cleaned[:80] or "export"


def export_with_dialog(
    parent: QWidget | None, project: Store, default_dir: str | Path = "", viewer: str = ""
) -> ExportDialog:
    """File ▸ Export: open the dialog (window-modal, without a nested event loop); on Export,
    run the export in the background with a progress dialog. The dialog's ``job`` attribute
    holds the running ExportJob once started."""
    dialog = ExportDialog(project, default_dir, parent)
    dialog.viewer = viewer or None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.job = None  # type: ignore[attr-defined]

    def on_accepted() -> None:
        fmt, path, options = dialog.choice()
        if not FORMATS[fmt].filtered and dialog.blind_articles():
            dialogs.show_error(
                parent,
                "Nothing was exported",
                "The audit log holds every reviewer's annotations; it is not exported while "
                "blind review hides the others' from you. Mark the articles done first.",
            )
            return
        dialog.job = run_export(parent, project, fmt, path, options)  # type: ignore[attr-defined]

    dialog.accepted.connect(on_accepted)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
