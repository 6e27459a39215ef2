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
EXPORT = "file.export"
QUIT = "file.quit"
UNDO = "edit.undo"
REDO = "edit.redo"
UNDO_PROJECT = "edit.undo_project"
FIND = "edit.find"
REVIEWER = "edit.reviewer"
EDIT_ARTICLE = "edit.edit_article"
REMOVE_ARTICLE = "edit.remove_article"
ADD_PANE = "view.add_pane"
REMOVE_PANE = "view.remove_pane"
COMPARE = "view.compare"
COUNTERPARTS = "view.counterparts"
CLAIMS = "view.claims"
SEARCH = "edit.search_versions"
NEXT_AREA = "view.next_area"
PREVIOUS_AREA = "view.previous_area"
DELETE = "annotate.delete"
TAG_ALL = "annotate.tag_all"
CARRY = "annotate.carry"
SPAN_END_LEFT = "annotate.span_end_left"
SPAN_END_RIGHT = "annotate.span_end_right"
SPAN_START_LEFT = "annotate.span_start_left"
SPAN_START_RIGHT = "annotate.span_start_right"
# Which end of the selected annotation each moves, and which way (by one word).
SPAN_MOVES = {
    SPAN_END_LEFT: ("end", -1),
    SPAN_END_RIGHT: ("end", 1),
    SPAN_START_LEFT: ("start", -1),
    SPAN_START_RIGHT: ("start", 1),
}
VERIFY = "tools.verify"
SHORTCUTS = "help.shortcuts"
GUIDE = "help.guide"
ABOUT = "help.about"
TAG = {v: f"annotate.{v.value}" for v in Verdict}

# Actions that change the project: disabled when it is read-only or none is open.
EDITING = (
    *TAG.values(),
    DELETE,
    IMPORT,
    EDIT_ARTICLE,
    REMOVE_ARTICLE,
    *SPAN_MOVES,
    TAG_ALL,
    CARRY,
)
# Actions that need an open project, even a read-only one: disabled when none is open.
NEEDS_PROJECT = (CLOSE, FIND, ADD_PANE, REMOVE_PANE, COMPARE, COUNTERPARTS, CLAIMS, SEARCH)


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
    EXPORT: Spec(
        "&Export…",
        ("Ctrl+E",),
        tip="Export verdicts, the audit log or a report (CSV, JSON-LD, HTML)",
    ),
    CLOSE: Spec("&Close", (Key.Close,), tip="Close the project"),
    QUIT: Spec("&Quit", (Key.Quit, "Ctrl+Q"), tip="Quit Crosscheck"),
    UNDO: Spec("&Undo", (Key.Undo,), "undo"),
    REDO: Spec("&Redo", (Key.Redo, "Ctrl+Y"), "redo"),
    UNDO_PROJECT: Spec(
        "Undo in &Project",
        ("Ctrl+Alt+Z",),
        tip="Undo the project's last change, even while typing in a field",
    ),
    FIND: Spec("&Find Article", (Key.Find,), tip="Filter the article list"),
    SEARCH: Spec(
        "&Search All Versions…",
        ("Ctrl+Shift+F",),
        tip="Find text in every version, with its context",
    ),
    REVIEWER: Spec("Change &Reviewer…", tip="Change the name recorded with your edits"),
    EDIT_ARTICLE: Spec(
        "&Edit Article…", ("F2",), tip="Change the title, outlet, URL or date of the article"
    ),
    REMOVE_ARTICLE: Spec(
        "Re&move Article…", tip="Remove the article and its annotations (undoable)"
    ),
    ADD_PANE: Spec("&Add Pane", ("Ctrl+Shift+N",), "add-pane", "Show one more article"),
    REMOVE_PANE: Spec("&Remove Pane", ("Ctrl+Shift+W",), "remove-pane", "Close the active pane"),
    COMPARE: Spec(
        "&Compare Versions",
        ("Ctrl+Shift+C",),
        "compare",
        "Selecting in one pane shows the same claim in the others; marks differing facts and "
        "passages only one version carries",
        True,
    ),
    COUNTERPARTS: Spec(
        "C&ounterparts",
        ("Ctrl+Shift+P",),
        tip="The selected claim in every other version, with Tag All and Carry Verdict",
        checkable=True,
    ),
    CLAIMS: Spec(
        "C&laims Grid",
        ("Ctrl+Shift+L",),
        tip="One row per claim, one column per version: the story's verdict table",
        checkable=True,
    ),
    NEXT_AREA: Spec(
        "Next &Area",
        ("F6", "Ctrl+Tab"),
        tip="Move to the next area: articles, each pane, annotations, editor",
    ),
    PREVIOUS_AREA: Spec(
        "Previous A&rea", ("Shift+F6", "Ctrl+Shift+Tab"), tip="Move to the previous area"
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
    TAG_ALL: Spec(
        "Tag &All Versions…",
        ("Ctrl+Shift+T",),
        tip="Tag the selected claim and its counterparts with one verdict (one undo step)",
    ),
    CARRY: Spec(
        "&Carry Verdict…",
        ("Ctrl+Shift+R",),
        tip="Give the selected annotation's counterparts its verdict (one undo step)",
    ),
    SPAN_END_RIGHT: Spec(
        "Extend End by a Word", ("Shift+Alt+Right",), tip="Move the selected annotation's end right"
    ),
    SPAN_END_LEFT: Spec(
        "Shrink End by a Word", ("Shift+Alt+Left",), tip="Move the selected annotation's end left"
    ),
    SPAN_START_LEFT: Spec(
        "Extend Start by a Word",
        ("Ctrl+Shift+Alt+Left",),
        tip="Move the selected annotation's start left",
    ),
    SPAN_START_RIGHT: Spec(
        "Shrink Start by a Word",
        ("Ctrl+Shift+Alt+Right",),
        tip="Move the selected annotation's start right",
    ),
    VERIFY: Spec(
        "&Verify Project…",
        tip="Check the project's integrity, every link of the audit trail's hash chain and "
        "every row against the trail, optionally against a head or an export kept elsewhere",
    ),
    SHORTCUTS: Spec("&Keyboard Shortcuts", (Key.HelpContents,), tip="Every key, in one list"),
    GUIDE: Spec("&How to Check a Story", tip="A short guide, with the demo project to try it on"),
    ABOUT: Spec("&About Crosscheck", tip="Version and a short description"),
}

# Keys that belong to a place rather than to an action, for Help ▸ Keyboard Shortcuts:
# (where, keys, what they do).
CONTEXT_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Pane", "Shift+arrows, Shift+Ctrl+arrows", "Select text from the keyboard"),
    ("Pane", "Drag", "Select whole words (a drag ending inside a word takes the word)"),
    ("Pane", "Alt+drag", "Select exact characters"),
    ("Pane", "Drag an end of the selected highlight", "Move that end of the annotation"),
    ("Tables", "Arrows", "Move through the rows (the editor follows, panes stay)"),
    ("Tables", "Enter, double-click", "Show the annotation or article in a pane"),
    (
        "Compare mode",
        "Click, or move the caret",
        "Show the sentence's counterparts in the other panes",
    ),
    ("Search", "Enter, Down", "Go to the results; Enter shows the match in a pane"),
    ("Anywhere", "Tab, Shift+Tab", "Next or previous control"),
    ("Note", "Ctrl+Return", "Save the note (leaving the field saves it too)"),
    ("Evidence link", "Return", "Add the link"),
    ("Text field", "Ctrl+Z", "Undo typing while there is some, else the project's last change"),
)


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
