"""Replaying the log: the declarations, the replay over plain iterables (any backend), the
portable path over every backend, and the SQLite file's bulk check, which must never find
equal what the exact replay finds different."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.replay import (
    ENTITIES,
    MAX_PROBLEMS,
    NOT_LOGGED,
    Event,
    Problem,
    Replay,
    ReplayReport,
    child_tables,
)
from desktop.core.store import Store, open_store
from desktop.core.store.replay import replay_store
from desktop.core.store.schema import Base
from desktop.core.store.sqlite import AUDIT_TRIGGERS
from desktop.core.store.sqlite.replay import read_children, read_events, read_rows, replay_file
from desktop.core.verify import replay_rows
from tests.conftest import REVIEWER, make_project
from tests.support.busy import ANN, every_kind_of_write

ROWS = {
    "project": 1,
    "reviewers": 4,
    "fetched_pages": 2,
    "articles": 7,
    "annotations": 9,
    "blinding": 1,
    "done_marks": 2,
    "adjudicators": 2,
    "settlements": 2,
}


def test_every_column_of_every_table_is_declared() -> None:
    """A new table or column must say how the log records it, or verify would not see it."""
    tables = {e.table: set(e.columns) for e in ENTITIES.values() if e.table}
    for table, children in child_tables().items():
        assert table not in tables, f"{table} is declared twice"
        tables[table] = {c for child in children for c in child.columns}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_LOGGED:
            assert table.name not in tables
            continue
        assert table.name in tables, f"no Entity declares the table {table.name}"
        assert tables[table.name] == {c.name for c in table.columns}, table.name
    assert set(tables) | set(NOT_LOGGED) == set(Base.metadata.tables)


@pytest.fixture
def busy(demo_project: Store, tmp_path: Path) -> Store:
    every_kind_of_write(demo_project, tmp_path)
    return demo_project


def _logged_types(store: Store) -> set[str]:
    from sqlalchemy import select

    from desktop.core.store.schema import AuditEvent

    with store.read() as conn:
        return set(conn.execute(select(AuditEvent.entity_type).distinct()).scalars())


def test_every_entity_the_program_logs_is_declared(busy: Store) -> None:
    """Merge records are logged by merging a copy (see tests/test_merge.py)."""
    assert _logged_types(busy) == set(ENTITIES) - {"merge"}


def test_the_replay_and_merging_know_the_same_entities() -> None:
    from desktop.core.entities import KINDS, LOG_ONLY

    assert {t for t, e in ENTITIES.items() if e.table is None} == LOG_ONLY
    assert {t: e.table for t, e in ENTITIES.items() if e.table} == {
        t: k.table.name for t, k in KINDS.items()
    }
    for kind in KINDS.values():
        assert {c.table for c in ENTITIES[kind.entity_type].children} == {
            t.name for t, _c in kind.children
        }


def test_an_intact_project_replays_cleanly_on_every_path(busy: Store) -> None:
    """The backend's own path (the bulk check on a file), and the portable one in batches
    small enough that every table spans several."""
    report = replay_rows(busy)
    assert report.ok, report.problems
    assert report.rows == ROWS
    [(_id, seq, checkpoint)] = report.states["checkpoint"]
    assert checkpoint["seq"] == seq - 1
    for batch in (1, 2, 3, 1000):
        with busy.read() as conn:
            portable = replay_store(conn, batch=batch)
        assert portable.ok, portable.problems
        assert portable.rows == ROWS and portable.events == report.events
        assert portable.states["checkpoint"] == report.states["checkpoint"]


def full_replay(path: Path) -> Replay:
    """The exact replay of every event and every row, in one go, without the bulk check."""
    conn = sqlite3.connect(path)
    replay = Replay()
    replay.add(read_events(conn))
    for entity in ENTITIES.values():
        if entity.table:
            replay.check_rows(entity, read_rows(conn, entity), children=read_children(conn, entity))
    conn.close()
    return replay


def test_the_replay_works_over_plain_values(demo_file_project: Store, tmp_path: Path) -> None:
    """A server's driver returns times and dates as objects, JSON decoded, booleans as
    such: the same verdict."""
    every_kind_of_write(demo_file_project, tmp_path)
    conn = sqlite3.connect(demo_file_project.path)
    events = [tuple(e) for e in read_events(conn)]
    rows = {e.entity_type: list(read_rows(conn, e)) for e in ENTITIES.values() if e.table}
    children = {e.entity_type: read_children(conn, e) for e in ENTITIES.values() if e.table}
    conn.close()

    def as_objects(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for key, value in row.items():
            if isinstance(value, str) and len(value) == 26 and value[10] == " ":
                out[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
            elif key == "published" and value:
                out[key] = date.fromisoformat(value)
            elif key in ("sources", "redirects"):
                out[key] = json.loads(value)
            elif key == "final":
                out[key] = bool(value)
        return out

    replay = Replay()
    replay.add(events)
    for entity in ENTITIES.values():
        if entity.table:
            replay.check_rows(
                entity,
                [as_objects(r) for r in rows[entity.entity_type]],
                children=children[entity.entity_type],
            )
    assert replay.problems == []
    assert replay.events == len(events)
    assert full_replay(demo_file_project.path).problems == []


def test_events_that_do_not_follow_on() -> None:
    replay = Replay()
    replay.add(
        [
            Event(1, "2026-01-01T00:00:00.000000Z", "r", "widget.made", "widget", "w1", None, "{}"),
            Event(
                2,
                "2026-01-01T00:00:00.000000Z",
                "r",
                "annotation.changed",
                "annotation",
                "a1",
                '{"note":"x"}',
                '{"note":"y"}',
            ),
            Event(
                3,
                "2026-01-01T00:00:00.000000Z",
                "r",
                "annotation.changed",
                "annotation",
                "a1",
                '{"note":"z"}',
                "not json",
            ),
        ]
    )
    assert [p.message for p in replay.problems] == [
        "event 1 (widget.made): entity type 'widget' is unknown to this version",
        "annotations a1: event 2 (annotation.changed) changes a state no earlier event records",
        "annotations a1: note changed outside the log before event 3 (annotation.changed): "
        "'y' after event 2, 'z' when event 3 was recorded",
    ]
    replay.problems.clear()
    replay.check_rows(ENTITIES["annotation"], [])
    assert [p.message for p in replay.problems] == [
        "annotations a1: the log records it (event 3, annotation.changed) but the table has no "
        "such row (removed outside the log)"
    ]


def test_a_removal_in_the_log() -> None:
    """An entity whose last event removed it (a done mark taken back, blind review ended)
    must have no row."""
    replay = Replay()
    after = '{"id":"p1","name":"P","created_at":"2026-01-01T00:00:00.000000Z"}'
    replay.add(
        [
            Event(
                1,
                "2026-01-01T00:00:00.000000Z",
                "r",
                "project.created",
                "project",
                "p1",
                None,
                after,
            ),
            Event(
                2,
                "2026-01-02T00:00:00.000000Z",
                "r",
                "project.removed",
                "project",
                "p1",
                after,
                None,
            ),
        ]
    )
    replay.check_rows(ENTITIES["project"], [])
    assert replay.problems == []
    replay.check_rows(
        ENTITIES["project"], [{"id": "p1", "name": "P", "created_at": "2026-01-01 00:00:00"}]
    )
    assert [p.message for p in replay.problems] == [
        "project p1: the log removed it at event 2 (project.removed) but the row is still there"
    ]


def test_the_report_keeps_a_bounded_number_of_problems() -> None:
    report = ReplayReport()
    report.add([Problem(f"p{i}") for i in range(MAX_PROBLEMS + 5)])
    report.add([Problem("one more")])
    assert len(report.problems) == MAX_PROBLEMS and report.more == 6


# --- the bulk check against the exact replay ------------------------------------------------

VALUES = st.one_of(
    st.none(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.sampled_from(
        [
            "[]",
            "[ ]",
            "{}",
            '[{"title":"","url":"https://example.org/a"}]',
            '[{"url": "https://example.org/a", "title": ""}]',
            '[{"title":"","url":"https://example.org/a","x":1}]',
            "2026-01-01 00:00:00.000000",
            "2026-01-01T00:00:00.000000Z",
            ANN,
            REVIEWER,
            "supported",
            "disputed",
            "settled",
            "final",
            0,
            1,
            2,
            True,
        ]
    ),
)
COLUMNS = [
    (e.table, c) for e in ENTITIES.values() if e.table for c in e.columns if c != e.id_column
] + [(t, c) for t, children in child_tables().items() for c in children[0].columns]


@pytest.fixture(scope="module")
def busy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("busy")
    path = make_project(folder / "busy.crosscheck")
    assert isinstance(path, Path)
    with open_store(path) as project:
        every_kind_of_write(project, folder)
    return path


def found(problems: list[Problem]) -> set[tuple[Any, ...]]:
    return {(p.table, p.row_id, p.field, p.message) for p in problems}


def both_paths(path: Path) -> tuple[ReplayReport, ReplayReport, Replay]:
    """The file's fast path, the portable path (in small batches) and the exact replay."""
    conn = sqlite3.connect(path)
    fast = replay_file(conn)
    conn.close()
    with open_store(path, read_only=True) as store, store.read() as db:
        portable = replay_store(db, batch=3)
    return fast, portable, full_replay(path)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(COLUMNS), value=VALUES, row=st.integers(0, 9))
def test_the_bulk_check_finds_what_the_exact_replay_finds(
    busy_file: Path, tmp_path_factory: pytest.TempPathFactory, target, value, row: int
) -> None:
    table, column = target
    path = tmp_path_factory.mktemp("case") / "t.crosscheck"
    shutil.copy(busy_file, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    rowids = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" ORDER BY rowid')]
    if not rowids:
        conn.close()
        return
    try:
        conn.execute(
            f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?',
            (value, rowids[row % len(rowids)]),
        )
    except sqlite3.IntegrityError:
        conn.close()
        return  # the schema's own constraints refuse it; integrity checks see to the rest
    conn.commit()
    conn.close()
    fast, portable, exact = both_paths(path)
    assert found(fast.problems) == found(exact.problems)
    assert found(portable.problems) == found(exact.problems)


EVENT_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [
            "annotation",
            "reviewer",
            "article",
            "project",
            "checkpoint",
            "settlement",
            "page",
            "adjudicator",
            "{}",
            "null",
        ]
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.sampled_from(["before", "after", "entity_id", "entity_type", "action", "seq"]),
    value=EVENT_VALUES,
    seq=st.integers(1, 49),
    copy_from=st.integers(1, 49),
)
def test_the_bulk_check_agrees_on_changed_events(
    busy_file: Path, tmp_path_factory: pytest.TempPathFactory, column, value, seq, copy_from
) -> None:
    """Events changed (the chain check reports those) must not split the checks either; a
    value copied from another event is the likeliest to look right."""
    path = tmp_path_factory.mktemp("case") / "t.crosscheck"
    shutil.copy(busy_file, path)
    conn = sqlite3.connect(path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    if value == "null":
        value = conn.execute(
            f'SELECT "{column}" FROM audit_events WHERE seq = ?', (copy_from,)
        ).fetchone()[0]
    try:
        conn.execute(f'UPDATE audit_events SET "{column}" = ? WHERE seq = ?', (value, seq))
    except sqlite3.IntegrityError:
        conn.close()
        return
    conn.commit()
    conn.close()
    fast, portable, exact = both_paths(path)
    assert found(fast.problems) == found(exact.problems)
    assert found(portable.problems) == found(exact.problems)


# --- files from before the keys the log holds now ---------------------------------------------


def test_a_file_from_the_first_schema_replays_and_its_defaults_are_checked(
    tmp_path: Path,
) -> None:
    """Its events lack ``version``, ``claim_id`` and ``final``, and its sources are stored as
    versions before 9 stored them (with spaces, keys unsorted): it verifies on both paths, and
    a row changed behind the program's back is still caught, measured against what the missing
    keys mean."""
    from tests.core.first_revision import make_first_revision_project

    old = make_first_revision_project(tmp_path / "old.crosscheck")
    conn = sqlite3.connect(old.path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute(
        "UPDATE annotations SET sources = "
        """'[{"url": "https://example.org/evidence", "title": "Evidence"}]'"""
    )
    conn.commit()
    conn.close()
    with open_store(old.path) as project:
        assert replay_rows(project).ok
    fast, portable, exact = both_paths(old.path)
    assert fast.ok and portable.ok and not exact.problems
    conn = sqlite3.connect(old.path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE annotations SET version = 5, final = 1, claim_id = id")
    conn.commit()
    conn.close()
    fast, portable, exact = both_paths(old.path)
    messages = [p.message for p in fast.problems]
    row = f"annotations {old.annotation_id}"
    assert messages == [
        f"{row}: version is 5 in the table but 1 in the log (event 4)",
        f"{row}: final is true in the table but false in the log (event 4)",
        f"{row}: claim_id is {old.annotation_id!r} in the table but null in the log (event 4)",
    ]
    assert found(portable.problems) == found(exact.problems) == found(fast.problems)
