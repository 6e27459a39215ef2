"""Help ▸ Keyboard Shortcuts (made from the actions table) and Help ▸ How to Check a Story."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import actions as act

MENU_NAMES = {
    "file": "File",
    "edit": "Edit",
    "view": "View",
    "annotate": "Annotate",
    "tools": "Tools",
    "help": "Help",
}


def plain(text: str) -> str:
    """An action's text as read: no mnemonic ampersand, no trailing dots."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


# Keys past the function keys are the dedicated keys of some keyboards ("New", "Find",
# "Redo"); the platform binds them too, but a list written for people leaves them out.
_LAST_KEYBOARD_KEY = Qt.Key.Key_F12


def typed(key: QKeySequence) -> bool:
    """True for a sequence made of keys every keyboard has."""
    return all(key[i].key().value <= _LAST_KEYBOARD_KEY.value for i in range(key.count()))


def shortcut_rows(actions: dict[str, QAction]) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every action of the table that has a key, in table order;
    the keys as the platform writes them, alternatives separated by commas."""
    rows = []
    for action_id, spec in act.SPECS.items():
        action = actions.get(action_id)
        shortcuts = [k for k in action.shortcuts() if typed(k)] if action is not None else []
        if not shortcuts:
            continue
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in shortcuts)
        menu = MENU_NAMES.get(action_id.split(".", 1)[0], "")
        rows.append((menu, plain(spec.text), keys))
    return rows


def shortcuts_html(actions: dict[str, QAction]) -> str:
    """The Keyboard Shortcuts page: every menu command with a key, then the keys of places."""
    parts = ["<h3>Keyboard shortcuts</h3>", "<table cellpadding='3'>"]
    last_menu = None
    for menu, command, keys in shortcut_rows(actions):
        if menu != last_menu:
            parts.append(f"<tr><td colspan='2'><b>{escape(menu)} menu</b></td></tr>")
            last_menu = menu
        parts.append(f"<tr><td><tt>{escape(keys)}</tt></td><td>{escape(command)}</td></tr>")
    last_place = None
    for place, keys, what in act.CONTEXT_KEYS:
        if place != last_place:
            parts.append(f"<tr><td colspan='2'><b>{escape(place)}</b></td></tr>")
            last_place = place
        parts.append(f"<tr><td><tt>{escape(keys)}</tt></td><td>{escape(what)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


GUIDE_HTML = """
<h3>How to check a story</h3>
<ol>
<li><b>Open the demo project</b> (the button below): five versions of one news story.
Two of them are shown side by side; pick another in a pane's title box, or double-click one
in the article list.</li>
<li><b>Read and select a claim</b>: drag over it (whole words are taken; hold Alt for exact
characters), or move with the arrow keys and select with Shift+arrows.</li>
<li><b>Give it a verdict</b>: press <tt>1</tt> supported, <tt>2</tt> disputed or
<tt>3</tt> unverified. The claim is tinted and underlined in the verdict's style.</li>
<li><b>Say why</b>: in the editor, type a note and add evidence links (paste a URL, press
Return). The note is saved when you leave the field.</li>
<li><b>Fix the span</b> if it is off by a word: <tt>Shift+Alt+Left/Right</tt> moves its end,
<tt>Ctrl+Shift+Alt+Left/Right</tt> its start, or drag the ends of its highlight.</li>
<li><b>Compare versions</b>: switch on View ▸ Compare Versions (<tt>Ctrl+Shift+C</tt>) and
click a sentence: its counterpart is framed in the other panes (dashed where its facts
differ), and the Counterparts panel lists every version. <b>Tag All…</b>
(<tt>Ctrl+Shift+T</tt>) tags the claim in each version at once; on an annotation,
<b>Carry Verdict…</b> (<tt>Ctrl+Shift+R</tt>) gives its counterparts its verdict. Dotted boxes
mark facts other versions state differently (hover them), a bar in the margin the passages
only one version carries. The Claims grid (<tt>Ctrl+Shift+L</tt>) is the story's verdict
table; <tt>Ctrl+Shift+F</tt> searches every version.</li>
<li><b>Share the result</b>: File ▸ Export writes a report or data; Tools ▸ Verify Project
checks that nothing was altered outside Crosscheck. Every change is in View ▸ Audit Trail,
and every edit can be undone with <tt>Ctrl+Z</tt>.</li>
</ol>
<p><tt>F6</tt> moves between the article list, the panes, the annotations and the editor;
Help ▸ Keyboard Shortcuts lists every key.</p>
"""


class HelpPage(QDialog):
    """A page of help text beside the window (not modal), closed with Escape."""

    def __init__(self, parent: QWidget | None, title: str, html: str, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setObjectName(f"{name}Text")
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(html)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 440)
        self.setWindowModality(Qt.WindowModality.NonModal)


def shortcuts_page(parent: QWidget | None, actions: dict[str, QAction]) -> HelpPage:
    return HelpPage(parent, "Keyboard Shortcuts", shortcuts_html(actions), "shortcutsPage")


def guide_page(parent: QWidget | None, open_demo: Callable[[], object]) -> HelpPage:
    page = HelpPage(parent, "How to Check a Story", GUIDE_HTML, "guidePage")
    button = QPushButton("&Open the Demo Project")
    button.setObjectName("openDemo")
    page.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    button.clicked.connect(open_demo)
    button.setDefault(True)
    return page
