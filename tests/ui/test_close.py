"""File ▸ Close: every view empties and what needs a project is disabled."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from tests.ui.gestures import drag_select


def test_close_clears_every_view_and_disables_project_actions(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    start = view.text().index("Azerbaijan")
    drag_select(view, start, start + 10)
    qtbot.keyClick(view, "2")
    window.annotation_panel.text_filter.setText("Azer")
    trail = window.tools.show_audit_trail()
    trail.table.setFocus()
    trail.table.setCurrentIndex(trail.proxy.index(0, 0))
    assert trail.model.rowCount() > 0 and trail.after_view.toPlainText()
    assert window.article_panel.chart.counts()

    qtbot.keyClick(view, "w", Qt.KeyboardModifier.ControlModifier)
    assert window.project is None
    assert window.state_label.text() == "No project open"
    # The views are empty ...
    assert window.article_panel.model.rowCount() == 0
    assert window.annotation_panel.model.rowCount() == 0
    assert window.annotation_panel.text_filter.text() == ""
    assert window.article_panel.chart.counts() == {}
    assert window.article_panel.chart.toolTip() == ""
    for pane in window.panes.panes():
        assert pane.article_id() is None and pane.view.toPlainText() == ""
        assert pane.chooser.count() == 1 and pane.outlet.text() == ""
    assert window.editor.annotation() is None
    assert "No project open" in window.editor.quote.full_text()
    assert trail.model.rowCount() == 0
    assert trail.before_view.toPlainText() == "" and trail.after_view.toPlainText() == ""
    assert trail.count_label.text() == "0 events"
    # ... take no input, and actions that need a project are disabled.
    for widget in (window.article_panel, window.annotation_panel, window.editor, window.panes):
        assert not widget.isEnabled()
    assert not trail.isEnabled()
    for action_id in (
        "file.close",
        "file.import",
        "file.export",
        "tools.verify",
        "edit.find",
        "edit.undo",
        "edit.redo",
        "edit.undo_project",
        "view.add_pane",
        "view.remove_pane",
        "view.compare",
        "view.counterparts",
        "view.claims",
        "edit.search_versions",
        "annotate.tag_all",
        "annotate.carry",
        "annotate.supported",
        "annotate.delete",
        "annotate.span_end_right",
    ):
        assert not window.findChild(QAction, action_id).isEnabled(), action_id
    for action_id in ("file.new", "file.open", "file.quit", "edit.reviewer", "help.about"):
        assert window.findChild(QAction, action_id).isEnabled(), action_id

    # Opening a project again brings everything back.
    assert window.open_path(demo_path)
    assert window.article_panel.isEnabled() and trail.isEnabled()
    assert window.action("view.add_pane").isEnabled()
    assert trail.model.rowCount() > 0
