"""The audit log for people: one entry per event with a short summary, and an event's states.

Summaries are built from a few fields SQLite extracts from the stored JSON, so listing a long
log parses no JSON in Python; the full before/after of one event is read when it is shown.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from desktop.core.model import Verdict

ACTION_LABELS = {
    "project.created": "Created project",
    "reviewer.added": "Added reviewer",
    "article.imported": "Imported article",
    "annotation.created": "Tagged",
    "annotation.changed": "Changed",
    "annotation.deleted": "Deleted",
    "annotation.restored": "Restored",
    "blinding.started": "Started blind review",
    "blinding.ended": "Ended blind review",
    "review.done": "Marked done",
    "review.reopened": "Unmarked done",
    "adjudicator.added": "Named adjudicator",
    "adjudicator.removed": "Removed adjudicator",
    "adjudication.settled": "Adjudicated",
    "adjudication.withdrawn": "Withdrew adjudication",
}
QUOTE_CHARS = 36

_ENTRIES_SQL = """
SELECT e.seq, e.at, e.reviewer, e.action, e.entity_type, e.entity_id,
  json_extract(coalesce(e."after", e."before"), '$.quote'),
  json_extract(e."before", '$.verdict'),
  json_extract(e."after", '$.verdict'),
  coalesce(t.title, json_extract(coalesce(e."after", e."before"), '$.title')),
  json_extract(coalesce(e."after", e."before"), '$.name'),
  json_extract(e."before", '$.note') IS NOT json_extract(e."after", '$.note'),
  json_extract(e."before", '$.sources') IS NOT json_extract(e."after", '$.sources')
FROM audit_events e
LEFT JOIN articles t ON t.id = json_extract(coalesce(e."after", e."before"), '$.article_id')
WHERE e.seq < ? AND e.seq > ?
ORDER BY e.seq DESC
LIMIT ?
"""


@dataclass(frozen=True)
class AuditEntry:
    """One event as listed: ``what`` is a one-line summary such as "Disputed ‘38 dead…’ in …"."""

    seq: int
    at: str  # ISO 8601 UTC, as stored
    reviewer: str
    action: str
    entity_type: str
    entity_id: str
    what: str
    verdict: str | None = None  # an annotation's verdict after the event (before, if deleted)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def _clip(text: str, width: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _verdict_label(value: str | None) -> str:
    try:
        return Verdict(value).value.capitalize() if value else "?"
    except ValueError:
        return str(value)


def describe(
    action: str,
    *,
    quote: str | None,
    verdict_before: str | None,
    verdict_after: str | None,
    title: str | None,
    name: str | None,
    note_changed: bool,
    sources_changed: bool,
) -> str:
    """A short human summary of one event."""
    where = f" in {title}" if title else ""
    quoted = f"‘{_clip(quote)}’" if quote else "a span"
    if action == "annotation.created":
        return f"{_verdict_label(verdict_after)} {quoted}{where}"
    if action == "annotation.changed":
        changes = []
        if verdict_before != verdict_after:
            old, new = _verdict_label(verdict_before), _verdict_label(verdict_after)
            changes.append(f"{old.lower()} → {new.lower()}")
        if note_changed:
            changes.append("note")
        if sources_changed:
            changes.append("sources")
        detail = f" ({', '.join(changes)})" if changes else ""
        return f"Changed {quoted}{detail}{where}"
    if action == "annotation.deleted":
        return f"Deleted {_verdict_label(verdict_before).lower()} {quoted}{where}"
    if action == "annotation.restored":
        return f"Restored {_verdict_label(verdict_after).lower()} {quoted}{where}"
    if action == "article.imported":
        return f"Imported ‘{_clip(title or '', 80)}’"
    if action == "reviewer.added":
        return f"Added reviewer {name or ''}".rstrip()
    if action == "project.created":
        return f"Created project ‘{_clip(name or '', 80)}’"
    if action in ("blinding.started", "blinding.ended"):
        scope = f"of ‘{_clip(title, 80)}’" if title else "of the whole project"
        return f"{ACTION_LABELS[action]} {scope}"
    if action == "review.done":
        return f"Marked ‘{_clip(title or '', 80)}’ done: blind review ended there for them"
    if action == "review.reopened":
        return f"Took back the done mark on ‘{_clip(title or '', 80)}’"
    if action in ("adjudicator.added", "adjudicator.removed"):
        return f"{ACTION_LABELS[action]} {name or ''}".rstrip()
    if action in ("adjudication.settled", "adjudication.withdrawn"):
        return f"{ACTION_LABELS[action]} a disagreement{where}"
    return f"{action} {quoted if quote else ''}".rstrip()


def list_entries(
    conn: sqlite3.Connection,
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 1_000_000_000,
) -> list[AuditEntry]:
    """Events newest first with ``after_seq < seq < before_seq`` (either bound may be None),
    at most ``limit``."""
    low = after_seq if after_seq is not None else -(2**62)
    high = before_seq if before_seq is not None else 2**62
    rows = conn.execute(_ENTRIES_SQL, (high, low, limit)).fetchall()
    out = []
    for seq, at, reviewer, action, etype, eid, quote, vb, va, title, name, nc, sc in rows:
        what = describe(
            action,
            quote=quote,
            verdict_before=vb,
            verdict_after=va,
            title=title,
            name=name,
            note_changed=bool(nc),
            sources_changed=bool(sc),
        )
        verdict = (va or vb) if etype == "annotation" else None
        out.append(AuditEntry(seq, at, reviewer, action, etype, eid, what, verdict))
    return out


def count_entries(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])


def distinct_values(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """Every reviewer name and action in the log, sorted, for the filters."""
    reviewers = [r[0] for r in conn.execute("SELECT DISTINCT reviewer FROM audit_events")]
    actions = [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_events")]
    return sorted(reviewers, key=str.casefold), sorted(actions)


def event_states(
    conn: sqlite3.Connection, seq: int
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The before and after states of one event (None where the entity did not exist)."""
    row = conn.execute(
        'SELECT "before", "after" FROM audit_events WHERE seq = ?', (seq,)
    ).fetchone()
    if row is None:
        return None, None
    return tuple(None if v is None else _loads(v) for v in row)  # type: ignore[return-value]


def _loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"(stored text is not JSON)": text}
    return value if isinstance(value, dict) else {"value": value}


def changed_keys(before: dict[str, Any] | None, after: dict[str, Any] | None) -> set[str]:
    """Keys whose value differs between the two states (every key when one side is missing)."""
    if before is None or after is None:
        return set((before or {}).keys()) | set((after or {}).keys())
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
