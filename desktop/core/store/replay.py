"""Replaying the audit log against the rows on any backend, through SQLAlchemy Core.

``core.replay`` does the comparing; this module feeds it. Entities are taken one type at a
time and in batches of ids, in the database's own order of ids: each batch's events come
through the log's entity index, and its rows (and child rows) by a range of the primary key,
so memory stays bounded however large the project is. Reviewers come first: every other
entity names them.

Values are read as the driver gives them, without SQLAlchemy's conversions, so a cell that a
tamperer filled with something unreadable is reported rather than raising.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Table, select, type_coerce
from sqlalchemy.types import NullType

from desktop.core.replay import (
    ENTITIES,
    EVENT_COLUMNS,
    Event,
    Merges,
    Problem,
    Replay,
    ReplayReport,
)
from desktop.core.store.reads import CHUNK
from desktop.core.store.schema import AuditEvent, Base

# Entities replayed at once; each batch costs three indexed range reads.
BATCH = 20_000

_EVENTS = [getattr(AuditEvent, c) for c in EVENT_COLUMNS]


# The record a merge leaves (``core.merge``): its entity type and action.
MERGE_TYPE, MERGE_ACTION = "merge", "copy.merged"


def replay_store(
    conn: Connection, carried: Mapping[str, int] | None = None, batch: int = BATCH
) -> ReplayReport:
    """Check every row against the log, inside the caller's read transaction. ``carried``:
    the events merged in from copies (``merged_events``)."""
    carried = carried or {}
    report = ReplayReport()
    present = set(conn.execute(select(AuditEvent.entity_type).distinct()).scalars())
    names: dict[str, str] = {}
    order = ["reviewer", *(t for t in ENTITIES if t != "reviewer")]
    order += sorted(t for t in present if t is not None and t not in ENTITIES)
    for entity_type in order:
        entity = ENTITIES.get(entity_type)
        if entity_type not in present and (entity is None or entity.table is None):
            continue
        for lo, hi in _id_ranges(conn, entity_type, batch):
            replay = Replay(carried=carried)
            if entity_type != "reviewer":
                replay.set_reviewer_names(names)
            replay.add(_events(conn, entity_type, lo, hi))
            report.events += replay.events
            if entity is not None and entity.table is not None:
                table = Base.metadata.tables[entity.table]
                rows = _rows(conn, table, entity.columns, entity.id_column, lo, hi)
                children = {
                    c.table: list(
                        _rows(conn, Base.metadata.tables[c.table], c.columns, c.parent, lo, hi)
                    )
                    for c in entity.children
                }
                replay.check_rows(entity, rows, children=children)
                count = replay.rows_checked.get(entity.table, 0)
                report.rows[entity.table] = report.rows.get(entity.table, 0) + count
            elif entity is not None:
                report.states.setdefault(entity_type, []).extend(replay.states(entity_type))
            if entity_type == "reviewer":
                names.update(replay.reviewer_names())
            report.add(replay.problems)
    # Events naming no entity at all (the columns allow none, but a file can be edited).
    lost = select(*_EVENTS).where(
        (AuditEvent.entity_type.is_(None)) | (AuditEvent.entity_id.is_(None))
    )
    replay = Replay(carried=carried)
    replay.add(Event(*r) for r in conn.execute(lost.order_by(AuditEvent.seq)))
    report.events += replay.events
    report.add(replay.problems)
    return report


def merged_events(conn: Connection) -> Merges:
    """What the project's merge records say was brought in from copies, checked against the
    log: a record names the events just before it (those of the copy, then the merging
    reviewer's own: a reviewer added, the entities the merge changed). Records that cannot be
    read are left to ``merge.check_provenance``, which reports them."""
    merges = Merges()
    records = conn.execute(
        select(AuditEvent.seq, AuditEvent.reviewer, AuditEvent.after)
        .where(AuditEvent.entity_type == MERGE_TYPE, AuditEvent.action == MERGE_ACTION)
        .order_by(AuditEvent.seq)
    ).all()
    for record_seq, reviewer, after in records:
        try:
            value = json.loads(after or "")
            entries = [(str(e[0]), int(e[1]), str(e[3])) for e in value["events"]]
            merges.forks[record_seq] = int(value["fork"]["seq"])
        except (TypeError, ValueError, KeyError, IndexError):
            continue
        merges.provenance[record_seq] = {seq: digest for _id, seq, digest in entries}
        seqs = _seqs_of(conn, [e[0] for e in entries])
        for event_id, _seq, _digest in entries:
            merges.branches[event_id] = record_seq
            here = seqs.get(event_id)
            if here is not None:
                merges.origin.setdefault(here, record_seq)
        if seqs:
            problem = _run_before(conn, record_seq, reviewer, sorted(seqs.values()))
            if problem:
                merges.problems.append(Problem(problem, seq=record_seq))
    return merges


def _seqs_of(conn: Connection, ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stmt = select(AuditEvent.id, AuditEvent.seq).where(AuditEvent.id.in_(chunk))
        found.update({r[0]: int(r[1]) for r in conn.execute(stmt)})
    return found


def _run_before(conn: Connection, record: int, reviewer: str, seqs: list[int]) -> str | None:
    """Why the events a record names are not the run merged just before it, or None."""
    first, last = seqs[0], seqs[-1]
    if last - first + 1 != len(seqs) or last >= record:
        return (
            f"merge record {record} names events {first}–{last} as merged from a copy, but "
            "they are not one run of events before it"
        )
    between = conn.execute(
        select(AuditEvent.seq, AuditEvent.action, AuditEvent.reviewer).where(
            AuditEvent.seq > last, AuditEvent.seq < record
        )
    )
    for seq, action, who in between:
        if who != reviewer or not (action == "reviewer.added" or action.endswith(".merged")):
            return (
                f"merge record {record}: event {seq} ({action}) comes between the events it "
                "names as merged from a copy and the record, and is not part of the merge"
            )
    return None


def _id_ranges(
    conn: Connection, entity_type: str, batch: int
) -> Iterator[tuple[str | None, str | None]]:
    """(after, up to) ranges of entity ids, each holding ``batch`` entities of the log;
    None leaves a side open, so together they cover every id a table may hold."""
    after: str | None = None
    while True:
        ids = select(AuditEvent.entity_id).distinct().where(AuditEvent.entity_type == entity_type)
        if after is not None:
            ids = ids.where(AuditEvent.entity_id > after)
        found = list(conn.execute(ids.order_by(AuditEvent.entity_id).limit(batch)).scalars())
        if len(found) < batch:
            yield after, None
            return
        yield after, found[-1]
        after = found[-1]


def _events(conn: Connection, entity_type: str, lo: str | None, hi: str | None) -> Iterator[Event]:
    stmt = select(*_EVENTS).where(AuditEvent.entity_type == entity_type)
    stmt = _within(stmt, AuditEvent.entity_id, lo, hi)
    stmt = stmt.order_by(AuditEvent.entity_id, AuditEvent.seq)
    for row in conn.execution_options(yield_per=5000).execute(stmt):
        yield Event(*row)


def _rows(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    key: str,
    lo: str | None,
    hi: str | None,
) -> Iterator[dict[str, Any]]:
    """Rows whose ``key`` is in the range, each a dict of ``columns`` as the driver reads
    them (no type conversion)."""
    selected = [type_coerce(table.c[c], NullType()).label(c) for c in columns]
    stmt = _within(select(*selected), table.c[key], lo, hi)
    for row in conn.execution_options(yield_per=1000).execute(stmt):
        yield dict(row._mapping)


def _within(stmt: Any, column: Any, lo: str | None, hi: str | None) -> Any:
    if lo is not None:
        stmt = stmt.where(column > lo)
    if hi is not None:
        stmt = stmt.where(column <= hi)
    return stmt


__all__ = ["merged_events", "replay_store"]
