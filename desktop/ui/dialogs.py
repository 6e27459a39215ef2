"""Every message box and file dialog of the window, in one place.

Message boxes are window-modal but opened without a nested event loop, so the caller goes on
at once (``open_window`` must return without entering an event loop). Tests replace these
functions with ``monkeypatch.setattr(dialogs, "show_error", ...)``; callers therefore always
write ``dialogs.show_error(...)``, never import the function itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from desktop.ui.reviewer_dialog import ReviewerDialog

# The dialog classes are imported where they are used: the first use of such a class builds
# all of its enums, which would otherwise cost tens of milliseconds at every start.

PROJECT_FILTER = "Crosscheck projects (*.crosscheck)"


def _box(parent: QWidget | None, icon: str, title: str, text: str) -> QMessageBox:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        getattr(QMessageBox.Icon, icon), title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the user what went wrong, in their words; the window stays usable."""
    _box(parent, "Warning", title, message)


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    _box(parent, "Information", title, message)


def show_saved(parent: QWidget | None, title: str, message: str, path: Path) -> QMessageBox:
    """Say a file was written, with a Show in Folder button that opens its folder."""
    from PySide6.QtWidgets import QMessageBox

    box = _box(parent, "Information", title, message)
    button = box.addButton("Show in &Folder", QMessageBox.ButtonRole.ActionRole)
    button.setObjectName("showInFolder")
    # An action button leaves the box open; the box then closes with OK.
    button.clicked.connect(lambda: open_folder(path))
    return box


def open_folder(path: Path) -> None:
    """Open the folder holding ``path`` in the file manager."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


def ask_reviewer(
    parent: QWidget | None, current: str, on_name: Callable[[str], object]
) -> ReviewerDialog:
    """Ask for the reviewer's name without blocking; ``on_name`` gets the accepted name."""
    from desktop.ui.reviewer_dialog import ReviewerDialog

    dialog = ReviewerDialog(parent, on_name)
    dialog.ask(current)
    return dialog


def about(parent: QWidget | None, version: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(
        parent,
        "About Crosscheck",
        f"<h3>Crosscheck {version}</h3>"
        "<p>Compare versions of a news story side by side and record an audited verdict "
        "— supported, disputed or unverified — on each claim, with notes and evidence "
        "links.</p><p>Every change is kept in a tamper-evident audit trail.</p>",
    )


def open_project_path(parent: QWidget | None, folder: str = "") -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, "Open project", folder, PROJECT_FILTER)
    return Path(path) if path else None


def new_project_path(parent: QWidget | None, folder: str = "") -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, "New project", folder, PROJECT_FILTER)
    if not path:
        return None
    result = Path(path)
    return (
        result if result.suffix == ".crosscheck" else result.with_name(result.name + ".crosscheck")
    )


def import_paths(parent: QWidget | None, suffixes: tuple[str, ...], folder: str = "") -> list[Path]:
    from PySide6.QtWidgets import QFileDialog

    patterns = " ".join(f"*{s}" for s in suffixes)
    paths, _ = QFileDialog.getOpenFileNames(
        parent, "Import articles", folder, f"Articles ({patterns});;All files (*)"
    )
    return [Path(p) for p in paths]
