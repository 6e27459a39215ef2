"""A project as the first schema revision wrote it, with data, for upgrade tests: a file, or
a server database."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import MetaData, insert

from desktop.core import audit
from desktop.core.store import Store
from desktop.core.store.sqlite import APPLICATION_ID, SqliteStore, upgrade_schema

TEXT = "Baku says two citizens died in Yekaterinburg.\nMoscow denies it.\n"
QUOTE_START, QUOTE_END = 10, 28  # "two citizens died "


@dataclass(frozen=True)
class FirstRevisionProject:
    target: Path | str
    project_id: str = "00000000-0000-4000-8000-000000000001"
    reviewer_id: str = "00000000-0000-4000-8000-000000000002"
    article_id: str = "00000000-0000-4000-8000-000000000003"
    annotation_id: str = "00000000-0000-4000-8000-000000000004"
    reviewer: str = "Olena"
    title: str = "Two citizens died"
    events: int = 4

    @property
    def path(self) -> Path:
        assert isinstance(self.target, Path), "a server project has no file"
        return self.target


def _schema_at_first_revision(target: Path | str) -> Store:
    """An empty project as ``create_store`` makes it, stopped at revision 0001."""
    if isinstance(target, Path):
        conn = sqlite3.connect(target)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
        store: Store = SqliteStore(target)
        upgrade_schema(store, "0001")  # type: ignore[arg-type]
        return store
    from desktop.core.store import postgres

    server = postgres.PostgresStore(target)
    postgres.upgrade_schema(server, "0001")
    return server


def make_first_revision_project(target: Path | str) -> FirstRevisionProject:
    """A project (a file's path or an empty database's URL) as revision 0001 wrote it, filled
    through SQLAlchemy Core inserts into the tables as that revision made them."""
    store = _schema_at_first_revision(target)
    made = FirstRevisionProject(target)
    when = datetime(2025, 6, 30, 9, 15)  # naive UTC, as revision 0001 stored times
    at = "2025-06-30T09:15:00.000000Z"
    quote = TEXT[QUOTE_START:QUOTE_END]
    states = {
        "project": {"id": made.project_id, "name": "Old project", "created_at": at},
        "reviewer": {"id": made.reviewer_id, "name": made.reviewer, "email": None},
        "article": {
            "id": made.article_id,
            "title": made.title,
            "outlet": "Wire",
            "url": "https://example.org/story",
            "published": "2025-06-29",
            "imported_at": at,
            "original_name": "story.txt",
            "source_format": "txt",
            "text_length": len(TEXT),
            "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        },
        "annotation": {
            "id": made.annotation_id,
            "article_id": made.article_id,
            "start": QUOTE_START,
            "end": QUOTE_END,
            "quote": quote,
            "prefix": TEXT[:QUOTE_START],
            "suffix": TEXT[QUOTE_END : QUOTE_END + 32],
            "verdict": "disputed",
            "note": "Only one death is confirmed.",
            "sources": [{"url": "https://example.org/evidence", "title": "Evidence"}],
            "created_at": at,
            "created_by": made.reviewer,
            "updated_at": at,
            "updated_by": made.reviewer,
            "deleted_at": None,
            "deleted_by": None,
        },
    }
    try:
        with store.engine.begin() as conn:
            tables = MetaData()
            tables.reflect(conn)
            conn.execute(
                insert(tables.tables["project"]),
                {"id": made.project_id, "name": "Old project", "created_at": when},
            )
            conn.execute(
                insert(tables.tables["reviewers"]),
                {"id": made.reviewer_id, "name": made.reviewer, "created_at": when},
            )
            conn.execute(
                insert(tables.tables["articles"]),
                {
                    "id": made.article_id,
                    "title": made.title,
                    "outlet": "Wire",
                    "url": states["article"]["url"],
                    "published": date(2025, 6, 29),
                    "imported_at": when,
                    "imported_by": made.reviewer_id,
                    "original_name": "story.txt",
                    "source_format": "txt",
                    "text": TEXT,
                    "text_length": len(TEXT),
                    "text_sha256": states["article"]["text_sha256"],
                },
            )
            conn.execute(
                insert(tables.tables["annotations"]),
                {
                    "id": made.annotation_id,
                    "article_id": made.article_id,
                    "start": QUOTE_START,
                    "end": QUOTE_END,
                    "quote": quote,
                    "prefix": TEXT[:QUOTE_START],
                    "suffix": TEXT[QUOTE_END : QUOTE_END + 32],
                    "verdict": "disputed",
                    "note": states["annotation"]["note"],
                    "sources": states["annotation"]["sources"],
                    "created_at": when,
                    "created_by": made.reviewer_id,
                    "updated_at": when,
                    "updated_by": made.reviewer_id,
                },
            )
            prev = audit.GENESIS_HASH
            log = [
                ("project.created", "project", made.project_id),
                ("reviewer.added", "reviewer", made.reviewer_id),
                ("article.imported", "article", made.article_id),
                ("annotation.created", "annotation", made.annotation_id),
            ]
            for seq, (action, entity_type, entity_id) in enumerate(log, start=1):
                event_id = f"00000000-0000-4000-9000-{seq:012d}"
                after = audit.canonical_json(states[entity_type])
                payload = audit.event_bytes(
                    seq=seq,
                    event_id=event_id,
                    at=at,
                    reviewer_id=made.reviewer_id,
                    reviewer=made.reviewer,
                    action=action,
                    entity_type=entity_type,
                    entity_id=entity_id,
                    before=None,
                    after=after,
                )
                digest = audit.chain_hash(prev, payload)
                conn.execute(
                    insert(tables.tables["audit_events"]),
                    {
                        "seq": seq,
                        "id": event_id,
                        "at": at,
                        "reviewer_id": made.reviewer_id,
                        "reviewer": made.reviewer,
                        "action": action,
                        "entity_type": entity_type,
                        "entity_id": entity_id,
                        "before": None,
                        "after": after,
                        "prev_hash": prev,
                        "hash": digest,
                    },
                )
                prev = digest
    finally:
        store.close()
    return made


def dump(path: Path) -> list[str]:
    """The database's content as SQL, to compare two files regardless of page layout."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
