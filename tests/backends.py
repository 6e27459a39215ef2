"""Looking into a project behind the program's back, the same way on every backend.

Tests check what is stored with plain SQL through the store's own connections (``count``,
``rows``, ``snapshot``), and change it as someone with the database's own tools would
(``Attacker``): on SQLite, the sqlite3 module with the audit triggers dropped; on PostgreSQL,
psycopg with the audit guard triggers disabled.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from desktop.core.store import Store, open_store

Target = str | Path
Statement = str | tuple[str, dict[str, Any]]

EVENT_COLUMNS = (
    "seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, "
    '"before", "after", prev_hash, hash'
)


def target_of(store: Store) -> Target:
    """What ``open_store`` takes to open this project again."""
    if store.path is not None:
        return store.path
    return str(store._url)  # type: ignore[attr-defined]


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def count(store: Store, table: str) -> int:
    return int(rows(store, f"SELECT count(*) FROM {table}")[0][0])


def events(store: Store) -> list[tuple[Any, ...]]:
    """(seq, action, entity_type, entity_id, reviewer, before, after) in order."""
    return rows(
        store,
        'SELECT seq, action, entity_type, entity_id, reviewer, "before", "after" '
        "FROM audit_events ORDER BY seq",
    )


def full_events(store: Store) -> list[tuple[Any, ...]]:
    """Every column of every event (``EVENT_COLUMNS``), in order."""
    return rows(store, f"SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY seq")


def stored_annotation(store: Store, annotation_id: str) -> dict[str, Any]:
    with store.read() as conn:
        row = conn.execute(
            text("SELECT * FROM annotations WHERE id = :id"), {"id": annotation_id}
        ).one()
        return dict(row._mapping)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the record, sorted: two equal snapshots mean nothing
    was written in between."""
    from desktop.core.transfer import record_tables

    out = {}
    for table in (t.name for t in record_tables()):
        out[table] = sorted(rows(store, f"SELECT * FROM {table}"), key=repr)
    return out


def record(store: Store, *, leave_out: Sequence[str] = ("presence",)) -> dict[str, list[Any]]:
    """Every row of every table of the schema but ``leave_out``, read through the tables'
    own types (so that a file and a server compare equal), sorted."""
    from sqlalchemy import select

    from desktop.core.store.schema import Base

    out = {}
    with store.read() as conn:
        for name, table in Base.metadata.tables.items():
            if name not in leave_out:
                out[name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
    return out


class Attacker:
    """Someone who edits a project with the database's own tools, guards off."""

    def __init__(self, backend: str, new_url: Callable[[], str] | None, folder: Path) -> None:
        self.backend = backend
        self._new_url = new_url
        self._folder = folder

    def tampered(
        self, project: Store | Target, *statements: Statement, keep_guards: bool = True
    ) -> Target:
        """A copy of the project with ``statements`` run on it behind the program's back;
        ``keep_guards=False`` leaves the audit guards off (dropped)."""
        copy = self._copy(project)
        self.run(copy, *statements, guards_off=True, restore_guards=keep_guards)
        return copy

    def run(
        self,
        target: Target,
        *statements: Statement,
        guards_off: bool = False,
        restore_guards: bool = True,
    ) -> None:
        """Run SQL on the project as it is; with the guards on, the database may refuse."""
        if self.backend == "sqlite":
            self._run_sqlite(Path(target), statements, guards_off, restore_guards)
        else:
            self._run_postgres(str(target), statements, guards_off, restore_guards)

    def _copy(self, project: Store | Target) -> Target:
        store = open_store(project, read_only=True) if not isinstance(project, Store) else None
        source = store or project
        assert isinstance(source, Store)
        try:
            if self.backend == "sqlite":
                assert source.path is not None
                copy = self._folder / f"tampered-{uuid.uuid4().hex[:8]}.crosscheck"
                shutil.copy(source.path, copy)
                return copy
            from desktop.core.transfer import copy_project

            assert self._new_url is not None
            url = self._new_url()
            copy_project(source, url)
            return url
        finally:
            if store is not None:
                store.close()

    @staticmethod
    def _run_sqlite(
        path: Path, statements: Sequence[Statement], guards_off: bool, restore_guards: bool
    ) -> None:
        from desktop.core.store.sqlite import AUDIT_TRIGGERS

        conn = sqlite3.connect(path)
        try:
            if guards_off:
                for name in AUDIT_TRIGGERS:
                    conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, {})
                conn.execute(sql, params)
            if guards_off and restore_guards:
                for sql in AUDIT_TRIGGERS.values():
                    conn.execute(sql)
            conn.commit()
        finally:
            conn.close()

    @staticmethod
    def _run_postgres(
        url: str, statements: Sequence[Statement], guards_off: bool, restore_guards: bool
    ) -> None:
        import psycopg

        from desktop.core.store.postgres import GUARD_TRIGGERS

        with psycopg.connect(url) as conn:
            if guards_off:
                conn.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
            for statement in statements:
                sql, params = statement if isinstance(statement, tuple) else (statement, {})
                if params:  # the sqlite3 style :name, in psycopg's words
                    sql = re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql.replace("%", "%%"))
                conn.execute(sql, params or None)
            if guards_off and restore_guards:
                conn.execute("ALTER TABLE audit_events ENABLE TRIGGER USER")
            elif guards_off:
                for name in GUARD_TRIGGERS:
                    conn.execute(f"DROP TRIGGER {name} ON audit_events")


def guard_names(backend: str) -> list[str]:
    """The triggers that keep the audit table append-only, as verify names them."""
    if backend == "sqlite":
        from desktop.core.store.sqlite import AUDIT_TRIGGERS

        return list(AUDIT_TRIGGERS)
    from desktop.core.store.postgres import GUARD_TRIGGERS

    return list(GUARD_TRIGGERS)
