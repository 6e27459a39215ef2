"""Replaying the log: the declarations, the replay over plain iterables (any backend), and the
SQLite bulk check, which must never find equal what the exact replay finds different."""

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

from desktop.core import operations, queries
from desktop.core.replay import ENTITIES, NOT_LOGGED, Event, Replay
from desktop.core.signing import generate_key_files, load_private_key
from desktop.core.storage import Project, open_project
from desktop.core.storage.replay_sqlite import (
    MAX_PROBLEMS,
    ReplayReport,
    read_events,
    read_rows,
    replay_file,
)
from desktop.core.storage.schema import AUDIT_TRIGGERS, Base
from tests.conftest import REVIEWER


def test_every_column_of_every_table_is_declared() -> None:
    """A new table or column must say how the log records it, or verify would not see it."""
    tables = {e.table: e for e in ENTITIES.values() if e.table}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_LOGGED:
            assert table.name not in tables
            continue
        assert table.name in tables, f"no Entity declares the table {table.name}"
        assert set(tables[table.name].columns) == {c.name for c in table.columns}, table.name


@pytest.fixture
def busy(demo_project: Project, tmp_path: Path) -> Project:
    """Every kind of write: tags by two reviewers, a change, a delete and restore, a
    checkpoint."""
    with demo_project.read() as session:
        first, second = [s.id for s in queries.article_summaries(session)][:2]
    operations.annotate(demo_project, first, 0, 10, "disputed", reviewer=REVIEWER,
                        note="ünïcode ✓ \"quoted\"", sources=["https://example.org/a"])  # fmt: skip
    changes = operations.annotate(demo_project, second, 5, 25, "supported", reviewer="Bob")
    [created] = changes.annotation_ids
    operations.update_annotation(demo_project, created, reviewer=REVIEWER, note="second look")
    operations.delete_annotation(demo_project, created, reviewer="Bob")
    operations.restore_annotation(demo_project, created, reviewer=REVIEWER)
    generate_key_files(tmp_path / "key")
    operations.sign_checkpoint(demo_project, load_private_key(tmp_path / "key"), reviewer="Bob")
    return demo_project


def test_every_entity_the_program_logs_is_declared(busy: Project) -> None:
    conn = busy.raw_connection()
    logged = {r[0] for r in conn.execute("SELECT DISTINCT entity_type FROM audit_events")}
    conn.close()
    assert logged == set(ENTITIES)


def full_replay(path: Path) -> Replay:
    """The exact replay of every event and every row, without the bulk check."""
    conn = sqlite3.connect(path)
    replay = Replay()
    replay.add(read_events(conn))
    for entity in ENTITIES.values():
        if entity.table:
            replay.check_rows(entity, read_rows(conn, entity))
    conn.close()
    return replay


def test_an_intact_project_replays_cleanly(busy: Project) -> None:
    conn = busy.raw_connection()
    report = replay_file(conn)
    conn.close()
    assert report.ok, report.problems
    assert report.rows == {"reviewers": 2, "articles": 5, "project": 1, "annotations": 2}
    assert [s[2]["seq"] for s in report.states["checkpoint"]] == [14]
    assert full_replay(busy.path).problems == []


def test_the_replay_works_over_plain_values(busy: Project) -> None:
    """Another backend returns times and dates as objects, JSON decoded: the same verdict."""
    conn = sqlite3.connect(busy.path)
    events = [tuple(e) for e in read_events(conn)]
    rows = {e.entity_type: list(read_rows(conn, e)) for e in ENTITIES.values() if e.table}
    conn.close()

    def as_objects(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for key, value in row.items():
            if isinstance(value, str) and len(value) == 26 and value[10] == " ":
                out[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
            elif key == "published" and value:
                out[key] = date.fromisoformat(value)
            elif key == "sources":
                out[key] = json.loads(value)
        return out

    replay = Replay()
    replay.add(events)
    for entity in ENTITIES.values():
        if entity.table:
            replay.check_rows(entity, [as_objects(r) for r in rows[entity.entity_type]])
    assert replay.problems == []
    assert replay.events == len(events)


def test_events_that_do_not_follow_on(busy: Project) -> None:
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
    """An entity whose last event removed it must have no row (no such action exists yet,
    but the replay is ready for one)."""
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
    from desktop.core.replay import Problem

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
            "Bob",
            REVIEWER,
            "supported",
            "disputed",
        ]
    ),
)
COLUMNS = [
    (e.table, c) for e in ENTITIES.values() if e.table for c in e.columns if c != e.id_column
]


@pytest.fixture(scope="module")
def busy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import make_project

    folder = tmp_path_factory.mktemp("busy")
    path = make_project(folder / "busy.crosscheck")
    with open_project(path) as project:
        with project.read() as session:
            first = queries.article_summaries(session)[0].id
        operations.annotate(project, first, 0, 10, "disputed", reviewer=REVIEWER,
                            sources=["https://example.org/a"])  # fmt: skip
        [created] = operations.annotate(
            project, first, 20, 30, "supported", reviewer="Bob"
        ).annotation_ids
        operations.update_annotation(project, created, reviewer=REVIEWER, note="again")
    return path


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(COLUMNS), value=VALUES, row=st.integers(0, 4))
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
    ids = [r[0] for r in conn.execute(f'SELECT id FROM "{table}" ORDER BY rowid')]
    try:
        conn.execute(
            f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?', (value, ids[row % len(ids)])
        )
    except sqlite3.IntegrityError:
        return  # the schema's own constraints refuse it; integrity checks see to the rest
    conn.commit()
    conn.close()

    def found(problems: list[Any]) -> set[tuple[Any, ...]]:
        return {(p.table, p.row_id, p.field, p.message) for p in problems}

    exact = full_replay(path)
    conn = sqlite3.connect(path)
    bulk = replay_file(conn)
    conn.close()
    assert found(bulk.problems) == found(exact.problems)


EVENT_VALUES = st.one_of(
    VALUES,
    st.sampled_from(["annotation", "reviewer", "article", "project", "checkpoint", "{}", "null"]),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.sampled_from(["before", "after", "entity_id", "entity_type", "action", "seq"]),
    value=EVENT_VALUES,
    seq=st.integers(1, 11),
    copy_from=st.integers(1, 11),
)
def test_the_bulk_check_agrees_on_changed_events(
    busy_file: Path, tmp_path_factory: pytest.TempPathFactory, column, value, seq, copy_from
) -> None:
    """Events changed (the chain check reports those) must not split the two checks either;
    a value copied from another event is the likeliest to look right."""
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
        return
    conn.commit()
    conn.close()

    def found(problems: list[Any]) -> set[tuple[Any, ...]]:
        return {(p.table, p.row_id, p.field, p.message) for p in problems}

    exact = full_replay(path)
    conn = sqlite3.connect(path)
    bulk = replay_file(conn)
    conn.close()
    assert found(bulk.problems) == found(exact.problems)
