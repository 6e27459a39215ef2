"""Every write to a project goes through here.

Each operation is one transaction holding the change and its audit events, and returns a
ChangeSet: what changed (with the state before and after), a label naming the edit, and the
Edit that takes it back. Undo is that inverse operation, audited like any other change.

Edits of an annotation may name the version the reviewer saw (``expected_version``): if someone
else changed the annotation meanwhile the edit is refused with a Conflict and nothing changes.
Inverses always name the version they undo, so an undo never overwrites a newer change.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, bindparam, func, insert, select, update

from desktop.core import audit
from desktop.core.anchoring import CONTEXT_CHARS, check_span, make_selector
from desktop.core.changes import Change, ChangeSet, Edit
from desktop.core.errors import Conflict, InvalidInput, NotFound, shown
from desktop.core.model import (
    PartialDate,
    Source,
    Verdict,
    check_note,
    check_reviewer_name,
    iso_utc,
    new_id,
    utc_now,
)
from desktop.core.store import Store, reads
from desktop.core.store.reads import CREATOR, UPDATER
from desktop.core.store.schema import (
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
        *,
        add_reviewer_now: bool = True,
    ) -> None:
        """``start`` holds the values of _WRITE_START_COLUMNS when the caller has read them
        along with something else; otherwise they are read here. A reviewer new to the project
        is added (and logged) at once, or with ``add_reviewer_now=False`` at their first
        event (a merge first carries the copy's events over as they were)."""
        self.conn = conn
        self.at = utc_now()
        self.changes: list[Change] = []
        name = check_reviewer_name(reviewer_name)
        if start is None:
            start = conn.execute(_WRITE_START, {"reviewer": name}).one()
        reviewer_id, seq, digest = start
        self._head = audit.EMPTY_CHAIN if seq is None else audit.ChainHead(seq, digest)
        self.name = name
        self._actor = _Actor(reviewer_id, name) if reviewer_id else None
        if self._actor is None and add_reviewer_now:
            self._add_reviewer(name)

    @property
    def reviewer(self) -> _Actor:
        if self._actor is None:
            return self._add_reviewer(self.name)
        return self._actor

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

    def carry(self, events: Sequence[Any]) -> list[list[Any]]:
        """Append events made in a copy of the project, as they were (see audit.carry_events);
        returns their provenance."""
        first = self._head.seq + 1
        self._head, provenance = audit.carry_events(self.conn, events, self._head)
        for seq, event in enumerate(events, start=first):
            self.changes.append(
                Change(seq, event.action, event.entity_type, event.entity_id,
                       event.state("before"), event.state("after"))
            )  # fmt: skip
        return provenance

    def result(self, label: str = "", inverse: Edit | None = None) -> ChangeSet:
        changes = tuple(self.changes)
        # A change that changed nothing has nothing to undo.
        touched = [c for c in changes if c.entity_type != "reviewer"]
        return ChangeSet(changes, label, inverse if touched else None)

    @property
    def head(self) -> audit.ChainHead:
        """The chain's last event so far, this transaction's included."""
        return self._head

    def _add_reviewer(self, name: str) -> _Actor:
        reviewer = _Actor(new_id(), name)
        self.conn.execute(
            _INSERT_REVIEWER,
            {"id": reviewer.id, "name": name, "email": None, "created_at": self.at},
        )
        self._actor = reviewer
        self.record(
            "reviewer.added",
            "reviewer",
            reviewer.id,
            None,
            {"id": reviewer.id, "name": name, "email": None},
        )
        return reviewer


def article_state(article: Mapping[str, Any], deleted_by: str | None = None) -> dict[str, Any]:
    """What the log keeps of an article: metadata and the text's hash, not the text.

    ``deleted_by`` is the name of whoever removed it (the row holds their id);
    ``page_starts`` (in the mapping) are where the pages of a PDF start in the text, None for
    other formats."""
    published = article["published"]
    deleted_at = article.get("deleted_at")
    starts = article.get("page_starts")
    return {
        "id": article["id"],
        "title": article["title"],
        "outlet": article["outlet"],
        "url": article["url"],
        "published": published.isoformat() if published else None,
        "published_precision": article.get("published_precision"),
        "author": article.get("author"),
        "imported_at": iso_utc(article["imported_at"]),
        "original_name": article["original_name"],
        "source_format": article["source_format"],
        "text_length": article["text_length"],
        "text_sha256": article["text_sha256"],
        "fetched_page_id": article.get("fetched_page_id"),
        "page_starts": list(starts) if starts else None,
        "deleted_at": iso_utc(deleted_at) if deleted_at else None,
        "deleted_by": deleted_by,
    }


def fetched_page_state(page: Mapping[str, Any]) -> dict[str, Any]:
    """What the log keeps of a fetched page: how it was fetched and the hashes of its bytes
    and of the text read from it, never the bytes or the text themselves."""
    text = page["text"]
    return {
        "id": page["id"],
        "url": page["url"],
        "final_url": page["final_url"],
        "redirects": list(page["redirects"]),
        "status": page["status"],
        "content_type": page["content_type"],
        "fetched_at": iso_utc(page["fetched_at"]),
        "size": page["size"],
        "sha256": page["sha256"],
        "title": page["title"],
        "text_sha256": _sha256(text) if text is not None else None,
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# An annotation as the log keeps it: reviewers by name, times in ISO 8601.
_STATE_COLUMNS = (
    Annotation.id,
    Annotation.article_id,
    Annotation.start,
    Annotation.end,
    Annotation.quote,
    Annotation.prefix,
    Annotation.suffix,
    Annotation.verdict,
    Annotation.note,
    Annotation.sources,
    Annotation.created_at,
    CREATOR.name,
    Annotation.updated_at,
    UPDATER.name,
    Annotation.deleted_at,
    Annotation.deleted_by,
    Annotation.version,
    Annotation.final,
    Annotation.claim_id,
)
_DELETER_NAME = select(Reviewer.name).where(Reviewer.id == Annotation.deleted_by).scalar_subquery()
_STATE_SELECT = (
    select(*_STATE_COLUMNS[:-4], _DELETER_NAME, *_STATE_COLUMNS[-3:])
    .join(CREATOR, CREATOR.id == Annotation.created_by)
    .join(UPDATER, UPDATER.id == Annotation.updated_by)
)


def _state_from(row: Sequence[Any]) -> dict[str, Any]:
    (aid, article_id, start, end, quote, prefix, suffix, verdict, note, sources, created_at,
     created_by, updated_at, updated_by, deleted_at, deleted_by, version, final,
     claim_id) = row  # fmt: skip
    return {
        "id": aid,
        "article_id": article_id,
        "start": start,
        "end": end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "verdict": verdict,
        "note": note,
        "sources": list(sources),
        "created_at": iso_utc(created_at),
        "created_by": created_by,
        "updated_at": iso_utc(updated_at),
        "updated_by": updated_by,
        "deleted_at": iso_utc(deleted_at) if deleted_at else None,
        "deleted_by": deleted_by,
        "version": version,
        "claim_id": claim_id,
        # Only an adjudicator's final verdict says so; older events have no such key.
        **({"final": True} if final else {}),
    }


def annotation_states(conn: Connection, annotation_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The logged state of each annotation that exists, by id."""
    rows = conn.execute(_STATE_SELECT.where(Annotation.id.in_(list(annotation_ids))))
    return {row[0]: _state_from(row) for row in rows}


def annotation_state(conn: Connection, annotation_id: str) -> dict[str, Any]:
    state = annotation_states(conn, [annotation_id]).get(annotation_id)
    if state is None:
        raise NotFound(f"no annotation with id {shown(annotation_id)}")
    return state


def _check_version(state: dict[str, Any], expected: int | None) -> None:
    """Refuse an edit made on a version that someone else has changed since."""
    if expected is None or state["version"] == expected:
        return
    quote = " ".join(state["quote"].split())
    quote = quote if len(quote) <= 40 else quote[:39] + "…"
    raise Conflict(
        f"‘{quote}’ was changed by {state['updated_by']} at {state['updated_at'][:16]}Z after "
        "you last saw it; nothing was changed",
        entity_id=state["id"],
        expected=expected,
        theirs=state,
    )


# --- project and articles -------------------------------------------------------------------


def record_project_created(store: Store, *, name: str, reviewer: str) -> ChangeSet:
    with store.write() as conn:
        rec = _Recorder(conn, reviewer)
        project_id, title = new_id(), name.strip() or "Untitled project"
        conn.execute(insert(ProjectInfo), {"id": project_id, "name": title, "created_at": rec.at})
        rec.record(
            "project.created",
            "project",
            project_id,
            None,
            {"id": project_id, "name": title, "created_at": iso_utc(rec.at)},
        )
        return rec.result("Create project")


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


def stored_published(value: PartialDate | None) -> tuple[date | None, str | None]:
    """(date column, precision column): a vague date is stored as its first day, with the
    precision saying that the day (or the month) was not given."""
    if value is None:
        return None, None
    return value.first_day(), None if value.precision == "day" else value.precision


def _published_text(day: date | None, precision: str | None) -> str:
    """The stored date as the user writes it ("" for none)."""
    return PartialDate.from_stored(day, precision).isoformat() if day else ""


def check_article_url(url: str | None) -> str | None:
    """The address of an article's original; blank means none."""
    if url is None or not url.strip():
        return None
    try:
        return Source.parse(url).url
    except InvalidInput as exc:
        # Same rules as an evidence link, but the message names what the user typed.
        raise InvalidInput(str(exc).replace("evidence link", "article URL", 1)) from None


def check_title(title: str) -> str:
    """A title the user typed: not blank, one line, not too long."""
    cleaned = title.strip()
    if not cleaned:
        raise InvalidInput("the title cannot be empty")
    if len(cleaned) > MAX_TITLE_CHARS:
        raise InvalidInput(f"title is longer than {MAX_TITLE_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise InvalidInput("title contains line breaks or control characters")
    return cleaned


def check_outlet(outlet: str) -> str:
    cleaned = outlet.strip()
    if len(cleaned) > MAX_OUTLET_CHARS:
        raise InvalidInput(f"outlet is longer than {MAX_OUTLET_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise InvalidInput("outlet contains line breaks or control characters")
    return cleaned


def check_author(author: str) -> str | None:
    """Who wrote an article; blank means not known."""
    cleaned = author.strip()
    if len(cleaned) > MAX_AUTHOR_CHARS:
        raise InvalidInput(f"author is longer than {MAX_AUTHOR_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise InvalidInput("author contains line breaks or control characters")
    return cleaned or None


@dataclass(frozen=True)
class ArticleMeta:
    """What the user says about an article beyond its file; blank means "use the default"."""

    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | date | PartialDate | None = None


def import_articles(
    store: Store,
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
    with store.write() as conn:
        rec = _Recorder(conn, reviewer)
        for item, row in zip(articles, rows, strict=True):
            if item.fetched is not None:
                row["fetched_page_id"] = _add_fetched_page(rec, item.fetched, item.text, item.title)
            row["imported_at"] = rec.at
            row["imported_by"] = rec.reviewer.id
            conn.execute(insert(Article), row)
            if item.page_starts:
                conn.execute(
                    insert(ArticlePage),
                    [
                        {"article_id": row["id"], "page": number, "start": start}
                        for number, start in enumerate(item.page_starts, 1)
                    ],
                )
            state = article_state(row | {"page_starts": item.page_starts})
            rec.record("article.imported", "article", row["id"], None, state)
        count = len(rows)
        inverse = Edit("remove_articles", {"article_ids": [r["id"] for r in rows]})
        return rec.result(f"Import {count} article{'s' if count != 1 else ''}", inverse)


def _add_fetched_page(rec: _Recorder, fetched: Fetched, text: str | None, title: str) -> str:
    """Keep a fetched page (its bytes, when and how it was fetched) with its audit event;
    returns its id."""
    page: dict[str, Any] = {
        "id": new_id(),
        "url": fetched.url,
        "final_url": fetched.final_url,
        "redirects": [r.to_json() for r in fetched.redirects],
        "status": fetched.status,
        "content_type": fetched.content_type[:200],
        "fetched_at": fetched.fetched_at,
        "fetched_by": rec.reviewer.id,
        "size": len(fetched.body),
        "sha256": fetched.sha256,
        "body": fetched.body,
        "title": (title or "")[:MAX_TITLE_CHARS],
        "text": text,
    }
    rec.conn.execute(insert(FetchedPage), page)
    rec.record("page.fetched", "page", page["id"], None, fetched_page_state(page))
    return str(page["id"])


def _page_url(url: str | None) -> str | None:
    """A URL found inside an imported page is kept only if it is a usable web address."""
    try:
        return check_article_url(url)
    except InvalidInput:
        return None


def _article_row(item: ImportedArticle, meta: ArticleMeta) -> dict[str, Any]:
    """Check everything the user gave before the transaction starts."""
    title = (meta.title or "").strip() or item.title.strip()
    if not title:
        raise InvalidInput(f"{shown(item.original_name)}: the title cannot be empty")
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    outlet = (meta.outlet or "").strip() or item.outlet.strip()[:MAX_OUTLET_CHARS]
    if len(outlet) > MAX_OUTLET_CHARS:
        raise InvalidInput(f"outlet is longer than {MAX_OUTLET_CHARS} characters")
    published, precision = stored_published(
        parse_published(meta.published) if _given(meta.published) else item.published
    )
    return {
        "id": new_id(),
        "title": title,
        "outlet": outlet,
        "url": check_article_url(meta.url) or _page_url(item.url),
        "published": published,
        "published_precision": precision,
        "author": item.author.strip()[:MAX_AUTHOR_CHARS] or None,
        "fetched_page_id": None,
        "original_name": item.original_name,
        "source_format": item.source_format,
        "text": item.text,
        "text_length": len(item.text),
        "text_sha256": _sha256(item.text),
    }


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def check_article_edit(
    *,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published: str | date | PartialDate | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    """The checked values of the fields given (None: leave the field alone). A blank outlet,
    URL, date or author clears it; a blank title is refused. ``published`` comes back as a
    PartialDate (or None), which says how much of the date is known."""
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = check_title(title)
    if outlet is not None:
        values["outlet"] = check_outlet(outlet)
    if url is not None:
        values["url"] = check_article_url(url)
    if published is not None:
        values["published"] = parse_published(published)
    if author is not None:
        values["author"] = check_author(author)
    return values


_ARTICLE_STATE = select(
    Article.id,
    Article.title,
    Article.outlet,
    Article.url,
    Article.published,
    Article.published_precision,
    Article.author,
    Article.fetched_page_id,
    Article.imported_at,
    Article.original_name,
    Article.source_format,
    Article.text_length,
    Article.text_sha256,
    Article.deleted_at,
    Article.deleted_by,
    select(Reviewer.name)
    .where(Reviewer.id == Article.deleted_by)
    .scalar_subquery()
    .label("remover"),
)


def _articles(conn: Connection, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of these articles (deleted_by: an id; remover: that reviewer's name), with
    the ``page_starts`` of those read from a PDF."""
    ids = list(dict.fromkeys(article_ids))
    found = _article_rows(conn, ids)
    for article_id in ids:
        if article_id not in found:
            raise NotFound(f"no article with id {shown(article_id)}")
    return [found[i] for i in ids]


def _article_rows(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found = {
        r["id"]: dict(r) for r in conn.execute(_ARTICLE_STATE.where(Article.id.in_(ids))).mappings()
    }
    starts = conn.execute(
        select(ArticlePage.article_id, ArticlePage.start)
        .where(ArticlePage.article_id.in_(ids))
        .order_by(ArticlePage.article_id, ArticlePage.page)
    )
    for article_id, start in starts:
        found[article_id].setdefault("page_starts", []).append(start)
    return found


def article_states(conn: Connection, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The logged state of each article that exists, by id."""
    found = _article_rows(conn, list(dict.fromkeys(article_ids)))
    return {i: article_state(row, row["remover"]) for i, row in found.items()}


def edit_article(
    store: Store,
    article_id: str,
    *,
    reviewer: str,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published: str | date | PartialDate | None = None,
    author: str | None = None,
) -> ChangeSet:
    """Change an article's title, outlet, URL, publication date or author (never its text).
    None leaves a field alone; "" clears it (not the title). A change that changes nothing
    records nothing."""
    values = check_article_edit(
        title=title, outlet=outlet, url=url, published=published, author=author
    )
    if "published" in values:
        values["published"], values["published_precision"] = stored_published(values["published"])
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        (article,) = _articles(conn, [article_id])
        if article["deleted_at"] is not None:
            raise InvalidInput(
                f"article {_clip(article['title'])!r} is removed; restore it before changing it"
            )
        changed = {k: v for k, v in values.items() if article[k] != v}
        if not changed:
            return ChangeSet()
        rec = _Recorder(conn, reviewer)
        before = article_state(article)
        conn.execute(update(Article).where(Article.id == article_id).values(**changed))
        rec.record(
            "article.changed", "article", article_id, before, article_state(article | changed)
        )
        # The undo names the fields as the user gives them: "" for none, dates as written.
        undo = {k: article[k] for k in changed if k != "published_precision"}
        if "published" in changed or "published_precision" in changed:
            undo["published"] = _published_text(
                article["published"], article["published_precision"]
            )
        for key in ("outlet", "url", "author"):
            if key in undo and undo[key] is None:
                undo[key] = ""
        inverse = Edit("edit_article", {"article_id": article_id, **undo})
        return rec.result("Edit article details", inverse)


def remove_article(store: Store, article_id: str, *, reviewer: str) -> ChangeSet:
    """Soft removal; see ``remove_articles``."""
    return remove_articles(store, [article_id], reviewer=reviewer)


def remove_articles(store: Store, article_ids: Sequence[str], *, reviewer: str) -> ChangeSet:
    """Hide articles from listings and exports, with their live annotations, in one
    transaction. Nothing is erased: each article gets an ``article.removed`` event and each of
    its live annotations its own ``annotation.deleted`` event, all stamped with the same time
    and reviewer, which is how ``restore_articles`` finds exactly those annotations again.
    Articles already removed are left as they are."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        todo = [a for a in _articles(conn, article_ids) if a["deleted_at"] is None]
        if not todo:
            return ChangeSet()
        rec = _Recorder(conn, reviewer)
        for article in todo:
            before = article_state(article)
            conn.execute(
                update(Article)
                .where(Article.id == article["id"])
                .values(deleted_at=rec.at, deleted_by=rec.reviewer.id)
            )
            after = article_state(article | {"deleted_at": rec.at}, rec.reviewer.name)
            rec.record("article.removed", "article", article["id"], before, after)
            live = _annotation_ids(conn, article["id"], Annotation.deleted_at.is_(None))
            _mark_deleted(rec, live, deleted=True)
        count = len(todo)
        label = (
            f"Remove article '{_clip(todo[0]['title'], 30)}'"
            if count == 1
            else f"Remove {count} articles"
        )
        ids = [a["id"] for a in todo]
        return rec.result(label, Edit("restore_articles", {"article_ids": ids}))


def restore_article(store: Store, article_id: str, *, reviewer: str) -> ChangeSet:
    return restore_articles(store, [article_id], reviewer=reviewer)


def restore_articles(store: Store, article_ids: Sequence[str], *, reviewer: str) -> ChangeSet:
    """Bring removed articles back with the annotations removed with them (those deleted
    before the removal stay deleted). Articles not removed are left as they are."""
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        todo = [a for a in _articles(conn, article_ids) if a["deleted_at"] is not None]
        if not todo:
            return ChangeSet()
        rec = _Recorder(conn, reviewer)
        for article in todo:
            before = article_state(article, article["remover"])
            conn.execute(
                update(Article)
                .where(Article.id == article["id"])
                .values(deleted_at=None, deleted_by=None)
            )
            after = article_state(article | {"deleted_at": None})
            rec.record("article.restored", "article", article["id"], before, after)
            with_it = _annotation_ids(
                conn,
                article["id"],
                Annotation.deleted_at == article["deleted_at"],
                Annotation.deleted_by == article["deleted_by"],
            )
            _mark_deleted(rec, with_it, deleted=False)
        count = len(todo)
        label = "Restore article" if count == 1 else f"Restore {count} articles"
        ids = [a["id"] for a in todo]
        return rec.result(label, Edit("remove_articles", {"article_ids": ids}))


def _annotation_ids(conn: Connection, article_id: str, *conditions: Any) -> list[str]:
    """An article's annotations meeting ``conditions``, in reading order."""
    return list(
        conn.execute(
            select(Annotation.id)
            .where(Annotation.article_id == article_id, *conditions)
            .order_by(Annotation.start, Annotation.end, Annotation.id)
        ).scalars()
    )


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- annotations ----------------------------------------------------------------------------


def _sources(sources: Sequence[Source | str | Mapping[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for s in sources:
        if isinstance(s, str):
            source = Source.parse(s)
        elif isinstance(s, Source):
            source = Source.parse(s.url, s.title, s.copy)
        else:
            source = Source.parse(s["url"], s.get("title", ""), s.get("copy", ""))
        if all(existing["url"] != source.url for existing in out):
            out.append(source.to_json())
    return out


def _check_copies(conn: Connection, links: list[dict[str, str]] | None) -> None:
    """A saved copy named by a link must be one kept in this project."""
    copies = [link["copy"] for link in links or () if link.get("copy")]
    if not copies:
        return
    found = set(conn.execute(select(FetchedPage.id).where(FetchedPage.id.in_(copies))).scalars())
    for copy in copies:
        if copy not in found:
            raise NotFound(f"no saved page copy with id {copy}")


def _verdict_label(verdict: Verdict) -> str:
    return verdict.value.capitalize()


# The largest offset handed to the database (PostgreSQL's integers are 32-bit, and one is
# added to it); anything past the text is refused after the lookup.
_SQL_OFFSET_LIMIT = 2**31 - 2

# One round trip finds the article's length, the quote with its context (one substr, which
# counts code points like Python and spares loading the whole text; a server fetches a long
# text once for it), a live annotation on the span, whether the article is removed, and what
# the recorder needs (the reviewer's id and the chain's head).
_SPAN_LOOKUP = select(
    Article.text_length,
    func.substr(
        Article.text,
        bindparam("window_from", type_=Integer),
        bindparam("window_len", type_=Integer),
    ),
    select(Annotation.id)
    .where(
        Annotation.article_id == Article.id,
        Annotation.start == bindparam("start", type_=Integer),
        Annotation.end == bindparam("end", type_=Integer),
        Annotation.deleted_at.is_(None),
        # Each reviewer's annotations are their own (agreement compares them): another
        # reviewer's tag on the same span, or an adjudicator's final verdict, stays as it is.
        Annotation.created_by == _WRITE_START_COLUMNS[0],
        Annotation.final.is_(False),
    )
    .limit(1)
    .scalar_subquery(),
    Article.deleted_at,
    Article.title,
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
    store: Store,
    article_id: str,
    start: int,
    end: int,
    verdict: Verdict | str,
    *,
    reviewer: str,
    note: str = "",
    sources: Sequence[Source | str] = (),
) -> ChangeSet:
    """Tag ``text[start:end]``. Tagging exactly the span of one of the reviewer's own live
    annotations changes its verdict (and note and sources, when given) instead of adding a
    duplicate."""
    start, end = _offset(start), _offset(end)
    verdict = Verdict.parse(verdict) if isinstance(verdict, str) else verdict
    note = check_note(note)
    links = _sources(sources)
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        before_len = min(_clamp(start), CONTEXT_CHARS)
        quote_len = _clamp(end - start)
        row = conn.execute(
            _SPAN_LOOKUP,
            {
                "article_id": article_id,
                "window_from": _clamp(start - CONTEXT_CHARS) + 1,
                "window_len": _clamp(before_len + quote_len + CONTEXT_CHARS),
                "start": _clamp(start),
                "end": _clamp(end),
                "reviewer": reviewer,
            },
        ).first()
        if row is None:
            raise NotFound(f"no article with id {shown(article_id)}")
        length, window, existing_id, removed_at, title, *start_values = row
        if removed_at is not None:
            raise InvalidInput(
                f"article {_clip(title)!r} is removed; restore it before annotating it"
            )
        check_span(length, start, end)
        _check_copies(conn, links)
        prefix = window[:before_len]
        quote = window[before_len : before_len + quote_len]
        suffix = window[before_len + quote_len :]
        rec = _Recorder(conn, reviewer, start_values)
        label = f"Tag '{_verdict_label(verdict)}'"
        if existing_id is not None:
            inverse = _apply_update(
                rec, annotation_state(conn, existing_id), verdict, note or None, links or None
            )
            return rec.result(f"Change verdict to '{_verdict_label(verdict)}'", inverse)
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
            "version": 1,
            "claim_id": None,
        }
        conn.execute(_INSERT_ANNOTATION, values)
        # The logged state is the row as annotation_state() reads it back: ISO times and
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
        inverse = Edit(
            "delete_annotations",
            {"annotation_ids": [annotation_id], "expected": {annotation_id: 1}},
        )
        return rec.result(label, inverse)


def update_annotation(
    store: Store,
    annotation_id: str,
    *,
    reviewer: str,
    verdict: Verdict | str | None = None,
    note: str | None = None,
    sources: Sequence[Source | str | Mapping[str, str]] | None = None,
    expected_version: int | None = None,
) -> ChangeSet:
    """Change verdict, note or sources; an update that changes nothing records nothing."""
    parsed = Verdict.parse(verdict) if isinstance(verdict, str) else verdict
    if note is not None:
        check_note(note)
    links = None if sources is None else _sources(sources)
    with store.write() as conn:
        state = annotation_state(conn, annotation_id)
        _check_version(state, expected_version)
        if state["deleted_at"] is not None:
            raise InvalidInput("this annotation is deleted; restore it before changing it")
        _check_copies(conn, links)
        rec = _Recorder(conn, reviewer)
        inverse = _apply_update(rec, state, parsed, note, links)
        return rec.result(_update_label(state, parsed, note, links), inverse)


def save_source_copy(
    store: Store,
    annotation_id: str,
    fetched: Fetched,
    *,
    reviewer: str,
    text: str | None,
    title: str = "",
    expected_version: int | None = None,
) -> ChangeSet:
    """Keep a copy of an evidence link's page (fetched just now) and point the link at it.

    The link is the annotation's source whose URL is the one fetched (added if it has none),
    so the copy shows beside it for good, whatever the page says later. Undoing it points the
    link back where it was; the copy itself stays in the project, like every fetched page.
    """
    source = Source.parse(fetched.url)
    with store.write() as conn:
        state = annotation_state(conn, annotation_id)
        _check_version(state, expected_version)
        if state["deleted_at"] is not None:
            raise InvalidInput("this annotation is deleted; restore it before changing it")
        rec = _Recorder(conn, reviewer)
        page_id = _add_fetched_page(rec, fetched, text, title)
        links = [dict(link) for link in state["sources"]]
        for link in links:
            if link["url"] == source.url:
                link["copy"] = page_id
                break
        else:
            links.append(Source(source.url, title.strip()[:MAX_TITLE_CHARS], page_id).to_json())
        inverse = _apply_update(rec, state, None, None, links)
        return rec.result("Save a copy of the evidence page", inverse)


def _update_label(
    state: dict[str, Any],
    verdict: Verdict | None,
    note: str | None,
    links: list[dict[str, str]] | None,
) -> str:
    if verdict is not None and verdict.value != state["verdict"]:
        return f"Change verdict to '{_verdict_label(verdict)}'"
    if note is not None and note != state["note"]:
        return "Edit note"
    if links is not None:
        old = len(state["sources"])
        if len(links) > old:
            return "Add evidence link"
        if len(links) < old:
            return "Remove evidence link"
        return "Change evidence links"
    return "Change annotation"


def _apply_update(
    rec: _Recorder,
    before: dict[str, Any],
    verdict: Verdict | None,
    note: str | None,
    sources: list[dict[str, str]] | None,
) -> Edit | None:
    """Write the changed fields and their event; returns the Edit that puts them back."""
    values: dict[str, Any] = {}
    undo: dict[str, Any] = {}
    if verdict is not None and verdict.value != before["verdict"]:
        values["verdict"] = verdict.value
        undo["verdict"] = before["verdict"]
    if note is not None and note != before["note"]:
        values["note"] = note
        undo["note"] = before["note"]
    if sources is not None and sources != before["sources"]:
        values["sources"] = sources
        undo["sources"] = before["sources"]
    if not values:
        return None
    version = before["version"] + 1
    rec.conn.execute(
        update(Annotation)
        .where(Annotation.id == before["id"])
        .values(**values, updated_at=rec.at, updated_by=rec.reviewer.id, version=version)
    )
    after = annotation_state(rec.conn, before["id"])
    rec.record("annotation.changed", "annotation", before["id"], before, after)
    return Edit(
        "update_annotation", {"annotation_id": before["id"], **undo, "expected_version": version}
    )


def set_annotation_span(
    store: Store,
    annotation_id: str,
    start: int,
    end: int,
    *,
    reviewer: str,
    expected_version: int | None = None,
) -> ChangeSet:
    """Move an annotation to ``text[start:end]`` of its article: the same annotation (verdict,
    note, sources kept) with a new span, quote and context, in one ``annotation.changed``
    event. The same span records nothing; an empty span, one outside the text, a deleted
    annotation or a span another live annotation has exactly are refused."""
    start, end = _offset(start), _offset(end)
    with store.write() as conn:
        before = annotation_state(conn, annotation_id)
        _check_version(before, expected_version)
        if before["deleted_at"] is not None:
            raise InvalidInput("this annotation is deleted; restore it before changing it")
        if (start, end) == (before["start"], before["end"]):
            return ChangeSet()
        text = conn.execute(select(Article.text).where(Article.id == before["article_id"])).scalar()
        selector = make_selector(text or "", start, end)
        twin = conn.execute(
            select(Annotation.id)
            .where(
                Annotation.article_id == before["article_id"],
                Annotation.start == start,
                Annotation.end == end,
                Annotation.deleted_at.is_(None),
                Annotation.id != annotation_id,
            )
            .limit(1)
        ).scalar()
        if twin is not None:
            raise InvalidInput(
                f"another annotation already covers exactly characters {start}-{end}"
            )
        rec = _Recorder(conn, reviewer)
        version = before["version"] + 1
        conn.execute(
            update(Annotation)
            .where(Annotation.id == annotation_id)
            .values(
                start=selector.start,
                end=selector.end,
                quote=selector.exact,
                prefix=selector.prefix,
                suffix=selector.suffix,
                updated_at=rec.at,
                updated_by=rec.reviewer.id,
                version=version,
            )
        )
        after = annotation_state(conn, annotation_id)
        rec.record("annotation.changed", "annotation", annotation_id, before, after)
        inverse = Edit(
            "set_annotation_span",
            {
                "annotation_id": annotation_id,
                "start": before["start"],
                "end": before["end"],
                "expected_version": version,
            },
        )
        return rec.result("Adjust span", inverse)


def delete_annotation(
    store: Store, annotation_id: str, *, reviewer: str, expected_version: int | None = None
) -> ChangeSet:
    """Soft delete: the annotation is hidden but kept, and can be restored."""
    expected = None if expected_version is None else {annotation_id: expected_version}
    return delete_annotations(store, [annotation_id], reviewer=reviewer, expected=expected)


def restore_annotation(
    store: Store, annotation_id: str, *, reviewer: str, expected_version: int | None = None
) -> ChangeSet:
    expected = None if expected_version is None else {annotation_id: expected_version}
    return restore_annotations(store, [annotation_id], reviewer=reviewer, expected=expected)


def delete_annotations(
    store: Store,
    annotation_ids: Sequence[str],
    *,
    reviewer: str,
    expected: Mapping[str, int] | None = None,
) -> ChangeSet:
    """Soft-delete several annotations in one transaction (one undo step)."""
    return _set_deleted(store, annotation_ids, reviewer=reviewer, deleted=True, expected=expected)


def restore_annotations(
    store: Store,
    annotation_ids: Sequence[str],
    *,
    reviewer: str,
    expected: Mapping[str, int] | None = None,
) -> ChangeSet:
    return _set_deleted(store, annotation_ids, reviewer=reviewer, deleted=False, expected=expected)


def _set_deleted(
    store: Store,
    annotation_ids: Sequence[str],
    *,
    reviewer: str,
    deleted: bool,
    expected: Mapping[str, int] | None,
) -> ChangeSet:
    ids = list(dict.fromkeys(annotation_ids))
    if not ids:
        raise InvalidInput("no annotation given")
    with store.write() as conn:
        states = annotation_states(conn, ids)
        for annotation_id in ids:
            if annotation_id not in states:
                raise NotFound(f"no annotation with id {shown(annotation_id)}")
            _check_version(states[annotation_id], (expected or {}).get(annotation_id))
        todo = [i for i in ids if (states[i]["deleted_at"] is not None) != deleted]
        if not todo:
            return ChangeSet()
        if not deleted:
            _refuse_removed_articles(conn, [states[i]["article_id"] for i in todo])
        rec = _Recorder(conn, reviewer)
        versions = _mark_deleted(rec, todo, deleted=deleted, states=states)
        count = len(todo)
        noun = "annotation" if count == 1 else f"{count} annotations"
        label = f"{'Delete' if deleted else 'Restore'} {noun}"
        inverse = Edit(
            "restore_annotations" if deleted else "delete_annotations",
            {"annotation_ids": todo, "expected": versions},
        )
        return rec.result(label, inverse)


def _mark_deleted(
    rec: _Recorder,
    annotation_ids: Sequence[str],
    *,
    deleted: bool,
    states: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, int]:
    """Delete or restore annotations inside ``rec``'s transaction, one event each; returns
    their new versions."""
    if not annotation_ids:
        return {}
    states = states or annotation_states(rec.conn, annotation_ids)
    action = "annotation.deleted" if deleted else "annotation.restored"
    versions: dict[str, int] = {}
    for annotation_id in annotation_ids:
        before = states[annotation_id]
        versions[annotation_id] = before["version"] + 1
        rec.conn.execute(
            update(Annotation)
            .where(Annotation.id == annotation_id)
            .values(
                deleted_at=rec.at if deleted else None,
                deleted_by=rec.reviewer.id if deleted else None,
                updated_at=rec.at,
                updated_by=rec.reviewer.id,
                version=versions[annotation_id],
            )
        )
        after = annotation_state(rec.conn, annotation_id)
        rec.record(action, "annotation", annotation_id, before, after)
    return versions


def _refuse_removed_articles(conn: Connection, article_ids: Sequence[str]) -> None:
    for article in _articles(conn, article_ids):
        if article["deleted_at"] is not None:
            raise InvalidInput(
                f"the article {_clip(article['title'])!r} of this annotation is removed; "
                "restore the article first"
            )


# --- carrying a verdict to other versions ---------------------------------------------------


@dataclass(frozen=True)
class CarryTarget:
    """Where a claim sits in another version, as the comparison found it."""

    article_id: str
    status: str  # "same", "differs" or "absent"
    start: int | None = None
    end: int | None = None
    differences: tuple[str, ...] = ()  # one line per differing fact, for the note


@dataclass(frozen=True)
class CarrySkip:
    article_id: str
    reason: str  # "absent", "differs", "existing", "source"
    message: str
    start: int | None = None
    end: int | None = None
    existing_id: str | None = None


@dataclass(frozen=True)
class CarryResult:
    """What ``carry`` did. ``changes.inverse`` deletes every created annotation in one step
    (and its own inverse restores them)."""

    changes: ChangeSet
    claim_id: str
    created: tuple[str, ...]
    skipped: tuple[CarrySkip, ...]


CARRY_DIFFERS_VERDICT = Verdict.UNVERIFIED


def carry(
    store: Store,
    annotation_id: str,
    targets: Sequence[CarryTarget],
    *,
    reviewer: str,
    confirm_differs: bool = False,
    differs_verdict: Verdict | None = None,
    with_note: bool = True,
    with_sources: bool = True,
) -> CarryResult:
    """Tag the counterparts of an annotation's claim in other versions, in one transaction
    with one audit event per created annotation. All of them join the source's claim.

    A target that is ``absent`` is refused; one that ``differs`` is carried only with
    ``confirm_differs``, and then not with the source's verdict (a verdict on "38 dead" says
    nothing of "67 killed"): it gets ``differs_verdict`` when the reviewer chose one, else
    ``unverified``, and a note naming the source claim and what differs. A target span that
    already holds a live annotation is left alone and reported.
    """
    reviewer = check_reviewer_name(reviewer)
    with store.write() as conn:
        source = annotation_state(conn, annotation_id)
        if source["deleted_at"] is not None:
            raise InvalidInput("this annotation is deleted; restore it before carrying its verdict")
        claim_id = source["claim_id"] or source["id"]
        articles = {
            a["id"]: a
            for a in _articles(conn, [source["article_id"], *(t.article_id for t in targets)])
        }
        plan: list[tuple[CarryTarget, int, int]] = []
        skipped: list[CarrySkip] = []
        for target in targets:
            skip = _carry_skip(conn, source, target, confirm_differs)
            if skip is not None:
                skipped.append(skip)
                continue
            assert target.start is not None and target.end is not None
            article = articles[target.article_id]
            if article["deleted_at"] is not None:
                raise InvalidInput(
                    f"article {_clip(article['title'])!r} is removed; restore it before "
                    "carrying a verdict to it"
                )
            check_span(article["text_length"], target.start, target.end)
            plan.append((target, target.start, target.end))
        if not plan:
            return CarryResult(ChangeSet(), claim_id, (), tuple(skipped))
        rec = _Recorder(conn, reviewer)
        source_title = articles[source["article_id"]]["title"]
        created: list[str] = []
        for target, start, end in plan:
            if target.status == "differs":
                verdict = (differs_verdict or CARRY_DIFFERS_VERDICT).value
                note = _differs_note(source, source_title, claim_id, target.differences)
            else:
                verdict = source["verdict"]
                note = source["note"] if with_note else ""
            # The texts never change, so the selector is made from the stored text here.
            selector = make_selector(reads.article_text(conn, target.article_id), start, end)
            new = new_id()
            conn.execute(
                _INSERT_ANNOTATION,
                {
                    "id": new,
                    "article_id": target.article_id,
                    "start": start,
                    "end": end,
                    "quote": selector.exact,
                    "prefix": selector.prefix,
                    "suffix": selector.suffix,
                    "verdict": verdict,
                    "note": check_note(note),
                    "sources": list(source["sources"]) if with_sources else [],
                    "created_at": rec.at,
                    "created_by": rec.reviewer.id,
                    "updated_at": rec.at,
                    "updated_by": rec.reviewer.id,
                    "deleted_at": None,
                    "deleted_by": None,
                    "version": 1,
                    "claim_id": claim_id,
                },
            )
            rec.record("annotation.created", "annotation", new, None, annotation_state(conn, new))
            created.append(new)
        count = len(created)
        label = f"Carry verdict to {count} version{'s' if count != 1 else ''}"
        inverse = Edit(
            "delete_annotations",
            {"annotation_ids": created, "expected": dict.fromkeys(created, 1)},
        )
        return CarryResult(rec.result(label, inverse), claim_id, tuple(created), tuple(skipped))


@dataclass(frozen=True)
class TagResult:
    """What ``tag_passages`` did. ``changes.inverse`` deletes every created annotation in one
    step."""

    changes: ChangeSet
    claim_id: str | None
    created: tuple[str, ...]
    skipped: tuple[CarrySkip, ...]


def tag_passages(
    store: Store,
    passages: Sequence[tuple[str, int, int]],
    verdict: Verdict | str,
    *,
    reviewer: str,
    claim_id: str | None = None,
    note: str = "",
) -> TagResult:
    """Tag several passages, (article id, start, end) each, with one verdict: the same claim in
    several versions, tagged at once. One transaction, one audit event per created annotation.

    The annotations join ``claim_id`` (an existing annotation's claim) or, when none is given
    and more than one is made, the claim of the first. A passage that already holds a live
    annotation is left alone and reported, never overwritten.
    """
    parsed = Verdict.parse(verdict) if isinstance(verdict, str) else verdict
    note = check_note(note)
    reviewer = check_reviewer_name(reviewer)
    spans = [(aid, _offset(start), _offset(end)) for aid, start, end in passages]
    if not spans:
        raise InvalidInput("no passage to tag: choose at least one version")
    with store.write() as conn:
        articles = {a["id"]: a for a in _articles(conn, [aid for aid, _s, _e in spans])}
        plan: list[tuple[str, int, int]] = []
        skipped: list[CarrySkip] = []
        for aid, start, end in spans:
            article = articles.get(aid)
            if article is None:
                raise NotFound(f"no article with id {aid}")
            if article["deleted_at"] is not None:
                raise InvalidInput(
                    f"article {_clip(article['title'])!r} is removed; restore it before tagging it"
                )
            check_span(article["text_length"], start, end)
            existing = conn.execute(
                select(Annotation.id, Annotation.verdict)
                .where(
                    Annotation.article_id == aid,
                    Annotation.deleted_at.is_(None),
                    Annotation.start < end,
                    Annotation.end > start,
                )
                .order_by(Annotation.start, Annotation.id)
                .limit(1)
            ).first()
            if existing is not None or any(a == aid and s < end and e > start for a, s, e in plan):
                skipped.append(
                    CarrySkip(
                        aid,
                        "existing",
                        f"already tagged {existing[1]} there; left unchanged"
                        if existing is not None
                        else "the same passage is listed twice",
                        start,
                        end,
                        existing[0] if existing is not None else None,
                    )
                )
                continue
            plan.append((aid, start, end))
        if not plan:
            return TagResult(ChangeSet(), claim_id, (), tuple(skipped))
        rec = _Recorder(conn, reviewer)
        created = [new_id() for _ in plan]
        claim = claim_id or (created[0] if len(created) > 1 else None)
        for new, (aid, start, end) in zip(created, plan, strict=True):
            selector = make_selector(reads.article_text(conn, aid), start, end)
            conn.execute(
                _INSERT_ANNOTATION,
                {
                    "id": new,
                    "article_id": aid,
                    "start": start,
                    "end": end,
                    "quote": selector.exact,
                    "prefix": selector.prefix,
                    "suffix": selector.suffix,
                    "verdict": parsed.value,
                    "note": note,
                    "sources": [],
                    "created_at": rec.at,
                    "created_by": rec.reviewer.id,
                    "updated_at": rec.at,
                    "updated_by": rec.reviewer.id,
                    "deleted_at": None,
                    "deleted_by": None,
                    "version": 1,
                    "claim_id": claim,
                },
            )
            rec.record("annotation.created", "annotation", new, None, annotation_state(conn, new))
        count = len(created)
        label = f"Tag '{_verdict_label(parsed)}' in {count} version{'s' if count != 1 else ''}"
        inverse = Edit(
            "delete_annotations",
            {"annotation_ids": created, "expected": dict.fromkeys(created, 1)},
        )
        return TagResult(rec.result(label, inverse), claim, tuple(created), tuple(skipped))


def _carry_skip(
    conn: Connection, source: Mapping[str, Any], target: CarryTarget, confirm_differs: bool
) -> CarrySkip | None:
    aid = target.article_id
    if aid == source["article_id"]:
        return CarrySkip(aid, "source", "this is the annotation's own article")
    if target.status == "absent" or target.start is None or target.end is None:
        return CarrySkip(aid, "absent", "no counterpart: this version does not make the claim")
    if target.status == "differs" and not confirm_differs:
        return CarrySkip(
            aid,
            "differs",
            "the counterpart states different facts; confirm to carry it (as unverified)",
            target.start,
            target.end,
        )
    existing = conn.execute(
        select(Annotation.id, Annotation.verdict)
        .where(
            Annotation.article_id == aid,
            Annotation.deleted_at.is_(None),
            Annotation.start < target.end,
            Annotation.end > target.start,
        )
        .order_by(Annotation.start, Annotation.id)
        .limit(1)
    ).first()
    if existing is not None:
        return CarrySkip(
            aid,
            "existing",
            f"already tagged {existing[1]} there; left unchanged",
            target.start,
            target.end,
            existing[0],
        )
    return None


def _differs_note(
    source: Mapping[str, Any], source_title: str, claim_id: str, differences: Sequence[str]
) -> str:
    lines = [
        f"Carried from \u201c{source_title}\u201d (claim {claim_id}), where "
        f"\u201c{source['quote']}\u201d is marked {source['verdict']}. This version states it "
        "differently, so its verdict was not copied."
    ]
    lines.extend(f"- {d}" for d in differences)
    return "\n".join(lines)


# Operations that an Edit may name: what undo and redo run.
EDITS: dict[str, Callable[..., ChangeSet]] = {
    "annotate": annotate,
    "update_annotation": update_annotation,
    "delete_annotations": delete_annotations,
    "restore_annotations": restore_annotations,
    "edit_article": edit_article,
    "remove_articles": remove_articles,
    "restore_articles": restore_articles,
    "set_annotation_span": set_annotation_span,
}


def _review_edit(name: str) -> Callable[..., ChangeSet]:
    """A double-checking operation (``review_ops``, which builds on this module), imported
    when an Edit first runs it."""

    def run(store: Store, **kwargs: Any) -> ChangeSet:
        from desktop.core import review_ops

        function: Callable[..., ChangeSet] = getattr(review_ops, name)
        return function(store, **kwargs)

    run.__name__ = name
    return run


EDITS.update(
    {
        name: _review_edit(name)
        for name in (
            "start_blinding",
            "end_blinding",
            "mark_done",
            "unmark_done",
            "change_adjudicators",
            "withdraw_settlements",
            "reinstate_settlements",
        )
    }
)


# --- merging an offline copy ---------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    """What a merge found (``plan``), what was chosen for each conflict, and what changed."""

    plan: Any
    changes: ChangeSet
    chosen: Mapping[str, str]
    undecided: tuple[Any, ...] = ()  # conflicts a dry run found no choice for


def merge_copy(
    store: Store,
    copy: Store,
    *,
    reviewer: str,
    choices: Mapping[str, str] | None = None,
    default: str | None = None,
    dry_run: bool = False,
) -> MergeResult:
    """Bring an offline copy's new work into ``store`` in one transaction (see core.merge).

    The copy must verify. Conflicting edits need a choice each (``choices`` by entity id, or
    ``default``); without one, DecisionsNeeded is raised and nothing changes. Not undoable:
    the merge is recorded in the chain, and each choice is an audited change.
    """
    from desktop.core import merge
    from desktop.core.verify import verify_project

    reviewer = check_reviewer_name(reviewer)
    for choice in [default, *(choices or {}).values()]:
        if choice is not None and choice not in merge.RESOLUTIONS:
            raise InvalidInput(f"unknown choice {choice!r} (choose {', '.join(merge.RESOLUTIONS)})")
    report = verify_project(copy)
    if not report.ok:
        raise merge.MergeRefused(
            f"{copy.location}: the copy does not verify ({report.summary()}); nothing was merged"
        )
    if dry_run:
        with store.read() as conn, copy.read() as other:
            plan = merge.plan_merge(conn, other, copy_name=copy.location)
        chosen, undecided = merge.decide(plan, choices or {}, default)
        return MergeResult(plan, ChangeSet(), chosen, tuple(undecided))
    with store.write() as conn, copy.read() as other:
        plan = merge.plan_merge(conn, other, copy_name=copy.location)
        if plan.nothing_to_do:
            return MergeResult(plan, ChangeSet(), {})
        chosen = merge.resolve(plan, choices or {}, default)
        rec = _Recorder(conn, reviewer, add_reviewer_now=False)
        merge.apply_merge(rec, plan, other, chosen, copy_location=copy.location)
        return MergeResult(plan, rec.result("Merge copy"), chosen)


# --- signed checkpoints ---------------------------------------------------------------------

_SIGNING_KEYS = select(AuditEvent.entity_id, AuditEvent.after).where(
    AuditEvent.entity_type == "signing_key", AuditEvent.after.is_not(None)
)


def sign_checkpoint(store: Store, private_key: Any, *, reviewer: str) -> ChangeSet:
    """Sign the log's current head with an Ed25519 key and log the signature.

    The key's public half is logged first (``signing_key.added``) if the log does not hold it
    yet, so the head signed then includes it. See ``core.signing``.
    """
    import json

    from desktop.core import signing

    line = signing.public_line(private_key)
    fingerprint = signing.fingerprint(line)
    with store.write() as conn:
        rec = _Recorder(conn, reviewer)
        key_id = None
        for entity_id, after in conn.execute(_SIGNING_KEYS):
            if json.loads(str(after)).get("fingerprint") == fingerprint:
                key_id = entity_id
        if key_id is None:
            key_id = new_id()
            rec.record(
                "signing_key.added",
                "signing_key",
                key_id,
                None,
                {
                    "id": key_id,
                    "public_key": line,
                    "fingerprint": fingerprint,
                    "owner": rec.reviewer.name,
                },
            )
        project_id = conn.execute(select(ProjectInfo.id)).scalar()
        head = rec.head
        if project_id is None or head.seq == 0:
            raise InvalidInput("the project has no history to sign yet")
        checkpoint_id = new_id()
        rec.record(
            "checkpoint.signed",
            "checkpoint",
            checkpoint_id,
            None,
            {
                "id": checkpoint_id,
                "key_id": key_id,
                "fingerprint": fingerprint,
                "project_id": project_id,
                "seq": head.seq,
                "head_hash": head.hash,
                "signature": signing.sign(private_key, project_id, head.seq, head.hash),
            },
        )
        return rec.result("Sign checkpoint")
