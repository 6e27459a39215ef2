"""The article view: code-point selections, highlights, tooltips, clicks, menu and palette."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QHelpEvent,
    QImage,
    QKeySequence,
    QPalette,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QApplication, QMainWindow, QToolTip

from desktop.core import operations
from desktop.core.model import Source, Verdict
from desktop.core.records import AnnotationFilter, AnnotationRow
from desktop.core.store import reads
from desktop.ui import verdict_style
from desktop.ui.article_view import (
    ArticleView,
    annotation_tooltip,
    changed_range,
    local_time,
    segment_overlaps,
    segment_verdicts,
    sweep,
)
from desktop.ui.text_offsets import Utf16Map
from tests.conftest import REVIEWER

U = QTextCharFormat.UnderlineStyle
WHEN = datetime(2025, 6, 30, 9, 15, tzinfo=UTC)

TEXT = (
    "Reactions poured in 👍🏽 from Kyiv 🇺🇦 and a family 👨\u200d👩\u200d👧 gathered.\n"
    "The café served e\u0301clairs.\tПривіт, світе!\n"
    "\n"
    "Arabic: مرحبا بالعالم and a price of 10\u00a0€ was quoted.\u2028Last line."
)


def row(
    ann_id: str,
    start: int,
    end: int,
    verdict: Verdict | str,
    *,
    text: str = TEXT,
    note: str = "",
    reviewer: str = "Dana Reviewer",
    deleted: bool = False,
    article_id: str = "art",
    sources: tuple[Source, ...] = (),
) -> AnnotationRow:
    return AnnotationRow(
        id=ann_id,
        article_id=article_id,
        article_title="Title",
        outlet="Outlet",
        url=None,
        start=start,
        end=end,
        quote=text[start:end],
        prefix="",
        suffix="",
        verdict=Verdict(verdict),
        note=note,
        sources=sources,
        reviewer=reviewer,
        created_by=reviewer,
        created_at=WHEN,
        updated_at=WHEN,
        deleted_at=WHEN if deleted else None,
    )


def span_of(quote: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def view(qtbot) -> ArticleView:
    widget = ArticleView()
    qtbot.addWidget(widget)
    widget.resize(640, 420)
    widget.set_article("art", TEXT)
    return widget


def format_at(view: ArticleView, cp: int) -> QTextCharFormat:
    """The character format of the code point at ``cp`` as the document holds it."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(Utf16Map(view.text()).to_utf16(cp) + 1)
    return cursor.charFormat()


def underlined(view: ArticleView, cp: int) -> Verdict | None:
    """The verdict whose underline the view draws under code point ``cp``."""
    value = format_at(view, cp).property(verdict_style.VERDICT_PROPERTY)
    return Verdict(value) if value else None


def tint(view: ArticleView, cp: int) -> QColor | None:
    brush = format_at(view, cp).background()
    return None if brush.style() == Qt.BrushStyle.NoBrush else brush.color()


def char_centre(view: ArticleView, cp: int) -> QPoint:
    """A viewport point over the left part of the glyph at code point ``cp``."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(Utf16Map(view.text()).to_utf16(cp))
    rect = view.cursorRect(cursor)
    return QPoint(rect.x() + 3, rect.center().y())


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, value in [
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1f22"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#333333"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#2f65ca"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.Mid, "#555555"),
    ]:
        palette.setColor(role, QColor(value))
    return palette


# -- text and selection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "👍🏽",
        "🇺🇦",
        "👨\u200d👩\u200d👧",
        "e\u0301clairs",
        "Привіт, світе",
        "مرحبا بالعالم",
        "10\u00a0€",
        "Last",
    ],
)
def test_mouse_selection_gives_the_code_point_span_of_the_quote(
    view: ArticleView, quote: str
) -> None:
    start, end = span_of(quote)
    # A mouse selection arrives as UTF-16 positions.
    u_start = len(TEXT[:start].encode("utf-16-le")) // 2
    u_end = len(TEXT[:end].encode("utf-16-le")) // 2
    cursor = QTextCursor(view.document())
    cursor.setPosition(u_start)
    cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.selected_span() == (start, end)
    assert view.text()[start:end] == quote


def test_selection_across_lines_slices_the_stored_text(view: ArticleView) -> None:
    start, end = TEXT.index("gathered"), TEXT.index("The café") + 3
    view.select_span(start, end)
    assert view.selected_span() == (start, end)
    assert view.text()[start:end] == "gathered.\nThe"


def test_a_selection_ending_inside_an_emoji_takes_the_whole_emoji(view: ArticleView) -> None:
    start = TEXT.index("👍")
    u_start = len(TEXT[:start].encode("utf-16-le")) // 2
    cursor = QTextCursor(view.document())
    cursor.setPosition(u_start - 3)
    cursor.setPosition(u_start + 1, QTextCursor.MoveMode.KeepAnchor)  # half of 👍
    view.setTextCursor(cursor)
    span = view.selected_span()
    assert span is not None
    assert view.text()[span[0] : span[1]] == "in 👍"


def test_no_selection_is_none(view: ArticleView) -> None:
    assert view.selected_span() is None
    view.selectAll()
    assert view.selected_span() == (0, len(TEXT))
    view.moveCursor(QTextCursor.MoveOperation.End)
    assert view.selected_span() is None


@pytest.mark.parametrize("quote", ["🇺🇦", "Привіт", "مرحبا", "Last line."])
def test_select_span_selects_exactly_those_characters(view: ArticleView, quote: str) -> None:
    start, end = span_of(quote)
    view.select_span(start, end)
    cursor = view.textCursor()
    mapping = Utf16Map(TEXT)
    assert (cursor.selectionStart(), cursor.selectionEnd()) == mapping.span_to_utf16(start, end)
    assert view.selected_span() == (start, end)


def test_select_span_scrolls_a_far_span_to_the_middle(qtbot) -> None:
    text = "\n".join(f"Paragraph {i} of a long article about the raid." for i in range(400))
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    view.set_article("long", text)
    start, end = span_of("Paragraph 300 of", text)
    view.select_span(start, end)
    rect = view.cursorRect()
    height = view.viewport().height()
    assert view.verticalScrollBar().value() > 0
    assert height * 0.25 < rect.center().y() < height * 0.75
    assert view.selected_span() == (start, end)


def test_set_article_shows_text_without_undo_and_none_clears(view: ArticleView) -> None:
    assert view.article_id() == "art"
    assert view.text() == TEXT
    # The document's plain text turns NBSP into a space and U+2028 into a line feed: the
    # stored text is what callers must slice.
    assert view.toPlainText() == TEXT.replace("\u00a0", " ").replace("\u2028", "\n")
    assert "\u00a0" in view.text()
    assert not view.document().isUndoRedoEnabled()
    assert view.isReadOnly()
    view.set_article(None, "ignored")
    assert view.article_id() is None
    assert view.text() == ""
    assert view.toPlainText() == ""


def test_long_tokens_wrap_instead_of_scrolling_sideways(qtbot) -> None:
    link = "https://example.org/" + "a" * 400
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_article("art", f"See {link} for the statement.")
    view.show()
    qtbot.waitExposed(view)
    assert not view.horizontalScrollBar().isVisible()
    assert view.document().firstBlock().layout().lineCount() > 2


def test_stored_crlf_keeps_offsets_aligned(qtbot) -> None:
    text = "one\r\ntwo 👍 three"
    view = ArticleView()
    qtbot.addWidget(view)
    view.set_article("crlf", text)
    start, end = span_of("three", text)
    view.set_annotations([row("a", start, end, "disputed", text=text, article_id="crlf")])
    view.select_span(start, end)
    assert view.textCursor().selectedText() == "three"
    assert underlined(view, start) == Verdict.DISPUTED


# -- highlights --------------------------------------------------------------------------------


def overlapping_rows() -> list[AnnotationRow]:
    outer = span_of("The café served e\u0301clairs.")
    inner = span_of("served")
    cyr = span_of("Привіт, світе!")
    return [
        row("outer", *outer, "supported"),
        row("inner", *inner, "disputed"),
        row("cyr", *cyr, "unverified"),
        row("gone", *span_of("Arabic"), "disputed", deleted=True),
    ]


def test_each_verdict_has_its_own_underline_and_overlaps_show(view: ArticleView) -> None:
    view.set_annotations(overlapping_rows())
    assert underlined(view, TEXT.index("café")) == Verdict.SUPPORTED
    assert underlined(view, TEXT.index("served")) == Verdict.DISPUTED  # the worst one wins
    assert underlined(view, TEXT.index("світе")) == Verdict.UNVERIFIED
    assert underlined(view, TEXT.index("Reactions")) is None
    assert tint(view, TEXT.index("Reactions")) is None

    # The overlap is tinted differently and more strongly than either annotation alone.
    single = tint(view, TEXT.index("café"))
    overlap = tint(view, TEXT.index("served"))
    assert single is not None and overlap is not None
    assert overlap.alpha() > single.alpha()
    assert overlap.rgb() != single.rgb()
    assert overlap.rgb() != tint(view, TEXT.index("Привіт")).rgb()


def test_verdict_looks_differ_in_colour_underline_and_icon(qapp) -> None:
    looks = {
        (
            verdict_style.underline_style(v),
            verdict_style.colour(v, False).name(),
            verdict_style.colour(v, True).name(),
            verdict_style.icon_path(v).read_text(encoding="utf-8"),
        )
        for v in Verdict
    }
    assert len(looks) == 3
    assert [verdict_style.label(v) for v in Verdict] == ["Supported", "Disputed", "Unverified"]
    for verdict in Verdict:
        assert not verdict_style.icon(verdict).pixmap(16, 16).isNull()
    fmt = verdict_style.char_format([Verdict.SUPPORTED, Verdict.UNVERIFIED], dark=False)
    assert fmt.underlineStyle() == U.DashUnderline
    assert fmt.underlineColor() == verdict_style.colour(Verdict.UNVERIFIED, False)
    assert fmt.property(verdict_style.COVER_COUNT_PROPERTY) == 2
    assert verdict_style.char_format([], dark=False).background().style() == Qt.BrushStyle.NoBrush
    assert verdict_style.is_dark(dark_palette())
    assert not verdict_style.is_dark(QPalette(QColor("#efefef")))


def test_deleted_annotations_and_other_articles_are_not_highlighted(view: ArticleView) -> None:
    view.set_annotations(
        [
            row("gone", *span_of("Arabic"), "disputed", deleted=True),
            row("elsewhere", *span_of("Last"), "disputed", article_id="other"),
        ]
    )
    assert underlined(view, TEXT.index("Arabic")) is None
    assert underlined(view, TEXT.index("Last")) is None
    assert view.annotation_ids_at(TEXT.index("Arabic")) == []


def test_reapplying_clears_removed_highlights(view: ArticleView) -> None:
    rows = overlapping_rows()
    view.set_annotations(rows)
    view.set_annotations([r for r in rows if r.id == "cyr"])
    assert underlined(view, TEXT.index("café")) is None
    assert tint(view, TEXT.index("served")) is None
    assert underlined(view, TEXT.index("світе")) == Verdict.UNVERIFIED
    view.set_annotations([])
    assert underlined(view, TEXT.index("світе")) is None
    assert tint(view, TEXT.index("світе")) is None


def test_highlights_after_emoji_land_on_the_right_characters(view: ArticleView) -> None:
    start, end = span_of("gathered")  # after three emoji sequences (seven astral characters)
    view.set_annotations([row("g", start, end, "supported")])
    assert underlined(view, start) == Verdict.SUPPORTED
    assert underlined(view, end - 1) == Verdict.SUPPORTED
    assert underlined(view, start - 1) is None
    assert underlined(view, end) is None


def test_annotation_ids_at_lists_innermost_first(view: ArticleView) -> None:
    view.set_annotations(overlapping_rows())
    assert view.annotation_ids_at(TEXT.index("served")) == ["inner", "outer"]
    assert view.annotation_ids_at(TEXT.index("café")) == ["outer"]
    assert view.annotation_ids_at(TEXT.index("Reactions")) == []
    assert view.annotation_ids_at(len(TEXT) + 5) == []


def test_sweep_cuts_at_every_boundary() -> None:
    rows = [
        row("a", 0, 10, "supported"),
        row("b", 5, 15, "disputed"),
        row("c", 20, 20, "unverified"),  # empty: dropped
        row("d", 12, 30, "disputed"),  # clipped to the text
    ]
    segments = sweep(rows, 20)
    assert [(start, end) for start, end, _ in segments] == [
        (0, 5),
        (5, 10),
        (10, 12),
        (12, 15),
        (15, 20),
    ]
    keys = [key for _, _, key in segments]
    assert [segment_verdicts(k) for k in keys] == [
        {Verdict.SUPPORTED},
        {Verdict.SUPPORTED, Verdict.DISPUTED},
        {Verdict.DISPUTED},
        {Verdict.DISPUTED},
        {Verdict.DISPUTED},
    ]
    assert [segment_overlaps(k) for k in keys] == [False, True, False, True, False]


def test_sweep_joins_neighbours_that_look_the_same() -> None:
    rows = [row("a", 0, 4, "supported"), row("b", 4, 9, "supported"), row("c", 9, 12, "disputed")]
    assert [(s, e) for s, e, _ in sweep(rows, 20)] == [(0, 9), (9, 12)]


def test_changed_range_is_the_stretch_that_differs() -> None:
    before = [(0, 5, 1), (10, 20, 2), (30, 40, 4)]
    assert changed_range(before, list(before)) is None
    assert changed_range(before, [(0, 5, 1), (10, 22, 2), (30, 40, 4)]) == (10, 22)
    assert changed_range(before, [(0, 5, 1), (30, 40, 4)]) == (10, 20)
    assert changed_range([], [(3, 4, 1)]) == (3, 4)
    assert changed_range(before, []) == (0, 40)


def format_runs(view: ArticleView) -> list[tuple[int, int, object, int]]:
    """The document's highlight formats as (start, end, verdict, tint) runs in UTF-16 units."""
    runs: list[tuple[int, int, object, int]] = []
    block = view.document().firstBlock()
    while block.isValid():
        for item in block:
            fragment = item.fragment()
            fmt = fragment.charFormat()
            look = (fmt.property(verdict_style.VERDICT_PROPERTY), fmt.background().color().rgba())
            if fmt.background().style() == Qt.BrushStyle.NoBrush:
                look = (None, 0)
            start, end = fragment.position(), fragment.position() + fragment.length()
            if runs and runs[-1][1] == start and runs[-1][2:] == look:
                runs[-1] = (runs[-1][0], end, *look)
            elif look[0] is not None:
                runs.append((start, end, *look))
        block = block.next()
    return runs


def random_rows(
    text: str, count: int, rng: random.Random, prefix: str = "r"
) -> list[AnnotationRow]:
    rows = []
    for i in range(count):
        start = rng.randrange(0, len(text) - 1)
        end = min(len(text), start + rng.randint(1, 120))
        rows.append(row(f"{prefix}{i}", start, end, rng.choice(list(Verdict)), text=text))
    return rows


@pytest.mark.parametrize("size", [20, 1_200], ids=["short", "long"])
def test_successive_updates_match_a_fresh_view(qtbot, size: int) -> None:
    """Tagging, retagging and deleting reformat only what changed, and end up exactly where
    a view given the final annotations at once would be (short: all at once; long: in
    steps, on screen first)."""
    rng = random.Random(size)
    text = "\n\n".join(
        f"Paragraph {i}: Привіт 👍🏽 the ministry said the talks had stalled. " * 3
        for i in range(size)
    )
    views = []
    for _ in range(2):
        view = ArticleView()
        qtbot.addWidget(view)
        view.resize(500, 300)
        view.show()
        view.set_article("art", text)
        views.append(view)
    incremental, fresh = views
    rows = random_rows(text, size * 3, rng)
    incremental.set_annotations(rows)
    assert incremental.highlights_pending() == (size > 100)
    for step in range(6):
        if step == 3:
            incremental.flush_highlights()  # later changes land on formatted text
        rows = rows[1:] + random_rows(text, 2, rng, prefix=f"s{step}-")
        rows[rng.randrange(len(rows))] = replace(rows[0], verdict=Verdict.DISPUTED)
        incremental.set_annotations(rows)
    incremental.select_span(len(text) - 50, len(text) - 40)  # scroll while steps are pending
    fresh.set_annotations(rows)
    qtbot.waitUntil(lambda: not incremental.highlights_pending(), timeout=20_000)
    fresh.flush_highlights()
    assert format_runs(incremental) == format_runs(fresh)
    assert format_runs(fresh)


def test_what_is_on_screen_is_highlighted_at_once(qtbot) -> None:
    text = "\n\n".join(f"Paragraph {i} about the raid in Yekaterinburg. " * 6 for i in range(3_000))
    rows = random_rows(text, 8_000, random.Random(3))
    view = ArticleView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_article("art", text)
    view.set_annotations(rows)
    assert view.highlights_pending()  # long: the rest comes in idle steps

    def check(position: int) -> None:
        ids = view.annotation_ids_at(position)
        worst = verdict_style.most_serious(view.annotation(i).verdict for i in ids)
        assert underlined(view, position) == worst

    for position in range(0, 400, 7):
        check(position)
    far = rows[-1]
    view.select_span(far.start, far.end)  # scrolling formats the new view at once
    for position in range(far.start, far.end):
        check(position)
    qtbot.waitUntil(lambda: not view.highlights_pending(), timeout=20_000)


def test_dark_palette_reapplies_highlight_colours(view: ArticleView) -> None:
    view.set_annotations(overlapping_rows())
    position = TEXT.index("світе")

    def expected(dark: bool) -> QColor:
        return verdict_style.char_format([Verdict.UNVERIFIED], dark).background().color()

    assert tint(view, position) == expected(False)
    view.setPalette(dark_palette())
    assert tint(view, position) == expected(True)
    assert expected(True) != expected(False)
    view.setPalette(QPalette())
    assert tint(view, position) == expected(False)


def test_same_article_again_keeps_highlights(view: ArticleView) -> None:
    view.set_annotations(overlapping_rows())
    view.set_article("art", TEXT)
    assert view.annotation_ids_at(TEXT.index("served")) == ["inner", "outer"]
    view.set_article("art", TEXT + " More.")
    assert view.annotation_ids_at(TEXT.index("served")) == []
    assert underlined(view, TEXT.index("served")) is None


def test_a_megabyte_with_ten_thousand_annotations(qtbot) -> None:
    rng = random.Random(7)
    paragraph = "The ministry said on Monday that the talks — held in Baku — had stalled. "
    text = "\n\n".join(paragraph * 8 + "Привіт 👍🏽." for _ in range(1_700))
    assert len(text) > 1_000_000
    rows = []
    for i in range(10_000):
        start = rng.randrange(0, len(text) - 300)
        rows.append(
            row(f"r{i}", start, start + rng.randint(5, 300), rng.choice(list(Verdict)), text=text)
        )
    view = ArticleView()
    qtbot.addWidget(view)
    view.set_article("art", text)
    view.set_annotations(rows)
    qtbot.waitUntil(lambda: not view.highlights_pending(), timeout=30_000)
    for probe in rows[:50]:
        expected = sorted(r.id for r in rows if r.start <= probe.start < r.end)
        assert sorted(view.annotation_ids_at(probe.start)) == expected
        worst = verdict_style.most_serious(view.annotation(i).verdict for i in expected)
        assert underlined(view, probe.start) == worst


# -- tooltips, clicks, menu, keys --------------------------------------------------------------


def test_tooltip_names_verdict_note_reviewer_and_local_time() -> None:
    rows = [
        row("inner", 0, 4, "disputed", note="Contradicts <the> ministry's statement"),
        row(
            "outer",
            0,
            9,
            "supported",
            reviewer="Ana Q.",
            sources=(Source("https://example.org/a"), Source("https://example.org/b")),
        ),
    ]
    tip = annotation_tooltip(rows, dark=False)
    assert tip.index("Disputed") < tip.index("Supported")
    assert "Contradicts &lt;the&gt; ministry&#x27;s statement" in tip
    assert "Dana Reviewer" in tip and "Ana Q." in tip
    assert local_time(WHEN) in tip
    assert "2 evidence links" in tip
    assert "disputed.svg" in tip and "supported.svg" in tip


def test_local_time_is_readable_and_local(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert local_time(WHEN) == "30 Jun 2025, 18:15"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_hovering_a_highlight_shows_its_tooltip(qtbot, view: ArticleView) -> None:
    view.set_annotations(overlapping_rows())
    view.show()
    qtbot.waitExposed(view)
    point = char_centre(view, TEXT.index("served") + 1)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert "Disputed" in QToolTip.text() and "Supported" in QToolTip.text()
    assert view.tooltip_html(TEXT.index("Reactions")) == ""


def test_clicking_a_highlight_reports_the_innermost_annotation(qtbot, view: ArticleView) -> None:
    view.set_annotations(overlapping_rows())
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.sig_annotation_clicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=char_centre(view, TEXT.index("served"))
        )
    assert blocker.args == ["inner"]
    with qtbot.waitSignal(view.sig_annotation_clicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=char_centre(view, TEXT.index("café"))
        )
    assert blocker.args == ["outer"]
    with qtbot.assertNotEmitted(view.sig_annotation_clicked):
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=char_centre(view, TEXT.index("Kyiv"))
        )


def test_context_menu_tags_the_selection(qtbot, view: ArticleView) -> None:
    menu = view.create_context_menu()
    actions = {a.text().split("\t")[0].replace("&", ""): a for a in menu.actions()}
    assert {"Supported", "Disputed", "Unverified", "Copy", "Select All"} <= actions.keys()
    assert not any(actions[v].isEnabled() for v in ("Supported", "Disputed", "Unverified"))
    menu.deleteLater()

    view.select_span(*span_of("Привіт"))
    view.set_tag_shortcuts({Verdict.SUPPORTED: "1", Verdict.DISPUTED: "2"})
    menu = view.create_context_menu()
    actions = {a.text().split("\t")[0]: a for a in menu.actions()}
    assert actions["Supported"].text() == "Supported\t1"
    for label, value in [
        ("Supported", "supported"),
        ("Disputed", "disputed"),
        ("Unverified", "unverified"),
    ]:
        assert actions[label].isEnabled()
        with qtbot.waitSignal(view.sig_tag_requested) as blocker:
            actions[label].trigger()
        assert blocker.args == [value]
    menu.deleteLater()


def test_window_shortcut_keys_reach_the_window_while_the_view_has_focus(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    view = ArticleView()
    window.setCentralWidget(view)
    view.set_article("art", TEXT)
    fired: list[str] = []
    for key in ("1", "2", "3"):
        action = QAction(key, window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, k=key: fired.append(k))
        window.addAction(action)
    window.show()
    qtbot.waitExposed(window)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.select_span(*span_of("Kyiv"))
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3):
        qtbot.keyClick(view, key)
    assert fired == ["1", "2", "3"]
    assert view.selected_span() == span_of("Kyiv")  # the keys did not disturb the selection


def test_selection_changes_are_signalled(qtbot, view: ArticleView) -> None:
    with qtbot.waitSignal(view.sig_selection_changed):
        view.select_span(0, 9)


# -- how it looks ------------------------------------------------------------------------------


def colour_pixels(image: QImage, colour: QColor, tolerance: int = 40) -> int:
    """How many pixels are close to ``colour`` (underlines are drawn in the verdict colour)."""
    found = 0
    for y in range(0, image.height()):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - colour.red())
                + abs(pixel.green() - colour.green())
                + abs(pixel.blue() - colour.blue())
                < tolerance
            ):
                found += 1
    return found


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_demo_article_screenshot_shows_every_verdict(qtbot, demo_project, theme: str) -> None:
    with demo_project.read() as session:
        article = reads.article_summaries(session)[0]
        text = reads.article_text(session, article.id)
    tags = [
        ("Azerbaijan has cancelled all planned cultural events", "supported", "Ministry statement"),
        ("Ziyaddin and Huseyn Safarov died during a raid", "disputed", "Names differ elsewhere"),
        ("two Azerbaijani citizens", "unverified", ""),
        ("ethnically motivated public and deliberate unlawful actions", "supported", ""),
        ("public and deliberate", "disputed", "Overlaps a supported quote"),
        ("unsolved 2001 murder", "unverified", ""),
    ]
    for quote, verdict, note in tags:
        start = text.index(quote)
        operations.annotate(
            demo_project,
            article.id,
            start,
            start + len(quote),
            verdict,
            reviewer=REVIEWER,
            note=note,
        )
    with demo_project.read() as session:
        rows = reads.annotation_rows(session, AnnotationFilter(article_ids=(article.id,)))

    view = ArticleView()
    qtbot.addWidget(view)
    if theme == "dark":
        view.setPalette(dark_palette())
    view.resize(720, 420)
    view.set_article(article.id, text)
    view.set_annotations(rows)
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    image.save(f"/tmp/shot-view-{theme}.png")
    dark = theme == "dark"
    for verdict in Verdict:
        assert colour_pixels(image, verdict_style.colour(verdict, dark)) > 20, verdict
