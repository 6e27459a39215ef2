"""Reads for the window, through the store's reads only.

Article texts never change once imported, so they are kept once read; only the articles on
screen are ever read. While the window paints its first screen, a backend's private quick
reader (if it has one) answers instead, so that showing a project does not wait for the
database toolkit to load; every later read goes through ``store.reads``.

Every read is made as the reviewer using the window sees the project: under blind review,
only their own annotations on an article until they mark it done (``review_state``). The
quick reader knows nothing of that, so it is not used while blind review is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from desktop.core.records import AnnotationFilter, AnnotationRow, ArticleSummary
from desktop.core.store import Store

if TYPE_CHECKING:
    from desktop.core.pages import SavedPage
    from desktop.core.records import BlindState


class ProjectReader:
    """The window's read side of one open project, as ``viewer`` (the reviewer using the
    window) may see it."""

    def __init__(self, project: Store, viewer: Callable[[], str] | None = None) -> None:
        self.project = project
        self.viewer = viewer or (lambda: "")
        self._texts: dict[str, str] = {}
        self._quick: Any = None
        self._blind: BlindState | None = None  # known until forget_blind_state()

    def _who(self) -> str | None:
        return self.viewer() or None

    def blind_state(self) -> BlindState:
        """Who may see what; read once (at first paint, when the quick reader can), then
        kept until ``forget_blind_state``."""
        if self._blind is None:
            from desktop.core import review_state

            with self.project.read() as conn:
                self._blind = review_state.blind_state(conn)
        return self._blind

    def forget_blind_state(self) -> None:
        """The project changed: read the blind state again when next asked."""
        self._blind = None

    def hidden_annotation_ids(self) -> frozenset[str]:
        """Annotations blind review hides from the viewer (deleted ones included)."""
        from desktop.core import review_state

        with self.project.read() as conn:
            return review_state.hidden_annotation_ids(conn, self._who())

    @contextmanager
    def first_paint(self) -> Iterator[None]:
        """Reads inside the block may use the backend's quick reader."""
        make = getattr(self.project, "quick_reader", None)
        if make is None:
            yield
            return
        with make() as quick:
            self._blind = quick.blind_state()
            if self._blind.active:
                yield
                return
            self._quick = quick
            try:
                yield
            finally:
                self._quick = None

    def name(self) -> str:
        if self._quick is not None:
            name = self._quick.project_name()
        else:
            from desktop.core.store import reads

            with self.project.read() as conn:
                info = reads.project_info(conn)
            name = info.name if info is not None else None
        return str(name) if name else self.project.display_name

    def head_seq(self) -> int:
        """The newest audit event: what the window has seen so far."""
        if self._quick is not None:
            return int(self._quick.head_seq())
        from desktop.core.store import reads

        with self.project.read() as conn:
            head = reads.head_event(conn)
        return head[0] if head else 0

    def summaries(self, article_ids: Iterable[str] | None = None) -> list[ArticleSummary]:
        if self._quick is not None and article_ids is None:
            return list(self._quick.summaries())
        from desktop.core import review_state
        from desktop.core.store import reads

        with self.project.read() as conn:
            summaries = reads.article_summaries(conn, article_ids)
            state = review_state.blind_state(conn)
            if state.active:
                # Under blind review the counts of an article are the viewer's own.
                summaries = review_state.visible_summaries(conn, state, summaries, self._who())
            return summaries

    def article_text(self, article_id: str) -> str:
        text = self._texts.get(article_id)
        if text is None:
            if self._quick is not None:
                text = self._quick.article_text(article_id)
            if text is None:
                from desktop.core.store import reads

                with self.project.read() as conn:
                    text = reads.article_text(conn, article_id)
            self._texts[article_id] = text
        return text

    def rows(
        self,
        *,
        article_ids: Iterable[str] | None = None,
        annotation_ids: Iterable[str] | None = None,
        include_deleted: bool = True,
    ) -> list[AnnotationRow]:
        """Annotations of the articles listed that the viewer may see; a removed article's
        are left out, deleted or not, as the article itself is."""
        from desktop.core import review_state
        from desktop.core.store import reads

        flt = AnnotationFilter(
            article_ids=None if article_ids is None else tuple(article_ids),
            include_deleted=include_deleted,
            live_articles_only=True,
        )
        with self.project.read() as conn:
            flt = review_state.blind_view(conn, flt, self._who())
            return reads.annotation_rows(conn, flt, annotation_ids=annotation_ids)

    def annotation_ids(self, flt: AnnotationFilter, sort: str, descending: bool) -> list[str]:
        """The ids the annotations table lists for ``flt`` (of articles not removed, as the
        viewer may see them), in its order."""
        from dataclasses import replace

        flt = replace(flt, live_articles_only=True)
        default = AnnotationFilter(live_articles_only=True)
        if self._quick is not None and flt == default and sort == "reading":
            return list(self._quick.live_ids())
        from desktop.core import review_state
        from desktop.core.store import reads

        with self.project.read() as conn:
            flt = review_state.blind_view(conn, flt, self._who())
            return reads.annotation_ids(conn, flt, sort=sort, descending=descending)

    def rows_by_id(self, annotation_ids: Sequence[str]) -> list[AnnotationRow]:
        """These annotations (deleted ones too) as the viewer may see them."""
        if not annotation_ids:
            return []
        if self._quick is not None:
            return list(self._quick.rows_by_id(annotation_ids))
        return self.rows(annotation_ids=annotation_ids, include_deleted=True)

    def reviewer_names(self) -> list[str]:
        if self._quick is not None:
            return list(self._quick.reviewer_names())
        from desktop.core.store import reads

        with self.project.read() as conn:
            return reads.reviewer_names(conn)

    def annotation_query(self) -> ReaderQuery:
        return ReaderQuery(self)

    def all_rows(self) -> list[AnnotationRow]:
        """Every annotation of the articles not removed, deleted ones too, in reading order."""
        if self._quick is not None:
            return list(self._quick.all_rows())
        return self.rows(include_deleted=True)

    def live_rows(self, article_id: str) -> list[AnnotationRow]:
        """What a pane highlights: the article's annotations that are not deleted."""
        if self._quick is not None:
            return list(self._quick.live_rows(article_id))
        return self.rows(article_ids=[article_id], include_deleted=False)

    def saved_page(self, page_id: str, *, with_text: bool = True) -> SavedPage:
        """A fetched page kept in the project: an evidence link's saved copy."""
        from desktop.core import pages

        with self.project.read() as conn:
            return pages.saved_page(conn, page_id, with_text=with_text)


class ReaderQuery:
    """The annotations table's questions, answered by the window's reader."""

    def __init__(self, reader: ProjectReader) -> None:
        self.reader = reader

    def ids(self, flt: AnnotationFilter, sort: str, descending: bool) -> list[str]:
        return self.reader.annotation_ids(flt, sort, descending)

    def rows(self, annotation_ids: Sequence[str]) -> list[AnnotationRow]:
        return self.reader.rows_by_id(annotation_ids)

    def reviewers(self) -> list[str]:
        return self.reader.reviewer_names()
