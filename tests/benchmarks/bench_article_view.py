"""How much do highlights cost when showing a long article?

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_article_view.py``

Builds a ~1 MB article (prose in paragraphs, some non-ASCII) and 10,000 annotations (realistic
lengths, some overlapping, all three verdicts), then times, on a fresh view each run:

(a) showing the text until painted, without highlights (the baseline);
(b) the same with ``set_annotations`` too.

The view formats what is on screen at once and the rest of a long article in idle steps, so
(c) also reports the time until every highlight is in the document (informational).

Prints the medians and the ratio; exits 1 when (b) costs more than three times (a).
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 7
TARGET_RATIO = 3.0
TEXT_CHARS = 1_000_000
ANNOTATIONS = 10_000

PROSE = (
    "the ministry said on monday that talks between both governments had stalled after a "
    "police raid in which two citizens died officials in baku cancelled cultural events and "
    "summoned the ambassador while moscow denied any ethnic motive and called the raid part "
    "of an investigation into an unsolved murder from 2001 several people were injured and "
    "nine were detained according to local media reports that could not be independently "
    "verified by reporters on the scene"
)
WORDS = PROSE.split()
NAMES = ["Ziyaddin Safarov", "Huseyn Safarov", "Sayfaddin Huseynli", "Алексей Оверчук", "Bakı"]
EXTRAS = ["“quoted”", "— a dash", "10\u00a0km", "Привіт", "👍🏽", "مرحبا", "e\u0301tude", "€12m"]


def make_text(rng: random.Random) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < TEXT_CHARS:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 28))]
            if rng.random() < 0.4:
                words.insert(rng.randrange(len(words)), rng.choice(NAMES))
            if rng.random() < 0.15:
                words.insert(rng.randrange(len(words)), rng.choice(EXTRAS))
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def make_rows(text: str, rng: random.Random) -> list:
    from desktop.core.model import Verdict
    from desktop.core.records import AnnotationRow

    when = datetime(2025, 6, 30, 9, 15, tzinfo=UTC)
    verdicts = list(Verdict)
    rows = []
    for i in range(ANNOTATIONS):
        start = rng.randrange(0, len(text) - 400)
        if rng.random() < 0.8:  # most quotes start at a word
            start = text.find(" ", start) + 1
        end = min(start + int(rng.lognormvariate(4.2, 0.6)) + 5, len(text))
        rows.append(
            AnnotationRow(
                id=f"ann-{i:05d}",
                article_id="bench",
                article_title="Benchmark",
                outlet="",
                url=None,
                start=start,
                end=end,
                quote=text[start:end],
                prefix="",
                suffix="",
                verdict=rng.choice(verdicts),
                note="",
                sources=(),
                reviewer="Bench",
                created_by="Bench",
                created_at=when,
                updated_at=when,
                deleted_at=None,
            )
        )
    return rows


def dispose(view: object) -> None:
    """Destroy a view outside the timed part, so the next run does not pay for it."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    view.close()
    view.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()


def interleaved(runs: list[Callable[[], float]]) -> list[list[float]]:
    """Each measure ``RUNS`` times, taking turns, so a busy machine slows them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(RUNS):
        for run, spent in zip(runs, times, strict=True):
            spent.append(run())
    return times


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from desktop.ui.article_view import ArticleView, segment_overlaps, sweep

    app = QApplication.instance() or QApplication([])
    rng = random.Random(20250630)
    text = make_text(rng)
    rows = make_rows(text, rng)
    segments = sweep(rows, len(text))
    overlapped = sum(1 for s in segments if segment_overlaps(s[2]))

    def show(with_highlights: bool, complete: bool = False) -> float:
        view = ArticleView()
        view.resize(900, 700)
        started = time.perf_counter()
        view.set_article("bench", text)
        if with_highlights:
            view.set_annotations(rows)
        view.show()
        QApplication.processEvents()
        view.grab()  # paints the visible part, highlights and underlines included
        while complete and view.highlights_pending():
            QApplication.processEvents()
        elapsed = time.perf_counter() - started
        dispose(view)
        return elapsed

    def tag_one_more() -> float:
        view = ArticleView()
        view.resize(900, 700)
        view.set_article("bench", text)
        view.set_annotations(rows)
        view.show()
        while view.highlights_pending():
            QApplication.processEvents()
        extra = replace(rows[0], id="ann-extra", start=rows[0].start + 3, end=rows[0].end + 40)
        started = time.perf_counter()
        view.set_annotations([*rows, extra])  # what the window does after each tag
        view.grab()
        elapsed = time.perf_counter() - started
        dispose(view)
        return elapsed

    show(True)  # warm up fonts, caches and imports
    plain_all, high_all, complete_all, again_all = interleaved(
        [lambda: show(False), lambda: show(True), lambda: show(True, complete=True), tag_one_more]
    )
    plain, highlighted, complete, again = (
        statistics.median(times) for times in (plain_all, high_all, complete_all, again_all)
    )
    ratio = highlighted / plain

    print(
        f"article: {len(text):,} code points, {len(text.encode('utf-16-le')) // 2:,} UTF-16 units"
    )
    print(
        f"annotations: {len(rows):,} ({len(segments):,} highlighted runs, "
        f"{overlapped:,} where two or more overlap)"
    )
    print(f"median of {RUNS} runs, fresh view each run, measures taking turns\n")
    print(f"{'measure':<48} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, value, values in [
        ("(a) set_article + show + paint", plain, plain_all),
        ("(b) set_article + set_annotations + show + paint", highlighted, high_all),
        ("(c) as (b), until every highlight is applied", complete, complete_all),
        ("(d) one more tag: set_annotations + paint", again, again_all),
    ]:
        print(
            f"{name:<48} {value * 1000:>10.1f} {min(values) * 1000:>8.1f} "
            f"{max(values) * 1000:>8.1f}"
        )
    verdict = "OK" if ratio <= TARGET_RATIO else "MISSED"
    print(f"\nratio (b)/(a): {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x) {verdict}")
    del app
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
