"""The audit log for people: one entry per event with a short summary, and an event's states.

Entries are read a page at a time, newest first; the full before/after of one event is read
when it is shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from desktop.core.model import Verdict
from desktop.core.store import reads

ACTION_LABELS = {
    "project.created": "Created project",
    "reviewer.added": "Added reviewer",
    "article.imported": "Imported article",
    "article.changed": "Changed article",
    "article.removed": "Removed article",
    "article.restored": "Restored article",
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
    "adjudication.reinstated": "Reinstated adjudication",
    "signing_key.added": "Added signing key",
    "checkpoint.signed": "Signed checkpoint",
    "annotation.merged": "Merged",
    "article.merged": "Merged",
    "settlement.merged": "Merged",
    "blinding.merged": "Merged",
    "done_mark.merged": "Merged",
    "adjudicator.merged": "Merged",
    "copy.merged": "Merged copy",
}
# What a merge decision about an entity of each type changed, for its one-line summary.
_MERGED_WHAT = {
    "settlement": "an adjudication",
    "blinding": "blind review",
    "done_mark": "a done mark",
    "adjudicator": "an adjudicator",
}
QUOTE_CHARS = 36


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
    if action in ("annotation.changed", "annotation.merged"):
        changes = []
        if verdict_before != verdict_after:
            old, new = _verdict_label(verdict_before), _verdict_label(verdict_after)
            changes.append(f"{old.lower()} → {new.lower()}")
        if note_changed:
            changes.append("note")
        if sources_changed:
            changes.append("sources")
        detail = f" ({', '.join(changes)})" if changes else ""
        verb = "Changed" if action == "annotation.changed" else "Merged both versions of"
        return f"{verb} {quoted}{detail}{where}"
    if action == "annotation.deleted":
        return f"Deleted {_verdict_label(verdict_before).lower()} {quoted}{where}"
    if action == "annotation.restored":
        return f"Restored {_verdict_label(verdict_after).lower()} {quoted}{where}"
    if action == "article.imported":
        return f"Imported ‘{_clip(title or '', 80)}’"
    if action == "article.changed":
        return f"Changed details of ‘{_clip(title or '', 80)}’"
    if action == "article.removed":
        return f"Removed ‘{_clip(title or '', 80)}’"
    if action == "article.restored":
        return f"Restored ‘{_clip(title or '', 80)}’"
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
    if action in ("adjudication.settled", "adjudication.withdrawn", "adjudication.reinstated"):
        return f"{ACTION_LABELS[action]} a disagreement{where}"
    if action == "signing_key.added":
        return "Added a public key for signing checkpoints"
    if action == "checkpoint.signed":
        return "Signed the log up to the event before"
    if action == "copy.merged":
        return "Merged the work of a copy of this project"
    if action == "article.merged":
        return f"Merged both versions of the details of ‘{_clip(title or '', 80)}’"
    if action.endswith(".merged") and action.split(".")[0] in _MERGED_WHAT:
        return f"Merged both versions of {_MERGED_WHAT[action.split('.')[0]]}{where}"
    return f"{action} {quoted if quote else ''}".rstrip()


def list_entries(
    conn: Connection,
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 1_000_000_000,
    flt: reads.EventFilter | None = None,
) -> list[AuditEntry]:
    """Events newest first with ``after_seq < seq < before_seq`` (either bound may be None),
    at most ``limit``."""
    rows = reads.audit_page(conn, before_seq=before_seq, after_seq=after_seq, limit=limit, flt=flt)
    parsed = [(row, _loads_or_none(row[6]), _loads_or_none(row[7])) for row in rows]
    article_ids: set[str] = set()
    for _row, before, after in parsed:
        linked = (after or before or {}).get("article_id")
        if isinstance(linked, str):
            article_ids.add(linked)
    titles = reads.article_titles(conn, article_ids) if article_ids else {}
    out = []
    for (seq, at, reviewer, action, etype, eid, _b, _a), before, after in parsed:
        state = after or before or {}
        vb = (before or {}).get("verdict")
        va = (after or {}).get("verdict")
        what = describe(
            action,
            quote=state.get("quote"),
            verdict_before=vb,
            verdict_after=va,
            title=titles.get(state.get("article_id", "")) or state.get("title"),
            name=state.get("name"),
            note_changed=(before or {}).get("note") != (after or {}).get("note"),
            sources_changed=(before or {}).get("sources") != (after or {}).get("sources"),
        )
        verdict = (va or vb) if etype == "annotation" else None
        out.append(AuditEntry(seq, at, reviewer, action, etype, eid, what, verdict))
    return out


def entity_names(conn: Connection, ids: set[str]) -> dict[str, str]:
    """What people call the entities with these ids: an article's title, a reviewer's name,
    an annotation's quote (the start of it), the project's name. Unknown ids are left out."""
    return reads.entity_names(conn, ids)


def count_entries(conn: Connection) -> int:
    return reads.count_events(conn)


def distinct_values(conn: Connection) -> tuple[list[str], list[str]]:
    """Every reviewer name and action in the log, sorted, for the filters."""
    return reads.distinct_event_values(conn)


def event_states(conn: Connection, seq: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The before and after states of one event (None where the entity did not exist)."""
    row = reads.event_states(conn, seq)
    if row is None:
        return None, None
    return tuple(None if v is None else _loads(v) for v in row)  # type: ignore[return-value]


def _loads_or_none(text: str | None) -> dict[str, Any] | None:
    return None if text is None else _loads(text)


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
