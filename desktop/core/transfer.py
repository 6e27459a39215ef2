"""Moving a project: file to server, server to file, or file to file, verbatim.

A copy keeps every row as it is: the same UUIDs, the same audit chain (so the same head
hash), nothing re-recorded. It is written in one transaction on the destination: a new file
is built under a temporary name and appears only when complete, a server database is left
empty if anything fails.

A destination that already holds a project is refused, unless it is a copy of the same
project that is behind the source (its chain is a beginning of the source's) and an update is
asked for: then only what the source has in addition is written. A destination with changes
of its own is never overwritten; those copies are brought together with ``merge``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from desktop.core.entities import KINDS, LOG_ONLY, kind_of, sync_entities
from desktop.core.errors import CrosscheckError
from desktop.core.store import Store, Target, create_store, holds_project, is_server_url, reads
from desktop.core.store import open_store as _open_store
from desktop.core.store.schema import AuditEvent, Base

BATCH = 2_000
# What is not part of a project's record: who has it open right now.
NOT_COPIED = frozenset({"presence"})


class CopyRefused(CrosscheckError):
    """The destination cannot take the copy; nothing was changed."""


@dataclass(frozen=True)
class CopyReport:
    destination: str
    events: int  # in the destination's chain afterwards
    head_hash: str
    added_events: int
    created: bool


def record_tables() -> list[Table]:
    """Every table of a project's record, each after the tables it points at."""
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


def copy_project(
    source: Store, target: Target, *, update: bool = False, password: str | None = None
) -> CopyReport:
    """Copy ``source`` to ``target`` (a new file's path or an empty database's URL), or with
    ``update`` bring an older copy of the same project at ``target`` up to date."""
    _refuse_itself(source, target)
    if not holds_project(target, password=password):
        with (
            create_store(target, password=password) as destination,
            source.read() as src,
            destination.write() as dst,
        ):
            count = _copy_everything(src, dst)
            head = _check_same_head(src, dst, _name(target))
        # Only now does a new file have its final name.
        return CopyReport(destination.location, count, head, count, created=True)
    with _open_store(target, password=password) as destination:
        if not update:
            raise CopyRefused(
                f"{destination.location}: already holds a project; nothing was copied (give "
                "--update to bring an older copy of the same project up to date)"
            )
        with source.read() as src, destination.write() as dst:
            added = _bring_up_to_date(src, dst, source.location, destination.location)
            head = _check_same_head(src, dst, destination.location)
            count = reads.count_events(dst)
        return CopyReport(destination.location, count, head, added, created=False)


def _name(target: Target) -> str:
    if is_server_url(target):
        from desktop.core.store.postgres import redact

        return redact(str(target))
    return str(Path(target).expanduser().absolute())


def _refuse_itself(source: Store, target: Target) -> None:
    if is_server_url(target):
        from desktop.core.store.postgres import redact

        same = source.kind == "postgresql" and redact(str(target)) == source.location
    else:
        same = source.path is not None and Path(target).expanduser().absolute() == source.path
    if same:
        raise CopyRefused(f"{source.location}: cannot be copied onto itself")


def _batches(conn: Connection, table: Table, where: Any = None) -> Iterator[list[dict[str, Any]]]:
    stmt = select(table)
    if where is not None:
        stmt = stmt.where(where)
    pk = list(table.primary_key.columns)
    result = conn.execution_options(yield_per=BATCH).execute(stmt.order_by(*pk))
    for part in result.partitions():
        yield [dict(row._mapping) for row in part]


def _copy_everything(src: Connection, dst: Connection) -> int:
    events = 0
    for table in record_tables():
        for batch in _batches(src, table):
            dst.execute(insert(table), batch)
            if table.name == AuditEvent.__tablename__:
                events += len(batch)
    return events


def _check_same_head(src: Connection, dst: Connection, location: str) -> str:
    """The destination's chain ends where the source's does, or the copy is undone."""
    mine, theirs = reads.head_event(src), reads.head_event(dst)
    if mine != theirs or reads.count_events(src) != reads.count_events(dst):
        raise CrosscheckError(f"{location}: the copied audit trail differs; nothing was copied")
    return theirs[1] if theirs else "0" * 64


def _bring_up_to_date(src: Connection, dst: Connection, src_name: str, dst_name: str) -> int:
    mine, theirs = reads.project_info(src), reads.project_info(dst)
    if mine is None or theirs is None or mine.id != theirs.id:
        name = theirs.name if theirs is not None else "?"
        raise CopyRefused(f"{dst_name}: holds another project (‘{name}’); nothing was copied")
    src_chain = _chain(src)
    dst_chain = _chain(dst)
    if src_chain[: len(dst_chain)] != dst_chain:
        diverged = next(
            (a[0] for a, b in zip(src_chain, dst_chain, strict=False) if a != b),
            len(src_chain) + 1,
        )
        raise CopyRefused(
            f"{dst_name}: has changes that {src_name} does not have (the audit trails part at "
            f"event {diverged}); nothing was copied: bring them together with "
            f"`crosscheck merge` instead"
        )
    start = len(dst_chain) + 1
    touched: dict[str, list[str]] = {}
    for etype, entity in src.execute(
        select(AuditEvent.entity_type, AuditEvent.entity_id).where(AuditEvent.seq >= start)
    ):
        if etype not in LOG_ONLY:
            kind_of(etype)
            touched.setdefault(etype, []).append(entity)
    # What points at other rows is written after them, and removed rows have nothing
    # pointing at them.
    for etype, kind in KINDS.items():
        ids = list(dict.fromkeys(touched.get(etype, [])))
        if ids:
            sync_entities(src, dst, kind, ids)
    added = 0
    for batch in _batches(src, Base.metadata.tables["audit_events"], AuditEvent.seq >= start):
        dst.execute(insert(AuditEvent), batch)
        added += len(batch)
    return added


def _chain(conn: Connection) -> list[tuple[int, str]]:
    rows = conn.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq))
    return [(r[0], r[1]) for r in rows]
