"""The comparison of one open project's versions, for the window.

The comparison (``desktop.core.compare``) is built and aligned once, on the window's runner,
never on the GUI thread and never before the window has painted: the first view that needs
it (compare mode, the Counterparts panel, Tag All, Carry Verdict) starts it, and its progress
shows in the status bar. Everything after that is a quick question answered on the runner
too: the counterparts of a span, and the overview of a version (its differing facts, the
passages only it carries, where each of its sentences sits elsewhere). Answers are kept
until the project's articles change; then the comparison is built again, which the cache
makes cheap (only the new pairs are aligned).

Nothing here imports the comparison at module level: this module is loaded with the window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import CrosscheckError
from desktop.core.records import AnnotationRow

if TYPE_CHECKING:
    from desktop.core.compare.comparison import Comparison, Passage
    from desktop.core.compare.counterparts import Counterpart
    from desktop.core.compare.overview import Overview
    from desktop.core.store import Store
    from desktop.ui.controller import Runner, Task
    from desktop.ui.data import ProjectReader

IDLE, RUNNING, READY, SINGLE, FAILED = "idle", "running", "ready", "single", "failed"


class NothingHere(CrosscheckError):
    """The caret is between sentences (a blank line, a margin): nothing to compare."""


@dataclass(frozen=True)
class Source:
    """What is being compared: a span of one version, maybe an annotation's, maybe chosen
    in a pane (``pane``; None when it comes from elsewhere, such as the annotations table).
    ``start`` is None for a caret: the sentence around ``caret`` is compared."""

    article_id: str
    start: int | None
    end: int | None
    caret: int = 0
    annotation: AnnotationRow | None = None
    pane: Any = None

    def key(self) -> tuple[str, int | None, int | None, int, str | None]:
        annotation = self.annotation.id if self.annotation is not None else None
        return (self.article_id, self.start, self.end, self.caret, annotation)


@dataclass(frozen=True)
class Found:
    """The answer for a Source: its span (the sentence, for a caret), each other version's
    counterpart, and the live annotations already on each counterpart."""

    source: Source
    start: int
    end: int
    quote: str
    counterparts: tuple[Counterpart, ...]
    existing: dict[str, tuple[AnnotationRow, ...]] = field(default_factory=dict)
    seconds: float = 0.0

    def counterpart(self, article_id: str) -> Counterpart | None:
        return next((c for c in self.counterparts if c.article_id == article_id), None)


@dataclass(frozen=True)
class _Aligned:
    comparison: Comparison
    unique: tuple[Passage, ...]


class CompareSession(QObject):
    """The comparison of one project, built on first need and answering off the GUI thread."""

    sig_state_changed = Signal(str)
    """idle, running, ready, single (fewer than two versions) or failed."""
    sig_progressed = Signal(str)
    """What the comparison is doing, for the status bar."""
    sig_ready = Signal()
    """The versions are aligned: counterparts and overviews can be asked for."""
    sig_overview_ready = Signal(str)
    """An article's overview was computed; carries its id."""

    def __init__(
        self,
        store: Store,
        reader: ProjectReader,
        runner: Runner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.reader = reader
        self.runner = runner
        self.state = IDLE
        self.message = ""
        self.error = ""
        self._aligned: _Aligned | None = None
        self._task: Task | None = None
        self._overviews: dict[str, Overview] = {}
        self._asked: set[str] = set()
        self._rows: dict[str, tuple[AnnotationRow, ...]] = {}
        self._generation = 0
        # The comparison is not thread-safe: questions from the runner's threads take turns.
        self._lock = threading.Lock()

    # --- building -------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.state == READY

    def start(self) -> None:
        """Build and align the comparison on the runner (once; again after ``rebuild``)."""
        if self.state in (RUNNING, READY, SINGLE):
            return
        self._generation += 1
        generation = self._generation
        store = self.store

        def work(task: Task) -> _Aligned | None:
            from desktop.core.compare.cache import Cache
            from desktop.core.compare.comparison import Comparison, versions_of
            from desktop.core.store import reads

            with store.read() as conn:
                versions = versions_of(reads.article_texts(conn))
            comparison = Comparison(versions, Cache())
            if len(versions) < 2:
                return None

            def read_progress(done: int, total: int) -> None:
                task.progress(done, total, f"Comparing versions: reading {done} of {total}…")

            def align_progress(done: int, total: int) -> None:
                task.progress(
                    done, total, f"Comparing versions: aligning {done:,} of {total:,} pairs…"
                )

            def cancelled() -> bool:
                return task.cancelled

            with self._lock:
                comparison.prepare(read_progress, cancelled)
                comparison.align(align_progress, cancelled)
                unique = tuple(comparison.unique())
            return _Aligned(comparison, unique)

        def done(result: _Aligned | None) -> None:
            if generation != self._generation:
                return
            self._task = None
            if result is None:
                self._set_state(
                    SINGLE,
                    "Only one version in this project: import another version of the story "
                    "to compare it with.",
                )
                return
            self._aligned = result
            count = len(result.comparison.versions)
            unique = len(result.unique)
            self._set_state(
                READY,
                f"Compared {count} versions: {unique} passage{'s' if unique != 1 else ''} "
                "only one version carries.",
            )
            self.sig_ready.emit()

        def failed(error: CrosscheckError) -> None:
            if generation != self._generation:
                return
            self._task = None
            self.error = str(error)
            self._set_state(FAILED, f"Comparing versions failed: {error}")

        self._set_state(RUNNING, "Comparing versions…")
        self._task = self.runner.run(
            "Comparing versions", work, writes=False, done=done, failed=failed
        )
        self._task.sig_progressed.connect(lambda _d, _t, text: self._progress(generation, text))

    def _progress(self, generation: int, text: str) -> None:
        if generation == self._generation and self.state == RUNNING and text:
            self.message = text
            self.sig_progressed.emit(text)

    def _set_state(self, state: str, message: str) -> None:
        self.state = state
        self.message = message
        self.sig_state_changed.emit(state)
        self.sig_progressed.emit(message)

    def stop(self) -> None:
        """Stop a comparison under way (the project is closing); nothing is kept."""
        self._generation += 1
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._aligned = None
        self._overviews.clear()
        self._asked.clear()
        self._rows.clear()
        self.state = IDLE

    def rebuild(self) -> None:
        """The project's articles changed: compare again (the cache keeps it quick)."""
        running = self.state in (RUNNING, READY, SINGLE, FAILED)
        self.stop()
        self.sig_state_changed.emit(IDLE)
        if running:
            self.start()

    def forget_rows(self, article_ids: Sequence[str] | None = None) -> None:
        """Annotations changed: read them again when next asked (all when None)."""
        if article_ids is None:
            self._rows.clear()
        else:
            for article_id in article_ids:
                self._rows.pop(article_id, None)

    # --- reading --------------------------------------------------------------------------

    def version_ids(self) -> list[str]:
        return [v.article_id for v in self._aligned.comparison.versions] if self._aligned else []

    def overview(self, article_id: str) -> Overview | None:
        """The article's overview if computed; else None, and it is computed (then
        ``sig_overview_ready``)."""
        found = self._overviews.get(article_id)
        if found is not None or not self.ready or article_id in self._asked:
            return found
        aligned = self._aligned
        assert aligned is not None
        if article_id not in self.version_ids():
            return None
        self._asked.add(article_id)
        generation = self._generation

        def work(task: Task) -> Overview:
            from desktop.core.compare.overview import overview

            with self._lock:
                return overview(
                    aligned.comparison,
                    article_id,
                    aligned.unique,
                    cancelled=lambda: task.cancelled,
                )

        def done(result: Overview) -> None:
            if generation == self._generation:
                self._overviews[article_id] = result
                self.sig_overview_ready.emit(article_id)

        def failed(error: CrosscheckError) -> None:
            if generation == self._generation:
                self._asked.discard(article_id)
                self.sig_progressed.emit(f"Could not compare this version: {error}")

        self.runner.run("Comparing a version", work, writes=False, done=done, failed=failed)
        return None

    def counterparts(
        self,
        source: Source,
        done: Callable[[Found], None],
        failed: Callable[[str], None],
    ) -> None:
        """Find ``source``'s counterparts in every other version, on the runner."""
        aligned = self._aligned
        if aligned is None:
            failed("the versions are not compared yet")
            return
        generation = self._generation
        reader = self.reader
        cached = dict(self._rows)

        def work(_task: Task) -> tuple[Found, dict[str, tuple[AnnotationRow, ...]]]:
            began = time.perf_counter()
            comparison = aligned.comparison
            with self._lock:
                start, end = source.start, source.end
                if start is None or end is None:
                    span = _sentence_at(comparison, source.article_id, source.caret)
                    if span is None:
                        raise NothingHere("no sentence here to compare")
                    start, end = span
                found = comparison.counterparts(source.article_id, start, end)
                quote = comparison.version(source.article_id).text[start:end]
            # Which counterparts are tagged already (as this reviewer may see them).
            wanted = [c.article_id for c in found if c.start is not None]
            missing = [a for a in wanted if a not in cached]
            fresh: dict[str, tuple[AnnotationRow, ...]] = {}
            if missing:
                rows = reader.rows(article_ids=missing, include_deleted=False)
                for article_id in missing:
                    fresh[article_id] = tuple(r for r in rows if r.article_id == article_id)
            every = {**cached, **fresh}
            existing = {
                c.article_id: tuple(
                    r
                    for r in every.get(c.article_id, ())
                    if c.start is not None
                    and c.end is not None
                    and r.start < c.end
                    and r.end > c.start
                )
                for c in found
            }
            seconds = time.perf_counter() - began
            return Found(source, start, end, quote, tuple(found), existing, seconds), fresh

        def finished(result: tuple[Found, dict[str, tuple[AnnotationRow, ...]]]) -> None:
            if generation != self._generation:
                return
            found, fresh = result
            self._rows.update(fresh)
            done(found)

        def refused(error: CrosscheckError) -> None:
            if generation == self._generation:
                failed("" if isinstance(error, NothingHere) else str(error))

        self.runner.run("Finding counterparts", work, writes=False, done=finished, failed=refused)


def _sentence_at(comparison: Comparison, article_id: str, caret: int) -> tuple[int, int] | None:
    """The sentence holding the caret (or ending right before it)."""
    for sentence in comparison.index(article_id).sentences:
        if sentence.start <= caret <= sentence.end:
            return sentence.start, sentence.end
    return None
