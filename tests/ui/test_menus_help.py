"""The menus list each command once; Help has Keyboard Shortcuts and How to Check a Story."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QPushButton

from desktop.ui import actions as act
from desktop.ui.help import plain, typed


def _entries(menu: QMenu) -> list[str]:
    out = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        if action.menu() is not None:
            out += _entries(action.menu())
        else:
            out.append(plain(action.text()))
    return out


def test_every_command_appears_once_across_the_menus(open_window, demo_path, reviewer) -> None:
    window = open_window(demo_path)
    window.tools.show_audit_trail()
    everything = []
    for name in ("File", "Edit", "View", "Annotate", "Tools", "Help"):
        everything += _entries(window.menu(name))
    duplicates = {e for e in everything if everything.count(e) > 1}
    assert not duplicates, duplicates
    view = _entries(window.menu("View"))
    assert "Audit Trail" in view and "Audit Trail" not in _entries(window.menu("Tools"))
    assert "Annotations" in view and "Annotation Editor" in view and "Annotation" not in view
    assert _entries(window.menu("Help")) == [
        "How to Check a Story",
        "Keyboard Shortcuts",
        "About Crosscheck",
    ]


def test_keyboard_shortcuts_lists_every_key_of_the_actions_table(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    window.panes.panes()[0].view.setFocus()
    qtbot.keyClick(window.panes.panes()[0].view, Qt.Key.Key_F1)
    page = window.findChild(type(window.show_shortcuts()), "shortcutsPage")
    assert page is not None and page.isVisible()
    text = page.browser.toPlainText()
    listed = 0
    for action_id, spec in act.SPECS.items():
        action = window.action(action_id)
        keys = [k for k in action.shortcuts() if typed(k)]
        for key in keys:
            assert key.toString(QKeySequence.SequenceFormat.NativeText) in text, action_id
        if keys:
            assert plain(spec.text) in text, action_id
            listed += 1
    assert listed >= 20
    for _place, keys, what in act.CONTEXT_KEYS:
        assert keys in text and what in text
    # A key added to the table appears on the page: it is made from the table.
    for expected in ("Alt+Shift+Right", "Ctrl+Alt+Shift+Left", "Ctrl+Alt+Z", "F6", "Ctrl+E"):
        assert expected in text


def test_no_two_of_the_windows_actions_share_a_key(open_window, demo_path, reviewer) -> None:
    """A key bound twice does nothing at all in Qt (the shortcut is ambiguous)."""
    from PySide6.QtGui import QAction

    window = open_window(demo_path)
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            if key.toString():
                owners.setdefault(key.toString(), []).append(plain(action.text()))
    assert owners.get("Ctrl+Shift+O") == ["Open Server Project"]
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_how_to_check_a_story_opens_the_demo(open_window, tmp_path, reviewer, qtbot) -> None:
    from tests.conftest import make_project

    other = make_project(tmp_path / "other.crosscheck", with_demo=False)
    window = open_window(other)
    window.action("help.guide").trigger()
    page = window.findChild(type(window.show_guide()), "guidePage")
    assert "How to check a story" in page.browser.toPlainText()
    assert "Shift+Alt+Left/Right" in page.browser.toPlainText()
    button = page.findChild(QPushButton, "openDemo")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    demo = Path(os.environ["XDG_DATA_HOME"]) / "crosscheck" / "Demo.crosscheck"
    assert window.project.path == demo
    assert window.article_panel.model.rowCount() == 5
