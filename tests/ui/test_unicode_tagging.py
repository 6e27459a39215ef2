"""Tagging text where Qt's UTF-16 positions and Python's code points differ."""

from __future__ import annotations

from pathlib import Path

from desktop.core import importers, operations
from desktop.core.model import Verdict
from desktop.core.store import open_store
from tests.ui.conftest import REVIEWER
from tests.ui.gestures import drag_select, highlighted, span_positions

LINES = [
    "Flags 🇺🇦🇦🇿 opened the rally; the crowd cheered 👍🏽 loudly.",
    "The family 👨‍👩‍👧‍👦 arrived at the café — naïve reporters wrote cafe\u0301 twice.",
    "Москва заявила, что расследование продолжается.",
    "قالت الوزارة إن التحقيق مستمر.",
    "Last line after 🏳️‍🌈 and 🧑🏿‍🚀 ends here.",
]
# (quote to tag, verdict key) — each quote follows characters that take two UTF-16 units,
# or a combining accent, or a CRLF line break in the file.
TAGS = [
    ("opened the rally", "1"),
    ("👍🏽 loudly", "2"),
    ("arrived at the café", "3"),
    ("cafe\u0301 twice", "1"),
    ("расследование продолжается", "2"),
    ("التحقيق مستمر", "3"),
    ("ends here", "1"),
]


def _import(project_path: Path, tmp_path: Path) -> str:
    source = tmp_path / "unicode story.txt"
    source.write_bytes("\r\n".join(LINES).encode("utf-8") + b"\r\n")
    with open_store(project_path) as project:
        changes = operations.import_articles(
            project, importers.read_articles([source]), reviewer=REVIEWER
        )
    return changes.ids("article")[0]


def test_spans_after_astral_combining_rtl_and_crlf_text(
    open_window,
    demo_path,
    tmp_path,
    reviewer,
    qtbot,
) -> None:
    article_id = _import(demo_path, tmp_path)
    window = open_window(demo_path)
    pane = window.panes.panes()[0]
    window.panes.show_article(pane, article_id)
    view = pane.view
    text = view.text()
    assert "\r" not in text  # the importer made line endings uniform

    expected: set[int] = set()
    spans = []
    for quote, key in TAGS:
        start = text.index(quote)
        end = start + len(quote)
        drag_select(view, start, end)
        qtbot.keyClick(view, key)
        spans.append((quote, start, end, key))
        expected |= span_positions(text, start, end)

    model = window.annotation_panel.model
    rows = {model.annotation(i).quote: model.annotation(i) for i in range(model.rowCount())}
    verdicts = {"1": Verdict.SUPPORTED, "2": Verdict.DISPUTED, "3": Verdict.UNVERIFIED}
    for quote, start, end, key in spans:
        row = rows[quote]
        assert (row.start, row.end, row.verdict) == (start, end, verdicts[key])
        assert text[row.start : row.end] == quote
    assert highlighted(view) == expected
    window.close()

    again = open_window(demo_path)
    pane = again.panes.panes()[0]
    assert pane.article_id() == article_id
    assert highlighted(pane.view) == expected
