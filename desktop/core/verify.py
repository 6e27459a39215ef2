"""Checking a whole project: the database's own checks, the audit guards, the hash chain, and
that article texts and quotes are still what was imported and tagged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.core.audit import ChainReport, verify_chain
from desktop.core.merge import check_provenance
from desktop.core.store import Store
from desktop.core.store.schema import Annotation, Article


@dataclass(frozen=True)
class VerifyReport:
    chain: ChainReport
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (
                f"OK: {self.chain.events} audit events, chain intact "
                f"(head {self.chain.head_hash}); integrity and foreign keys checked"
            )
        return "; ".join(self.problems)


def verify_project(store: Store) -> VerifyReport:
    """Check everything; a project too damaged to read raises a one-line CrosscheckError."""
    with store.translate_errors():
        problems = list(store.check_database())
        chain = verify_chain(store)
        if not chain.ok:
            problems.append(f"audit chain broken at {chain.problem}")
        problems.extend(_check_texts_and_quotes(store))
        with store.read() as conn:
            problems.extend(check_provenance(conn))
    return VerifyReport(chain=chain, problems=problems)


def _check_texts_and_quotes(store: Store) -> list[str]:
    """Every article's text against its SHA-256, and every quote against its article's text,
    one article in memory at a time."""
    problems: list[str] = []
    with store.read() as conn:
        articles = conn.execute(
            select(Article.id, Article.title, Article.text_sha256).order_by(Article.imported_at)
        ).all()
        for article_id, title, digest in articles:
            text = conn.execute(select(Article.text).where(Article.id == article_id)).scalar()
            text = text or ""
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
                problems.append(f"article {title!r} ({article_id}): text differs from the import")
            spans = conn.execute(
                select(Annotation.id, Annotation.start, Annotation.end, Annotation.quote)
                .where(Annotation.article_id == article_id)
                .order_by(Annotation.id)
            )
            for annotation_id, start, end, quote in spans:
                if end > len(text) or text[start:end] != quote:
                    problems.append(
                        f"annotation {annotation_id}: its quote no longer matches the article text"
                    )
                    return problems
    return problems
