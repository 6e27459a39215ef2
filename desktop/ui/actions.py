"""Every action of the main window in one table: id, text, shortcuts, icon, tip."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QWidget

from desktop.core.model import Verdict
from desktop.paths import data_dir

Key = QKeySequence.StandardKey

NEW = "file.new"
OPEN = "file.open"
IMPORT = "file.import"
CLOSE = "file.close"
QUIT = "file.quit"
UNDO = "edit.undo"
REDO = "edit.redo"
FIND = "edit.find"
REVIEWER = "edit.reviewer"
EDIT_ARTICLE = "edit.edit_article"
REMOVE_ARTICLE = "edit.remove_article"
ADD_PANE = "view.add_pane"
REMOVE_PANE = "view.remove_pane"
SYNC_SCROLL = "view.sync_scroll"
DELETE = "annotate.delete"
ABOUT = "help.about"
TAG = {v: f"annotate.{v.value}" for v in Verdict}

# Actions that change the project: disabled when it is read-only or none is open.
EDITING = (*TAG.values(), DELETE, IMPORT, EDIT_ARTICLE, REMOVE_ARTICLE)


@dataclass(frozen=True)
class Spec:
    text: str
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = ()
    icon: str = ""
    tip: str = ""
    checkable: bool = False


SPECS: dict[str, Spec] = {
    NEW: Spec("&New Project…", (Key.New,), tip="Create an empty project file"),
    OPEN: Spec("&Open…", (Key.Open,), tip="Open a project file"),
    IMPORT: Spec(
        "&Import Articles…",
        ("Ctrl+I",),
        "import",
        "Add articles from files (.txt .md .html .docx .pdf) or web addresses",
    ),
    CLOSE: Spec("&Close", (Key.Close,), tip="Close the project"),
    QUIT: Spec("&Quit", (Key.Quit, "Ctrl+Q"), tip="Quit Crosscheck"),
    UNDO: Spec("&Undo", (Key.Undo,), "undo"),
    REDO: Spec("&Redo", (Key.Redo, "Ctrl+Y"), "redo"),
    FIND: Spec("&Find Article", (Key.Find,), tip="Filter the article list"),
    REVIEWER: Spec("Change &Reviewer…", tip="Change the name recorded with your edits"),
    EDIT_ARTICLE: Spec(
        "&Edit Article…", ("F2",), tip="Change the title, outlet, URL or date of the article"
    ),
    REMOVE_ARTICLE: Spec(
        "Re&move Article…", tip="Remove the article and its annotations (undoable)"
    ),
    ADD_PANE: Spec("&Add Pane", ("Ctrl+Shift+N",), "add-pane", "Show one more article"),
    REMOVE_PANE: Spec("&Remove Pane", ("Ctrl+Shift+W",), "remove-pane", "Close the active pane"),
    SYNC_SCROLL: Spec(
        "&Synchronised Scrolling", (), "sync-scroll", "Scroll all panes together", True
    ),
    TAG[Verdict.SUPPORTED]: Spec(
        "Supported", ("1", "Ctrl+1"), "supported", "Tag the selection as supported"
    ),
    TAG[Verdict.DISPUTED]: Spec(
        "Disputed", ("2", "Ctrl+2"), "disputed", "Tag the selection as disputed"
    ),
    TAG[Verdict.UNVERIFIED]: Spec(
        "Unverified", ("3", "Ctrl+3"), "unverified", "Tag the selection as unverified"
    ),
    DELETE: Spec("&Delete Annotation", (Key.Delete,), tip="Delete the selected annotation"),
    ABOUT: Spec("&About Crosscheck", tip="Version and a short description"),
}


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons``; an empty icon if it is missing."""
    if not name:
        return QIcon()
    try:
        path = data_dir("resources") / "icons" / f"{name}.svg"
    except FileNotFoundError:
        return QIcon()
    return QIcon(str(path)) if path.is_file() else QIcon()


def _key_sequences(keys: tuple[str | QKeySequence.StandardKey, ...]) -> list[QKeySequence]:
    """Every binding of each key: a standard key means all of the platform's bindings
    (Redo is both Ctrl+Y and Ctrl+Shift+Z on Linux)."""
    out: list[QKeySequence] = []
    for key in keys:
        found = QKeySequence.keyBindings(key) if isinstance(key, Key) else [QKeySequence(key)]
        out.extend(k for k in found if not k.isEmpty() and k not in out)
    return out


def build(parent: QWidget) -> dict[str, QAction]:
    """One QAction per spec, owned by ``parent``; shortcuts work while it has focus."""
    actions: dict[str, QAction] = {}
    for action_id, spec in SPECS.items():
        action = QAction(spec.text, parent)
        action.setObjectName(action_id)
        if spec.shortcuts:
            action.setShortcuts(_key_sequences(spec.shortcuts))
        if spec.icon:
            action.setIcon(icon(spec.icon))
        if spec.tip:
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{spec.tip} ({shortcut})" if shortcut else spec.tip)
            action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        actions[action_id] = action
    return actions
