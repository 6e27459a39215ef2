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
from desktop.core.anchoring import CONTEXT_CHARS, check_span
from desktop.core.changes import Change, ChangeSet, Edit
from desktop.core.errors import Conflict, InvalidInput, NotFound
from desktop.core.model import Source, Verdict, check_note, iso_utc, new_id, utc_now
from desktop.core.store import Store
from desktop.core.store.reads import CREATOR, UPDATER
from desktop.core.store.schema import Annotation, Article, AuditEvent, ProjectInfo, Reviewer

if TYPE_CHECKING:
    # Importers pull in HTML, Word and encoding libraries; writes do not need them.
    from desktop.core.importers import ImportedArticle

MAX_REVIEWER_CHARS = 200
MAX_TITLE_CHARS = 500
MAX_OUTLET_CHARS = 200


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


def check_reviewer_name(name: str | None) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise InvalidInput("no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER")
    if len(cleaned) > MAX_REVIEWER_CHARS:
        raise InvalidInput(f"reviewer name is longer than {MAX_REVIEWER_CHARS} characters")
    if any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInput("reviewer name contains control characters")
    return cleaned


def article_state(article: Mapping[str, Any]) -> dict[str, Any]:
    """What the log keeps of an article: metadata and the text's hash, not the text."""
    published = article["published"]
    return {
        "id": article["id"],
        "title": article["title"],
        "outlet": article["outlet"],
        "url": article["url"],
        "published": published.isoformat() if published else None,
        "imported_at": iso_utc(article["imported_at"]),
        "original_name": article["original_name"],
        "source_format": article["source_format"],
        "text_length": article["text_length"],
        "text_sha256": article["text_sha256"],
    }


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
)
_DELETER_NAME = select(Reviewer.name).where(Reviewer.id == Annotation.deleted_by).scalar_subquery()
_STATE_SELECT = (
    select(*_STATE_COLUMNS[:-2], _DELETER_NAME, Annotation.version)
    .join(CREATOR, CREATOR.id == Annotation.created_by)
    .join(UPDATER, UPDATER.id == Annotation.updated_by)
)


def _state_from(row: Sequence[Any]) -> dict[str, Any]:
    (aid, article_id, start, end, quote, prefix, suffix, verdict, note, sources, created_at,
     created_by, updated_at, updated_by, deleted_at, deleted_by, version) = row  # fmt: skip
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
    }


def annotation_states(conn: Connection, annotation_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The logged state of each annotation that exists, by id."""
    rows = conn.execute(_STATE_SELECT.where(Annotation.id.in_(list(annotation_ids))))
    return {row[0]: _state_from(row) for row in rows}


def annotation_state(conn: Connection, annotation_id: str) -> dict[str, Any]:
    state = annotation_states(conn, [annotation_id]).get(annotation_id)
    if state is None:
        raise NotFound(f"no annotation with id {annotation_id}")
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


def parse_published(value: str | None) -> date | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InvalidInput(f"published date {value!r} must be written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"published date {value!r} is not a real date") from None
    if parsed > (utc_now() + timedelta(days=1)).date():
        raise InvalidInput(f"published date {value} is in the future")
    return parsed


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
    published: str | date | None = None


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
        for row in rows:
            row["imported_at"] = rec.at
            row["imported_by"] = rec.reviewer.id
            conn.execute(insert(Article), row)
            rec.record("article.imported", "article", row["id"], None, article_state(row))
        count = len(rows)
        return rec.result(f"Import {count} article{'s' if count != 1 else ''}")


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
        raise InvalidInput(f"{item.original_name}: the title cannot be empty")
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    outlet = (meta.outlet or "").strip()
    if len(outlet) > MAX_OUTLET_CHARS:
        raise InvalidInput(f"outlet is longer than {MAX_OUTLET_CHARS} characters")
    published = meta.published
    return {
        "id": new_id(),
        "title": title,
        "outlet": outlet,
        "url": check_article_url(meta.url) or _page_url(item.url),
        "published": published if isinstance(published, date) else parse_published(published),
        "original_name": item.original_name,
        "source_format": item.source_format,
        "text": item.text,
        "text_length": len(item.text),
        "text_sha256": hashlib.sha256(item.text.encode("utf-8")).hexdigest(),
    }


# --- annotations ----------------------------------------------------------------------------


def _sources(sources: Sequence[Source | str | Mapping[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for s in sources:
        if isinstance(s, str):
            source = Source.parse(s)
        elif isinstance(s, Source):
            source = Source.parse(s.url, s.title)
        else:
            source = Source.parse(s["url"], s.get("title", ""))
        if all(existing["url"] != source.url for existing in out):
            out.append(source.to_json())
    return out


def _verdict_label(verdict: Verdict) -> str:
    return verdict.value.capitalize()


# The largest offset handed to the database (PostgreSQL's integers are 32-bit, and one is
# added to it); anything past the text is refused after the lookup.
_SQL_OFFSET_LIMIT = 2**31 - 2

# One round trip finds the article's length, the quote with its context (one substr, which
# counts code points like Python and spares loading the whole text; a server fetches a long
# text once for it), a live annotation on the span, and what the recorder needs (the
# reviewer's id and the chain's head).
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
    """Tag ``text[start:end]``. Tagging exactly the span of a live annotation changes its
    verdict (and note and sources, when given) instead of adding a duplicate."""
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
            raise NotFound(f"no article with id {article_id}")
        length, window, existing_id, *start_values = row
        check_span(length, start, end)
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
        rec = _Recorder(conn, reviewer)
        inverse = _apply_update(rec, state, parsed, note, links)
        return rec.result(_update_label(state, parsed, note, links), inverse)


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
                raise NotFound(f"no annotation with id {annotation_id}")
            _check_version(states[annotation_id], (expected or {}).get(annotation_id))
        todo = [i for i in ids if (states[i]["deleted_at"] is not None) != deleted]
        if not todo:
            return ChangeSet()
        rec = _Recorder(conn, reviewer)
        action = "annotation.deleted" if deleted else "annotation.restored"
        versions: dict[str, int] = {}
        for annotation_id in todo:
            before = states[annotation_id]
            versions[annotation_id] = before["version"] + 1
            conn.execute(
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
            after = annotation_state(conn, annotation_id)
            rec.record(action, "annotation", annotation_id, before, after)
        count = len(todo)
        noun = "annotation" if count == 1 else f"{count} annotations"
        label = f"{'Delete' if deleted else 'Restore'} {noun}"
        inverse = Edit(
            "restore_annotations" if deleted else "delete_annotations",
            {"annotation_ids": todo, "expected": versions},
        )
        return rec.result(label, inverse)


# Operations that an Edit may name: what undo and redo run.
EDITS: dict[str, Callable[..., ChangeSet]] = {
    "annotate": annotate,
    "update_annotation": update_annotation,
    "delete_annotations": delete_annotations,
    "restore_annotations": restore_annotations,
}


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
