"""Replaying the audit log of an SQLite project file: reading it for ``core.replay``, and a
bulk pre-check that lets SQLite compare a million rows while Python looks only at suspects.

The pre-check builds each row's canonical JSON (RFC 8785: sorted keys, ``json_object`` escapes
strings exactly as RFC 8785 does) from the ``Entity`` declarations and compares it with the
``after`` of the entity's last event. Whatever it cannot prove equal - and anything it cannot
compute - goes to ``core.replay``, which alone decides what is reported. It can only ever find
fewer rows equal than the replay, never more.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.core.replay import ENTITIES, EVENT_COLUMNS, Entity, Event, Field, Kind, Problem, Replay

# Entities handed to the exact check at once: each batch costs one scan of the log.
BATCH = 50_000
# Problems kept for the report; a file changed wholesale would otherwise list millions.
MAX_PROBLEMS = 1_000

_EVENT_SQL = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)


@dataclass
class ReplayReport:
    """What replaying the log found: ``rows`` checked per table, ``events`` replayed."""

    events: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # problems found beyond MAX_PROBLEMS
    # Entities kept in the log alone (signing keys, checkpoints): (id, seq, state) by type.
    states: dict[str, list[tuple[str, int, dict[str, Any]]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problems: list[Problem]) -> None:
        room = MAX_PROBLEMS - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])
        self.more += max(len(problems) - max(room, 0), 0)


def replay_file(conn: sqlite3.Connection) -> ReplayReport:
    """Check every row of the file against its log, inside one read transaction."""
    report = ReplayReport()
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        report.events = _build_last(conn)
        names = _replay_exactly(conn, report)
        _store_names(conn, names)
        for entity in ENTITIES.values():
            if entity.bulk_comparable:
                _replay_in_bulk(conn, entity, names, report)
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
    columns = list(dict.fromkeys([entity.id_column, *entity.columns]))
    sql = ", ".join(f't."{c}"' for c in columns)
    cursor = conn.execute(f'SELECT {sql} FROM "{entity.table}" t WHERE {where}', params)
    # Article texts can be large: a few rows at a time.
    cursor.arraysize = 16 if entity.text else 1000
    while rows := cursor.fetchmany():
        yield from (dict(zip(columns, r, strict=True)) for r in rows)


# --- the exact replay, for entities that are few --------------------------------------------


def _replay_exactly(conn: sqlite3.Connection, report: ReplayReport) -> dict[str, str]:
    """Replay every entity the bulk check cannot compare (reviewers, articles, log-only
    ones); returns the reviewers' names as the log has them."""
    exact = [e for e in ENTITIES.values() if not e.bulk_comparable]
    # Every event but those of the bulk-checked types: an unknown type is reported here.
    bulk = {e.entity_type for e in ENTITIES.values() if e.bulk_comparable}
    present = [r[0] for r in conn.execute("SELECT DISTINCT entity_type FROM temp.replay_last")]
    types = [t for t in present if t not in bulk]
    marks = ", ".join("?" * len(types)) or "NULL"
    replay = Replay()
    replay.add(
        read_events(
            conn,
            f"entity_type IN ({marks}) OR seq IN (SELECT seq FROM temp.replay_marks WHERE lost)",
            types,
        )
    )
    for entity in exact:
        if entity.table is not None:
            replay.check_rows(entity, read_rows(conn, entity))
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


def canonical_row_sql(entity: Entity) -> str:
    """The row's canonical JSON, keys sorted as RFC 8785 sorts them (all keys are ASCII)."""
    pairs = ", ".join(
        f"'{f.log_key}', {_value_sql(f)}" for f in sorted(entity.fields, key=lambda f: f.log_key)
    )
    return f"json_object({pairs})"


def _replay_in_bulk(
    conn: sqlite3.Connection, entity: Entity, names: Mapping[str, str], report: ReplayReport
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
                f"WHERE e.after IS NOT {canonical_row_sql(entity)}",
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
        _replay_batch(conn, entity, ordered[start : start + BATCH], names, report)


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
) -> None:
    assert entity.table is not None
    conn.execute("DROP TABLE IF EXISTS temp.replay_ids")
    conn.execute("CREATE TEMP TABLE replay_ids (id PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO temp.replay_ids VALUES (?)", ((i,) for i in ids))
    replay = Replay()
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
        entity, read_rows(conn, entity, f"{key} IN (SELECT id FROM temp.replay_ids)"), only=ids
    )
    report.add(replay.problems)


# --- other reads of verify ------------------------------------------------------------------


def hash_at(conn: sqlite3.Connection, seq: int) -> str | None:
    row = conn.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else str(row[0])


def seq_of(conn: sqlite3.Connection, digest: str) -> int | None:
    row = conn.execute("SELECT seq FROM audit_events WHERE hash = ?", (digest,)).fetchone()
    return None if row is None else int(row[0])


def last_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0])


def logged_project_id(conn: sqlite3.Connection) -> str | None:
    """The project's id as its creation event logged it (the row could have been changed)."""
    row = conn.execute(
        "SELECT after FROM audit_events WHERE entity_type = 'project' ORDER BY seq LIMIT 1"
    ).fetchone()
    try:
        value = json.loads(row[0]).get("id") if row and row[0] else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def first_misplaced_quote(conn: sqlite3.Connection) -> str | None:
    """An annotation whose quote is not its article's text at its span, if any."""
    # substr() counts code points, as the stored offsets do.
    row = conn.execute(
        "SELECT a.id FROM annotations a JOIN articles t ON t.id = a.article_id "
        'WHERE substr(t.text, a.start + 1, a."end" - a.start) IS NOT a.quote '
        'OR a."end" > t.text_length LIMIT 1'
    ).fetchone()
    return None if row is None else str(row[0])
