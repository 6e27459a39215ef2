"""The read-only view of one article with every live annotation highlighted.

Positions cross the boundary here and nowhere else: Qt counts UTF-16 code units, the rest of
the program counts code points. Every public method takes and returns code points.

Highlights are character formats set over the segments of a sweep across span boundaries
(each segment knows which verdicts cover it and whether annotations overlap there), inside edit
blocks: far faster than one ``ExtraSelection`` per annotation on long articles. A change
reformats only the stretch that differs; on a long article what is on screen is formatted at
once and the rest in short idle steps. The formats carry the tint; the view paints the
underlines itself, only for the lines on screen, because Qt's own are a hairline too faint to
tell a wave from a dash.
"""

from __future__ import annotations

import gc
import html
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from itertools import pairwise
from typing import Protocol

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QMenu, QPlainTextEdit, QToolTip, QWidget

from desktop.core.model import Verdict
from desktop.core.records import AnnotationRow
from desktop.ui import verdict_style
from desktop.ui.text_offsets import Utf16Map, display_text

READING_FAMILIES = [
    "Source Serif 4",
    "Source Serif Pro",
    "Noto Serif",
    "Charter",
    "Georgia",
    "Cambria",
    "DejaVu Serif",
    "Liberation Serif",
    "Times New Roman",
]
NOTE_PREVIEW_CHARS = 400
SYNC_SEGMENTS = 3_000  # changes up to this many highlighted runs are applied at once
CHUNK_SEGMENTS = 2_000  # else this many per idle step (a few milliseconds)
VISIBLE_MARGIN = 5_000  # code points either side of the view formatted along with it

_VERDICT_BIT = {verdict: 1 << index for index, verdict in enumerate(Verdict)}
_OVERLAP_BIT = 1 << len(Verdict)


def segment_verdicts(key: int) -> frozenset[Verdict]:
    """The verdicts present in a segment with this key."""
    return frozenset(v for v, bit in _VERDICT_BIT.items() if key & bit)


def _worst(key: int) -> Verdict:
    return verdict_style.most_serious(segment_verdicts(key)) or Verdict.UNVERIFIED


def segment_overlaps(key: int) -> bool:
    """True when two or more annotations cover a segment with this key."""
    return bool(key & _OVERLAP_BIT)


_WORST = [_worst(key) for key in range(2 * _OVERLAP_BIT)]


def reading_font(base: QFont) -> QFont:
    """A serif face a little larger than the interface font, for long reading."""
    font = QFont(base)
    font.setFamilies(READING_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Serif)
    size = base.pointSizeF()
    font.setPointSizeF(max(size * 1.15, 11.0) if size > 0 else 11.0)
    return font


def sweep(rows: Sequence[AnnotationRow], length: int) -> list[tuple[int, int, int]]:
    """Cut ``[0, length)`` at every span boundary into ``(start, end, key)`` pieces that some
    annotation covers; the key records which verdicts cover the piece and whether two or more
    annotations do. Neighbours with the same key are joined (they look the same).

    Spans are clipped to the text; empty ones are dropped.
    """
    # Hot on long articles: plain ints and inlined tests keep it near 1 µs per boundary.
    index = {verdict: i for i, verdict in enumerate(Verdict)}
    assert len(index) == 3 and _OVERLAP_BIT == 8
    deltas: dict[int, list[int]] = {}
    for row in rows:
        start = row.start if row.start > 0 else 0
        end = row.end if row.end < length else length
        if end <= start:
            continue
        i = index[row.verdict]
        deltas.setdefault(start, []).append(i)
        deltas.setdefault(end, []).append(~i)  # ~i < 0: an end
    counts = [0, 0, 0]
    total = 0
    segments: list[tuple[int, int, int]] = []
    last_end = last_key = -1
    for here, after in pairwise(sorted(deltas)):
        for change in deltas[here]:
            if change >= 0:
                counts[change] += 1
                total += 1
            else:
                counts[~change] -= 1
                total -= 1
        if not total:
            continue
        key = (counts[0] > 0) | ((counts[1] > 0) << 1) | ((counts[2] > 0) << 2) | ((total > 1) << 3)
        if here == last_end and key == last_key:
            segments[-1] = (segments[-1][0], after, key)
        else:
            segments.append((here, after, key))
        last_end, last_key = after, key
    return segments


def changed_range(
    before: Sequence[tuple[int, int, int]], after: Sequence[tuple[int, int, int]]
) -> tuple[int, int] | None:
    """The code point range outside which two segment lists agree, or None if they are equal.

    Tagging one quote changes one small stretch; only that stretch need be reformatted.
    """
    shorter = min(len(before), len(after))
    head = 0
    while head < shorter and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < shorter - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    old = before[head : len(before) - tail]
    new = after[head : len(after) - tail]
    if not old and not new:
        return None
    starts = [chunk[0][0] for chunk in (old, new) if chunk]
    ends = [chunk[-1][1] for chunk in (old, new) if chunk]
    return min(starts), max(ends)


def _union(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(ranges: list[tuple[int, int]], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    left = ranges
    for low, high in taken:
        pieces = []
        for start, end in left:
            if end <= low or start >= high:
                pieces.append((start, end))
                continue
            if start < low:
                pieces.append((start, low))
            if end > high:
                pieces.append((high, end))
        left = pieces
    return left


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Thousands of short-lived tuples would otherwise set off full collections mid-sweep."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _format_table(dark: bool) -> list[QTextCharFormat]:
    """The highlight format for each segment key."""
    return [
        verdict_style.cached_char_format(
            segment_verdicts(key), 2 if segment_overlaps(key) else 1, dark, False
        )
        for key in range(2 * _OVERLAP_BIT)
    ]


def local_time(moment: datetime) -> str:
    """A stored UTC time as the reader's local time, e.g. ``29 Jun 2025, 14:03``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone()
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def annotation_tooltip(rows: Sequence[AnnotationRow], dark: bool) -> str:
    """Rich text describing each annotation: verdict, note, reviewer and time."""
    parts = []
    for row in rows:
        colour = verdict_style.colour(row.verdict, dark).name()
        icon = verdict_style.icon_path(row.verdict).as_uri()
        head = (
            f'<img src="{icon}" width="14" height="14"> '
            f'<b style="color:{colour}">{verdict_style.label(row.verdict)}</b>'
            f" &nbsp;·&nbsp; {html.escape(row.reviewer)}, {local_time(row.updated_at)}"
        )
        lines = [head]
        note = row.note.strip()
        if note:
            if len(note) > NOTE_PREVIEW_CHARS:
                note = note[:NOTE_PREVIEW_CHARS].rstrip() + "…"
            lines.append(html.escape(note).replace("\n", "<br>"))
        if row.sources:
            count = len(row.sources)
            lines.append(f"<i>{count} evidence link{'s' if count != 1 else ''}</i>")
        parts.append('<p style="margin:2px 0">' + "<br>".join(lines) + "</p>")
    if not parts:
        return ""
    return "<qt>" + "<hr>".join(parts) + "</qt>"


class Overlay(Protocol):
    """Marks drawn over an article view's text, with their own tooltips."""

    def paint(self, view: ArticleView, painter: QPainter, area: QRect) -> None: ...

    def tooltip(self, view: ArticleView, point: QPoint, position: int | None) -> str: ...


def _join_tips(first: str, second: str) -> str:
    """Two rich-text tooltips as one (either may be empty)."""
    if not first or not second:
        return first or second

    def body(tip: str) -> str:
        return tip.removeprefix("<qt>").removesuffix("</qt>")

    return f"<qt>{body(first)}<hr>{body(second)}</qt>"


class ArticleView(QPlainTextEdit):
    """Shows one article, read-only, with its annotations highlighted.

    The stored text (``text()``) is the truth; the document shows it position for position.
    Offsets in and out are code points.
    """

    sig_annotation_clicked = Signal(str)
    """A highlight was clicked; carries the id of the innermost annotation under the mouse."""

    sig_tag_requested = Signal(str)
    """The context menu asked to tag the selection; carries the verdict value."""

    sig_selection_changed = Signal()
    """The selection changed; read it with ``selected_span()``."""

    sig_span_adjust_requested = Signal(str, int, int)
    """An end of the selected annotation's highlight was dragged: its id, new start, new end."""

    HANDLE_REACH = 6  # pixels either side of an end where a press grabs it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._article_id: str | None = None
        self._text = ""
        self._map = Utf16Map("")
        self._rows: dict[str, AnnotationRow] = {}
        self._by_start: list[AnnotationRow] = []  # live rows ordered by start
        self._starts: list[int] = []
        self._longest = 0  # the longest span, which bounds a backward scan from a position
        self._segments: list[tuple[int, int, int]] = []
        self._segment_starts: list[int] = []
        # Code point ranges whose highlight formats are not in the document yet: it holds no
        # highlight there, or the same runs in the previous palette's colours. The view applies
        # them around what is on screen first.
        self._pending: list[tuple[int, int]] = []
        self._has_formats = False  # some highlight format may be in the document
        self._dark = verdict_style.is_dark(self.palette())
        self._formats = _format_table(self._dark)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(0)
        self._idle.timeout.connect(self._apply_next_chunk)
        self._press_pos: QPoint | None = None
        self._tag_shortcuts: dict[Verdict, QKeySequence] = {}
        self._selected: str | None = None  # the annotation the editor shows, if shown here
        self._overlay: Overlay | None = None  # marks drawn over the text (comparing versions)
        self._drag_edge: str | None = None  # "start" or "end" while an end is dragged
        self._drag_span: tuple[int, int] | None = None
        self.viewport().setMouseTracking(True)

        self.setReadOnly(True)
        # Keyboard selection lets a reviewer tag without the mouse (shift+arrows, then a key).
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # A long link or token breaks anywhere rather than making the reader scroll sideways.
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(18)
        self.setFont(reading_font(self.font()))
        self.selectionChanged.connect(self.sig_selection_changed)
        self.verticalScrollBar().valueChanged.connect(self._apply_visible)

    # -- content ---------------------------------------------------------------------------

    def article_id(self) -> str | None:
        return self._article_id

    def text(self) -> str:
        """The stored text of the article shown (not the document's, which differs in breaks)."""
        return self._text

    def set_article(self, article_id: str | None, text: str) -> None:
        """Show ``text``; ``None`` clears the view. Drops all highlights unless this is the
        article already shown with the same text; call ``set_annotations`` afterwards."""
        if article_id is None:
            text = ""
        if article_id == self._article_id and text == self._text:
            return
        self._article_id = article_id
        self._text = text
        self._map = Utf16Map(text)
        self._set_rows([])
        self._pending = []
        self._has_formats = False
        self._idle.stop()
        document = self.document()
        document.setUndoRedoEnabled(False)
        # setPlainText formats the whole new text with the cursor's current format, which is
        # a highlight's when the caret last sat inside one: start from a plain cursor.
        plain = self.textCursor()
        plain.clearSelection()
        plain.setCharFormat(QTextCharFormat())
        self.setTextCursor(plain)
        self.setPlainText(display_text(text))
        document.setUndoRedoEnabled(False)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)

    def set_annotations(self, rows: Sequence[AnnotationRow]) -> None:
        """Replace every highlight with these annotations' (deleted ones and rows of another
        article are ignored).

        Only the stretch of text whose highlighting changed is touched. What is on screen is
        formatted at once; on a long article the rest follows in short steps while idle.
        """
        live = [row for row in rows if not row.deleted and row.article_id == self._article_id]
        with _gc_paused():
            before = self._segments
            self._set_rows(live)
            changed = changed_range(before, self._segments)
        if changed is None:
            return
        self._clear_formats(*changed)
        self._pending = _union([*self._pending, changed])
        self._schedule()

    def highlights_pending(self) -> bool:
        """True while some highlight formats off screen are still to be applied."""
        return bool(self._pending)

    def flush_highlights(self) -> None:
        """Apply every pending highlight format now."""
        self._apply_ranges(list(self._pending))
        self._idle.stop()

    def annotation(self, annotation_id: str) -> AnnotationRow | None:
        """The live annotation with this id shown here, if any."""
        return self._rows.get(annotation_id)

    def annotation_ids_at(self, position: int) -> list[str]:
        """Ids of the live annotations covering code point ``position``, innermost first."""
        found = []
        starts = self._starts
        index = bisect_right(starts, position) - 1
        floor = position - self._longest
        while index >= 0 and starts[index] >= floor:
            row = self._by_start[index]
            if row.end > position:
                found.append(row)
            index -= 1
        found.sort(key=lambda r: (r.end - r.start, -r.start, r.id))
        return [row.id for row in found]

    def _set_rows(self, rows: list[AnnotationRow]) -> None:
        length = len(self._text)
        self._rows = {row.id: row for row in rows}
        self._by_start = sorted(rows, key=lambda r: r.start)
        self._starts = [row.start for row in self._by_start]
        self._longest = max((min(r.end, length) - r.start for r in rows), default=0)
        self._segments = sweep(rows, length)
        self._segment_starts = [segment[0] for segment in self._segments]

    def _schedule(self) -> None:
        """Format what is on screen; the rest at once when small, else step by step."""
        self._apply_visible()
        todo = sum(self._segment_count(a, b) for a, b in self._pending)
        if todo <= SYNC_SEGMENTS:
            self.flush_highlights()
        else:
            self._idle.start()
        self.viewport().update()

    def _segment_count(self, start: int, end: int) -> int:
        starts = self._segment_starts
        return bisect_right(starts, end) - bisect_right(starts, start) + 1

    def _visible_range(self) -> tuple[int, int]:
        first = self.firstVisibleBlock().position()
        corner = QPoint(self.viewport().width() - 1, self.viewport().height() - 1)
        last = self.cursorForPosition(corner).block()
        end = last.position() + last.length()
        return (
            max(self._map.to_codepoint(first) - VISIBLE_MARGIN, 0),
            self._map.to_codepoint(end, round_up=True) + VISIBLE_MARGIN,
        )

    def _apply_visible(self) -> None:
        if not self._pending:
            return
        start, end = self._visible_range()
        ranges = [(max(a, start), min(b, end)) for a, b in self._pending if a < end and b > start]
        if ranges:
            self._apply_ranges(ranges)

    def _apply_next_chunk(self) -> None:
        if not self._pending:
            return
        start, end = self._pending[0]
        index = bisect_right(self._segment_starts, start) + CHUNK_SEGMENTS
        if index < len(self._segment_starts):
            end = min(end, max(self._segment_starts[index], start + 1))
        self._apply_ranges([(start, end)])
        if self._pending:
            self._idle.start()

    def _apply_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """Format the segments inside ``ranges`` (code points) and strike them off pending."""
        if not ranges:
            return
        segments = self._segments
        starts = self._segment_starts
        formats = self._formats
        to_utf16 = self._map.to_utf16
        cursor = QTextCursor(self.document())
        set_position = cursor.setPosition
        set_format = cursor.setCharFormat
        keep = QTextCursor.MoveMode.KeepAnchor
        cursor.beginEditBlock()
        try:
            for low, high in ranges:
                index = max(bisect_right(starts, low) - 1, 0)
                while index < len(segments):
                    start, end, key = segments[index]
                    if start >= high:
                        break
                    index += 1
                    start, end = max(start, low), min(end, high)
                    if end > start:
                        set_position(to_utf16(start))
                        set_position(to_utf16(end), keep)
                        set_format(formats[key])
        finally:
            cursor.endEditBlock()
        self._has_formats = self._has_formats or bool(segments)
        self._pending = _subtract(self._pending, ranges)

    def _clear_formats(self, start: int, end: int) -> None:
        """Drop highlight formats in ``[start, end)``; the document has none elsewhere."""
        if not self._has_formats:
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(start))
        cursor.setPosition(self._map.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(QTextCharFormat())

    def paintEvent(self, event: QPaintEvent) -> None:
        # Underlines first: the text then draws over them, so descenders stay legible, and the
        # translucent highlight tints them only slightly.
        if self._segments:
            self._paint_underlines(event.rect())
        super().paintEvent(event)
        if self._overlay is not None:
            painter = QPainter(self.viewport())
            try:
                self._overlay.paint(self, painter, event.rect())
            finally:
                painter.end()
        if self._selected_row() is not None:
            self._paint_handles()

    def _paint_underlines(self, area: QRect) -> None:
        metrics = QFontMetricsF(self.font())
        width = verdict_style.underline_thickness(metrics.lineWidth())
        drop = max(metrics.underlinePos(), width)
        painter = QPainter(self.viewport())
        try:
            offset = self.contentOffset()
            block = self.firstVisibleBlock()
            while block.isValid():
                geometry = self.blockBoundingGeometry(block).translated(offset)
                if geometry.top() > area.bottom():
                    break
                if block.isVisible() and geometry.bottom() >= area.top():
                    self._paint_block_underlines(painter, block, geometry.topLeft(), width, drop)
                block = block.next()
        finally:
            painter.end()

    def _paint_block_underlines(
        self, painter: QPainter, block: QTextBlock, origin: QPointF, width: float, drop: float
    ) -> None:
        mapping = self._map
        text = self._text
        u_first = block.position()
        u_last = u_first + block.length() - 1  # without the paragraph break
        cp_first = mapping.to_codepoint(u_first)
        cp_last = mapping.to_codepoint(u_last, round_up=True)
        layout = block.layout()
        origin = origin + layout.position()
        lines = [layout.lineAt(i) for i in range(layout.lineCount())]
        index = max(bisect_right(self._segment_starts, cp_first) - 1, 0)
        while index < len(self._segments):
            start, end, key = self._segments[index]
            verdict = _WORST[key]
            index += 1
            if start >= cp_last:
                break
            if end <= cp_first:
                continue
            first = mapping.to_utf16(max(start, cp_first)) - u_first
            last = mapping.to_utf16(min(end, cp_last)) - u_first
            for line in lines:
                line_start = line.textStart()
                line_end = line_start + line.textLength()
                if line_end <= first or line_start >= last:
                    continue
                run_start, run_end = max(first, line_start), min(last, line_end)
                # A wrapped line ends in the space it broke at; leave that out.
                if run_end == line_end:
                    while (
                        run_end > run_start
                        and text[mapping.to_codepoint(u_first + run_end) - 1] == " "
                    ):
                        run_end -= 1
                x1 = line.cursorToX(run_start)[0]
                x2 = line.cursorToX(run_end)[0]
                top = origin.y() + line.y()
                # Below the baseline, but never into the next line.
                y = min(top + line.ascent() + drop, top + line.height() - 1.5 * width)
                verdict_style.paint_underline(
                    painter,
                    verdict,
                    origin.x() + min(x1, x2),
                    origin.x() + max(x1, x2),
                    y,
                    self._dark,
                    width,
                )

    # -- selection -------------------------------------------------------------------------

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as code points ``(start, end)``, widened to whole characters; None
        when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start, end = self._map.span_to_codepoints(cursor.selectionStart(), cursor.selectionEnd())
        return (start, end) if end > start else None

    def caret_position(self) -> int:
        """Where the caret is, in code points."""
        return self._map.to_codepoint(self.textCursor().position())

    def set_selection(self, start: int, end: int, *, forward: bool = True) -> None:
        """Select code points ``[start, end)`` without scrolling; the caret at the end when
        ``forward``, else at the start (as the user dragged)."""
        length = len(self._text)
        start = min(max(start, 0), length)
        end = min(max(end, start), length)
        u_start, u_end = self._map.span_to_utf16(start, end)
        anchor, caret = (u_start, u_end) if forward else (u_end, u_start)
        cursor = QTextCursor(self.document())
        cursor.setPosition(anchor)
        cursor.setPosition(caret, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def clear_selection(self) -> None:
        """Drop the selection, keeping the caret where it is (so the tint shows after a tag)."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self.setTextCursor(cursor)

    def snap_selection(self) -> None:
        """Widen a selection whose ends fall inside words to whole words, and drop whitespace
        at its ends (what a dragged selection means)."""
        from desktop.core.anchoring import snap_to_words

        span = self.selected_span()
        if span is None:
            return
        start, end = snap_to_words(self._text, *span)
        if (start, end) == span:
            return
        cursor = self.textCursor()
        forward = cursor.position() >= cursor.anchor()
        if end > start:
            self.set_selection(start, end, forward=forward)
        else:
            self.clear_selection()

    def select_span(self, start: int, end: int) -> None:
        """Select code points ``[start, end)`` and scroll so they sit mid-view."""
        length = len(self._text)
        start = min(max(start, 0), length)
        end = min(max(end, start), length)
        u_start, u_end = self._map.span_to_utf16(start, end)
        cursor = QTextCursor(self.document())
        cursor.setPosition(u_start)
        self.setTextCursor(cursor)
        self.centerCursor()
        end_cursor = QTextCursor(self.document())
        end_cursor.setPosition(u_end)
        fits = self.cursorRect(end_cursor).bottom() <= self.viewport().height()
        if fits:
            cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
        else:
            # Longer than the view: keep the caret at the start so its beginning stays in view.
            cursor.setPosition(u_end)
            cursor.setPosition(u_start, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    # -- the selected annotation's ends -----------------------------------------------------

    def set_selected_annotation(self, annotation_id: str | None) -> None:
        """Mark the annotation the editor shows: its ends get handles that can be dragged."""
        if annotation_id != self._selected:
            self._selected = annotation_id
            self.viewport().update()

    def selected_annotation(self) -> str | None:
        return self._selected if self._selected_row() is not None else None

    def _selected_row(self) -> AnnotationRow | None:
        return self._rows.get(self._selected) if self._selected else None

    def edge_rects(self) -> dict[str, QRect]:
        """Where the selected annotation's start and end are drawn (viewport coordinates)."""
        row = self._selected_row()
        if row is None:
            return {}
        rects = {}
        for edge, position in (("start", row.start), ("end", row.end)):
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_utf16(min(position, len(self._text))))
            rects[edge] = self.cursorRect(cursor)
        return rects

    def edge_at(self, point: QPoint) -> str | None:
        """ "start" or "end" when ``point`` is on a handle of the selected annotation."""
        for edge, rect in self.edge_rects().items():
            reach = rect.adjusted(-self.HANDLE_REACH, 0, self.HANDLE_REACH, 0)
            if reach.contains(point):
                return edge
        return None

    def _paint_handles(self) -> None:
        row = self._selected_row()
        assert row is not None
        painter = QPainter(self.viewport())
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            ink = verdict_style.colour(row.verdict, self._dark)
            for edge, rect in self.edge_rects().items():
                x = rect.center().x() + 0.5
                painter.fillRect(QRectF(x - 1, rect.top(), 2, rect.height()), ink)
                knob_y = rect.top() if edge == "start" else rect.bottom()
                painter.setBrush(ink)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawEllipse(QPointF(x, knob_y), 3.5, 3.5)
        finally:
            painter.end()

    def _codepoint_at(self, point: QPoint) -> int:
        return self._map.to_codepoint(self.cursorForPosition(point).position())

    def _dragged_span(self, point: QPoint) -> tuple[int, int]:
        assert self._drag_span is not None
        start, end = self._drag_span
        here = self._codepoint_at(point)
        if self._drag_edge == "start":
            return min(here, end - 1), end
        return start, max(here, start + 1)

    def position_at(self, point: QPoint) -> int | None:
        """The code point of the character drawn under ``point`` (viewport coordinates), or
        None over a margin or past the end of a line."""
        block = self.cursorForPosition(point).block()
        if not block.isValid() or self._text == "":
            return None
        layout = block.layout()
        origin = self.blockBoundingGeometry(block).translated(self.contentOffset()).topLeft()
        local = QPointF(point) - origin - layout.position()
        for index in range(layout.lineCount()):
            line = layout.lineAt(index)
            rect = line.naturalTextRect()
            if rect.top() <= local.y() < rect.bottom():
                if not rect.left() <= local.x() < rect.right():
                    return None
                offset = line.xToCursor(local.x(), QTextLine.CursorPosition.CursorOnCharacter)
                position = self._map.to_codepoint(block.position() + offset)
                return position if position < len(self._text) else None
        return None

    # -- overlay and geometry --------------------------------------------------------------

    def set_overlay(self, overlay: Overlay | None) -> None:
        """Draw ``overlay`` over the text and add its tooltips (None: nothing more)."""
        self._overlay = overlay
        self.viewport().update()

    def overlay(self) -> Overlay | None:
        return self._overlay

    def span_rects(self, start: int, end: int) -> list[QRectF]:
        """Where code points ``[start, end)`` are drawn on screen: one rectangle per line
        they cover (viewport coordinates); lines off screen are left out."""
        length = len(self._text)
        start, end = max(start, 0), min(end, length)
        if end <= start:
            return []
        u_start, u_end = self._map.span_to_utf16(start, end)
        rects: list[QRectF] = []
        offset = self.contentOffset()
        height = self.viewport().height()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > height:
                break
            first, last = block.position(), block.position() + block.length() - 1
            if block.isVisible() and last >= u_start and first < u_end:
                layout = block.layout()
                origin = geometry.topLeft() + layout.position()
                for i in range(layout.lineCount()):
                    line = layout.lineAt(i)
                    line_start = first + line.textStart()
                    line_end = line_start + line.textLength()
                    low, high = max(u_start, line_start), min(u_end, line_end)
                    if high <= low:
                        continue
                    x1 = line.cursorToX(low - first)[0]
                    x2 = line.cursorToX(high - first)[0]
                    rects.append(
                        QRectF(
                            origin.x() + min(x1, x2),
                            origin.y() + line.y(),
                            abs(x2 - x1),
                            line.height(),
                        )
                    )
            if first > u_end:
                break
            block = block.next()
        return rects

    def position_y(self, position: int) -> float:
        """The top of the line holding code point ``position``, in viewport coordinates (off
        screen when it is)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_utf16(min(max(position, 0), len(self._text))))
        return float(self.cursorRect(cursor).top())

    def top_position(self) -> int:
        """The code point at the top left of what is on screen."""
        return self._map.to_codepoint(self.cursorForPosition(QPoint(0, 0)).position())

    def scroll_position_to(self, position: int, y: float) -> None:
        """Scroll so that the line holding code point ``position`` is drawn near viewport
        height ``y``, without moving the caret or the selection."""
        document = self.document()
        utf16 = self._map.to_utf16(min(max(position, 0), len(self._text)))
        block = document.findBlock(utf16)
        if not block.isValid():
            return
        # Qt lays wrapped paragraphs out as they come into view, counting one line for each
        # until then: lay out those above the target so its line number is right.
        lay_out = document.documentLayout().blockBoundingRect
        above = document.begin()
        while above.isValid() and above.blockNumber() <= block.blockNumber():
            if above.layout().lineCount() == 0:
                lay_out(above)
            above = above.next()
        layout = block.layout()
        line = layout.lineForTextPosition(utf16 - block.position())
        number = block.firstLineNumber() + (line.lineNumber() if line.isValid() else 0)
        spacing = max(QFontMetricsF(self.font()).lineSpacing(), 1.0)
        bar = self.verticalScrollBar()
        bar.setValue(max(number - round(max(y, 0.0) / spacing), 0))

    def center_position(self, position: int) -> None:
        """Scroll code point ``position`` to the middle of the view (caret left alone)."""
        self.scroll_position_to(position, self.viewport().height() / 2 - 20)

    # -- tooltips, clicks, menu ------------------------------------------------------------

    def tooltip_html(self, position: int) -> str:
        """What hovering code point ``position`` shows; empty where nothing is highlighted."""
        rows = [self._rows[i] for i in self.annotation_ids_at(position)]
        return annotation_tooltip(rows, verdict_style.is_dark(QToolTip.palette()))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            position = self.position_at(event.pos())
            tip = "" if position is None else self.tooltip_html(position)
            if self._overlay is not None:
                extra = self._overlay.tooltip(self, event.pos(), position)
                tip = _join_tips(tip, extra)
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            point = event.position().toPoint()
            edge = self.edge_at(point)
            row = self._selected_row()
            if edge is not None and row is not None:
                # Grab an end of the selected annotation instead of starting a selection.
                self._drag_edge, self._drag_span = edge, (row.start, row.end)
                self.set_selection(row.start, row.end, forward=edge == "end")
                event.accept()
                return
            self._press_pos = point
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self._drag_edge is not None:
            start, end = self._dragged_span(point)
            self.set_selection(start, end, forward=self._drag_edge == "end")
            self.ensureCursorVisible()
            event.accept()
            return
        if not event.buttons():
            shape = (
                Qt.CursorShape.SizeHorCursor
                if self.edge_at(point) is not None
                else Qt.CursorShape.IBeamCursor
            )
            if self.viewport().cursor().shape() != shape:
                self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_edge is not None:
            self._finish_edge_drag(event)
            return
        super().mouseReleaseEvent(event)
        pressed, self._press_pos = self._press_pos, None
        if event.button() != Qt.MouseButton.LeftButton or pressed is None:
            return
        released = event.position().toPoint()
        moved = (released - pressed).manhattanLength() >= QApplication.startDragDistance()
        if moved and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            # A drag means whole words, as in a word processor; Alt keeps exact characters.
            self.snap_selection()
        if moved or self.textCursor().hasSelection():
            return
        position = self.position_at(released)
        ids = [] if position is None else self.annotation_ids_at(position)
        if ids:
            self.sig_annotation_clicked.emit(ids[0])

    def _finish_edge_drag(self, event: QMouseEvent) -> None:
        row = self._selected_row()
        original = self._drag_span
        start, end = self._dragged_span(event.position().toPoint())
        self._drag_edge = self._drag_span = None
        event.accept()
        if not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            from desktop.core.anchoring import snap_to_words

            start, end = snap_to_words(self._text, start, end)
        self.clear_selection()
        if row is not None and end > start and (start, end) != original:
            self.sig_span_adjust_requested.emit(row.id, start, end)

    def set_tag_shortcuts(self, shortcuts: Mapping[Verdict | str, QKeySequence | str]) -> None:
        """Keys to show beside the verdict entries of the context menu (the window owns them)."""
        self._tag_shortcuts = {Verdict(v): QKeySequence(k) for v, k in shortcuts.items()}

    def create_context_menu(self) -> QMenu:
        """The standard menu (Copy, Select All) under one entry per verdict, enabled only
        while some text is selected."""
        menu = self.createStandardContextMenu()
        first = menu.actions()[0] if menu.actions() else None
        has_selection = self.selected_span() is not None
        for verdict in Verdict:
            action = QAction(verdict_style.icon(verdict), verdict_style.label(verdict), menu)
            action.setEnabled(has_selection)
            key = self._tag_shortcuts.get(verdict)
            if key is not None:
                # Shown as a hint only: the window's own action handles the key.
                action.setText(
                    f"{verdict_style.label(verdict)}\t"
                    f"{key.toString(QKeySequence.SequenceFormat.NativeText)}"
                )
            action.triggered.connect(partial(self.sig_tag_requested.emit, verdict.value))
            menu.insertAction(first, action)
        if first is not None:
            menu.insertSeparator(first)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.create_context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    # -- palette ---------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            dark = verdict_style.is_dark(self.palette())
            if dark != self._dark:
                self._dark = dark
                self._formats = _format_table(dark)
                if self._segments:
                    # Every highlight is redrawn in the new colours, on screen first.
                    self._pending = [(0, len(self._text))]
                    self._schedule()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_visible()
