"""Changing a project behind the program's back, as an attacker with direct access to the
database would: the sqlite3 module on a file (triggers dropped, then put back), a superuser's
connection on a server (the audit table's triggers disabled, then enabled again)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.core import audit
from desktop.core.store import is_server_url
from desktop.core.store.sqlite import AUDIT_TRIGGERS


class Database:
    """A project's database, reached without Crosscheck. SQL is written with ``?`` for
    parameters; it runs as written on both SQLite and PostgreSQL."""

    def __init__(self, target: str | Path) -> None:
        self.target = target
        self.server = is_server_url(target)

    @property
    def argument(self) -> str:
        """How the command line names the project."""
        return str(self.target)

    @property
    def location(self) -> str:
        """How the program's messages name it (a server URL without its password)."""
        if self.server:
            from desktop.core.store.postgres import redact

            return redact(str(self.target))
        return str(self.target)

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        if self.server:
            import psycopg

            conn: Any = psycopg.connect(str(self.target))
        else:
            conn = sqlite3.connect(self.target)
        try:
            yield conn
        finally:
            conn.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.server else sql

    def scalar(self, sql: str, *params: object) -> Any:
        with self._connect() as conn:
            row = conn.execute(self._sql(sql), params).fetchone()
            return None if row is None else row[0]

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with self._connect() as conn:
            return [tuple(r) for r in conn.execute(self._sql(sql), params).fetchall()]

    def attack(self, *statements: str, params: tuple[object, ...] = ()) -> None:
        """Run the statements with the audit log's guards out of the way, then put the guards
        back so that the schema shows nothing."""
        with self._connect() as conn:
            self._unguard(conn)
            for sql in statements:
                conn.execute(self._sql(sql), params if "?" in sql else ())
            self._guard(conn)
            conn.commit()

    def rehash(self, *statements: str) -> None:
        """What a forger does: change something, then recompute every hash after it so that
        the chain is intact again."""
        self.attack(*statements)
        with self._connect() as conn:
            self._unguard(conn)
            prev = audit.GENESIS_HASH
            events = conn.execute(
                "SELECT seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, "
                '"before", "after" FROM audit_events ORDER BY seq'
            ).fetchall()
            for seq, eid, at, rid, name, action, etype, entity, before, after in events:
                digest = audit.chain_hash(
                    prev,
                    audit.event_bytes(
                        seq=seq, event_id=eid, at=at, reviewer_id=rid, reviewer=name,
                        action=action, entity_type=etype, entity_id=entity, before=before,
                        after=after,
                    ),
                )  # fmt: skip
                conn.execute(
                    self._sql("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?"),
                    (prev, digest, seq),
                )
                prev = digest
            self._guard(conn)
            conn.commit()

    def _unguard(self, conn: Any) -> None:
        if self.server:
            conn.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
        else:
            for name in AUDIT_TRIGGERS:
                conn.execute(f"DROP TRIGGER {name}")

    def _guard(self, conn: Any) -> None:
        if self.server:
            conn.execute("ALTER TABLE audit_events ENABLE TRIGGER USER")
        else:
            for sql in AUDIT_TRIGGERS.values():
                conn.execute(sql)
