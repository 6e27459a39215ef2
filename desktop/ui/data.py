"""Reads for the window, through ``desktop.core.queries`` only.

Article texts never change once imported, so they are kept once read; only the articles on
screen are ever read.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.core import queries
from desktop.core.queries import AnnotationRow, ArticleSummary
from desktop.core.storage import Project


class ProjectReader:
    """The window's read side of one open project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._texts: dict[str, str] = {}

    def name(self) -> str:
        with self.project.snapshot() as session:
            info = queries.project_info(session)
            return info.name if info is not None else self.project.path.stem

    def summaries(self) -> list[ArticleSummary]:
        with self.project.snapshot() as session:
            return queries.article_summaries(session)

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
        """Annotations of the articles listed; a removed article's are left out, deleted
        or not, as the article itself is."""
        with self.project.snapshot() as session:
            return queries.annotation_rows(
                session,
                article_ids=article_ids,
                annotation_ids=annotation_ids,
                include_deleted=include_deleted,
                live_articles_only=True,
            )

    def live_rows(self, article_id: str) -> list[AnnotationRow]:
        """What a pane highlights: the article's annotations that are not deleted."""
        return self.rows(article_ids=[article_id], include_deleted=False)
