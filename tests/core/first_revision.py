"""A project file as the first schema revision wrote it, with data, for upgrade tests."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.core import audit
from desktop.core.store.sqlite import APPLICATION_ID, SqliteStore, upgrade_schema

TEXT = "Baku says two citizens died in Yekaterinburg.\nMoscow denies it.\n"
QUOTE_START, QUOTE_END = 10, 28  # "two citizens died "


@dataclass(frozen=True)
class FirstRevisionProject:
    path: Path
    project_id: str = "00000000-0000-4000-8000-000000000001"
    reviewer_id: str = "00000000-0000-4000-8000-000000000002"
    article_id: str = "00000000-0000-4000-8000-000000000003"
    annotation_id: str = "00000000-0000-4000-8000-000000000004"
    reviewer: str = "Olena"
    title: str = "Two citizens died"
    events: int = 4


def make_first_revision_project(path: Path) -> FirstRevisionProject:
    """Build a file the way ``create_store`` does, stopped at revision 0001, and fill it."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    store = SqliteStore(path)
    engine = store.engine
    try:
        upgrade_schema(store, "0001")
    finally:
        engine.dispose()
    made = FirstRevisionProject(path)
    when = "2025-06-30 09:15:00.000000"
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
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO project (id, name, created_at) VALUES (?, ?, ?)",
            (made.project_id, "Old project", when),
        )
        conn.execute(
            "INSERT INTO reviewers (id, name, created_at) VALUES (?, ?, ?)",
            (made.reviewer_id, made.reviewer, when),
        )
        article = states["article"]
        conn.execute(
            "INSERT INTO articles (id, title, outlet, url, published, imported_at, imported_by, "
            "original_name, source_format, text, text_length, text_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                made.article_id,
                made.title,
                "Wire",
                article["url"],
                "2025-06-29",
                when,
                made.reviewer_id,
                "story.txt",
                "txt",
                TEXT,
                len(TEXT),
                article["text_sha256"],
            ),
        )
        note = states["annotation"]["note"]
        conn.execute(
            'INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, '
            "verdict, note, sources, created_at, created_by, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                made.annotation_id,
                made.article_id,
                QUOTE_START,
                QUOTE_END,
                quote,
                TEXT[:QUOTE_START],
                TEXT[QUOTE_END : QUOTE_END + 32],
                "disputed",
                note,
                '[{"url": "https://example.org/evidence", "title": "Evidence"}]',
                when,
                made.reviewer_id,
                when,
                made.reviewer_id,
            ),
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
                "INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    event_id,
                    at,
                    made.reviewer_id,
                    made.reviewer,
                    action,
                    entity_type,
                    entity_id,
                    None,
                    after,
                    prev,
                    digest,
                ),
            )
            prev = digest
    conn.close()
    return made


def dump(path: Path) -> list[str]:
    """The database's content as SQL, to compare two files regardless of page layout."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
