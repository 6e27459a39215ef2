"""File ▸ Export: the dialog, and exports running off the window's thread."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton

from desktop.core import operations
from desktop.core.errors import CrosscheckError
from desktop.core.exports import AnnotationFilter, ExportOptions
from desktop.core.model import Verdict
from desktop.core.store import Store, reads
from desktop.ui import dialogs, export_ui
from desktop.ui.export_ui import (
    ExportDialog,
    ExportJob,
    export_with_dialog,
    run_export,
    start_export,
)
from tests.core.test_exports_csv import bulk_annotations


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    seen: list[tuple[str, str, str]] = []
    monkeypatch.setattr(dialogs, "show_info", lambda _p, t, m: seen.append(("info", t, m)))
    monkeypatch.setattr(dialogs, "show_saved", lambda _p, t, m, _path: seen.append(("info", t, m)))
    monkeypatch.setattr(dialogs, "show_error", lambda _p, t, m: seen.append(("error", t, m)))
    return seen


@pytest.fixture
def big(demo_project: Store) -> Store:
    """The demo project with 4,000 annotations."""
    bulk_annotations(demo_project, 4_000)
    return demo_project


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# --- the job --------------------------------------------------------------------------------


def test_export_runs_while_the_event_loop_keeps_running(
    qtbot, big: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export thread waits in its first progress report until the window's timer has
    fired three times: if the export blocked the event loop, it could never finish."""
    ticks = 0
    window_alive = threading.Event()

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        if ticks >= 3:
            window_alive.set()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    original = ExportJob._progress

    def waiting_progress(self: ExportJob, done: int, total: int) -> bool:
        assert window_alive.wait(10), "the event loop did not run during the export"
        return original(self, done, total)

    monkeypatch.setattr(ExportJob, "_progress", waiting_progress)
    target = tmp_path / "out.csv"
    job = start_export(big, "csv", target)
    progress: list[tuple[int, int]] = []
    job.sig_progressed.connect(lambda d, t: progress.append((d, t)))
    with qtbot.waitSignal(job.sig_finished, timeout=30_000) as blocker:
        pass
    timer.stop()
    assert blocker.args == [str(target)]
    assert ticks >= 3 and not job.running
    assert progress[0] == (0, 4_000) and progress[-1] == (4_000, 4_000)
    assert job.result is not None and job.result.count == 4_000
    assert len(csv_rows(target)) == 4_000


def test_cancel_keeps_the_old_file(qtbot, big: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous export", encoding="utf-8")
    job = start_export(big, "csv", target)
    job.sig_progressed.connect(lambda _d, _t: job.cancel())
    with qtbot.waitSignal(job.sig_cancelled, timeout=30_000):
        pass
    assert target.read_text(encoding="utf-8") == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".crosscheck") == ["out.csv"]
    assert job.result is None


def test_a_failure_is_one_line(qtbot, demo_project: Store, tmp_path: Path) -> None:
    job = start_export(demo_project, "csv", tmp_path / "missing" / "out.csv")
    with qtbot.waitSignal(job.sig_failed, timeout=30_000) as blocker:
        pass
    (message,) = blocker.args
    assert "does not exist" in message and "\n" not in message


def test_every_format_through_a_job(qtbot, demo_project: Store, tmp_path: Path) -> None:
    with demo_project.read() as session:
        article = reads.article_summaries(session)[0].id
    operations.annotate(demo_project, article, 0, 9, "disputed", reviewer="Ann", note="<b>")
    for fmt, ending in export_ui.FILE_ENDINGS.items():
        target = tmp_path / f"x{ending}"
        job = start_export(demo_project, fmt, target)
        with qtbot.waitSignal(job.sig_finished, timeout=30_000):
            pass
        data = target.read_bytes()
        assert data, fmt
        if ending.endswith(("jsonld",)):
            json.loads(data)
    assert (tmp_path / "x-audit.csv.sha256").is_file()


# --- the dialog -----------------------------------------------------------------------------


@pytest.fixture
def tagged(demo_project: Store) -> Store:
    with demo_project.read() as session:
        first, second = [a.id for a in reads.article_summaries(session)][:2]
    operations.annotate(demo_project, first, 0, 9, "disputed", reviewer="Ann")
    operations.annotate(demo_project, second, 0, 9, "supported", reviewer="Bob")
    return demo_project


def test_dialog_defaults_and_formats(qtbot, tagged: Store, tmp_path: Path) -> None:
    dialog = ExportDialog(tagged, tmp_path)
    qtbot.addWidget(dialog)
    fmt, path, options = dialog.choice()
    assert fmt == "csv" and path == tmp_path / "demo-verdicts.csv"
    assert options == ExportOptions()
    dialog.set_format("audit-jsonl")
    fmt, path, options = dialog.choice()
    assert (fmt, path.name) == ("audit-jsonl", "demo-audit.jsonl")
    assert not dialog.filters_group.isEnabled() and not dialog.cells_group.isEnabled()
    dialog.set_format("w3c")
    assert dialog.filters_group.isEnabled() and not dialog.cells_group.isEnabled()
    assert dialog.choice()[1].name == "demo-annotations.jsonld"
    dialog.path_edit.setText(str(tmp_path / "mine.json"))
    dialog.path_edit.textEdited.emit("typed")
    dialog.set_format("html")
    assert dialog.choice()[1].name == "mine.json"  # a typed name is kept


def test_dialog_filters(qtbot, tagged: Store, tmp_path: Path) -> None:
    dialog = ExportDialog(tagged, tmp_path)
    qtbot.addWidget(dialog)
    dialog.verdict_boxes[Verdict.SUPPORTED].setChecked(False)
    dialog.article_list.item(1).setCheckState(dialog.article_list.item(1).checkState().Unchecked)
    dialog.reviewer_box.setCurrentIndex(dialog.reviewer_box.findData("Ann"))
    dialog.deleted_box.setChecked(True)
    dialog.safe_box.setChecked(False)
    dialog.bom_box.setChecked(True)
    _fmt, _path, options = dialog.choice()
    with tagged.read() as session:
        ids = [a.id for a in reads.article_summaries(session)]
    assert options.filter == AnnotationFilter(
        article_ids=tuple(i for k, i in enumerate(ids) if k != 1),
        verdicts=(Verdict.DISPUTED, Verdict.UNVERIFIED),
        reviewers=("Ann",),
        include_deleted=True,
    )
    assert (options.spreadsheet_safe, options.bom) == (False, True)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    for box in dialog.verdict_boxes.values():
        box.setChecked(False)
    assert not ok.isEnabled()
    dialog.set_format("audit-csv")  # no filters: nothing to refuse
    assert ok.isEnabled()
    assert dialog.choice()[2].filter == AnnotationFilter()


def test_browse_uses_the_file_dialog(qtbot, tagged: Store, tmp_path: Path, monkeypatch) -> None:
    asked: list[tuple[str, str]] = []

    def choose(_parent, current: str, suffix: str) -> str:
        asked.append((current, suffix))
        return str(tmp_path / "picked.csv")

    monkeypatch.setattr(export_ui, "choose_path", choose)
    dialog = ExportDialog(tagged, tmp_path)
    qtbot.addWidget(dialog)
    dialog.findChild(QPushButton, "exportBrowse").click()
    assert asked == [(str(tmp_path / "demo-verdicts.csv"), ".csv")]
    assert dialog.choice()[1] == tmp_path / "picked.csv"


def test_export_with_dialog_end_to_end(qtbot, tagged: Store, tmp_path: Path, boxes) -> None:
    dialog = export_with_dialog(None, tagged, tmp_path)
    qtbot.waitExposed(dialog)
    dialog.set_format("html")
    assert dialog.grab().save(str(tmp_path / "export-dialog.png"))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    job = dialog.job
    assert isinstance(job, ExportJob)
    with qtbot.waitSignal(job.sig_finished, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: bool(boxes))
    ((kind, title, message),) = boxes
    assert (kind, title) == ("info", "Export finished")
    assert "Exported 2 annotations" in message and "demo-report.html" in message
    assert (tmp_path / "demo-report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_dialog_refuses_a_bad_target_and_stays_open(
    qtbot, tagged: Store, tmp_path: Path, boxes
) -> None:
    dialog = export_with_dialog(None, tagged, tmp_path)
    qtbot.waitExposed(dialog)
    dialog.path_edit.setText(str(tmp_path))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.job is None
    assert boxes[0][:2] == ("error", "Cannot export") and "is a folder" in boxes[0][2]
    dialog.reject()


def test_run_export_reports_failure(
    qtbot, tagged: Store, tmp_path: Path, boxes, monkeypatch
) -> None:
    def broken(*_args, **_kwargs):
        raise CrosscheckError("disk full")

    monkeypatch.setattr(export_ui, "export_to_path", broken)
    job = run_export(None, tagged, "csv", tmp_path / "x.csv")
    assert job is not None
    with qtbot.waitSignal(job.sig_failed, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: bool(boxes))
    assert boxes == [("error", "Export failed", "disk full")]
    assert run_export(None, tagged, "csv", tmp_path / "no" / "x.csv") is None
    assert boxes[-1][:2] == ("error", "Cannot export")
