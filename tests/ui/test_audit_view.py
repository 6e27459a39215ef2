"""The Audit trail view and the Verify project report."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.core import operations
from desktop.core.exports import audit_trail
from desktop.core.store import Store, open_store, reads
from desktop.ui import audit_view, dialogs
from desktop.ui.audit_view import ENTRY_ROLE, AuditLogModel, AuditTrailWidget, verify_and_report
from tests.backends import Attacker


@pytest.fixture
def history(demo_project: Store) -> tuple[Store, dict[str, str]]:
    """Demo events 1-7, then: Ann tags (two reviewers join), Bob changes one, Ann deletes one."""
    with demo_project.read() as session:
        first = reads.article_summaries(session)[0]
    p = demo_project
    a = operations.annotate(
        p, first.id, 0, 40, "disputed", reviewer="Ann", note="38 dead, not 40"
    ).annotation_ids[0]
    b = operations.annotate(p, first.id, 50, 60, "supported", reviewer="Ann").annotation_ids[0]
    operations.update_annotation(p, a, reviewer="Bob", verdict="supported", note="fixed")
    operations.delete_annotation(p, b, reviewer="Ann")
    return p, {"a": a, "b": b, "title": first.title}


def shown(widget: AuditTrailWidget, column: int = AuditLogModel.WHAT) -> list[str]:
    proxy = widget.proxy
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_models_pass_the_model_tester(qtbot, qtmodeltester, history) -> None:
    project, _ = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    qtmodeltester.check(widget.model)
    widget.text_edit.setText("ann")
    qtmodeltester.check(widget.proxy)


def test_newest_first_with_readable_summaries(qtbot, history) -> None:
    project, ids = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    seqs = [int(s) for s in shown(widget, AuditLogModel.SEQ)]
    assert seqs == list(range(13, 0, -1))
    what = shown(widget)
    title = ids["title"]
    assert what[0].startswith("Deleted supported ‘") and what[0].endswith(f"in {title}")
    assert what[1].startswith("Changed ‘") and "(disputed → supported, note)" in what[1]
    assert f"Disputed ‘{audit_trail._clip('')}" not in what  # summaries carry the quote
    assert any(w.startswith("Disputed ‘") and w.endswith(f"in {title}") for w in what)
    assert "Added reviewer Bob" in what and "Added reviewer Ann" in what
    assert what[-1] == "Added reviewer Test Reviewer"
    assert what[-2].startswith("Created project ‘")
    assert sum(w.startswith("Imported ‘") for w in what) == 5
    reviewers = shown(widget, AuditLogModel.REVIEWER)
    assert reviewers[:2] == ["Ann", "Bob"]
    actions = shown(widget, AuditLogModel.ACTION)
    assert actions[:2] == ["Deleted", "Changed"]


def test_filters_by_reviewer_action_and_text(qtbot, history) -> None:
    project, ids = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    widget.reviewer_box.setCurrentIndex(widget.reviewer_box.findData("Bob"))
    assert shown(widget, AuditLogModel.REVIEWER) == ["Bob", "Bob"]
    assert widget.count_label.text() == "2 of 13 events"
    widget.reviewer_box.setCurrentIndex(0)
    widget.action_box.setCurrentIndex(widget.action_box.findData("annotation.created"))
    assert len(shown(widget)) == 2 and all(
        w.startswith(("Disputed", "Supported")) for w in shown(widget)
    )
    widget.action_box.setCurrentIndex(0)
    widget.text_edit.setText(ids["title"][:20].upper())  # case-insensitive, in "what"
    assert len(shown(widget)) == 5  # its import and the four annotation events
    widget.text_edit.setText(ids["b"][:8])
    assert [i.data(ENTRY_ROLE).entity_id for i in _indexes(widget)] == [ids["b"]] * 2
    widget.text_edit.clear()
    assert widget.proxy.rowCount() == 13 and widget.count_label.text() == "13 events"


def _indexes(widget: AuditTrailWidget):
    return [widget.proxy.index(r, 0) for r in range(widget.proxy.rowCount())]


def test_before_and_after_side_by_side(qtbot, history) -> None:
    project, _ = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    assert widget.select_seq(12)  # Bob's change
    before = widget.before_view.toPlainText()
    after = widget.after_view.toPlainText()
    assert '− "verdict": "disputed"' in before and '+ "verdict": "supported"' in after
    assert '− "note": "38 dead, not 40"' in before and '+ "note": "fixed"' in after
    assert '  "start": 0' in before and '  "start": 0' in after  # unchanged: no mark
    html = widget.after_view.toHtml()
    assert "font-weight:700" in html or "font-weight:600" in html or "bold" in html
    assert "changed:" in widget.detail_label.text() and "verdict" in widget.detail_label.text()
    assert widget.select_seq(9)  # Ann's first tag: nothing before
    assert "(did not exist)" in widget.before_view.toPlainText()
    assert '"verdict": "disputed"' in widget.after_view.toPlainText()


def test_pages_load_on_demand_and_filters_see_everything(
    qtbot, history, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_view, "PAGE", 4)
    project, _ = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 4 and widget.model.canFetchMore()
    assert widget.count_label.text() == "13 events (newest 4 listed)"
    widget.text_edit.setText("Imported")
    assert widget.model.rowCount() == 13 and widget.proxy.rowCount() == 5
    assert widget.select_seq(3) and not widget.select_seq(1)  # 1 is filtered out


def test_refresh_adds_new_events_on_top(qtbot, history) -> None:
    project, ids = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    operations.restore_annotation(project, ids["b"], reviewer="Cy")
    widget.refresh()
    assert shown(widget, AuditLogModel.SEQ)[:2] == ["15", "14"]
    assert shown(widget)[1] == "Added reviewer Cy"
    assert widget.reviewer_box.findData("Cy") >= 0


def test_double_click_asks_for_the_annotation(qtbot, history) -> None:
    project, ids = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.sig_annotation_requested) as blocker:
        widget.table.doubleClicked.emit(widget.proxy.index(0, AuditLogModel.WHAT))
    assert blocker.args == [ids["b"]]


def test_no_project_and_read_only_project(qtbot, history, attacker: Attacker) -> None:
    widget = AuditTrailWidget()
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 0 and widget.count_label.text() == "0 events"
    project, _ = history
    copy = attacker.tampered(project)  # an untouched copy
    with open_store(copy, read_only=True) as ro:
        widget.set_project(ro)
        assert widget.model.rowCount() == 13
        widget.set_project(None)


def test_looks_right(qtbot, history, tmp_path: Path) -> None:
    project, _ = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    widget.resize(1000, 640)
    widget.show()
    qtbot.waitExposed(widget)
    widget.select_seq(12)
    shot = widget.grab()
    assert not shot.isNull() and shot.save(str(tmp_path / "audit-trail.png"))
    assert widget.table.columnWidth(AuditLogModel.TIME) >= 120
    # Every column of the newest row is readable without scrolling sideways, and "What"
    # starts on screen with room for a summary.
    header = widget.table.horizontalHeader()
    assert header.sectionPosition(AuditLogModel.WHAT) + 150 < widget.table.viewport().width()


# --- verify ---------------------------------------------------------------------------------


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    seen: list[tuple[str, str, str]] = []
    monkeypatch.setattr(dialogs, "show_info", lambda _p, t, m: seen.append(("info", t, m)))
    monkeypatch.setattr(dialogs, "show_error", lambda _p, t, m: seen.append(("error", t, m)))
    return seen


def test_verify_reports_an_intact_project(qtbot, history, boxes) -> None:
    project, _ = history
    report = verify_and_report(project, None)
    assert report.ok
    ((kind, title, message),) = boxes
    assert (kind, title) == ("info", "Project verified")
    assert "13 audit events" in message and report.chain.head_hash in message


def test_verify_names_the_broken_event(qtbot, history, boxes, attacker: Attacker) -> None:
    project, _ = history
    copy = attacker.tampered(
        project, "UPDATE audit_events SET reviewer = 'Mallory' WHERE seq = 10", keep_guards=False
    )
    with open_store(copy, read_only=True) as tampered:
        report = verify_and_report(tampered, None)
    assert not report.ok
    ((kind, title, message),) = boxes
    assert (kind, title) == ("error", "Project verification failed")
    assert "event 10" in message and "audit triggers missing" in message
    assert message.count("•") == len(report.problems) == 2


def test_verify_reports_an_unreadable_file(qtbot, history, boxes, monkeypatch) -> None:
    from desktop.core import verify
    from desktop.core.errors import CrosscheckError

    def broken(_project):
        raise CrosscheckError("demo.crosscheck: is damaged (disk I/O error)")

    monkeypatch.setattr(verify, "verify_project", broken)
    project, _ = history
    report = verify_and_report(project, None)
    assert not report.ok and boxes[0][0] == "error" and "disk I/O error" in boxes[0][2]


def test_current_row_follows_keyboard(qtbot, history) -> None:
    project, _ = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    widget.show()
    widget.table.setFocus()
    with qtbot.waitSignal(widget.sig_event_selected) as blocker:
        widget.table.setCurrentIndex(widget.proxy.index(2, 0))
    assert blocker.args == [11]
    qtbot.keyClick(widget.table, Qt.Key.Key_Down)
    assert widget.detail_label.text().startswith("Event 10 ")


def test_refresh_after_many_new_events_reloads(qtbot, history, monkeypatch) -> None:
    monkeypatch.setattr(audit_view, "PAGE", 2)
    project, ids = history
    widget = AuditTrailWidget(project)
    qtbot.addWidget(widget)
    operations.restore_annotation(project, ids["b"], reviewer="Cy")
    operations.delete_annotation(project, ids["b"], reviewer="Cy")
    operations.restore_annotation(project, ids["b"], reviewer="Cy")
    widget.refresh()
    assert shown(widget, AuditLogModel.SEQ)[:2] == ["17", "16"]
    assert widget.model.total == 17 and widget.model.canFetchMore()
