"""Where File ▸ Export puts files: the last folder used, else Documents; Show in Folder."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from desktop.ui import dialogs
from desktop.ui.export_ui import ExportDialog


def _export_dialog(window, qtbot) -> ExportDialog:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view = window.panes.panes()[0].view
    view.setFocus()
    qtbot.keyClick(view, "e", Qt.KeyboardModifier.ControlModifier)
    dialog = window.tools.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    return dialog


def test_export_defaults_to_documents_then_to_the_last_folder(
    open_window, demo_path, reviewer, tmp_path, qtbot, monkeypatch
) -> None:
    documents = Path(os.environ["HOME"]) / "Documents"
    documents.mkdir()
    opened: list[Path] = []
    monkeypatch.setattr(dialogs, "open_folder", opened.append)
    window = open_window(demo_path)

    dialog = _export_dialog(window, qtbot)
    assert Path(dialog.path_edit.text()).parent == documents
    assert ".local" not in dialog.path_edit.text()
    target = tmp_path / "out" / "verdicts.csv"
    target.parent.mkdir()
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(target))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # Export is the default button

    def finished_box() -> QMessageBox | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox)
                and w.isVisible()
                and "Export finished" in w.windowTitle()
            ),
            None,
        )

    qtbot.waitUntil(lambda: finished_box() is not None)
    assert target.is_file()
    box = finished_box()
    assert str(target) in box.text()
    show = box.findChild(QPushButton, "showInFolder")
    qtbot.mouseClick(show, Qt.MouseButton.LeftButton)
    assert opened == [target]
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: finished_box() is None)

    # Next time the dialog starts in the folder used last.
    dialog = _export_dialog(window, qtbot)
    assert Path(dialog.path_edit.text()).parent == target.parent
    dialog.reject()


def test_a_missing_last_folder_falls_back_to_documents(
    open_window, demo_path, reviewer, tmp_path, qtbot
):
    from desktop.ui.settings import Settings

    documents = Path(os.environ["HOME"]) / "Documents"
    documents.mkdir()
    Settings().export_folder = tmp_path / "gone"
    window = open_window(demo_path)
    dialog = _export_dialog(window, qtbot)
    assert Path(dialog.path_edit.text()).parent == documents
    dialog.reject()
