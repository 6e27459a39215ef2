"""Schema upgrades through Alembic, configured in code. The same revisions serve every backend;
each backend wraps them in its own transaction, backup and checks."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

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


def run_migrations(conn: Connection, target: str = "head") -> None:
    """Upgrade inside the caller's transaction on ``conn``."""
    command.upgrade(alembic_config(conn), target)


def set_schema_version(op: object, number: int) -> None:
    """Record the file format number where the backend keeps one (SQLite's user_version, read
    from the header before the file is opened)."""
    bind = op.get_bind()  # type: ignore[attr-defined]
    if bind.dialect.name == "sqlite":
        op.execute(f"PRAGMA user_version = {int(number)}")  # type: ignore[attr-defined]


def create_audit_guards(op: object) -> None:
    """Make the database itself refuse changes to the audit log, in the backend's own terms."""
    bind = op.get_bind()  # type: ignore[attr-defined]
    if bind.dialect.name == "sqlite":
        from desktop.core.store.sqlite import AUDIT_TRIGGERS

        statements = list(AUDIT_TRIGGERS.values())
    else:
        from desktop.core.store.postgres import AUDIT_GUARDS

        statements = list(AUDIT_GUARDS)
    for sql in statements:
        op.execute(sql)  # type: ignore[attr-defined]
