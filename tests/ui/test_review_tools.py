"""Double-checking in the window: the blind view, Mark Article Done, Tools ▸ Agreement and
Tools ▸ Adjudicate Article, driven with keys and clicks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.core import operations, review_ops, review_state
from desktop.core.agreement_report import article_agreements, figure
from desktop.core.store import open_store, reads
from desktop.ui import actions as act
from tests.ui.gestures import highlighted

ANN, BOB, EDITOR = "Ann Example", "Bob Checker", "Eda Editor"


def double_checked(path: Path, *, blind: bool = False, adjudicator: str | None = None) -> str:
    """Ann and Bob tag the first article: alike, other verdicts, only Bob, other boundaries."""
    with open_store(path) as project:
        if adjudicator:
            review_ops.add_adjudicator(project, adjudicator, reviewer=adjudicator)
        if blind:
            review_ops.start_blinding(project, reviewer=adjudicator or EDITOR)
        with project.read() as db:
            article = reads.article_summaries(db)[0].id
        for start, end, verdict, who in (
            (200, 230, "supported", ANN), (200, 230, "supported", BOB),
            (0, 20, "supported", ANN), (0, 20, "disputed", BOB),
            (40, 60, "unverified", BOB),
            (100, 130, "supported", ANN), (102, 130, "supported", BOB),
        ):  # fmt: skip
            operations.annotate(project, article, start, end, verdict, reviewer=who)
    return article


def as_reviewer(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("CROSSCHECK_REVIEWER", name)


def table_reviewers(window) -> set[str]:
    model = window.annotation_panel.model
    return {model.annotation(i).reviewer for i in range(model.rowCount())}


def show_first(window, article: str) -> None:
    pane = window.panes.panes()[0]
    window.panes.set_active(pane)
    window.panes.show_article(pane, article)
    pane.view.setFocus()


def test_blind_view_until_the_article_is_marked_done(
    open_window, demo_path, monkeypatch, qtbot
) -> None:
    article = double_checked(demo_path, blind=True)
    as_reviewer(monkeypatch, ANN)
    window = open_window(demo_path)
    show_first(window, article)
    view = window.panes.panes()[0].view
    review = window.review

    # Only Ann's three annotations: in the table, the pane, the counts and the status bar.
    assert table_reviewers(window) == {ANN}
    assert window.annotation_panel.model.rowCount() == 3
    summary = window.article_panel.model.find(article)
    assert summary is not None and summary.total == 3
    assert review.blind_label.text() == "Blind review: only your annotations"
    bob_only = set(range(40, 60))  # Bob's span that Ann did not tag
    assert not (highlighted(view) & bob_only)
    assert review.blind_project_action.isChecked() and not review.done_action.isChecked()
    # The audit trail leaves out Bob's annotations too.
    trail = window.tools.show_audit_trail()
    qtbot.waitUntil(lambda: trail.proxy.rowCount() > 0)

    def tagged_by() -> set[str]:
        return {
            trail.model.entry(trail.proxy.mapToSource(trail.proxy.index(i, 0)).row()).reviewer
            for i in range(trail.proxy.rowCount())
            if "annotation"
            in trail.model.entry(trail.proxy.mapToSource(trail.proxy.index(i, 0)).row()).action
        }

    assert tagged_by() == {ANN}

    # Ctrl+Shift+D marks the article done: everyone's annotations show.
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view, Qt.Key.Key_D, ctrl_shift)
    qtbot.waitUntil(lambda: window.annotation_panel.model.rowCount() == 7)
    assert table_reviewers(window) == {ANN, BOB}
    assert highlighted(view) & bob_only
    assert window.article_panel.model.find(article).total == 7  # type: ignore[union-attr]
    assert review.done_action.isChecked()
    assert review.blind_label.text() == "Blind review: all shown (you marked it done)"
    assert tagged_by() == {ANN, BOB}

    # Edit ▸ Undo (Ctrl+Z) takes the mark back: only Ann's again; Ctrl+Y marks it again.
    undo = window.actions_by_id[act.UNDO]
    assert undo.text().startswith("&Undo Mark '") and undo.text().endswith("' done")
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.annotation_panel.model.rowCount() == 3)
    assert not review.done_action.isChecked() and not (highlighted(view) & bob_only)
    assert review.blind_label.text() == "Blind review: only your annotations"
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.annotation_panel.model.rowCount() == 7)
    assert review.done_action.isChecked()

    # Another reviewer at the same window sees only theirs again.
    monkeypatch.setenv("CROSSCHECK_REVIEWER", BOB)
    window.sig_reviewer_changed.emit(BOB)
    assert table_reviewers(window) == {BOB}


def test_blind_review_switched_from_the_tools_menu(
    open_window, demo_path, monkeypatch, errors, qtbot
) -> None:
    article = double_checked(demo_path, adjudicator=EDITOR)
    as_reviewer(monkeypatch, ANN)
    window = open_window(demo_path)
    show_first(window, article)
    review = window.review
    assert table_reviewers(window) == {ANN, BOB}
    # Ann is not the adjudicator: refused, with the reason, and nothing changes.
    review.blind_project_action.trigger()
    assert errors and "only the project's adjudicators (Eda Editor)" in errors[-1][1]
    assert not review.blind_project_action.isChecked()
    assert table_reviewers(window) == {ANN, BOB}

    monkeypatch.setenv("CROSSCHECK_REVIEWER", EDITOR)
    window.sig_reviewer_changed.emit(EDITOR)
    review.blind_article_action.trigger()  # the article in the active pane
    assert review.blind_article_action.isChecked()
    assert review.blind_label.text() == "Blind review: all shown (adjudicator)"
    monkeypatch.setenv("CROSSCHECK_REVIEWER", ANN)
    window.sig_reviewer_changed.emit(ANN)
    assert table_reviewers(window) == {ANN}
    assert review.blind_label.text() == "Blind review: only your annotations"
    # Eda undoes her switch (Edit ▸ Undo): Ann sees everyone's again.
    monkeypatch.setenv("CROSSCHECK_REVIEWER", EDITOR)
    window.sig_reviewer_changed.emit(EDITOR)
    assert window.actions_by_id[act.UNDO].text().startswith("&Undo Blind review of '")
    window.actions_by_id[act.UNDO].trigger()
    assert not review.blind_article_action.isChecked()
    monkeypatch.setenv("CROSSCHECK_REVIEWER", ANN)
    window.sig_reviewer_changed.emit(ANN)
    assert table_reviewers(window) == {ANN, BOB}
    assert review.blind_label.text() == ""


def test_agreement_dialog_shows_the_figures_and_a_chart(
    open_window, demo_path, monkeypatch, qtbot
) -> None:
    article = double_checked(demo_path)
    as_reviewer(monkeypatch, EDITOR)
    window = open_window(demo_path)
    qtbot.keyClick(
        window.panes.panes()[0].view,
        Qt.Key.Key_G,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.review.agreement_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5, timeout=20_000)
    with open_store(demo_path, read_only=True) as project:
        (expected, *_rest) = article_agreements(project)
    first, *others = dialog.row_texts()
    assert first[1:6] == [
        f"{ANN}, {BOB}",
        figure(expected.alpha_u),
        figure(expected.kappa),
        figure(expected.percent, percent=True),
        "3",
    ]
    assert all(row[2] == "needs two reviewers" for row in others)
    assert "3 open disagreement(s)" in dialog.status.text()
    assert "Ann Example / Bob Checker: uα" in dialog.pairs.text()
    chart = dialog.table.item(0, 6)
    assert "uα" in chart.toolTip() and "κ" in chart.toolTip()
    # Enter on another article shows it in the active pane.
    dialog.table.setFocus()
    dialog.table.selectRow(1)
    dialog.table.setCurrentCell(1, 0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    second = window.article_panel.model.summaries()[1].id
    assert window.panes.active_pane().article_id() == second
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.adjudicate_button, Qt.MouseButton.LeftButton)
    adjudication = window.review.adjudication_dialog
    assert adjudication is not None and adjudication.article_id == article
    adjudication.close()
    dialog.close()


def test_blind_review_keeps_the_agreement_until_done(
    open_window, demo_path, monkeypatch, qtbot
) -> None:
    article = double_checked(demo_path, blind=True)
    as_reviewer(monkeypatch, ANN)
    window = open_window(demo_path)
    show_first(window, article)
    view = window.panes.panes()[0].view
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view, Qt.Key.Key_G, ctrl_shift)
    dialog = window.review.agreement_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: "left out" in dialog.status.text(), timeout=20_000)
    # The whole project is blind: no article's figures until Ann marks it done.
    assert dialog.table.rowCount() == 0
    assert "5 article(s) under blind review left out until you mark them done" in (
        dialog.status.text()
    )
    # Back in the main window, the dialog left open beside it.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_D, ctrl_shift)  # Mark Article Done
    qtbot.waitUntil(window.review.done_action.isChecked)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=20_000)
    (row,) = dialog.row_texts()
    assert row[1] == f"{ANN}, {BOB}" and row[5] == "3"
    assert "4 article(s) under blind review left out" in dialog.status.text()
    dialog.close()


def _click(qtbot, dialog, name: str) -> None:
    button = dialog.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_adjudicating_an_article(open_window, demo_path, monkeypatch, errors, qtbot) -> None:
    article = double_checked(demo_path, adjudicator=EDITOR)
    as_reviewer(monkeypatch, EDITOR)
    window = open_window(demo_path)
    show_first(window, article)
    window.review.adjudicate_action.trigger()
    dialog = window.review.adjudication_dialog
    assert dialog is not None and dialog.isVisible()
    kinds = [g.kind for g in dialog.groups()]
    assert kinds == ["verdicts", "missing", "boundaries"]
    assert "Reviewers: Ann Example, Bob Checker. 3 open" in dialog.summary.text()

    # Accept Bob's side of the first: his disputed verdict becomes final.
    dialog.list.setCurrentRow(0)
    assert "Same span, different verdicts" in dialog.detail.text()
    _click(qtbot, dialog, f"accept:{BOB}")
    model = window.annotation_panel.model
    rows = [model.annotation(i) for i in range(model.rowCount())]
    finals = [r for r in rows if r.reviewer == EDITOR]
    assert [(r.start, r.end, r.verdict.value) for r in finals] == [(0, 20, "disputed")]
    assert dialog.list.item(0).text().startswith("Settled")

    # The second stays untagged; the third gets a verdict of the adjudicator's, with a note.
    dialog.list.setCurrentRow(1)
    _click(qtbot, dialog, "leaveUntagged")
    dialog.list.setCurrentRow(2)
    dialog.verdict_box.setFocus()
    dialog.verdict_box.setCurrentIndex(dialog.verdict_box.findData("unverified"))
    qtbot.keyClicks(dialog.note, "half true")
    _click(qtbot, dialog, "setFinalVerdict")
    assert "0 open and 3 settled" in dialog.summary.text()
    _click(qtbot, dialog, "finaliseAgreed")
    assert not dialog.agreed_button.isEnabled()
    with open_store(demo_path, read_only=True) as project, project.read() as db:
        rows = reads.annotation_rows(db)
        final_ids = review_state.final_annotation_ids(db)
    finals = sorted((r.start, r.end, r.verdict.value, r.note) for r in rows if r.id in final_ids)
    assert finals[0][:3] == (0, 20, "disputed")
    assert finals[1] == (100, 130, "unverified", "half true")
    assert finals[2][:3] == (200, 230, "supported")

    # Withdrawing reopens it and deletes its final verdict; Edit ▸ Undo settles it again.
    dialog.list.setCurrentRow(2)
    _click(qtbot, dialog, "withdrawDecision")
    assert "1 open and 2 settled" in dialog.summary.text()
    undo = window.actions_by_id[act.UNDO]
    assert undo.text().startswith("&Undo Withdraw settlement of d")
    undo.trigger()
    assert "0 open and 3 settled" in dialog.summary.text()
    assert window.actions_by_id[act.UNDO].text() == "&Undo Finalise 1 agreed span"
    assert not errors


def test_adjudication_refused_to_a_blinded_reviewer(
    open_window, demo_path, monkeypatch, errors, qtbot
) -> None:
    article = double_checked(demo_path, blind=True)
    as_reviewer(monkeypatch, ANN)
    window = open_window(demo_path)
    show_first(window, article)
    assert window.review.adjudicate() is None
    assert errors and "Mark the article done first" in errors[-1][1]


def test_grab_of_the_agreement_view(open_window, demo_path, monkeypatch, qtbot) -> None:
    """The views paint (looked at while building them; kept as a smoke test)."""
    double_checked(demo_path)
    as_reviewer(monkeypatch, EDITOR)
    window = open_window(demo_path)
    dialog = window.review.show_agreement()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5, timeout=20_000)
    assert not dialog.grab().isNull()
    dialog.close()


def test_file_export_from_a_blinded_side(
    open_window, demo_path, monkeypatch, errors, qtbot, tmp_path
):
    import csv

    from desktop.ui.export_ui import ExportDialog, run_export

    double_checked(demo_path, blind=True)
    as_reviewer(monkeypatch, ANN)
    window = open_window(demo_path)
    window.tools.export_action.trigger()
    dialog = window.tools.export_dialog
    assert isinstance(dialog, ExportDialog)
    target = tmp_path / "mine.csv"
    fmt, _path, options = dialog.choice()
    job = run_export(window, window.project, fmt, target, options)
    qtbot.waitUntil(lambda: target.exists() and not job.running, timeout=10_000)
    with target.open(newline="", encoding="utf-8") as fh:
        assert {r["reviewer"] for r in csv.DictReader(fh)} == {ANN}
    # The audit log is refused from this side, with the reason.
    dialog.set_format("audit-jsonl")
    dialog.path_edit.setText(str(tmp_path / "audit.jsonl"))
    dialog.accept()
    assert errors and "not exported while blind review hides the others'" in errors[-1][1]
    assert not (tmp_path / "audit.jsonl").exists()
