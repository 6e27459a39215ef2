"""A project reached without Crosscheck, in place: read with plain SQL, changed as someone
with the database's own tools would (``tests.backends.Attacker``: the audit guards off, then
back on so that the schema shows nothing), and re-hashed as a forger would."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

from desktop.core import audit
from desktop.core.store import is_server_url, open_store
from tests.backends import Attacker, Statement, rows


class Database:
    """One project's database, a file or a server's. SQL takes ``:name`` parameters."""

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

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with closing(open_store(self.target, read_only=True)) as store:
            return rows(store, sql, **params)

    def scalar(self, sql: str, **params: Any) -> Any:
        found = self.rows(sql, **params)
        return found[0][0] if found else None

    def attack(self, *statements: Statement) -> None:
        """Run the statements with the audit guards off; the guards are put back after."""
        backend = "postgresql" if self.server else "sqlite"
        Attacker(backend, None, Path()).run(self.target, *statements, guards_off=True)

    def rehash(self, *statements: Statement) -> None:
        """What a forger does: change something, then recompute every hash after it so that
        the chain is intact again."""
        self.attack(*statements)
        events = self.rows(
            "SELECT seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, "
            '"before", "after" FROM audit_events ORDER BY seq'
        )
        prev = audit.GENESIS_HASH
        fixes: list[Statement] = []
        for seq, eid, at, rid, name, action, etype, entity, before, after in events:
            digest = audit.chain_hash(
                prev,
                audit.event_bytes(
                    seq=seq, event_id=eid, at=at, reviewer_id=rid, reviewer=name,
                    action=action, entity_type=etype, entity_id=entity, before=before,
                    after=after,
                ),
            )  # fmt: skip
            fixes.append(
                (
                    "UPDATE audit_events SET prev_hash = :prev, hash = :hash WHERE seq = :seq",
                    {"prev": prev, "hash": digest, "seq": seq},
                )
            )
            prev = digest
        self.attack(*fixes)
