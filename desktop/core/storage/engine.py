"""SQLite connections for project files: pragmas and explicit transaction control.

Project files live on laptops and shared drives, so: rollback journal (WAL needs shared memory
on one host), a busy timeout instead of instant "database is locked", writes that take the
write lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock mid-transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

APPLICATION_ID = 0x5843484B  # "XCHK": marks a file as a Crosscheck project
DEFAULT_BUSY_TIMEOUT_MS = 5_000
BEGIN_OPTION = "crosscheck_begin"


def connect_raw(path: Path, *, read_only: bool, busy_timeout_ms: int) -> sqlite3.Connection:
    """A DB-API connection with our pragmas; ``mode=ro`` never creates or changes the file."""
    mode = "ro" if read_only else "rw"
    # as_uri() percent-encodes the path (spaces, '?', '#') so SQLite reads it literally.
    uri = f"{path.absolute().as_uri()}?mode={mode}"
    conn = sqlite3.connect(
        uri,
        uri=True,
        timeout=busy_timeout_ms / 1000,
        check_same_thread=False,
        isolation_level=None,  # we issue BEGIN ourselves; see _begin below
    )
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        conn.execute("PRAGMA synchronous = FULL")
    return conn


def _canonical_json(value: object) -> str:
    import rfc8785

    return rfc8785.dumps(value).decode("utf-8")  # type: ignore[arg-type]


def make_engine(path: Path, *, read_only: bool, busy_timeout_ms: int) -> Engine:
    # Imported here: reading a project (snapshot()) never needs SQLAlchemy.
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool

    engine = create_engine(
        "sqlite://",
        creator=lambda: connect_raw(path, read_only=read_only, busy_timeout_ms=busy_timeout_ms),
        # JSON columns hold canonical JSON (RFC 8785), the form the audit log records, so a
        # row can be compared with its logged state as text.
        json_serializer=_canonical_json,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def outside_transaction(conn: Connection, sql: str) -> None:
    """Run a pragma that SQLite ignores inside a transaction, on the driver connection itself
    (SQLAlchemy would begin a transaction first)."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection) and not driver.in_transaction
    driver.execute(sql)


def set_journal_mode(conn: Connection) -> None:
    """Switch a writable file to the rollback journal (WAL is persistent in the file)."""
    outside_transaction(conn, "PRAGMA journal_mode = DELETE")
