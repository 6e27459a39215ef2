"""Read-only questions about a project, shaped for listing, the CLI and exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from desktop.core.errors import InvalidInput, NotFound
from desktop.core.model import Source, Verdict, iso_utc, sources_from_json
from desktop.core.storage.schema import Annotation, Article, ProjectInfo, Reviewer


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    title: str
    outlet: str
    url: str | None
    published: date | None
    imported_at: datetime
    original_name: str
    text_length: int
    counts: dict[Verdict, int] = field(default_factory=dict)

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
        }


def article_summaries(session: Session) -> list[ArticleSummary]:
    """Every article with live annotation counts per verdict, in import order."""
    live = Annotation.deleted_at.is_(None)
    count_cols = [
        func.count(case((Annotation.verdict == v.value, 1))).label(v.value) for v in Verdict
    ]
    counts = (
        select(Annotation.article_id, *count_cols)
        .where(live)
        .group_by(Annotation.article_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Article.id,
            Article.title,
            Article.outlet,
            Article.url,
            Article.published,
            Article.imported_at,
            Article.original_name,
            Article.text_length,
            *[func.coalesce(counts.c[v.value], 0) for v in Verdict],
        )
        .outerjoin(counts, counts.c.article_id == Article.id)
        .order_by(Article.imported_at, Article.original_name, Article.id)
    ).all()
    out = []
    for row in rows:
        (aid, title, outlet, url, published, imported_at, original, length, *nums) = row
        out.append(
            ArticleSummary(
                aid,
                title,
                outlet,
                url,
                published,
                imported_at,
                original,
                length,
                dict(zip(Verdict, nums, strict=True)),
            )
        )
    return out


def article_text(session: Session, article_id: str) -> str:
    text = session.scalar(select(Article.text).where(Article.id == article_id))
    if text is None:
        raise NotFound(f"no article with id {article_id}")
    return text


def project_info(session: Session) -> ProjectInfo | None:
    return session.scalar(select(ProjectInfo))


def resolve_article(session: Session, ref: str) -> str:
    """An article id from a full id, a unique id prefix, or an exact title."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("no article given")
    if session.get(Article, ref) is not None:
        return ref
    by_prefix = (
        list(
            session.scalars(
                select(Article.id).where(Article.id.startswith(ref, autoescape=True))
            ).all()
        )
        if len(ref) >= 4
        else []
    )
    by_title = list(session.scalars(select(Article.id).where(Article.title == ref)).all())
    matches = list(dict.fromkeys(by_prefix + by_title))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(
            f"no article matches {ref!r} (give an id, a unique id prefix or an exact title)"
        )
    raise InvalidInput(f"{ref!r} matches {len(matches)} articles; give more of the id")


@dataclass(frozen=True)
class AnnotationRow:
    """One annotation as listed and exported. Keys of ``to_json`` are the export's columns."""

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

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

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
        }


def annotation_rows(
    session: Session,
    *,
    article_ids: Iterable[str] | None = None,
    verdicts: Iterable[Verdict] | None = None,
    reviewer: str | None = None,
    include_deleted: bool = False,
    annotation_ids: Iterable[str] | None = None,
) -> list[AnnotationRow]:
    """Annotations in reading order; ``reviewer`` is whoever changed one last."""
    updater = aliased(Reviewer)
    creator = aliased(Reviewer)
    query = (
        select(
            Annotation.id,
            Annotation.article_id,
            Article.title,
            Article.outlet,
            Article.url,
            Annotation.start,
            Annotation.end,
            Annotation.quote,
            Annotation.prefix,
            Annotation.suffix,
            Annotation.verdict,
            Annotation.note,
            Annotation.sources,
            updater.name,
            creator.name,
            Annotation.created_at,
            Annotation.updated_at,
            Annotation.deleted_at,
        )
        .join(Article, Article.id == Annotation.article_id)
        .join(updater, updater.id == Annotation.updated_by)
        .join(creator, creator.id == Annotation.created_by)
        .order_by(
            Article.imported_at, Article.original_name, Article.id, Annotation.start, Annotation.end
        )
    )
    if not include_deleted:
        query = query.where(Annotation.deleted_at.is_(None))
    if article_ids is not None:
        query = query.where(Annotation.article_id.in_(list(article_ids)))
    if annotation_ids is not None:
        query = query.where(Annotation.id.in_(list(annotation_ids)))
    if verdicts is not None:
        query = query.where(Annotation.verdict.in_([Verdict(v).value for v in verdicts]))
    if reviewer is not None:
        query = query.where(updater.name == reviewer)
    return [
        AnnotationRow(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            Verdict(r[10]),
            r[11],
            sources_from_json(r[12]),
            r[13],
            r[14],
            r[15],
            r[16],
            r[17],
        )
        for r in session.execute(query)
    ]
