"""The append-only audit log and its hash chain.

Each event's hash is ``sha256(prev_hash + canonical JSON of the event)`` (RFC 8785), the first
``prev_hash`` being GENESIS_HASH. The event object has the keys action, after, at, before,
entity_id, entity_type, id, reviewer, reviewer_id and seq; ``before``/``after`` are stored as
canonical JSON text, so an export of the rows is enough to re-check the chain anywhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import rfc8785
from sqlalchemy import Connection, insert, select

from desktop.core.model import iso_utc, new_id
from desktop.core.store import reads
from desktop.core.store.schema import AuditEvent

if TYPE_CHECKING:
    from desktop.core.store import Store

GENESIS_HASH = "0" * 64


_SAFE_INT = 2**53 - 1


def canonical_json(value: Any) -> str:
    """RFC 8785 text of ``value``. What the log holds (strings, whole numbers, booleans, null,
    lists and objects with keys in the Basic Multilingual Plane) the standard library writes
    exactly so, and many times faster; anything else goes to the reference implementation."""
    if _plain(value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return rfc8785.dumps(value).decode("utf-8")


def _plain(value: Any) -> bool:
    """True when json.dumps gives RFC 8785's bytes: no floats, integers a double holds
    exactly, and object keys that sort the same by code point as by UTF-16 unit (none above
    U+FFFF)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE_INT <= value <= _SAFE_INT)
    if kind is list:
        return all(_plain(item) for item in value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            if not key.isascii() and any(ord(c) > 0xFFFF for c in key):
                return False
            if not _plain(item):
                return False
        return True
    return False


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


@dataclass(frozen=True)
class ChainHead:
    """The last event of the chain: the next one gets ``seq + 1`` and links to ``hash``."""

    seq: int
    hash: str


EMPTY_CHAIN = ChainHead(0, GENESIS_HASH)

# Built once: every write runs these, and a prepared statement skips SQLAlchemy's compiling.
_LAST_EVENT = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_INSERT_EVENT = insert(AuditEvent)


def chain_head(conn: Connection) -> ChainHead:
    row = conn.execute(_LAST_EVENT).first()
    return ChainHead(row[0], row[1]) if row else EMPTY_CHAIN


def append_event(
    conn: Connection,
    *,
    reviewer_id: str,
    reviewer: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
    head: ChainHead | None = None,
) -> ChainHead:
    """Insert the next event of the chain; call inside the write transaction of the change.

    ``head`` is the chain's last event when the caller knows it (it appended that event in the
    same transaction); otherwise it is read from the table. Returns the new head.
    """
    if head is None:
        head = chain_head(conn)
    seq = head.seq + 1
    event_id = new_id()
    stamp = iso_utc(at)
    before_json = None if before is None else canonical_json(before)
    after_json = None if after is None else canonical_json(after)
    payload = event_bytes(
        seq=seq,
        event_id=event_id,
        at=stamp,
        reviewer_id=reviewer_id,
        reviewer=reviewer,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before_json,
        after=after_json,
    )
    digest = chain_hash(head.hash, payload)
    conn.execute(
        _INSERT_EVENT,
        {
            "seq": seq,
            "id": event_id,
            "at": stamp,
            "reviewer_id": reviewer_id,
            "reviewer": reviewer,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": before_json,
            "after": after_json,
            "prev_hash": head.hash,
            "hash": digest,
        },
    )
    return ChainHead(seq, digest)


def carry_events(
    conn: Connection, events: Sequence[Any], head: ChainHead
) -> tuple[ChainHead, list[list[Any]]]:
    """Append events made in another copy of the project, unchanged but for their place in
    this chain (seq and previous hash): id, time, reviewer and states are kept. Returns the
    new head and, per event, [event id, original seq, original previous hash, original hash]
    (by id, so that the record stays true wherever the chain is later copied or merged).
    ``events`` have the attributes of ``reads.EVENT_COLUMNS``."""
    rows: list[dict[str, Any]] = []
    provenance: list[list[Any]] = []
    for event in events:
        seq = head.seq + 1
        payload = event_bytes(
            seq=seq,
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
        digest = chain_hash(head.hash, payload)
        rows.append(
            {
                "seq": seq,
                "id": event.id,
                "at": event.at,
                "reviewer_id": event.reviewer_id,
                "reviewer": event.reviewer,
                "action": event.action,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "before": event.before,
                "after": event.after,
                "prev_hash": head.hash,
                "hash": digest,
            }
        )
        provenance.append([event.id, event.seq, event.prev_hash, event.hash])
        head = ChainHead(seq, digest)
    if rows:
        conn.execute(_INSERT_EVENT, rows)
    return head, provenance


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


@dataclass
class _Walk:
    """How far the check has got: the next expected event and the last good hash."""

    seq: int = 1
    prev: str = GENESIS_HASH
    count: int = 0

    def report(self, bad_seq: int | None = None, problem: str | None = None) -> ChainReport:
        return ChainReport(self.count, self.prev, bad_seq, problem)


CHUNK_EVENTS = 8192


def verify_chain(store: Store) -> ChainReport:
    """Walk every event in order; stop at the first gap, broken link or wrong hash.

    A backend may hand over the hashed bytes of many events at once (``chain_payload_chunks``);
    a chunk with anything irregular is checked again event by event (``_walk_rows``), and only
    that check decides what is reported.
    """
    walk = _Walk()
    with store.translate_errors():
        chunks = store.chain_payload_chunks(CHUNK_EVENTS)
        if chunks is None:
            with store.read() as conn:
                report = _walk_rows(reads.event_rows(conn), walk)
            return report if report is not None else walk.report()
        try:
            for start, end, chunk in chunks:
                if not _walk_chunk(chunk, walk):
                    with store.read() as conn:
                        report = _walk_rows(reads.event_rows(conn, start, end), walk)
                    if report is not None:
                        return report
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
    return walk.report()


def _walk_chunk(chunk: tuple[Any, ...] | None, walk: _Walk) -> bool:
    """Check a backend's chunk (count, first and last seq, bad hash lengths, the prev hashes, the
    hashes, the payloads); False if it must be checked event by event."""
    if chunk is None:
        return False
    n, first, last, bad_lengths, prevs, hashes, payloads = chunk
    if not n or first != walk.seq or last - first + 1 != n or bad_lengths:
        return False
    if prevs[:64] != walk.prev or prevs[64:] != hashes[:-64]:
        return False
    parts = payloads.split(b"\n")
    if len(parts) != n:
        return False
    sha256 = hashlib.sha256
    try:
        stored = bytes.fromhex(hashes)
    except ValueError:
        return False
    if b"".join([sha256(part).digest() for part in parts]) != stored or stored.hex() != hashes:
        return False
    walk.seq, walk.prev, walk.count = last + 1, hashes[-64:], walk.count + n
    return True


def _walk_rows(rows: Iterable[tuple[Any, ...]], walk: _Walk) -> ChainReport | None:
    """The definition of a valid chain, event by event; None if every row is good."""
    for seq, at, rname, action, etype, entity, before, after, prev, digest, eid, rid in rows:
        if seq != walk.seq:
            return walk.report(seq, f"sequence gap: event {seq} follows event {walk.seq - 1}")
        if prev != walk.prev:
            return walk.report(seq, f"event {seq}: previous hash does not match event {seq - 1}")
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
        if hashlib.sha256(prev.encode("ascii") + payload).hexdigest() != digest:
            return walk.report(
                seq, f"event {seq} ({action} {etype} {entity}): hash does not match its content"
            )
        walk.seq, walk.prev, walk.count = seq + 1, digest, walk.count + 1
    return None
