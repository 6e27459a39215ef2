"""Reads for the window, through ``desktop.core.queries`` only.

Article texts never change once imported, so they are kept once read; only the articles on
screen are ever read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from desktop.core import queries, review_state
from desktop.core.queries import AnnotationRow, ArticleSummary
from desktop.core.storage import Project


class ProjectReader:
    """The window's read side of one open project, as ``viewer`` (the reviewer using the
    window) may see it: under blind review, only their own annotations on an article until
    they mark it done."""

    def __init__(self, project: Project, viewer: Callable[[], str] | None = None) -> None:
        self.project = project
        self.viewer = viewer or (lambda: "")
        self._texts: dict[str, str] = {}

    def _who(self) -> str | None:
        return self.viewer() or None

    def blind_state(self) -> review_state.BlindState:
        with self.project.snapshot() as db:
            return review_state.blind_state(db)

    def name(self) -> str:
        with self.project.snapshot() as session:
            info = queries.project_info(session)
            return info.name if info is not None else self.project.path.stem

    def summaries(self) -> list[ArticleSummary]:
        with self.project.snapshot() as session:
            summaries = queries.article_summaries(session)
            state = review_state.blind_state(session)
            if state.active:
                summaries = review_state.visible_summaries(session, state, summaries, self._who())
            return summaries

    def article_text(self, article_id: str) -> str:
        text = self._texts.get(article_id)
        if text is None:
            with self.project.snapshot() as session:
                text = queries.article_text(session, article_id)
            self._texts[article_id] = text
        return text

    def rows(
        self,
        *,
        article_ids: Iterable[str] | None = None,
        annotation_ids: Iterable[str] | None = None,
        include_deleted: bool = True,
    ) -> list[AnnotationRow]:
        with self.project.snapshot() as session:
            rows = queries.annotation_rows(
                session,
                article_ids=article_ids,
                annotation_ids=annotation_ids,
                include_deleted=include_deleted,
            )
            state = review_state.blind_state(session)
        return review_state.visible_rows(state, rows, self._who())

    def hidden_annotation_ids(self) -> frozenset[str]:
        """Annotations blind review hides from the viewer (deleted ones included)."""
        with self.project.snapshot() as session:
            state = review_state.blind_state(session)
            if not state.active:
                return frozenset()
            rows = queries.annotation_rows(session, include_deleted=True)
        shown = {r.id for r in review_state.visible_rows(state, rows, self._who())}
        return frozenset(r.id for r in rows if r.id not in shown)

    def live_rows(self, article_id: str) -> list[AnnotationRow]:
        """What a pane highlights: the article's annotations that are not deleted."""
        return self.rows(article_ids=[article_id], include_deleted=False)
