"""What a project holds, entity type by entity type, as copying and merging need to know it.

Every audited change names an entity (``entity_type``, ``entity_id``) and logs its state
before and after. A ``Kind`` says, for one entity type, which table holds it, how to read the
state the log keeps of it, how to turn such a state back into a row of this project (reviewers
are logged by name, rows point at them by id), which fields a reviewer edits (two copies that
changed different things are not in conflict) and how two edited versions combine.

A new entity type becomes copyable and mergeable by adding its Kind to ``KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from desktop.core.store.reads import CHUNK
from desktop.core.store.schema import Article, Base, ProjectInfo, Reviewer

State = dict[str, Any]


class RowContext:
    """What turning a logged state into a row needs: the destination's reviewers by name, and
    the source's own rows for what the log does not keep (an article's text)."""

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

    def source_row(self, table: Table, entity_id: str) -> dict[str, Any] | None:
        if self.source is None:
            return None
        row = self.source.execute(select(table).where(table.c.id == entity_id)).first()
        return dict(row._mapping) if row is not None else None


@dataclass(frozen=True)
class Kind:
    """One entity type. ``content`` picks what a reviewer edits (compared to find conflicts);
    ``combine`` (shared, copy, base) merges two edited states, or is None when only one side
    can be kept; ``restamp`` marks a state as changed now by a reviewer (None for entities
    that are never changed after they are made)."""

    entity_type: str
    table: Table
    states: Callable[[Connection, Sequence[str]], dict[str, State]]
    to_row: Callable[[State, RowContext], dict[str, Any]]
    content: Callable[[State], Any]
    describe: Callable[[State], str]
    combine: Callable[[State, State, State | None], State] | None = None
    restamp: Callable[[State, State, datetime, str], State] | None = None


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


def _one_line(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


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


def _project_row(state: State, ctx: RowContext) -> dict[str, Any]:
    created = _parse_time(state["created_at"])
    return {"id": state["id"], "name": state["name"], "created_at": created}


# --- reviewers -----------------------------------------------------------------------------


def _reviewer_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(Reviewer.id, Reviewer.name, Reviewer.email).where(Reviewer.id.in_(chunk))
        )
        out.update({r[0]: {"id": r[0], "name": r[1], "email": r[2]} for r in rows})
    return out


def _reviewer_row(state: State, ctx: RowContext) -> dict[str, Any]:
    row = ctx.source_row(table("reviewers"), state["id"])
    created = row["created_at"] if row is not None else datetime.now(UTC)
    return {"id": state["id"], "name": state["name"], "email": state.get("email"),
            "created_at": created}  # fmt: skip


# --- articles ------------------------------------------------------------------------------


def _article_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.operations import article_state

    columns = [c for c in table("articles").c if c.key != "text"]
    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(select(*columns).where(Article.id.in_(chunk))):
            out[row.id] = article_state(dict(row._mapping))
    return out


def _article_row(state: State, ctx: RowContext) -> dict[str, Any]:
    """The source's row (the log keeps the text's hash, not the text), checked against the
    logged state, with the importer's id mapped into the destination."""
    import hashlib

    from desktop.core.operations import article_state

    row = ctx.source_row(table("articles"), state["id"])
    if row is None or article_state(row) != state:
        raise LookupError(f"article {state['id']} does not match its audit trail")
    if hashlib.sha256(row["text"].encode("utf-8")).hexdigest() != state["text_sha256"]:
        raise LookupError(f"article {state['id']}: its text differs from the import")
    name = ctx.source_reviewer_names.get(row["imported_by"])
    row["imported_by"] = ctx.reviewer_id(name)
    return row


# --- annotations ---------------------------------------------------------------------------


def _annotation_states(conn: Connection, ids: Sequence[str]) -> dict[str, State]:
    from desktop.core.operations import annotation_states

    out: dict[str, State] = {}
    for chunk in _chunks(ids):
        out.update(annotation_states(conn, chunk))
    return out


def _annotation_row(state: State, ctx: RowContext) -> dict[str, Any]:
    return {
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
    }


def _annotation_content(state: State) -> Any:
    """What reviewers edit: verdict, note, evidence and whether it is deleted."""
    sources = tuple((s["url"], s.get("title", "")) for s in state["sources"])
    return (state["verdict"], state["note"], sources, state["deleted_at"] is not None)


def _annotation_describe(state: State) -> str:
    return f"‘{_one_line(state['quote'], 50)}’"


def _join_notes(shared: str, copy: str) -> str:
    if not copy or copy == shared or copy in shared:
        return shared
    if not shared or shared in copy:
        return copy
    return f"{shared}\n\n{copy}"


def _annotation_combine(shared: State, copy: State, base: State | None) -> State:
    """A three-way merge, field by field: what only one side changed is kept; where both
    changed a field, the notes are joined, the evidence of both is kept, and the shared
    verdict wins (both sides' verdicts stay in the audit trail)."""

    def value(state: State, field: str) -> Any:
        return state["deleted_at"] is not None if field == "deleted" else state[field]

    def changed(side: State, field: str) -> bool:
        return base is None or value(side, field) != value(base, field)

    out = dict(shared)
    for field in ("verdict", "note", "sources", "deleted"):
        if not changed(copy, field):
            continue
        if not changed(shared, field):
            if field == "deleted":
                out["deleted_at"], out["deleted_by"] = copy["deleted_at"], copy["deleted_by"]
            else:
                out[field] = copy[field]
        elif field == "note":
            out["note"] = _join_notes(shared["note"], copy["note"])
        elif field == "sources":
            have = {s["url"] for s in shared["sources"]}
            added = [s for s in copy["sources"] if s["url"] not in have]
            out["sources"] = [*shared["sources"], *added]
    return out


def _annotation_restamp(state: State, other: State, at: datetime, reviewer: str) -> State:
    """Changed now by ``reviewer``, at a version past both sides' (a reviewer holding either
    version gets a conflict instead of overwriting the result)."""
    from desktop.core.model import iso_utc

    stamp = iso_utc(at)
    out = dict(state, updated_at=stamp, updated_by=reviewer)
    out["version"] = max(state["version"], other["version"]) + 1
    return out


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
        ),
        Kind(
            "reviewer",
            table("reviewers"),
            _reviewer_states,
            _reviewer_row,
            content=lambda s: (s["name"], s.get("email")),
            describe=lambda s: f"reviewer {s['name']}",
        ),
        Kind(
            "article",
            table("articles"),
            _article_states,
            _article_row,
            content=lambda s: s,
            describe=lambda s: f"article ‘{_one_line(s['title'])}’",
        ),
        Kind(
            "annotation",
            table("annotations"),
            _annotation_states,
            _annotation_row,
            content=_annotation_content,
            describe=_annotation_describe,
            combine=_annotation_combine,
            restamp=_annotation_restamp,
        ),
    )
}

# Entities that are records about the log itself, not rows of a table.
LOG_ONLY = frozenset({"merge"})


def kind_of(entity_type: str) -> Kind:
    try:
        return KINDS[entity_type]
    except KeyError:
        from desktop.core.errors import CrosscheckError

        raise CrosscheckError(
            f"changes to ‘{entity_type}’ entities cannot be brought over by this version of "
            "Crosscheck; update it and try again"
        ) from None


def write_rows(
    conn: Connection,
    table: Table,
    inserts: Sequence[Mapping[str, Any]],
    updates: Sequence[Mapping[str, Any]],
) -> None:
    """Insert new rows and overwrite existing ones (by id), each kind in one statement."""
    if inserts:
        conn.execute(insert(table), list(inserts))
    if updates:
        columns = [c.key for c in table.c if c.key != "id"]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(f"_{c}") for c in columns})
        )
        conn.execute(stmt, [{"_id": r["id"], **{f"_{c}": r[c] for c in columns}} for r in updates])
