"""Tools ▸ Verify Project: check the project, optionally against a head or an audit export
kept elsewhere, and show what was checked and what was found. The check runs on the window's
runner, off the window's thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.anchors import ExpectedHead, parse_head
from desktop.core.errors import CrosscheckError
from desktop.core.store import Store
from desktop.core.verify import VerifyReport, VerifyRequest
from desktop.ui.project_names import project_folder, project_label

if TYPE_CHECKING:
    from desktop.ui.controller import Runner, Task

EXPORT_FILTER = "Audit exports (*.jsonl *.csv);;All files (*)"


class VerifyDialog(QDialog):
    """Anchors to check (all optional), a Verify button, and the report below them."""

    sig_verified = Signal(object)
    """A check finished; carries the VerifyReport."""

    def __init__(self, project: Store, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.project = project
        self.runner = runner
        self.name = project_label(project)
        self.setWindowTitle(f"Verify {self.name}")
        self.job: Task | None = None
        self.report: VerifyReport | None = None

        self.head_edit = QLineEdit()
        self.head_edit.setObjectName("verifyExpectedHead")
        self.head_edit.setPlaceholderText("64 hexadecimal digits, from an earlier verify or export")
        self.head_edit.setClearButtonEnabled(True)
        self.seq_box = QSpinBox()
        self.seq_box.setObjectName("verifyExpectedSeq")
        self.seq_box.setRange(0, 2_000_000_000)
        self.seq_box.setSpecialValueText("any")
        self.seq_box.setMaximumWidth(180)
        self.seq_box.setToolTip('The event the head must be; "any" accepts it anywhere')
        self.export_edit = QLineEdit()
        self.export_edit.setObjectName("verifyExport")
        self.export_edit.setPlaceholderText("an audit export (.jsonl, or .csv with its .sha256)")
        browse = QPushButton("Choose…")
        browse.setObjectName("verifyBrowse")
        browse.setAutoDefault(False)  # Enter in a field verifies, never opens a file dialog
        browse.clicked.connect(self._browse)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_edit, 1)
        export_row.addWidget(browse)

        anchors = QGroupBox("Check against (optional)")
        form = QFormLayout(anchors)
        head_label = QLabel("Expected &head:")
        head_label.setBuddy(self.head_edit)
        seq_label = QLabel("At &event:")
        seq_label.setBuddy(self.seq_box)
        export_label = QLabel("Audit e&xport:")
        export_label.setBuddy(self.export_edit)
        form.addRow(head_label, self.head_edit)
        form.addRow(seq_label, self.seq_box)
        form.addRow(export_label, export_row)
        hint = QLabel(
            "A log cut short or re-hashed whole agrees with itself; only a head published "
            "before, or an export kept elsewhere, shows it."
        )
        hint.setWordWrap(True)
        hint.setObjectName("verifyHint")
        form.addRow(hint)

        self.status_label = QLabel("Press Verify to check the project.")
        self.status_label.setObjectName("verifyStatus")
        self.status_label.setWordWrap(True)
        self.result_view = QPlainTextEdit()
        self.result_view.setObjectName("verifyResult")
        self.result_view.setReadOnly(True)
        self.result_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.result_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result_view.setMinimumHeight(180)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.verify_button = self.buttons.addButton(
            "&Verify", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.verify_button.setObjectName("verifyRun")
        self.verify_button.setDefault(True)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.verify_button.clicked.connect(self.run)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(anchors)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 520)

    # --- running ------------------------------------------------------------------------------

    def request(self) -> VerifyRequest:
        """What the fields ask for; raises CrosscheckError naming a bad entry."""
        expected: tuple[ExpectedHead, ...] = ()
        head_text = self.head_edit.text().strip()
        seq = self.seq_box.value() or None
        if head_text:
            expected = (ExpectedHead(parse_head(head_text), seq),)
        elif seq is not None:
            raise CrosscheckError("an event number needs the expected head it should hold")
        export = self.export_edit.text().strip()
        exports = (Path(export).expanduser(),) if export else ()
        return VerifyRequest(expected=expected, exports=exports)

    def run(self) -> None:
        """Check in the background; the report fills the dialog."""
        if self.job is not None:
            return
        try:
            request = self.request()
        except CrosscheckError as exc:
            self._show_failure(str(exc))
            return
        project = self.project

        def work(_task: Task) -> VerifyReport:
            from desktop.ui.audit_view import verify_quietly

            return verify_quietly(project, request)

        self.verify_button.setEnabled(False)
        self.status_label.setText(f"Verifying {self.name}…")
        self.result_view.clear()
        self.job = self.runner.run(
            f"Verify {self.name}", work, writes=False, done=self._done, failed=self._failed
        )

    def running(self) -> bool:
        return self.job is not None

    def _done(self, report: VerifyReport) -> None:
        self.job = None
        self.report = report
        self.verify_button.setEnabled(True)
        self.status_label.setText(
            f"✓ {self.name} is intact."
            if report.ok
            else f"✗ {len(report.problems)} problem{'s' if len(report.problems) != 1 else ''} "
            "found."
        )
        self.result_view.setPlainText("\n".join(report_lines(report)))
        self.sig_verified.emit(report)

    def _failed(self, error: CrosscheckError) -> None:
        self.job = None
        self.verify_button.setEnabled(True)
        self._show_failure(str(error))

    def _show_failure(self, message: str) -> None:
        self.status_label.setText(f"✗ {message}")
        self.result_view.clear()

    def _browse(self) -> None:
        start = self.export_edit.text() or str(project_folder(self.project))
        path, _ = QFileDialog.getOpenFileName(self, "Audit export", start, EXPORT_FILTER)
        if path:
            self.export_edit.setText(path)


def report_lines(report: VerifyReport) -> list[str]:
    """The report as the dialog shows it: each check, then each problem."""
    chain = report.chain
    lines = [
        f"Hash chain: {chain.events:,} events"
        + (f", head {chain.head_hash} at event {chain.events}" if chain.ok else ", broken"),
    ]
    if report.replay is not None:
        counts = report.replay.rows.items()
        tables = ", ".join(f"{table} {count:,}" for table, count in counts if count) or "none"
        found = len(report.replay.problems) + report.replay.more
        lines.append(
            f"Rows replayed from the log: {tables}"
            + (
                " — every one matches"
                if not found
                else f" — {found:,} difference{'s' if found != 1 else ''}"
            )
        )
    lines.append(
        "The database's own checks (SQLite: integrity and foreign keys), the audit guards "
        "and every quote checked."
    )
    details = report.details()
    if details:
        lines += ["", *details]
    if report.problems:
        lines += ["", "Problems:"] + [f"• {p}" for p in report.problems]
    return lines
