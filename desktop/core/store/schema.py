"""The tables of a project file. Changed only together with a migration in ``migrations/``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from desktop.core.store.version import HEAD_REVISION, SCHEMA_VERSION  # noqa: F401

# Named constraints let batch migrations on SQLite find and drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; every time is stored in UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), date: Date()}


ID = String(36)


class ProjectInfo(Base):
    """One row: the project's own identity, kept when the file is copied or renamed."""

    __tablename__ = "project"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class Reviewer(Base):
    __tablename__ = "reviewers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime]


class FetchedPage(Base):
    """A web page as it was fetched: the exact bytes, when, and by which way of redirects.

    Kept for an article imported from a URL and for each saved copy of an evidence link, so
    what was read survives the page changing. Its audit event holds ``sha256``, not the bytes.
    """

    __tablename__ = "fetched_pages"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))  # as asked for
    final_url: Mapped[str] = mapped_column(String(2048))  # after redirects
    # Each redirect followed, in order: [{"url": ..., "status": 301}, ...]
    redirects: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(200))
    fetched_at: Mapped[datetime]
    fetched_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Deferred like article texts: listings must not load pages.
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # The readable text and title found in the page (what an evidence copy shows).
    title: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str | None] = mapped_column(Text, deferred=True)


class Article(Base):
    """An imported article. Its text never changes after import; annotations point into it.

    Removal is soft, like an annotation's deletion: the row stays, hidden from listings and
    exports, and can be restored."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    outlet: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(2048))
    published: Mapped[date | None]
    # NULL: ``published`` is exact to the day; "month" or "year": only that much is known and
    # ``published`` holds its first day.
    published_precision: Mapped[str | None] = mapped_column(String(5))
    author: Mapped[str | None] = mapped_column(String(500))
    fetched_page_id: Mapped[str | None] = mapped_column(ForeignKey("fetched_pages.id"))
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))
    original_name: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(10))
    # Deferred: lists of articles must not drag every text along.
    text: Mapped[str] = mapped_column(Text, deferred=True)
    text_length: Mapped[int] = mapped_column(Integer)
    text_sha256: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(ForeignKey("reviewers.id"))


class ArticlePage(Base):
    """Where each page of an article read from a PDF starts in its text (code points)."""

    __tablename__ = "article_pages"
    __table_args__ = (
        PrimaryKeyConstraint("article_id", "page"),
        Index("ix_article_pages_article_start", "article_id", "start", "page"),
    )

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"))
    page: Mapped[int] = mapped_column(Integer)  # 1 for the first page
    start: Mapped[int] = mapped_column(Integer)


class Annotation(Base):
    """A verdict on ``text[start:end]`` of one article; soft-deleted, never removed."""

    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint("verdict IN ('supported', 'disputed', 'unverified')", name="verdict"),
        CheckConstraint('start >= 0 AND "end" > start', name="span"),
        Index("ix_annotations_article_verdict", "article_id", "verdict"),
        Index("ix_annotations_article_span", "article_id", "start", "end"),
        Index("ix_annotations_claim", "claim_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"))
    start: Mapped[int]
    end: Mapped[int]
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text)
    suffix: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(ForeignKey("reviewers.id"))
    # How many audited changes the row has had (1 when created): a reviewer's edit names the
    # version it was made on, and is refused if someone changed the row meanwhile.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # An adjudicator's settled verdict (see Settlement); it counts for no reviewer's agreement.
    final: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Annotations of one claim in different versions share this id; NULL: a claim of its own
    # (its claim id is then its own id).
    claim_id: Mapped[str | None] = mapped_column(ID)


class Blinding(Base):
    """Blind review in force, for one article or (``article_id`` NULL) the whole project.

    While it is, a reviewer sees only their own annotations on an article until they mark it
    done; adjudicators see everything. A row is removed when blinding ends (both audited).
    """

    __tablename__ = "blinding"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    article_id: Mapped[str | None] = mapped_column(ForeignKey("articles.id"))
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))


class DoneMark(Base):
    """A reviewer has finished their own pass over an article."""

    __tablename__ = "done_marks"
    __table_args__ = (UniqueConstraint("article_id", "reviewer_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"))
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))
    done_at: Mapped[datetime]


class Adjudicator(Base):
    """A reviewer allowed to adjudicate and to switch blinding; none listed means anyone."""

    __tablename__ = "adjudicators"

    reviewer_id: Mapped[str] = mapped_column(ForeignKey("reviewers.id"), primary_key=True)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))


class Settlement(Base):
    """An adjudicator's decision on a disagreement (or on the spans every reviewer agreed on).

    Linked to the reviewers' annotations it settles and to the final annotations it made
    (none when the decision is that the text stays untagged). Withdrawn, never removed.
    """

    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'verdict', 'untagged', 'agreed')", name="outcome"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(ForeignKey("reviewers.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(ForeignKey("reviewers.id"))


class SettlementLink(Base):
    """An annotation a settlement settles (``settled``) or made (``final``)."""

    __tablename__ = "settlement_links"
    __table_args__ = (CheckConstraint("role IN ('settled', 'final')", name="role"),)

    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"), primary_key=True)
    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(8))


class AuditEvent(Base):
    """One entry of the append-only log. Triggers refuse UPDATE and DELETE on this table.

    ``before``/``after`` hold canonical JSON text (RFC 8785), so the stored bytes are the
    hashed bytes and anyone can re-check the chain from an export.
    """

    __tablename__ = "audit_events"
    # An entity's events in order (verify replays them; its last one is found at once).
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(ID, unique=True)
    at: Mapped[str] = mapped_column(String(27))
    reviewer_id: Mapped[str] = mapped_column(ID)
    reviewer: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(ID)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Presence(Base):
    """Who has the project open: each open window refreshes its row about every 30 seconds.
    Not part of the project's record, so outside the audit chain; stale rows mean nothing."""

    __tablename__ = "presence"

    session_id: Mapped[str] = mapped_column(ID, primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
