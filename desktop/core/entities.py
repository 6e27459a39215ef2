"""What a project holds, entity type by entity type, as copying and merging need to know it.

Every audited change names an entity (``entity_type``, ``entity_id``) and logs its state
before and after (None after: the entity's row was removed, as when blind review ends). A
``Kind`` says, for one entity type, which table holds it (and which tables hold rows made with
it and never changed after, such as an article's PDF pages), how to read the state the log
keeps of it, how to turn such a state back into rows of this project (reviewers are logged by
name, rows point at them by id; what the log keeps only as a hash, such as an article's text,
comes from the other project's row and is checked against that hash), which fields a reviewer
edits (two copies that changed different things are not in conflict) and how two edited
versions combine.

A new entity type becomes copyable and mergeable by adding its Kind to ``KINDS``; a test
checks that every table of the record belongs to one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from desktop.core.store.reads import CHUNK
from desktop.core.store.schema import (
    Adjudicator,
    Article,
    Base,
    Blinding,
    DoneMark,
    FetchedPage,
    ProjectInfo,
    Reviewer,
    Settlement,
)

State = dict[str, Any]


class RowContext:
    """What turning a logged state into rows needs: the destination's reviewers by name, and
    the source's own rows for what the log does not keep (an article's text, a page's bytes)."""

    def __init__(
        self,
        reviewer_ids: Mapping[str, str],
        source: Connection | None,
        source_reviewer_names: Mapping[str, str] | None = None,
    ) -> None:
        self.reviewer_ids = reviewer_ids
        self.source = source
        self.source_reviewer_names = source_reviewer_names or {}

    def reviewer_id(self, name: str | None) -> str | None:
        if name is None:
            return None
        try:
            return self.reviewer_ids[name]
        except KeyError:
            raise LookupError(f"reviewer {name!r} is not in the project") from None

    def source_reviewer(self, reviewer_id: str | None) -> str | None:
        """The destination's id of the reviewer the source's row names by the source's id."""
        if reviewer_id is None:
            return None
        name = self.source_reviewer_names.get(reviewer_id)
        if name is None:
            raise LookupError(f"reviewer {reviewer_id} is not in the copy")
        return self.reviewer_id(name)

    def source_row(self, table: Table, key: str, entity_id: str) -> dict[str, Any]:
        if self.source is None:
            raise LookupError(f"no row {entity_id} to read")
        row = self.source.execute(select(table).where(table.c[key] == entity_id)).first()
        if row is None:
            raise LookupError(f"{table.name} {entity_id} is missing")
        return dict(row._mapping)

    def source_children(self, table: Table, column: str, entity_id: str) -> list[dict[str, Any]]:
        if self.source is None:
            return []
        pk = list(table.primary_key.columns)
        rows = self.source.execute(select(table).where(table.c[column] == entity_id).order_by(*pk))
        return [dict(r._mapping) for r in rows]


@dataclass(frozen=True)
class Kind:
    """One entity type.

    ``key``: the column of ``table`` holding the entity's id; ``updatable``: the columns an
    update writes. ``children``: tables (with the
    column naming the entity) whose rows are made with the entity and never change after;
    ``to_row`` returns the entity's row and, by table, its children's rows. ``own`` picks what
    a state says of the entity itself (not, say, an article title copied into it for the
    reader), which is what is compared. ``content`` picks what a reviewer edits (compared to
    find conflicts); ``combine`` (shared, copy, base) merges two edited states, or is None when
    only one side can be kept; ``restamp`` marks a state as changed now by a reviewer (None
    for entities without a version). ``same`` finds, in a project, the id of an entity equal to
    this state but made there on its own (a done mark of the same reviewer on the same
    article), for entities that a project holds at most once.
    """

    entity_type: str
    table: Table
    states: Callable[[Connection, Sequence[str]], dict[str, State]]
    to_row: Callable[[State, RowContext], tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]]
    content: Callable[[State], Any]
    describe: Callable[[State], str]
    fields: Callable[[State], list[tuple[str, str]]]
    key: str = "id"
    # The columns a change may touch (None: all but the key). An article's text, a
    # settlement's decision are never changed, and a server's application role may not.
    updatable: tuple[str, ...] | None = None
    children: tuple[tuple[Table, str], ...] = ()
    own: Callable[[State], Any] = field(default=lambda s: s)
    combine: Callable[[State, State, State | None], State] | None = None
    restamp: Callable[[State, State, datetime, str], State] | None = None
    same: Callable[[Connection, State], str | None] | None = None

    @property
    def tables(self) -> list[Table]:
        return [self.table, *(t for t, _c in self.children)]


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _time(value: str) -> datetime:
    parsed = _parse_time(value)
    assert parsed is not None
    return parsed


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


def _one_line(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _without(*keys: str) -> Callable[[State], State]:
    return lambda s: {k: v for k, v in s.items() if k not in keys}


def _fieldwise(groups: Sequence[Sequence[str]]) -> Callable[[State, State, State | None], State]:
    """A three-way merge by groups of fields that go together: what only the copy changed is
    taken, what both changed keeps the shared value."""

    def combine(shared: State, copy: State, base: State | None) -> State:
        out = dict(shared)
        for keys in groups:
            mine = [copy.get(k) for k in keys]
            if base is not None and mine == [base.get(k) for k in keys]:
                continue  # the copy did not change it
            if base is None or [shared.get(k) for k in keys] == [base.get(k) for k in keys]:
                out.update({k: copy.get(k) for k in keys})
        return out

    return combine


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    return _one_line(str(value), 70)


# --- project -------------------------------------------------------------------------------


def _project_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.model import iso_utc

    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(ProjectInfo.id, ProjectInfo.name, ProjectInfo.created_at).where(
                ProjectInfo.id.in_(chunk)
            )
        )
        out.update({r[0]: {"id": r[0], "name": r[1], "created_at": iso_utc(r[2])} for r in rows})
    return out


def _project_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"id": state["id"], "name": state["name"], "created_at": _time(state["created_at"])}, {}


# --- reviewers -----------------------------------------------------------------------------


def _reviewer_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(Reviewer.id, Reviewer.name, Reviewer.email).where(Reviewer.id.in_(chunk))
        )
        out.update({r[0]: {"id": r[0], "name": r[1], "email": r[2]} for r in rows})
    return out


def _reviewer_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        created = ctx.source_row(table("reviewers"), "id", state["id"])["created_at"]
    except LookupError:
        created = datetime.now(UTC)
    row = {"id": state["id"], "name": state["name"], "email": state.get("email"),
           "created_at": created}  # fmt: skip
    return row, {}


# --- fetched pages ---------------------------------------------------------------------------


def _page_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.operations import fetched_page_state

    columns = [c for c in table("fetched_pages").c if c.key != "body"]
    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(select(*columns).where(FetchedPage.id.in_(chunk))):
            out[row.id] = fetched_page_state(dict(row._mapping))
    return out


def _page_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """The source's row (the log keeps the hashes of the bytes and of the text read from
    them), checked against those hashes."""
    from desktop.core.operations import fetched_page_state

    row = ctx.source_row(table("fetched_pages"), "id", state["id"])
    if fetched_page_state(row) != state or _sha256(row["body"]) != state["sha256"]:
        raise LookupError(f"saved page {state['id']} does not match its audit trail")
    row["fetched_by"] = ctx.source_reviewer(row["fetched_by"])
    return row, {}


def _page_fields(state: State) -> list[tuple[str, str]]:
    return [("Address", _shown(state["url"])), ("Fetched", _shown(state["fetched_at"][:16]))]


# --- articles ------------------------------------------------------------------------------


def _article_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.operations import article_states

    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        out.update(article_states(conn, chunk))
    return out


def _article_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """The logged state, with what the log keeps only as a hash (the text) and the importer
    from the source's row, and the PDF's page starts from the source's pages."""
    source = ctx.source_row(table("articles"), "id", state["id"])
    if (
        _sha256(source["text"]) != state["text_sha256"]
        or len(source["text"]) != state["text_length"]
    ):
        raise LookupError(f"article {state['id']}: its text differs from the import")
    pages = ctx.source_children(table("article_pages"), "article_id", state["id"])
    if [p["start"] for p in pages] != (state.get("page_starts") or []):
        raise LookupError(f"article {state['id']}: its PDF pages differ from the import")
    published = state["published"]
    row = {
        "id": state["id"],
        "title": state["title"],
        "outlet": state["outlet"],
        "url": state["url"],
        "published": date.fromisoformat(published) if published else None,
        "published_precision": state.get("published_precision"),
        "author": state.get("author"),
        "fetched_page_id": state.get("fetched_page_id"),
        "imported_at": _time(state["imported_at"]),
        "imported_by": ctx.source_reviewer(source["imported_by"]),
        "original_name": state["original_name"],
        "source_format": state["source_format"],
        "text": source["text"],
        "text_length": state["text_length"],
        "text_sha256": state["text_sha256"],
        "deleted_at": _parse_time(state.get("deleted_at")),
        "deleted_by": ctx.reviewer_id(state.get("deleted_by")),
    }
    return row, {"article_pages": pages}


# What an article's reviewers edit; the rest is fixed at import.
_ARTICLE_FIELDS = (
    ("title",),
    ("outlet",),
    ("url",),
    ("published", "published_precision"),
    ("author",),
    ("deleted_at", "deleted_by"),
)


def _article_content(state: State) -> Any:
    return tuple(tuple(state.get(k) for k in keys) for keys in _ARTICLE_FIELDS)


def _article_fields(state: State) -> list[tuple[str, str]]:
    return [
        ("Title", _shown(state["title"])),
        ("Outlet", _shown(state["outlet"])),
        ("URL", _shown(state["url"])),
        ("Published", _shown(state["published"])),
        ("Author", _shown(state.get("author"))),
        ("Removed", "yes" if state.get("deleted_at") else "no"),
    ]


# --- annotations ---------------------------------------------------------------------------


def _annotation_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.operations import annotation_states

    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        out.update(annotation_states(conn, chunk))
    return out


def _annotation_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    row = {
        "id": state["id"],
        "article_id": state["article_id"],
        "start": state["start"],
        "end": state["end"],
        "quote": state["quote"],
        "prefix": state["prefix"],
        "suffix": state["suffix"],
        "verdict": state["verdict"],
        "note": state["note"],
        "sources": list(state["sources"]),
        "created_at": _parse_time(state["created_at"]),
        "created_by": ctx.reviewer_id(state["created_by"]),
        "updated_at": _parse_time(state["updated_at"]),
        "updated_by": ctx.reviewer_id(state["updated_by"]),
        "deleted_at": _parse_time(state["deleted_at"]),
        "deleted_by": ctx.reviewer_id(state["deleted_by"]),
        "version": state["version"],
        "final": bool(state.get("final", False)),
        "claim_id": state.get("claim_id"),
    }
    return row, {}


_SPAN = ("start", "end", "quote", "prefix", "suffix")


def _annotation_content(state: State) -> Any:
    """What reviewers edit: verdict, note, evidence, whether it is deleted, its span and the
    claim it belongs to."""
    sources = tuple((s["url"], s.get("title", ""), s.get("copy", "")) for s in state["sources"])
    span = tuple(state[k] for k in _SPAN)
    return (state["verdict"], state["note"], sources, state["deleted_at"] is not None, span,
            state.get("claim_id"), bool(state.get("final")))  # fmt: skip


def _annotation_describe(state: State) -> str:
    return f"annotation ‘{_one_line(state['quote'], 50)}’"


def _annotation_fields(state: State) -> list[tuple[str, str]]:
    links = " ".join(s["url"] for s in state["sources"])
    return [
        ("Verdict", str(state["verdict"])),
        ("Deleted", "yes" if state["deleted_at"] else "no"),
        ("Note", f"“{_one_line(state['note'], 60)}”" if state["note"] else "—"),
        ("Evidence", _shown(links)),
        ("Span", f"{state['start']}–{state['end']} ‘{_one_line(state['quote'], 40)}’"),
    ]


def _join_notes(shared: str, copy: str) -> str:
    if not copy or copy == shared or copy in shared:
        return shared
    if not shared or shared in copy:
        return copy
    return f"{shared}\n\n{copy}"


def _annotation_combine(shared: State, copy: State, base: State | None) -> State:
    """A three-way merge, field by field: what only one side changed is kept; where both
    changed a field, the notes are joined, the evidence of both is kept, and the shared
    verdict, span and claim win (both sides' stay in the audit trail)."""

    def value(state: State, name: str) -> Any:
        if name == "deleted":
            return state["deleted_at"] is not None
        if name == "span":
            return tuple(state[k] for k in _SPAN)
        return state.get(name)

    def changed(side: State, name: str) -> bool:
        return base is None or value(side, name) != value(base, name)

    out = dict(shared)
    for name in ("verdict", "note", "sources", "deleted", "span", "claim_id", "final"):
        if not changed(copy, name):
            continue
        if not changed(shared, name):
            if name == "deleted":
                out["deleted_at"], out["deleted_by"] = copy["deleted_at"], copy["deleted_by"]
            elif name == "span":
                out.update({k: copy[k] for k in _SPAN})
            else:
                out[name] = copy.get(name)
        elif name == "note":
            out["note"] = _join_notes(shared["note"], copy["note"])
        elif name == "sources":
            have = {s["url"] for s in shared["sources"]}
            added = [s for s in copy["sources"] if s["url"] not in have]
            out["sources"] = [*shared["sources"], *added]
    if not out.get("final"):
        out.pop("final", None)  # as annotation_states() writes it
    return out


def _annotation_restamp(state: State, other: State, at: datetime, reviewer: str) -> State:
    """Changed now by ``reviewer``, at a version past both sides' (a reviewer holding either
    version gets a conflict instead of overwriting the result)."""
    from desktop.core.model import iso_utc

    stamp = iso_utc(at)
    out = dict(state, updated_at=stamp, updated_by=reviewer)
    out["version"] = max(state["version"], other["version"]) + 1
    return out


# --- settlements (adjudication) ------------------------------------------------------------


def _settlement_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.review_ops import _settlement_state

    found: list[str] = []
    for chunk in _chunks(ids):
        found += conn.execute(select(Settlement.id).where(Settlement.id.in_(chunk))).scalars()
    return {sid: _settlement_state(conn, sid) for sid in found}


def _settlement_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    links = ctx.source_children(table("settlement_links"), "settlement_id", state["id"])
    settles = sorted(link["annotation_id"] for link in links if link["role"] == "settled")
    finals = sorted(link["annotation_id"] for link in links if link["role"] == "final")
    if settles != state["settles"] or finals != state["finals"]:
        raise LookupError(f"adjudication {state['id']}: what it settles differs from its record")
    row = {
        "id": state["id"],
        "article_id": state["article_id"],
        "outcome": state["outcome"],
        "note": state["note"],
        "created_at": _time(state["created_at"]),
        "created_by": ctx.reviewer_id(state["created_by"]),
        "withdrawn_at": _parse_time(state["withdrawn_at"]),
        "withdrawn_by": ctx.reviewer_id(state["withdrawn_by"]),
    }
    return row, {"settlement_links": links}


def _settlement_fields(state: State) -> list[tuple[str, str]]:
    return [
        ("Outcome", state["outcome"]),
        ("Note", _shown(state["note"])),
        ("Withdrawn", "yes" if state["withdrawn_at"] else "no"),
    ]


# --- blind review, done marks, adjudicators --------------------------------------------------


def _blinding_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.review_ops import _blindings

    wanted = set(ids)
    return {row["id"]: row for row in _blindings(conn) if row["id"] in wanted}


def _blinding_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    row = {
        "id": state["id"],
        "article_id": state["article_id"],
        "started_at": _time(state["started_at"]),
        "started_by": ctx.reviewer_id(state["started_by"]),
    }
    return row, {}


def _same_blinding(conn: Connection, state: State) -> str | None:
    scope = Blinding.article_id
    where = scope.is_(None) if state["article_id"] is None else scope == state["article_id"]
    return conn.execute(select(Blinding.id).where(where).limit(1)).scalar()


def _where(article_title: str | None) -> str:
    return f"‘{_one_line(article_title, 50)}’" if article_title else "the whole project"


def _done_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(DoneMark.id, DoneMark.article_id, Article.title, Reviewer.name,
                   DoneMark.done_at)
            .join(Article, Article.id == DoneMark.article_id)
            .join(Reviewer, Reviewer.id == DoneMark.reviewer_id)
            .where(DoneMark.id.in_(chunk))
        )  # fmt: skip
        for mark_id, article_id, title, name, done_at in rows:
            from desktop.core.model import iso_utc

            out[mark_id] = {"id": mark_id, "article_id": article_id, "article_title": title,
                            "reviewer": name, "done_at": iso_utc(done_at)}  # fmt: skip
    return out


def _done_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    row = {
        "id": state["id"],
        "article_id": state["article_id"],
        "reviewer_id": ctx.reviewer_id(state["reviewer"]),
        "done_at": _time(state["done_at"]),
    }
    return row, {}


def _same_done(conn: Connection, state: State) -> str | None:
    return conn.execute(
        select(DoneMark.id)
        .join(Reviewer, Reviewer.id == DoneMark.reviewer_id)
        .where(DoneMark.article_id == state["article_id"], Reviewer.name == state["reviewer"])
    ).scalar()


def _adjudicator_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.model import iso_utc

    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(Adjudicator.reviewer_id, Reviewer.name, Adjudicator.added_at)
            .join(Reviewer, Reviewer.id == Adjudicator.reviewer_id)
            .where(Adjudicator.reviewer_id.in_(chunk))
        )
        for rid, name, added_at in rows:
            out[rid] = {"reviewer_id": rid, "name": name, "added_at": iso_utc(added_at)}
    return out


def _adjudicator_row(state: State, ctx: RowContext) -> tuple[dict[str, Any], dict[str, Any]]:
    source = ctx.source_row(table("adjudicators"), "reviewer_id", state["reviewer_id"])
    row = {
        "reviewer_id": ctx.reviewer_id(state["name"]),
        "added_at": _time(state["added_at"]),
        "added_by": ctx.source_reviewer(source["added_by"]),
    }
    return row, {}


def _same_adjudicator(conn: Connection, state: State) -> str | None:
    return conn.execute(
        select(Adjudicator.reviewer_id)
        .join(Reviewer, Reviewer.id == Adjudicator.reviewer_id)
        .where(Reviewer.name == state["name"])
    ).scalar()


# --- the registry ----------------------------------------------------------------------------

# In the order rows must be written: what a row points at comes first.
KINDS: dict[str, Kind] = {
    kind.entity_type: kind
    for kind in (
        Kind(
            "project",
            table("project"),
            _project_states,
            _project_row,
            content=lambda s: s["name"],
            describe=lambda s: f"project ‘{_one_line(s['name'])}’",
            fields=lambda s: [("Name", _shown(s["name"]))],
        ),
        Kind(
            "reviewer",
            table("reviewers"),
            _reviewer_states,
            _reviewer_row,
            content=lambda s: (s["name"], s.get("email")),
            describe=lambda s: f"reviewer {s['name']}",
            fields=lambda s: [("Name", s["name"]), ("Email", _shown(s.get("email")))],
        ),
        Kind(
            "page",
            table("fetched_pages"),
            _page_states,
            _page_row,
            content=lambda s: s,
            describe=lambda s: f"saved page {_one_line(s['url'], 50)}",
            fields=_page_fields,
        ),
        Kind(
            "article",
            table("articles"),
            _article_states,
            _article_row,
            content=_article_content,
            describe=lambda s: f"article ‘{_one_line(s['title'])}’",
            fields=_article_fields,
            updatable=tuple(k for keys in _ARTICLE_FIELDS for k in keys),
            children=((table("article_pages"), "article_id"),),
            combine=_fieldwise(_ARTICLE_FIELDS),
        ),
        Kind(
            "annotation",
            table("annotations"),
            _annotation_states,
            _annotation_row,
            content=_annotation_content,
            describe=_annotation_describe,
            fields=_annotation_fields,
            combine=_annotation_combine,
            restamp=_annotation_restamp,
        ),
        Kind(
            "settlement",
            table("settlements"),
            _settlement_states,
            _settlement_row,
            content=lambda s: (s["note"], s["withdrawn_at"] is not None),
            describe=lambda s: f"adjudication ({s['outcome']})",
            fields=_settlement_fields,
            updatable=("withdrawn_at", "withdrawn_by"),
            children=((table("settlement_links"), "settlement_id"),),
        ),
        Kind(
            "blinding",
            table("blinding"),
            _blinding_states,
            _blinding_row,
            content=lambda s: s["article_id"],
            describe=lambda s: f"blind review of {_where(s['article_title'])}",
            fields=lambda s: [("Blind review of", _where(s["article_title"]))],
            own=_without("article_title"),
            same=_same_blinding,
        ),
        Kind(
            "done_mark",
            table("done_marks"),
            _done_states,
            _done_row,
            content=lambda s: (s["article_id"], s["reviewer"]),
            describe=lambda s: f"{s['reviewer']}'s done mark on {_where(s['article_title'])}",
            fields=lambda s: [("Done", f"{s['reviewer']}, {_where(s['article_title'])}")],
            own=_without("article_title"),
            same=_same_done,
        ),
        Kind(
            "adjudicator",
            table("adjudicators"),
            _adjudicator_states,
            _adjudicator_row,
            content=lambda s: s["name"],
            describe=lambda s: f"adjudicator {s['name']}",
            fields=lambda s: [("Adjudicator", s["name"])],
            key="reviewer_id",
            own=_without("reviewer_id"),
            same=_same_adjudicator,
        ),
    )
}

# Entities that are records about the log itself, not rows of a table: merges, and the keys
# and signed checkpoints of ``core.signing``.
LOG_ONLY = frozenset({"merge", "signing_key", "checkpoint"})


def kind_of(entity_type: str) -> Kind:
    try:
        return KINDS[entity_type]
    except KeyError:
        from desktop.core.errors import CrosscheckError

        raise CrosscheckError(
            f"changes to ‘{entity_type}’ entities cannot be brought over by this version of "
            "Crosscheck; update it and try again"
        ) from None


def display_fields(entity_type: str, state: State | None) -> list[tuple[str, str]]:
    """What a reviewer is shown of one side of a conflict: (label, value) pairs."""
    if state is None:
        return [("", "removed")]
    return KINDS[entity_type].fields(state)


def write_rows(
    conn: Connection,
    table: Table,
    inserts: Sequence[Mapping[str, Any]],
    updates: Sequence[Mapping[str, Any]],
    key: str = "id",
    columns: Sequence[str] | None = None,
) -> None:
    """Insert new rows and overwrite existing ones (by ``key``; only ``columns``, by default
    all others), each kind in one statement."""
    if inserts:
        conn.execute(insert(table), list(inserts))
    if updates:
        names = list(columns) if columns is not None else [c.key for c in table.c if c.key != key]
        stmt = (
            update(table)
            .where(table.c[key] == bindparam("_key"))
            .values({c: bindparam(f"_{c}") for c in names})
        )
        conn.execute(stmt, [{"_key": r[key], **{f"_{c}": r[c] for c in names}} for r in updates])


def write_entities(
    conn: Connection,
    kind: Kind,
    inserts: Sequence[Mapping[str, Any]],
    updates: Sequence[Mapping[str, Any]],
) -> None:
    """Insert and update rows of ``kind``'s table, updates touching only what may change."""
    write_rows(conn, kind.table, inserts, updates, kind.key, kind.updatable)


def delete_rows(conn: Connection, kind: Kind, ids: Sequence[str]) -> None:
    """Remove entities whose rows were removed on the other side (blind review ended, a done
    mark taken back, an adjudicator removed). Such entities have no children."""
    assert not kind.children
    column = kind.table.c[kind.key]
    for chunk in _chunks(ids):
        conn.execute(delete(kind.table).where(column.in_(chunk)))


def sync_entities(src: Connection, dst: Connection, kind: Kind, ids: Sequence[str]) -> None:
    """Make these entities' rows in ``dst`` what they are in ``src``, verbatim: rows added,
    changed or removed, and the children of new ones added."""
    column = kind.table.c[kind.key]
    for chunk in _chunks(ids):
        rows = [dict(r._mapping) for r in src.execute(select(kind.table).where(column.in_(chunk)))]
        present = set(dst.execute(select(column).where(column.in_(chunk))).scalars())
        found = {r[kind.key] for r in rows}
        write_entities(
            dst,
            kind,
            [r for r in rows if r[kind.key] not in present],
            [r for r in rows if r[kind.key] in present],
        )
        gone = [i for i in chunk if i in present and i not in found]
        if gone:
            delete_rows(dst, kind, gone)
        for child, parent in kind.children:
            pk = list(child.primary_key.columns)
            have = {tuple(r) for r in dst.execute(select(*pk).where(child.c[parent].in_(chunk)))}
            wanted = [
                dict(r._mapping)
                for r in src.execute(select(child).where(child.c[parent].in_(chunk)))
            ]
            new = [r for r in wanted if tuple(r[c.key] for c in pk) not in have]
            if new:
                dst.execute(insert(child), new)


def covered_tables() -> set[str]:
    """The tables whose rows some entity type brings over."""
    return {t.name for kind in KINDS.values() for t in kind.tables}
