"""Schema upgrades through Alembic, configured in code, with a backup and checks around them."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from desktop.core.storage.engine import outside_transaction
from desktop.core.storage.schema import AUDIT_TRIGGERS
from desktop.paths import data_dir


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(data_dir("migrations")))
    config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def known_revisions() -> list[str]:
    """Oldest first."""
    return [s.revision for s in reversed(list(script_directory().walk_revisions()))]


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate in one transaction: SQLite DDL is transactional, so a failure leaves no trace."""
    with engine.connect() as conn:
        # Foreign keys must be off while batch mode recreates tables, and can only be
        # switched outside a transaction.
        outside_transaction(conn, "PRAGMA foreign_keys = OFF")
        try:
            conn = conn.execution_options(crosscheck_begin="IMMEDIATE")
            with conn.begin():
                command.upgrade(alembic_config(conn), target)
                # Batch migrations drop and recreate tables, and their triggers with them.
                ensure_audit_triggers(conn)
        finally:
            outside_transaction(conn, "PRAGMA foreign_keys = ON")


def ensure_audit_triggers(conn: Connection) -> None:
    for sql in AUDIT_TRIGGERS.values():
        conn.exec_driver_sql(sql)


def missing_triggers(conn: Connection | sqlite3.Connection) -> list[str]:
    sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    if isinstance(conn, sqlite3.Connection):
        present = {row[0] for row in conn.execute(sql)}
    else:
        present = {row[0] for row in conn.exec_driver_sql(sql)}
    return [name for name in AUDIT_TRIGGERS if name not in present]


@dataclass(frozen=True)
class CheckResult:
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(conn: sqlite3.Connection) -> CheckResult:
    """``integrity_check``, ``foreign_key_check`` and the audit triggers."""
    problems: list[str] = []
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        problems.append("integrity check failed: " + "; ".join(str(r) for r in rows))
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        table, rowid, parent, _ = fk[0]
        problems.append(
            f"foreign key check failed: {len(fk)} row(s), first {table} row {rowid} -> {parent}"
        )
    missing = missing_triggers(conn)
    if missing:
        problems.append("audit triggers missing: " + ", ".join(missing))
    return CheckResult(problems)


def backup_path_for(path: Path, moment: datetime | None = None) -> Path:
    stamp = (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 2
    while os.path.lexists(candidate):  # a dangling link counts as taken
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def copy_database(source: sqlite3.Connection, target_path: Path) -> None:
    """A consistent copy through SQLite's backup API, safe while others have the file open."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
