"""What reads return: plain records, free of any database library, so that a window can show
them before SQLAlchemy is loaded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from desktop.core.model import PartialDate, Source, Verdict, iso_utc


@dataclass(frozen=True)
class ProjectDetails:
    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    title: str
    outlet: str
    url: str | None
    published: date | PartialDate | None  # both have isoformat(): "2024-03-12", "2024-03"
    imported_at: datetime
    original_name: str
    text_length: int
    counts: dict[Verdict, int] = field(default_factory=dict)
    removed_at: datetime | None = None  # set only for a removed article
    author: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "imported_at": iso_utc(self.imported_at),
            "original_name": self.original_name,
            "characters": self.text_length,
            "counts": {v.value: self.counts.get(v, 0) for v in Verdict},
            "author": self.author,
        }


@dataclass(frozen=True)
class AnnotationFilter:
    """Which annotations to list or export. None means "any"; ``reviewers`` are who changed
    one last. The one definition of these filters: listings, exports and the window use it."""

    article_ids: tuple[str, ...] | None = None
    verdicts: tuple[Verdict, ...] | None = None
    reviewers: tuple[str, ...] | None = None
    include_deleted: bool = False
    text: str = ""  # appears in the quote, note or article title (case-insensitive)
    # The annotations of a removed article are deleted with it, so they come only with
    # ``include_deleted``, and not even then with ``live_articles_only``.
    live_articles_only: bool = False
    # Only adjudicators' final verdicts.
    final_only: bool = False
    # The blind view: on these articles only the annotations ``viewer`` created are kept
    # (none, when no viewer is named).
    blind_articles: tuple[str, ...] | None = None
    viewer: str | None = None

    @property
    def is_default(self) -> bool:
        return self == AnnotationFilter()


@dataclass(frozen=True)
class BlindState:
    """Who may see what under blind review. ``hides_others(viewer, article)`` is the one rule
    of the blind view."""

    project_blind: bool = False
    articles: frozenset[str] = frozenset()
    done: dict[str, frozenset[str]] = field(default_factory=dict)  # article id -> reviewers
    adjudicators: frozenset[str] = frozenset()

    @classmethod
    def from_rows(
        cls,
        scopes: Iterable[str | None],
        done_marks: Iterable[tuple[str, str]],
        adjudicators: Iterable[str],
    ) -> BlindState:
        """From the blinding rows' articles (None: the whole project), (article, reviewer)
        done marks and the adjudicators' names."""
        scopes = list(scopes)
        done: dict[str, set[str]] = defaultdict(set)
        for article_id, name in done_marks:
            done[article_id].add(name)
        return cls(
            project_blind=None in scopes,
            articles=frozenset(s for s in scopes if s is not None),
            done={a: frozenset(names) for a, names in done.items()},
            adjudicators=frozenset(adjudicators),
        )

    @property
    def active(self) -> bool:
        return self.project_blind or bool(self.articles)

    def blinded(self, article_id: str) -> bool:
        return self.project_blind or article_id in self.articles

    def is_adjudicator(self, viewer: str | None) -> bool:
        return viewer is not None and viewer in self.adjudicators

    def marked_done(self, viewer: str | None, article_id: str) -> bool:
        return viewer is not None and viewer in self.done.get(article_id, frozenset())

    def hides_others(self, viewer: str | None, article_id: str) -> bool:
        """True when ``viewer`` may see only their own annotations on this article."""
        return (
            self.blinded(article_id)
            and not self.is_adjudicator(viewer)
            and not self.marked_done(viewer, article_id)
        )

    def hidden_articles(self, viewer: str | None, article_ids: Iterable[str]) -> list[str]:
        return [a for a in article_ids if self.hides_others(viewer, a)]


@dataclass(frozen=True)
class AnnotationRow:
    """One annotation as listed and exported. Keys of ``to_json`` are the listing's keys."""

    id: str
    article_id: str
    article_title: str
    outlet: str
    url: str | None
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    verdict: Verdict
    note: str
    sources: tuple[Source, ...]
    reviewer: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    version: int = 1
    # Shared by the annotations of one claim across versions; its own id when alone.
    claim_id: str = ""

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def claim(self) -> str:
        return self.claim_id or self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "article_title": self.article_title,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "verdict": self.verdict.value,
            "note": self.note,
            "sources": [s.to_json() for s in self.sources],
            "reviewer": self.reviewer,
            "created_at": iso_utc(self.created_at),
            "updated_at": iso_utc(self.updated_at),
            "claim_id": self.claim,
        }
