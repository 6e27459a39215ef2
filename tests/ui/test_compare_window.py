"""Comparing versions in the window, as a reviewer does it: compare mode in the panes, the
Counterparts panel, Tag All, Carry Verdict, the Claims grid and Search All Versions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip

from desktop.core.model import Verdict
from desktop.ui.article_view import ArticleView
from desktop.ui.compare_dialogs import CarryDialog, TagAllDialog
from desktop.ui.text_offsets import Utf16Map
from tests.ui.gestures import drag_select

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
NINE = "nine individuals"  # in A: "…a total of nine individuals were detained."
NINE_IN_B = "Several individuals were injured, and nine were detained in the operation."
FIFTY_IN_E = "Approximately 50 individuals were arrested in total."
LINK_COLOUR = "#00695c"
UNIQUE_COLOUR = "#7b3fb0"


@pytest.fixture(scope="session")
def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compare-cache")


@pytest.fixture(autouse=True)
def _cache(_shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparison's cache is derived data: sharing it between tests only saves time.
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(_shared_cache))


def char_point(view: ArticleView, cp: int) -> QPoint:
    cursor = QTextCursor(view.document())
    cursor.setPosition(Utf16Map(view.text()).to_utf16(cp))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 3, rect.center().y())


def compare_on(window, qtbot) -> None:
    """Ctrl+Shift+C, then wait for the comparison as the status bar tells it."""
    view = window.panes.panes()[0].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.compare.session is not None, timeout=5_000)
    qtbot.waitUntil(lambda: window.compare.session.ready, timeout=60_000)
    assert "Compared 5 versions" in window.statusBar().currentMessage()


def show(window, pane_index: int, letter: str):
    """Show the version with this letter in a pane, as the chooser does."""
    pane = window.panes.panes()[pane_index]
    article_id = next(a for a, label in window.compare.labels.items() if label.letter == letter)
    window.panes.show_article(pane, article_id)
    return pane


def wait_found(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.compare.found is not None, timeout=10_000)
    window.runner.wait()


def inked(view: ArticleView, colour: str) -> int:
    """Pixels of the view drawn in ``colour`` (what the reviewer sees)."""
    image = view.viewport().grab().toImage()
    want = QColor(colour)
    count = 0
    for y in range(0, image.height()):
        for x in range(0, image.width(), 1):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - want.red()) < 25
                and abs(c.green() - want.green()) < 25
                and abs(c.blue() - want.blue()) < 25
            ):
                count += 1
    return count


def tooltip_at(qtbot, view: ArticleView, point: QPoint) -> str:
    QToolTip.hideText()
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3_000)
    return QToolTip.text()


# --- compare mode in the panes ---------------------------------------------------------------


def test_clicking_a_sentence_frames_its_counterpart_in_the_other_pane(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first, second = window.panes.panes()
    assert (first.letter.text(), second.letter.text()) == ("A", "B")
    assert "Azerbaijan cancels" in first.letter.toolTip()
    at = first.view.text().index("detained")
    first.view.center_position(at)
    qtbot.mouseClick(
        first.view.viewport(), Qt.MouseButton.LeftButton, pos=char_point(first.view, at)
    )
    wait_found(window, qtbot)
    overlay = second.view.overlay()
    focus = overlay.focus
    assert focus is not None and focus.kind == "same"
    assert second.view.text()[focus.start : focus.end] == NINE_IN_B
    # The other pane scrolled there and draws the frame.
    assert second.view.span_rects(focus.start, focus.end)
    assert inked(second.view, LINK_COLOUR) > 60
    # The clicked sentence is framed in its own pane too.
    own = first.view.overlay().focus
    assert own is not None and own.kind == "source"
    assert "nine individuals were detained" in first.view.text()[own.start : own.end]


def test_a_version_without_the_claim_says_so_and_one_that_differs_is_dashed(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first = window.panes.panes()[0]
    third = window.panes.add_pane()
    assert third is not None
    show(window, 1, "C")
    show(window, 2, "E")
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    wait_found(window, qtbot)
    second = window.panes.panes()[1]
    assert second.view.overlay().focus is None
    assert second.view.overlay().banner.startswith("Not in this version")
    focus = third.view.overlay().focus
    assert focus is not None and focus.kind == "differs"
    assert third.view.text()[focus.start : focus.end] == FIFTY_IN_E


def test_differing_facts_are_marked_and_hovering_says_what_the_others_say(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first = window.panes.panes()[0]
    qtbot.waitUntil(lambda: first.view.overlay().overview is not None, timeout=10_000)
    facts = {f.text: f for f in first.view.overlay().overview.facts}
    assert "67" in facts and facts["67"].conflict
    at = first.view.text().index("67 passengers")
    first.view.center_position(at)
    tip = tooltip_at(qtbot, first.view, char_point(first.view, at))
    assert "E: \u201c38\u201d" in tip and "a different number" in tip


def test_passages_only_one_version_carries_have_a_margin_bar(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    second = window.panes.panes()[1]  # B carries four unrelated items at its end
    qtbot.waitUntil(lambda: second.view.overlay().overview is not None, timeout=10_000)
    text = second.view.text()
    gaza = text.index("At least 49 Palestinians")
    assert second.view.overlay().overview.unique_at(gaza) is not None
    second.view.center_position(gaza)
    QApplication.processEvents()
    assert inked(second.view, UNIQUE_COLOUR) > 20
    y = char_point(second.view, gaza).y()
    assert "Only in this version" in tooltip_at(qtbot, second.view, QPoint(6, y))
    # A passage every version carries has none.
    start = text.index("Several individuals were injured")
    second.view.center_position(start)
    QApplication.processEvents()
    assert second.view.overlay().overview.unique_at(start) is None


def test_scrolling_one_pane_keeps_the_other_at_the_same_passage(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first, second = window.panes.panes()
    qtbot.waitUntil(lambda: first.view.overlay().overview is not None, timeout=10_000)
    overview = first.view.overlay().overview
    first.view.setFocus()
    # The paragraph on the plane comes after the raid in A, and much later in B.
    plane = first.view.text().index("Tensions between Baku and Moscow")
    first.view.scroll_position_to(plane, 0)
    here, there = overview.follow(first.view.top_position(), second.article_id())
    assert abs(second.view.position_y(there) - first.view.position_y(here)) <= (
        second.view.fontMetrics().lineSpacing() * 1.5
    )
    assert second.view.span_rects(there, there + 5)
    # Compare mode off: the panes scroll on their own again.
    qtbot.keyClick(first.view, Qt.Key.Key_C, CTRL_SHIFT)
    assert first.view.overlay() is None
    where = second.view.verticalScrollBar().value()
    first.view.scroll_position_to(0, 0)
    assert second.view.verticalScrollBar().value() == where


# --- the Counterparts panel ----------------------------------------------------------------------


def test_counterparts_panel_lists_status_score_and_the_verdict_already_there(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    first, second = window.panes.panes()
    # B's passage is tagged before comparing: the panel shows that verdict.
    start = second.view.text().index(NINE_IN_B)
    drag_select(second.view, start, start + len(NINE_IN_B))
    qtbot.keyClick(second.view, "2")
    compare_on(window, qtbot)
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    wait_found(window, qtbot)
    panel = window.compare.counterparts_panel
    assert window.compare.counterparts_dock.isVisible()
    model = panel.model
    rows = {
        model.index(r, 0).data(): [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    }
    assert set(rows) == {"B · ILKHA", "C", "D · Kyiv Independent", "E"}
    assert rows["B · ILKHA"][1:2] == ["Same"] and rows["B · ILKHA"][3] == "Disputed"
    assert rows["E"][1] == "Differs" and "\u201cnine\u201d \u2192" in rows["E"][5]
    assert rows["C"][1] == "Not there" and rows["C"][4] == "—"
    assert float(rows["B · ILKHA"][2]) > 0.4
    assert "nine individuals" in panel.source.text()
    # Enter on a row shows that passage in a pane, and the keyboard goes there.
    row_e = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "E")
    panel.table.setFocus()
    panel.table.setCurrentIndex(model.index(row_e, 0))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    shown = window.panes.panes_showing(model.counterpart(row_e).article_id)
    assert shown and shown[0].view.hasFocus()
    span = shown[0].view.selected_span()
    assert span is not None and shown[0].view.text()[span[0] : span[1]] == FIFTY_IN_E


def test_one_article_project_says_there_is_nothing_to_compare(
    open_window, tmp_path, reviewer, qtbot
) -> None:
    from tests.conftest import make_project

    path = make_project(tmp_path / "one.crosscheck", with_demo=False)
    from desktop.core import operations
    from desktop.core.importers import ImportedArticle
    from desktop.core.store import open_store

    with open_store(path) as store:
        operations.import_articles(
            store, [ImportedArticle("Only one version of the story.", "One", "one.txt", "txt")],
            reviewer=reviewer,
        )  # fmt: skip
    window = open_window(path)
    view = window.panes.panes()[0].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.compare.session.state == "single", timeout=20_000)
    assert "Only one version" in window.statusBar().currentMessage()
    assert "Only one version" in window.compare.counterparts_panel.source.text()


def test_an_imported_version_joins_the_comparison(
    open_window, demo_path, reviewer, qtbot, tmp_path
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first = window.panes.panes()[0]
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    wait_found(window, qtbot)
    assert window.compare.counterparts_panel.model.rowCount() == 4
    story = tmp_path / "sixth.txt"
    story.write_text(
        "Sixth version\n\nThe police said a total of nine individuals were detained after "
        "the raid in Yekaterinburg.\n",
        encoding="utf-8",
    )
    window.import_files([story])
    qtbot.waitUntil(lambda: "F" in [label.letter for label in window.compare.labels.values()])
    qtbot.waitUntil(lambda: window.compare.session.ready, timeout=30_000)
    assert "Compared 6 versions" in window.compare.session.message
    claim = "a total of nine individuals were detained"
    start = first.view.text().index(claim)
    drag_select(first.view, start, start + len(claim))
    wait_found(window, qtbot)
    model = window.compare.counterparts_panel.model
    assert model.rowCount() == 5
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "F")
    assert model.index(row, 1).data() == "Same"


# --- tag all and carry ---------------------------------------------------------------------------


def live_rows(window):
    return [r for r in window.reader.rows(include_deleted=False)]


def test_tag_all_tags_the_claim_in_every_chosen_version_as_one_undo_step(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first = window.panes.panes()[0]
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    wait_found(window, qtbot)
    qtbot.keyClick(first.view, Qt.Key.Key_T, CTRL_SHIFT)
    dialog = window.compare.tag_dialog
    assert isinstance(dialog, TagAllDialog) and dialog.isVisible()
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    checked = [dialog.list.item(i).checkState() == Qt.CheckState.Checked for i in range(len(texts))]
    enabled = [
        bool(dialog.list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled) for i in range(len(texts))
    ]
    assert texts[0].startswith("A · Kyiv Independent, 29 Jun 2025 — this passage")
    assert checked[:2] == [True, True] and texts[1].startswith("B · ILKHA")
    by_letter = {
        t.split(" ")[0]: (c, e, t) for t, c, e in zip(texts, checked, enabled, strict=True)
    }
    assert by_letter["C"][:2] == (False, False) and "not in this version" in by_letter["C"][2]
    assert by_letter["E"][:2] == (False, True) and "states different facts" in by_letter["E"][2]
    assert not dialog.ok_button().isEnabled()  # no verdict chosen yet
    qtbot.keyClick(dialog.list, "2")  # as in a pane: 2 is disputed
    assert dialog.verdict() == Verdict.DISPUTED and dialog.ok_button().isEnabled()
    dialog.ok_button().click()
    rows = live_rows(window)
    assert sorted(r.quote for r in rows) == sorted([NINE, NINE_IN_B])
    assert {r.verdict for r in rows} == {Verdict.DISPUTED} and len({r.claim for r in rows}) == 1
    assert window.action("edit.undo").text() == "&Undo Tag 'Disputed' in 2 versions"
    assert "Tagged 2 versions as disputed." in window.statusBar().currentMessage()
    # The passage is an annotation now: its verdict can be carried from the panel.
    qtbot.waitUntil(lambda: window.compare.found.source.annotation is not None, timeout=10_000)
    window.runner.wait()
    assert window.compare.counterparts_panel.carry_button.isEnabled()
    assert (
        "Annotation \u201cnine individuals\u201d" in window.compare.counterparts_panel.source.text()
    )
    # Both panes show the new highlights, and one undo takes both back.
    second = window.panes.panes()[1]
    assert second.view.annotation_ids_at(second.view.text().index(NINE_IN_B))
    window.action("edit.undo").trigger()
    assert live_rows(window) == []


def test_carry_verdict_asks_before_a_version_that_states_different_facts(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first = window.panes.panes()[0]
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    qtbot.keyClick(first.view, "1")  # supported
    (source,) = live_rows(window)
    # The reviewer clicks the new highlight: the annotation is what is compared.
    first.view.center_position(start)
    qtbot.mouseClick(
        first.view.viewport(), Qt.MouseButton.LeftButton, pos=char_point(first.view, start + 2)
    )
    qtbot.waitUntil(
        lambda: (
            window.compare.found is not None and window.compare.found.source.annotation is not None
        ),
        timeout=10_000,
    )
    window.runner.wait()
    assert window.compare.counterparts_panel.carry_button.isEnabled()
    window.compare.counterparts_panel.carry_button.click()
    dialog = window.compare.carry_dialog
    assert isinstance(dialog, CarryDialog) and dialog.isVisible()
    e_id = next(a for a, label in window.compare.labels.items() if label.letter == "E")
    b_id = next(a for a, label in window.compare.labels.items() if label.letter == "B")
    dialog.set_checked(e_id, True)
    dialog.ok_button().click()
    question = dialog.question
    assert isinstance(question, QMessageBox) and question.isVisible()
    assert "states different facts" in question.text() and "not copied" in question.text()
    question.button(QMessageBox.StandardButton.Yes).click()
    window.runner.wait()
    rows = {r.article_id: r for r in live_rows(window)}
    assert rows[b_id].verdict == Verdict.SUPPORTED
    assert rows[e_id].verdict == Verdict.UNVERIFIED  # never copied blindly
    assert "its verdict was not copied" in rows[e_id].note
    assert rows[b_id].claim == rows[e_id].claim == source.id
    assert "Carried the verdict to 2 versions." in window.statusBar().currentMessage()
    window.action("edit.undo").trigger()
    assert [r.id for r in live_rows(window)] == [source.id]


def test_carry_needs_an_annotation_and_a_writable_project(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    first = window.panes.panes()[0]
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    qtbot.keyClick(first.view, Qt.Key.Key_R, CTRL_SHIFT)
    assert "works on an annotation" in window.statusBar().currentMessage()
    assert window.compare.carry_dialog is None
    # A selection of spaces is no claim to tag in every version.
    gap = first.view.text().index(" ", start)
    drag_select(first.view, gap, gap + 1)
    qtbot.keyClick(first.view, Qt.Key.Key_T, CTRL_SHIFT)
    assert window.statusBar().currentMessage() == (
        "The selection holds no words: select the words of a claim."
    )
    assert window.compare.tag_dialog is None
    assert live_rows(window) == []
    # A read-only project refuses both, saying why.
    window.close_project()
    demo_path.chmod(0o444)
    assert window.open_path(demo_path)
    assert not window.action("annotate.tag_all").isEnabled()
    assert not window.action("annotate.carry").isEnabled()


# --- the claims grid -----------------------------------------------------------------------------


def test_claims_grid_is_the_story_verdict_table(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    compare_on(window, qtbot)
    first, second = window.panes.panes()
    start = first.view.text().index(NINE)
    drag_select(first.view, start, start + len(NINE))
    wait_found(window, qtbot)
    qtbot.keyClick(first.view, Qt.Key.Key_T, CTRL_SHIFT)
    dialog = window.compare.tag_dialog
    qtbot.keyClick(dialog.list, "3")
    dialog.ok_button().click()
    window.activateWindow()  # the dialog has closed (a window manager does this)
    qtbot.waitUntil(window.isActiveWindow)
    # Another claim, in A only.
    other = first.view.text().index("2001 murder")
    drag_select(first.view, other, other + len("2001 murder"))
    qtbot.keyClick(first.view, "1")
    qtbot.keyClick(first.view, Qt.Key.Key_L, CTRL_SHIFT)
    grid = window.compare.claims_panel
    qtbot.waitUntil(lambda: grid.model.rowCount() == 2, timeout=10_000)
    model = grid.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Claim",
        "A · Kyiv Independent, 29 Jun 2025",
        "B · ILKHA",
        "C",
        "D · Kyiv Independent",
        "E",
    ]
    assert "Azerbaijan halts" in model.headerData(
        2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    cells = {
        model.index(r, 0).data(): [model.index(r, c).data() for c in range(1, model.columnCount())]
        for r in range(model.rowCount())
    }
    assert cells[NINE] == ["Unverified", "Unverified", "—", "—", "—"]
    assert cells["2001 murder"] == ["Supported", "—", "—", "—", "—"]
    assert model.index(0, 1).data(Qt.ItemDataRole.DecorationRole) is not None
    assert grid.table.hasFocus()
    # Enter on B's cell shows that annotation: in the editor and selected in its pane.
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == NINE)
    grid.table.setCurrentIndex(model.index(row, 2))
    qtbot.keyClick(grid.table, Qt.Key.Key_Return)
    shown = window.editor.annotation()
    assert shown is not None and shown.quote == NINE_IN_B
    assert second.view.hasFocus()
    span = second.view.selected_span()
    assert span is not None and second.view.text()[span[0] : span[1]] == NINE_IN_B


# --- search --------------------------------------------------------------------------------------


def test_search_all_versions_finds_text_in_context_and_shows_a_match(
    open_window, demo_path, reviewer, qtbot
) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F, CTRL_SHIFT)
    panel = window.compare.search_panel
    assert panel is not None and panel.field.hasFocus()
    qtbot.keyClicks(panel.field, "67 PASSENGERS")
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=10_000)
    window.runner.wait()
    assert panel.table.hasFocus()
    model = panel.model
    versions = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert versions == [
        "A · Kyiv Independent, 29 Jun 2025",
        "B · ILKHA",
        "C",
        "D · Kyiv Independent",
    ]
    assert panel.count.text() == "4 matches in 4 versions"
    context = model.index(1, 1).data()
    assert "killing all 67 passengers on board" in context
    # Enter on D's result: D is shown in a pane with the match selected, keyboard there.
    panel.table.setCurrentIndex(model.index(3, 0))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    hit = model.hit(3)
    (pane,) = window.panes.panes_showing(hit.article_id)
    assert pane.view.hasFocus()
    span = pane.view.selected_span()
    assert span == (hit.start, hit.end) and pane.view.text()[span[0] : span[1]] == "67 passengers"
    # A search with no match says so.
    panel.field.setFocus()
    panel.field.selectAll()
    qtbot.keyClicks(panel.field, "no such words anywhere")
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.count.text() == "No match", timeout=10_000)


# --- keyboard ------------------------------------------------------------------------------------


def test_panels_take_part_in_tab_and_f6(open_window, demo_path, reviewer, qtbot) -> None:
    window = open_window(demo_path)
    view = window.panes.panes()[0].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_P, CTRL_SHIFT)
    panel = window.compare.counterparts_panel
    assert panel is not None and panel.table.hasFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Tab)
    # Tab goes on to the panel's buttons, which are disabled until there is something to tag.
    assert QApplication.focusWidget() is not panel.table
    assert panel.table in window.focus_areas()
    # F6 from the editor's area comes to the panel's list.
    window.annotation_panel.table.setFocus()
    for _ in range(len(window.focus_areas())):
        if QApplication.focusWidget() is panel.table:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    assert QApplication.focusWidget() is panel.table
    # The same key hides the panel from inside it.
    qtbot.keyClick(panel.table, Qt.Key.Key_P, CTRL_SHIFT)
    assert not window.compare.counterparts_dock.isVisible()


# --- start-up --------------------------------------------------------------------------------


def test_nothing_of_comparing_loads_before_the_window_has_painted(
    demo_path: Path, tmp_path: Path
) -> None:
    """Compare mode left on: the comparison starts after the first paint, not before."""
    code = (
        "import sys, time\n"
        "from desktop.ui.settings import Settings\n"
        "s = Settings(); s.compare_mode = True; s.sync()\n"
        "from desktop.app import open_window\n"
        "from PySide6.QtWidgets import QApplication\n"
        f"w = open_window({str(demo_path)!r})\n"
        "QApplication.processEvents()\n"
        "heavy = ('numpy', 'wordllama', 'rapidfuzz', 'syntok', 'desktop.core.compare.comparison',"
        " 'desktop.ui.compare_session', 'desktop.ui.compare_controller',"
        " 'desktop.ui.counterparts_panel', 'desktop.ui.compare_dialogs')\n"
        "loaded = sorted(m for m in heavy if m in sys.modules)\n"
        "print(w.action('view.compare').isChecked(), loaded)\n"
        "end = time.monotonic() + 30\n"
        "while time.monotonic() < end and not (w.compare.session and w.compare.session.ready):\n"
        "    QApplication.processEvents(); time.sleep(0.02)\n"
        "print(w.compare.session.state, 'numpy' in sys.modules)\n"
        "w.close()\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CROSSCHECK_REVIEWER": "T",
        "CROSSCHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["True []", "ready True"]
