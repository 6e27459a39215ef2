"""Every write to a project goes through here.

Each operation is one transaction holding the change and its audit event, and returns a
ChangeSet with the state before and after, which is also what undo needs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, bindparam, func, insert, select
from sqlalchemy.orm import Session

from desktop.core import audit
from desktop.core.anchoring import CONTEXT_CHARS, check_span
from desktop.core.changes import Change, ChangeSet
from desktop.core.errors import InvalidInput, NotFound
from desktop.core.model import (
    PartialDate,
    Source,
    Verdict,
    check_note,
    iso_utc,
    new_id,
    utc_now,
)
from desktop.core.storage.project import Project
from desktop.core.storage.schema import (
    Annotation,
    Article,
    ArticlePage,
    AuditEvent,
    FetchedPage,
    ProjectInfo,
    Reviewer,
)

if TYPE_CHECKING:
    # Importers pull in HTML, Word, PDF and HTTP libraries; writes do not need them.
    from desktop.core.fetch import FetchedPage as Fetched
    from desktop.core.importers import ImportedArticle

MAX_REVIEWER_CHARS = 200
MAX_TITLE_CHARS = 500
MAX_OUTLET_CHARS = 200
MAX_AUTHOR_CHARS = 500


@dataclass(frozen=True)
class _Actor:
    """The reviewer making a change, as the log names them."""

    id: str
    name: str


def _last_event(column: Any) -> Any:
    return select(column).order_by(AuditEvent.seq.desc()).limit(1).scalar_subquery()


# What every write needs first: the reviewer's id (None if new) and the chain's head.
_WRITE_START_COLUMNS = (
    select(Reviewer.id).where(Reviewer.name == bindparam("reviewer")).scalar_subquery(),
    _last_event(AuditEvent.seq),
    _last_event(AuditEvent.hash),
)
_WRITE_START = select(*_WRITE_START_COLUMNS)
_INSERT_REVIEWER = insert(Reviewer)


class _Recorder:
    """Collects the audit events of one transaction."""

    def __init__(
        self,
        conn: Connection,
        reviewer_name: str,
        start: Sequence[Any] | None = None,
    ) -> None:
        """``start`` holds the values of _WRITE_START_COLUMNS when the caller has read them
        along with something else; otherwise they are read here."""
        self.conn = conn
        self.at = utc_now()
        self.changes: list[Change] = []
        name = check_reviewer_name(reviewer_name)
        if start is None:
            start = conn.execute(_WRITE_START, {"reviewer": name}).one()
        reviewer_id, seq, digest = start
        self._head = audit.EMPTY_CHAIN if seq is None else audit.ChainHead(seq, digest)
        self.reviewer = _Actor(reviewer_id, name) if reviewer_id else self._add_reviewer(name)

    def record(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self._head = audit.append_event(
            self.conn,
            reviewer_id=self.reviewer.id,
            reviewer=self.reviewer.name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
            at=self.at,
            head=self._head,
        )
        self.changes.append(Change(self._head.seq, action, entity_type, entity_id, before, after))

    def result(self) -> ChangeSet:
        return ChangeSet(tuple(self.changes))

    def _add_reviewer(self, name: str) -> _Actor:
        reviewer = _Actor(new_id(), name)
        self.conn.execute(
            _INSERT_REVIEWER,
            {"id": reviewer.id, "name": name, "email": None, "created_at": self.at},
        )
        self.reviewer = reviewer
        self.record(
            "reviewer.added",
            "reviewer",
            reviewer.id,
            None,
            {"id": reviewer.id, "name": name, "email": None},
        )
        return reviewer


def check_reviewer_name(name: str | None) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise InvalidInput("no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER")
    if len(cleaned) > MAX_REVIEWER_CHARS:
        raise InvalidInput(f"reviewer name is longer than {MAX_REVIEWER_CHARS} characters")
    if any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInput("reviewer name contains control characters")
    return cleaned


def article_state(article: Article, page_starts: Sequence[int] | None = None) -> dict[str, Any]:
    """What the log keeps of an article: metadata and the text's hash, not the text.

    ``page_starts`` are where the pages of a PDF start in the text (None for other formats).
    """
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "published_precision": article.published_precision,
        "author": article.author,
        "imported_at": iso_utc(article.imported_at),
        "original_name": article.original_name,
        "source_format": article.source_format,
        "text_length": article.text_length,
        "text_sha256": article.text_sha256,
        "fetched_page_id": article.fetched_page_id,
        "page_starts": list(page_starts) if page_starts else None,
    }


def fetched_page_state(page: FetchedPage) -> dict[str, Any]:
    """What the log keeps of a fetched page: how it was fetched and the hashes of its bytes
    and of the text read from it, never the bytes or the text themselves."""
    return {
        "id": page.id,
        "url": page.url,
        "final_url": page.final_url,
        "redirects": list(page.redirects),
        "status": page.status,
        "content_type": page.content_type,
        "fetched_at": iso_utc(page.fetched_at),
        "size": page.size,
        "sha256": page.sha256,
        "title": page.title,
        "text_sha256": _sha256(page.text) if page.text is not None else None,
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def annotation_state(session: Session, a: Annotation) -> dict[str, Any]:
    def name(reviewer_id: str | None) -> str | None:
        return None if reviewer_id is None else session.get_one(Reviewer, reviewer_id).name

    return {
        "id": a.id,
        "article_id": a.article_id,
        "start": a.start,
        "end": a.end,
        "quote": a.quote,
        "prefix": a.prefix,
        "suffix": a.suffix,
        "verdict": a.verdict,
        "note": a.note,
        "sources": list(a.sources),
        "created_at": iso_utc(a.created_at),
        "created_by": name(a.created_by),
        "updated_at": iso_utc(a.updated_at),
        "updated_by": name(a.updated_by),
        "deleted_at": iso_utc(a.deleted_at) if a.deleted_at else None,
        "deleted_by": name(a.deleted_by),
    }


# --- project and articles -------------------------------------------------------------------


def record_project_created(project: Project, *, name: str, reviewer: str) -> ChangeSet:
    with project.write() as session:
        rec = _Recorder(session.connection(), reviewer)
        info = ProjectInfo(id=new_id(), name=name.strip() or "Untitled project", created_at=rec.at)
        session.add(info)
        rec.record(
            "project.created",
            "project",
            info.id,
            None,
            {"id": info.id, "name": info.name, "created_at": iso_utc(info.created_at)},
        )
        return rec.result()


def parse_published(value: str | date | PartialDate | None) -> PartialDate | None:
    """A publication date as the user gives it: YYYY-MM-DD, or YYYY-MM or YYYY when only that
    much is known. Blank means none."""
    if isinstance(value, PartialDate):
        parsed: PartialDate = value
    elif isinstance(value, date):
        parsed = PartialDate.from_date(value)
    else:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise InvalidInput(
                f"published date {value!r} must be written YYYY-MM-DD "
                "(or YYYY-MM or YYYY when only that is known)"
            )
        try:
            parsed = PartialDate.parse(value)
        except ValueError:
            raise InvalidInput(f"published date {value!r} is not a real date") from None
    if parsed.first_day() > (utc_now() + timedelta(days=1)).date():
        raise InvalidInput(f"published date {parsed.isoformat()} is in the future")
    return parsed


def _stored_published(value: PartialDate | None) -> tuple[date | None, str | None]:
    """(date column, precision column): a vague date is stored as its first day, with the
    precision saying that the day (or the month) was not given."""
    if value is None:
        return None, None
    return value.first_day(), None if value.precision == "day" else value.precision


def check_article_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    return Source.parse(url).url


@dataclass(frozen=True)
class ArticleMeta:
    """What the user says about an article beyond its file; blank means "use the default"."""

    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | date | PartialDate | None = None


def import_articles(
    project: Project,
    articles: Sequence[ImportedArticle],
    *,
    reviewer: str,
    meta: ArticleMeta | Sequence[ArticleMeta] = ArticleMeta(),
) -> ChangeSet:
    """Add articles in one transaction: all of them or none.

    ``meta`` is one ArticleMeta for every file, or one per file.
    """
    if not articles:
        raise InvalidInput("no files to import")
    if isinstance(meta, ArticleMeta):
        if len(articles) > 1 and ((meta.title or "").strip() or (meta.url or "").strip()):
            raise InvalidInput("a title or URL names one article: import the files one at a time")
        metas: Sequence[ArticleMeta] = [meta] * len(articles)
    else:
        metas = meta
    if len(metas) != len(articles):
        raise InvalidInput("one set of article details is needed per file")
    rows = [_article_row(item, m) for item, m in zip(articles, metas, strict=True)]
    with project.write() as session:
        rec = _Recorder(session.connection(), reviewer)
        for item, article in zip(articles, rows, strict=True):
            if item.fetched is not None:
                page = _add_fetched_page(session, rec, item.fetched, item.text, item.title)
                article.fetched_page_id = page.id
            article.imported_at = rec.at
            article.imported_by = rec.reviewer.id
            session.add(article)
            if item.page_starts:
                session.flush()  # the pages refer to the article
                session.add_all(
                    ArticlePage(article_id=article.id, page=number, start=start)
                    for number, start in enumerate(item.page_starts, 1)
                )
            state = article_state(article, item.page_starts)
            rec.record("article.imported", "article", article.id, None, state)
        return rec.result()


def _add_fetched_page(
    session: Session, rec: _Recorder, fetched: Fetched, text: str | None, title: str
) -> FetchedPage:
    """Keep a fetched page (its bytes, when and how it was fetched) with its audit event."""
    page = FetchedPage(
        id=new_id(),
        url=fetched.url,
        final_url=fetched.final_url,
        redirects=[r.to_json() for r in fetched.redirects],
        status=fetched.status,
        content_type=fetched.content_type[:200],
        fetched_at=fetched.fetched_at,
        fetched_by=rec.reviewer.id,
        size=len(fetched.body),
        sha256=fetched.sha256,
        body=fetched.body,
        title=(title or "")[:MAX_TITLE_CHARS],
        text=text,
    )
    session.add(page)
    session.flush()
    rec.record("page.fetched", "page", page.id, None, fetched_page_state(page))
    return page


def _page_url(url: str | None) -> str | None:
    """A URL found inside an imported page is kept only if it is a usable web address."""
    try:
        return check_article_url(url)
    except InvalidInput:
        return None


def _article_row(item: ImportedArticle, meta: ArticleMeta) -> Article:
    """Check everything the user gave before the transaction starts."""
    title = (meta.title or "").strip() or item.title.strip()
    if not title:
        raise InvalidInput(f"{item.original_name}: the title cannot be empty")
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    outlet = (meta.outlet or "").strip() or item.outlet.strip()[:MAX_OUTLET_CHARS]
    if len(outlet) > MAX_OUTLET_CHARS:
        raise InvalidInput(f"outlet is longer than {MAX_OUTLET_CHARS} characters")
    published, precision = _stored_published(
        parse_published(meta.published) if _given(meta.published) else item.published
    )
    return Article(
        id=new_id(),
        title=title,
        outlet=outlet,
        url=check_article_url(meta.url) or _page_url(item.url),
        published=published,
        published_precision=precision,
        author=item.author.strip()[:MAX_AUTHOR_CHARS] or None,
        original_name=item.original_name,
        source_format=item.source_format,
        text=item.text,
        text_length=len(item.text),
        text_sha256=_sha256(item.text),
    )


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


_UNSET: Any = object()


def update_article(
    project: Project,
    article_id: str,
    *,
    reviewer: str,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = _UNSET,
    published: str | date | PartialDate | None = _UNSET,
    author: str | None = _UNSET,
) -> ChangeSet:
    """Correct an article's details (never its text). ``url``, ``published`` and ``author``
    given as None or "" clear them; a change that changes nothing records nothing."""
    with project.write() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise NotFound(f"no article with id {article_id}")
        starts = _page_starts(session, article_id)
        before = article_state(article, starts)
        if title is not None:
            cleaned = title.strip()
            if not cleaned:
                raise InvalidInput("the title cannot be empty")
            if len(cleaned) > MAX_TITLE_CHARS:
                raise InvalidInput(f"title is longer than {MAX_TITLE_CHARS} characters")
            article.title = cleaned
        if outlet is not None:
            if len(outlet.strip()) > MAX_OUTLET_CHARS:
                raise InvalidInput(f"outlet is longer than {MAX_OUTLET_CHARS} characters")
            article.outlet = outlet.strip()
        if url is not _UNSET:
            article.url = check_article_url(url)
        if published is not _UNSET:
            article.published, article.published_precision = _stored_published(
                parse_published(published)
            )
        if author is not _UNSET:
            cleaned_author = (author or "").strip()
            if len(cleaned_author) > MAX_AUTHOR_CHARS:
                raise InvalidInput(f"author is longer than {MAX_AUTHOR_CHARS} characters")
            article.author = cleaned_author or None
        after = article_state(article, starts)
        if after == before:
            return ChangeSet()
        rec = _Recorder(session.connection(), reviewer)
        session.flush()
        rec.record("article.changed", "article", article.id, before, after)
        return rec.result()


def _page_starts(session: Session, article_id: str) -> list[int]:
    return list(
        session.scalars(
            select(ArticlePage.start)
            .where(ArticlePage.article_id == article_id)
            .order_by(ArticlePage.page)
        )
    )


# --- annotations ----------------------------------------------------------------------------


def _sources(sources: Sequence[Source | str]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for s in sources:
        source = Source.parse(s) if isinstance(s, str) else Source.parse(s.url, s.title, s.copy)
        if all(existing["url"] != source.url for existing in out):
            out.append(source.to_json())
    return out


def _check_copies(conn: Connection, links: list[dict[str, str]] | None) -> None:
    """A saved copy named by a link must be one kept in this project."""
    copies = [link["copy"] for link in links or () if link.get("copy")]
    if not copies:
        return
    found = set(conn.scalars(select(FetchedPage.id).where(FetchedPage.id.in_(copies))))
    for copy in copies:
        if copy not in found:
            raise NotFound(f"no saved page copy with id {copy}")


# The largest offset handed to SQLite; anything past the text is refused after the lookup.
_SQL_OFFSET_LIMIT = 2**62

# One round trip finds the article's length, the quote with its context (substr counts code
# points, like Python, and spares loading the whole text), a live annotation on the span, and
# what the recorder needs (the reviewer's id and the chain's head).
_SPAN_LOOKUP = select(
    Article.text_length,
    func.substr(
        Article.text, bindparam("quote_from", type_=Integer), bindparam("quote_len", type_=Integer)
    ),
    func.substr(
        Article.text,
        bindparam("prefix_from", type_=Integer),
        bindparam("prefix_len", type_=Integer),
    ),
    func.substr(Article.text, bindparam("suffix_from", type_=Integer), CONTEXT_CHARS),
    select(Annotation.id)
    .where(
        Annotation.article_id == Article.id,
        Annotation.start == bindparam("start", type_=Integer),
        Annotation.end == bindparam("end", type_=Integer),
        Annotation.deleted_at.is_(None),
    )
    .limit(1)
    .scalar_subquery(),
    *_WRITE_START_COLUMNS,
).where(Article.id == bindparam("article_id"))
_INSERT_ANNOTATION = insert(Annotation)


def _offset(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"span offsets must be whole numbers, not {value!r}")
    return value


def _clamp(offset: int) -> int:
    return max(0, min(offset, _SQL_OFFSET_LIMIT))


def annotate(
    project: Project,
    article_id: str,
    start: int,
    end: int,
    verdict: Verdict | str,
    *,
    reviewer: str,
    note: str = "",
    sources: Sequence[Source | str] = (),
) -> ChangeSet:
    """Tag ``text[start:end]``. Tagging exactly the span of a live annotation changes its
    verdict (and note and sources, when given) instead of adding a duplicate."""
    start, end = _offset(start), _offset(end)
    verdict = Verdict.parse(verdict) if isinstance(verdict, str) else verdict
    note = check_note(note)
    links = _sources(sources)
    reviewer = check_reviewer_name(reviewer)
    # A bare connection: this is the write made most often, and the ORM's bookkeeping would
    # be a large part of its cost.
    with project.write_connection() as conn:
        row = conn.execute(
            _SPAN_LOOKUP,
            {
                "article_id": article_id,
                "quote_from": _clamp(start) + 1,
                "quote_len": _clamp(end - start),
                "prefix_from": _clamp(start - CONTEXT_CHARS) + 1,
                "prefix_len": min(_clamp(start), CONTEXT_CHARS),
                "suffix_from": _clamp(end) + 1,
                "start": _clamp(start),
                "end": _clamp(end),
                "reviewer": reviewer,
            },
        ).first()
        if row is None:
            raise NotFound(f"no article with id {article_id}")
        length, quote, prefix, suffix, existing_id, *start_values = row
        check_span(length, start, end)
        _check_copies(conn, links)
        rec = _Recorder(conn, reviewer, start_values)
        if existing_id is not None:
            # The session joins the connection's transaction; its changes commit with it.
            with Session(conn) as session:
                _apply_update(
                    session,
                    rec,
                    _get_annotation(session, existing_id),
                    verdict=verdict,
                    note=note or None,
                    sources=links or None,
                )
            return rec.result()
        annotation_id = new_id()
        values: dict[str, Any] = {
            "id": annotation_id,
            "article_id": article_id,
            "start": start,
            "end": end,
            "quote": quote,
            "prefix": prefix,
            "suffix": suffix,
            "verdict": verdict.value,
            "note": note,
            "sources": links,
            "created_at": rec.at,
            "created_by": rec.reviewer.id,
            "updated_at": rec.at,
            "updated_by": rec.reviewer.id,
            "deleted_at": None,
            "deleted_by": None,
        }
        rec.conn.execute(_INSERT_ANNOTATION, values)
        # The logged state is the row as annotation_state() would read it back: ISO times and
        # reviewers by name.
        stamp = iso_utc(rec.at)
        state = values | {
            "sources": list(links),
            "created_at": stamp,
            "created_by": rec.reviewer.name,
            "updated_at": stamp,
            "updated_by": rec.reviewer.name,
        }
        rec.record("annotation.created", "annotation", annotation_id, None, state)
        return rec.result()


def update_annotation(
    project: Project,
    annotation_id: str,
    *,
    reviewer: str,
    verdict: Verdict | str | None = None,
    note: str | None = None,
    sources: Sequence[Source | str] | None = None,
) -> ChangeSet:
    """Change verdict, note or sources; an update that changes nothing records nothing."""
    parsed = Verdict.parse(verdict) if isinstance(verdict, str) else verdict
    if note is not None:
        check_note(note)
    links = None if sources is None else _sources(sources)
    with project.write() as session:
        annotation = _get_annotation(session, annotation_id)
        if annotation.deleted_at is not None:
            raise InvalidInput("this annotation is deleted; restore it before changing it")
        _check_copies(session.connection(), links)
        rec = _Recorder(session.connection(), reviewer)
        _apply_update(session, rec, annotation, verdict=parsed, note=note, sources=links)
        return rec.result()


def save_source_copy(
    project: Project,
    annotation_id: str,
    fetched: Fetched,
    *,
    reviewer: str,
    text: str | None,
    title: str = "",
) -> ChangeSet:
    """Keep a copy of an evidence link's page (fetched just now) and point the link at it.

    The link is the annotation's source whose URL is the one fetched (added if it has none),
    so the copy shows beside it for good, whatever the page says later.
    """
    source = Source.parse(fetched.url)
    with project.write() as session:
        annotation = _get_annotation(session, annotation_id)
        if annotation.deleted_at is not None:
            raise InvalidInput("this annotation is deleted; restore it before changing it")
        rec = _Recorder(session.connection(), reviewer)
        page = _add_fetched_page(session, rec, fetched, text, title)
        links = [dict(link) for link in annotation.sources]
        for link in links:
            if link["url"] == source.url:
                link["copy"] = page.id
                break
        else:
            links.append(Source(source.url, title.strip()[:MAX_TITLE_CHARS], page.id).to_json())
        _apply_update(session, rec, annotation, verdict=None, note=None, sources=links)
        return rec.result()


def _apply_update(
    session: Session,
    rec: _Recorder,
    annotation: Annotation,
    *,
    verdict: Verdict | None,
    note: str | None,
    sources: list[dict[str, str]] | None,
) -> None:
    before = annotation_state(session, annotation)
    changed = False
    if verdict is not None and verdict.value != annotation.verdict:
        annotation.verdict = verdict.value
        changed = True
    if note is not None and note != annotation.note:
        annotation.note = note
        changed = True
    if sources is not None and sources != list(annotation.sources):
        annotation.sources = sources
        changed = True
    if not changed:
        return
    annotation.updated_at = rec.at
    annotation.updated_by = rec.reviewer.id
    session.flush()
    rec.record(
        "annotation.changed",
        "annotation",
        annotation.id,
        before,
        annotation_state(session, annotation),
    )


def delete_annotation(project: Project, annotation_id: str, *, reviewer: str) -> ChangeSet:
    """Soft delete: the annotation is hidden but kept, and can be restored."""
    return _set_deleted(project, annotation_id, reviewer=reviewer, deleted=True)


def restore_annotation(project: Project, annotation_id: str, *, reviewer: str) -> ChangeSet:
    return _set_deleted(project, annotation_id, reviewer=reviewer, deleted=False)


def _set_deleted(
    project: Project, annotation_id: str, *, reviewer: str, deleted: bool
) -> ChangeSet:
    with project.write() as session:
        annotation = _get_annotation(session, annotation_id)
        if (annotation.deleted_at is not None) == deleted:
            return ChangeSet()
        rec = _Recorder(session.connection(), reviewer)
        before = annotation_state(session, annotation)
        annotation.deleted_at = rec.at if deleted else None
        annotation.deleted_by = rec.reviewer.id if deleted else None
        annotation.updated_at = rec.at
        annotation.updated_by = rec.reviewer.id
        session.flush()
        action = "annotation.deleted" if deleted else "annotation.restored"
        rec.record(
            action, "annotation", annotation.id, before, annotation_state(session, annotation)
        )
        return rec.result()


def _get_annotation(session: Session, annotation_id: str) -> Annotation:
    annotation = session.get(Annotation, annotation_id)
    if annotation is None:
        raise NotFound(f"no annotation with id {annotation_id}")
    return annotation
