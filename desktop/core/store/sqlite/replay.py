"""Replaying the audit log of a project file, the SQLite backend's fast path: reading it for
``core.replay``, and a bulk pre-check that lets SQLite compare a million rows while Python
looks only at suspects.

The pre-check builds each row's canonical JSON (RFC 8785: sorted keys, ``json_object`` escapes
strings exactly as RFC 8785 does) from the ``Entity`` declarations and compares it with the
``after`` of the entity's last event. Whatever it cannot prove equal - and anything it cannot
compute - goes to ``core.replay``, which alone decides what is reported. It can only ever find
fewer rows equal than the replay, never more.

JSON columns compare as text: the backend stores them canonically (``canonical_json``), so a
row written by this version equals its logged state byte for byte. A row written before that
(sources stored with spaces or escaped non-ASCII) is not equal as text and goes to the exact
replay, which compares the decoded values: the verdict is the same, only slower.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from desktop.core.replay import (
    ABSENT,
    ENTITIES,
    EVENT_COLUMNS,
    EVENTS,
    Entity,
    Event,
    Field,
    Kind,
    Problem,
    Replay,
    ReplayReport,
)

# Entities handed to the exact check at once: each batch costs one scan of the log.
BATCH = 50_000

_EVENT_SQL = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)


def replay_file(conn: sqlite3.Connection, carried: Mapping[str, int] | None = None) -> ReplayReport:
    """Check every row of the file against its log, inside one read transaction.
    ``carried``: the events merged in from copies (``store.replay.merged_events``)."""
    carried = carried or {}
    report = ReplayReport()
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        report.events = _build_last(conn)
        names = _replay_exactly(conn, report, carried)
        _store_names(conn, names)
        for entity in ENTITIES.values():
            if entity.bulk_comparable:
                _replay_in_bulk(conn, entity, names, report, carried)
    finally:
        if own:
            conn.execute("ROLLBACK")
        for table in ("replay_last", "replay_marks", "replay_names", "replay_ids"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return report


# --- reading --------------------------------------------------------------------------------


def read_events(conn: sqlite3.Connection, where: str = "1", params: Any = ()) -> Iterator[Event]:
    """Events in order, as ``core.replay`` takes them."""
    cursor = conn.execute(
        f"SELECT {_EVENT_SQL} FROM audit_events e WHERE {where} ORDER BY seq", params
    )
    cursor.arraysize = 1000
    while rows := cursor.fetchmany():
        yield from (Event(*r) for r in rows)


def read_rows(
    conn: sqlite3.Connection, entity: Entity, where: str = "1", params: Any = ()
) -> Iterator[dict[str, Any]]:
    """The rows of an entity's table, each a dict of the declared columns."""
    assert entity.table is not None
    columns = list(entity.columns)
    sql = ", ".join(f't."{c}"' for c in columns)
    cursor = conn.execute(f'SELECT {sql} FROM "{entity.table}" t WHERE {where}', params)
    # Article texts and fetched pages can be large: a few rows at a time.
    cursor.arraysize = 16 if entity.hashed else 1000
    while rows := cursor.fetchmany():
        yield from (dict(zip(columns, r, strict=True)) for r in rows)


def read_children(
    conn: sqlite3.Connection, entity: Entity, parents: str = "", params: Any = ()
) -> dict[str, list[dict[str, Any]]]:
    """The rows of an entity's child tables (whose parent is in the ``parents`` subquery,
    when given), by table."""
    found: dict[str, list[dict[str, Any]]] = {}
    for child in entity.children:
        if child.table in found:
            continue
        columns = list(child.columns)
        sql = ", ".join(f'c."{c}"' for c in columns)
        where = f'c."{child.parent}" IN ({parents})' if parents else "1"
        cursor = conn.execute(f'SELECT {sql} FROM "{child.table}" c WHERE {where}', params)
        found[child.table] = [dict(zip(columns, r, strict=True)) for r in cursor]
    return found


# --- the exact replay, for entities that are few --------------------------------------------


def _replay_exactly(
    conn: sqlite3.Connection, report: ReplayReport, carried: Mapping[str, int]
) -> dict[str, str]:
    """Replay every entity the bulk check cannot compare (reviewers, articles, log-only
    ones); returns the reviewers' names as the log has them."""
    exact = [e for e in ENTITIES.values() if not e.bulk_comparable]
    # Every event but those of the bulk-checked types: an unknown type is reported here.
    bulk = {e.entity_type for e in ENTITIES.values() if e.bulk_comparable}
    present = [r[0] for r in conn.execute("SELECT DISTINCT entity_type FROM temp.replay_last")]
    types = [t for t in present if t not in bulk]
    marks = ", ".join("?" * len(types)) or "NULL"
    replay = Replay(carried=carried)
    replay.add(
        read_events(
            conn,
            f"entity_type IN ({marks}) OR seq IN (SELECT seq FROM temp.replay_marks WHERE lost)",
            types,
        )
    )
    for entity in exact:
        if entity.table is not None:
            replay.check_rows(entity, read_rows(conn, entity), children=read_children(conn, entity))
            report.rows[entity.table] = replay.rows_checked.get(entity.table, 0)
        else:
            report.states[entity.entity_type] = replay.states(entity.entity_type)
    report.add(replay.problems)
    return replay.reviewer_names()


# --- the bulk check -------------------------------------------------------------------------


def _build_last(conn: sqlite3.Connection) -> int:
    """temp.replay_last: per entity its last event, its number of events, whether one of
    them changed it (has a ``before``) and whether the last one removed it. Returns the
    number of events.

    The log's entity index gives the first two without sorting; one scan finds the few
    events that change or remove something, or name no entity (temp.replay_marks).
    """
    conn.execute("DROP TABLE IF EXISTS temp.replay_last")
    conn.execute(
        "CREATE TEMP TABLE replay_last (entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, "
        "seq INTEGER NOT NULL, events INTEGER NOT NULL, changes INTEGER NOT NULL DEFAULT 0, "
        "gone INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (entity_type, entity_id)) WITHOUT ROWID"
    )
    conn.execute(
        "INSERT INTO temp.replay_last (entity_type, entity_id, seq, events) "
        "SELECT entity_type, entity_id, max(seq), count(*) FROM audit_events "
        # An event without an entity is left to the exact replay, which reports it.
        "WHERE entity_type IS NOT NULL AND entity_id IS NOT NULL "
        "GROUP BY entity_type, entity_id"
    )
    conn.execute("DROP TABLE IF EXISTS temp.replay_marks")
    conn.execute(
        "CREATE TEMP TABLE replay_marks AS SELECT entity_type, entity_id, seq, "
        "after IS NULL AS removes, (entity_type IS NULL OR entity_id IS NULL) AS lost "
        "FROM audit_events WHERE before IS NOT NULL OR after IS NULL "
        "OR entity_type IS NULL OR entity_id IS NULL"
    )
    conn.execute(
        "UPDATE temp.replay_last SET changes = 1 WHERE (entity_type, entity_id) IN "
        "(SELECT entity_type, entity_id FROM temp.replay_marks)"
    )
    conn.execute(
        "UPDATE temp.replay_last SET gone = 1 WHERE seq IN "
        "(SELECT seq FROM temp.replay_marks WHERE removes)"
    )
    row = conn.execute("SELECT coalesce(sum(events), 0) FROM temp.replay_last").fetchone()
    return int(row[0])


def _store_names(conn: sqlite3.Connection, names: Mapping[str, str]) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.replay_names")
    conn.execute(
        "CREATE TEMP TABLE replay_names (id PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID"
    )
    conn.executemany("INSERT INTO temp.replay_names VALUES (?, ?)", names.items())


def _value_sql(f: Field) -> str:
    """SQL giving the column's value as the log writes it (see ``replay._reads``)."""
    col = f't."{f.column}"'
    if f.kind is Kind.BOOL:
        # Anything but integer 0 or 1 becomes an object, which no logged state holds.
        return (
            f"CASE WHEN typeof({col}) = 'integer' AND {col} IN (0, 1) THEN "
            f"json(CASE {col} WHEN 1 THEN 'true' ELSE 'false' END) "
            f"ELSE json_object('unreadable', {col}) END"
        )
    if f.kind is Kind.TIME:
        return f"replace({col}, ' ', 'T') || 'Z'"
    if f.kind is Kind.REVIEWER:
        # An id the log does not know becomes an object, which no logged state holds.
        return (
            f"CASE WHEN {col} IS NULL THEN NULL ELSE coalesce((SELECT n.name FROM "
            f"temp.replay_names n WHERE n.id = {col}), json_object('unknown', {col})) END"
        )
    if f.kind is Kind.JSON:
        return _json_sql(col)
    return col


def _json_sql(col: str) -> str:
    """The stored JSON as it is, which equals the logged text when stored canonically (as
    the program stores it); anything else counts as unequal here and is compared exactly."""
    return f"CASE WHEN {col} = '[]' THEN json('[]') WHEN json_valid({col}) THEN json({col}) END"


def _object_sql(fields: list[Field]) -> str:
    """A JSON object of these fields, keys sorted as RFC 8785 sorts them (all are ASCII)."""
    pairs = ", ".join(
        f"'{f.log_key}', {_value_sql(f)}" for f in sorted(fields, key=lambda f: f.log_key)
    )
    return f"json_object({pairs})"


def _default_sql(f: Field, col: str) -> str:
    """SQL true when the column holds what a missing key means (``Field.absent``)."""
    if f.absent is None:
        return f"{col} IS NULL"
    if f.absent is EVENTS:
        return f"(typeof({col}) = 'integer' AND {col} = l.events)"
    if f.kind is Kind.BOOL and f.absent is False:
        return f"(typeof({col}) = 'integer' AND {col} = 0)"
    raise NotImplementedError(f"no SQL for the default {f.absent!r} of {f.column}")


def canonical_row_sql(entity: Entity) -> str:
    """The row's canonical JSON as the program logs it now: keys the program leaves out at
    their default (``Field.omitted``) are left out here too."""
    fields = list(entity.fields)
    kept = [f for f in fields if not f.omitted]

    def variant(omitted: list[Field], included: list[Field]) -> str:
        # One branch per omitted key; SQLite computes only the branch chosen.
        if not omitted:
            return _object_sql(kept + included)
        f, rest = omitted[0], omitted[1:]
        return (
            f"CASE WHEN {_default_sql(f, _col(f))} THEN {variant(rest, included)} "
            f"ELSE {variant(rest, [*included, f])} END"
        )

    return variant([f for f in fields if f.omitted], [])


def _col(f: Field) -> str:
    return f't."{f.column}"'


def _older_event_sql(entity: Entity) -> str:
    """SQL true when the row equals its last event as an older version logged it: keys
    added since (``Field.absent``) missing from the event, and their columns at what that
    means. Only rows that failed the first comparison get here."""
    later = [f for f in entity.fields if f.absent is not ABSENT and not f.omitted]
    if not later:
        return "0"
    # '$.~' names a key no state has: removing it changes nothing.
    paths = ", ".join(
        f"CASE WHEN json_type(e.after, '$.{f.log_key}') IS NULL THEN '$.{f.log_key}' ELSE '$.~' END"
        for f in later
    )
    defaults = " AND ".join(
        f"(json_type(e.after, '$.{f.log_key}') IS NOT NULL OR {_default_sql(f, _col(f))})"
        for f in later
    )
    return (
        f"(json_valid(e.after) AND {defaults} AND "
        f"e.after = json_remove({canonical_row_sql(entity)}, {paths}))"
    )


def _replay_in_bulk(
    conn: sqlite3.Connection,
    entity: Entity,
    names: Mapping[str, str],
    report: ReplayReport,
    carried: Mapping[str, int],
) -> None:
    """Let SQLite compare every row; replay exactly only the entities it flags."""
    assert entity.table is not None
    table = f'"{entity.table}"'
    key = f't."{entity.id_column}"'
    rows, distinct = conn.execute(
        f"SELECT count(*), count(DISTINCT {key}) FROM {table} t"
    ).fetchone()
    report.rows[entity.table] = rows
    try:
        suspects = {
            r[0]
            for r in conn.execute(
                f"SELECT {key} FROM {table} t LEFT JOIN temp.replay_last l "
                f"ON l.entity_type = ? AND l.entity_id = {key} "
                f"LEFT JOIN audit_events e ON e.seq = l.seq "
                f"WHERE e.after IS NOT {canonical_row_sql(entity)} "
                f"AND NOT coalesce({_older_event_sql(entity)}, 0)",
                (entity.entity_type,),
            )
        }
    except sqlite3.Error:
        # Something SQLite cannot turn into JSON (a blob where text belongs): check it all.
        suspects = {r[0] for r in conn.execute(f"SELECT {key} FROM {table} t")}
    suspects |= _broken_histories(conn, entity)
    alive = conn.execute(
        "SELECT count(*) FROM temp.replay_last WHERE entity_type = ? AND NOT gone",
        (entity.entity_type,),
    ).fetchone()[0]
    if suspects or not rows == distinct == alive:
        # Some entity has no row, or some id more than one.
        suspects |= {
            r[0]
            for r in conn.execute(
                f"SELECT l.entity_id FROM temp.replay_last l LEFT JOIN {table} t "
                f"ON {key} = l.entity_id WHERE l.entity_type = ? AND NOT l.gone AND {key} IS NULL",
                (entity.entity_type,),
            )
        }
        suspects |= {
            r[0]
            for r in conn.execute(f"SELECT {key} FROM {table} t GROUP BY {key} HAVING count(*) > 1")
        }
    if None in suspects:
        report.add([Problem(f"{entity.table}: a row has no id", entity.table)])
    ordered = sorted((s for s in suspects if s is not None), key=repr)
    for start in range(0, len(ordered), BATCH):
        _replay_batch(conn, entity, ordered[start : start + BATCH], names, report, carried)


def _broken_histories(conn: sqlite3.Connection, entity: Entity) -> set[str]:
    """Entities whose events do not follow on from one another (``before`` is not the
    previous ``after``). Only those with more than one event or a change can be."""
    several = conn.execute(
        "SELECT 1 FROM temp.replay_last WHERE entity_type = ? AND (events > 1 OR changes > 0) "
        "LIMIT 1",
        (entity.entity_type,),
    ).fetchone()
    if not several:
        return set()
    return {
        r[0]
        for r in conn.execute(
            # From those entities to their events through the log's entity index.
            "SELECT DISTINCT h.entity_id FROM ("
            "  SELECT e.entity_id, e.before, "
            "    lag(e.seq) OVER (PARTITION BY e.entity_id ORDER BY e.seq) AS prev "
            "  FROM temp.replay_last l CROSS JOIN audit_events e "
            "    ON e.entity_type = l.entity_type AND e.entity_id = l.entity_id "
            "  WHERE l.entity_type = ? AND (l.events > 1 OR l.changes > 0)"
            ") h LEFT JOIN audit_events p ON p.seq = h.prev "
            "WHERE h.before IS NOT p.after",
            (entity.entity_type,),
        )
    }


def _replay_batch(
    conn: sqlite3.Connection,
    entity: Entity,
    ids: list[str],
    names: Mapping[str, str],
    report: ReplayReport,
    carried: Mapping[str, int],
) -> None:
    assert entity.table is not None
    conn.execute("DROP TABLE IF EXISTS temp.replay_ids")
    conn.execute("CREATE TEMP TABLE replay_ids (id PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO temp.replay_ids VALUES (?)", ((i,) for i in ids))
    replay = Replay(carried=carried)
    replay.set_reviewer_names(names)
    replay.add(
        read_events(
            conn,
            "e.entity_type = ? AND e.entity_id IN (SELECT id FROM temp.replay_ids)",
            (entity.entity_type,),
        )
    )
    key = f't."{entity.id_column}"'
    replay.check_rows(
        entity,
        read_rows(conn, entity, f"{key} IN (SELECT id FROM temp.replay_ids)"),
        only=ids,
        children=read_children(conn, entity, "SELECT id FROM temp.replay_ids"),
    )
    report.add(replay.problems)
