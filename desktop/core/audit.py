"""The append-only audit log and its hash chain.

Each event's hash is ``sha256(prev_hash + canonical JSON of the event)`` (RFC 8785), the first
``prev_hash`` being GENESIS_HASH. The event object has the keys action, after, at, before,
entity_id, entity_type, id, reviewer, reviewer_id and seq; ``before``/``after`` are stored as
canonical JSON text, so an export of the rows is enough to re-check the chain anywhere.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core.model import iso_utc, new_id
from desktop.core.storage.schema import AuditEvent, Reviewer

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return rfc8785.dumps(value).decode("utf-8")


def _quote(value: str) -> str:
    # For strings json.dumps(ensure_ascii=False) escapes exactly what RFC 8785 escapes.
    return json.dumps(value, ensure_ascii=False)


def event_bytes(
    *,
    seq: int,
    event_id: str,
    at: str,
    reviewer_id: str,
    reviewer: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: str | None,
    after: str | None,
) -> bytes:
    """The canonical JSON of one event, built from stored columns without re-parsing them."""
    return (
        '{"action":'
        + _quote(action)
        + ',"after":'
        + (after if after is not None else "null")
        + ',"at":'
        + _quote(at)
        + ',"before":'
        + (before if before is not None else "null")
        + ',"entity_id":'
        + _quote(entity_id)
        + ',"entity_type":'
        + _quote(entity_type)
        + ',"id":'
        + _quote(event_id)
        + ',"reviewer":'
        + _quote(reviewer)
        + ',"reviewer_id":'
        + _quote(reviewer_id)
        + ',"seq":'
        + str(seq)
        + "}"
    ).encode("utf-8")


def chain_hash(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + payload).hexdigest()


def append_event(
    session: Session,
    *,
    reviewer: Reviewer,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> AuditEvent:
    """Add the next event to the chain; call inside the write transaction of the change."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event = AuditEvent(
        seq=seq,
        id=new_id(),
        at=iso_utc(at),
        reviewer_id=reviewer.id,
        reviewer=reviewer.name,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=None if before is None else canonical_json(before),
        after=None if after is None else canonical_json(after),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = chain_hash(prev_hash, payload_of(event))
    session.add(event)
    return event


def payload_of(event: AuditEvent) -> bytes:
    return event_bytes(
        seq=event.seq,
        event_id=event.id,
        at=event.at,
        reviewer_id=event.reviewer_id,
        reviewer=event.reviewer,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        before=event.before,
        after=event.after,
    )


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain: ``problem`` names the first broken event, if any."""

    events: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


_CHAIN_SQL = (
    "SELECT seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, before, after, "
    "prev_hash, hash FROM audit_events ORDER BY seq"
)


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Walk every event in order; stop at the first gap, broken link or wrong hash."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    cursor = conn.execute(_CHAIN_SQL)
    cursor.arraysize = 2048
    while rows := cursor.fetchmany():
        for seq, eid, at, rid, rname, action, etype, entity, before, after, prev, digest in rows:
            if seq != expected_seq:
                return ChainReport(
                    count,
                    expected_prev,
                    seq,
                    f"sequence gap: event {seq} follows event {expected_seq - 1}",
                )
            if prev != expected_prev:
                return ChainReport(
                    count,
                    expected_prev,
                    seq,
                    f"event {seq}: previous hash does not match event {seq - 1}",
                )
            payload = event_bytes(
                seq=seq,
                event_id=eid,
                at=at,
                reviewer_id=rid,
                reviewer=rname,
                action=action,
                entity_type=etype,
                entity_id=entity,
                before=before,
                after=after,
            )
            actual = hashlib.sha256(prev.encode("ascii") + payload).hexdigest()
            if actual != digest:
                return ChainReport(
                    count,
                    expected_prev,
                    seq,
                    f"event {seq} ({action} {etype} {entity}): hash does not match its content",
                )
            expected_prev = digest
            expected_seq += 1
            count += 1
    return ChainReport(count, expected_prev)
