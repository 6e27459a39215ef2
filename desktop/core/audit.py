"""The append-only audit log and its hash chain.

Each event's hash is ``sha256(prev_hash + canonical JSON of the event)`` (RFC 8785), the first
``prev_hash`` being GENESIS_HASH. The event object has the keys action, after, at, before,
entity_id, entity_type, id, reviewer, reviewer_id and seq; ``before``/``after`` are stored as
canonical JSON text, so an export of the rows is enough to re-check the chain anywhere.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import queue
import sqlite3
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.request import pathname2url

import rfc8785
from sqlalchemy import Connection, insert, select

from desktop.core.model import iso_utc, new_id
from desktop.core.storage.schema import AuditEvent

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
    "prev_hash, hash FROM audit_events WHERE seq BETWEEN ? AND ? ORDER BY seq"
)

# What is hashed, prev_hash + canonical JSON of the event, built by SQLite for speed. SQLite's
# json_quote escapes a string exactly as RFC 8785 (and ``_quote``) does - a property test
# compares them on arbitrary text - and before/after are stored canonical already.
_PAYLOAD_SQL = (
    'printf(\'%s{"action":%s,"after":%s,"at":%s,"before":%s,"entity_id":%s,'
    '"entity_type":%s,"id":%s,"reviewer":%s,"reviewer_id":%s,"seq":%d}\', '
    "prev_hash, json_quote(action), coalesce(after, 'null'), json_quote(at), "
    "coalesce(before, 'null'), json_quote(entity_id), json_quote(entity_type), json_quote(id), "
    "json_quote(reviewer), json_quote(reviewer_id), seq)"
)
# One row per chunk of events. Canonical JSON never holds a raw newline (RFC 8785 escapes
# control characters), so newline separates the payloads; anything irregular sends the chunk
# to the per-event check.
_CHUNK_SQL = (
    "SELECT count(*), min(seq), max(seq), sum(length(prev_hash) != 64 OR length(hash) != 64), "
    "group_concat(prev_hash, ''), group_concat(hash, ''), "
    f"CAST(group_concat({_PAYLOAD_SQL}, char(10)) AS BLOB) "
    # A range of the rowid (seq) is scanned in seq order; a chunk whose links do not follow
    # one another in that order fails the checks below and goes to the per-event check.
    "FROM audit_events WHERE seq BETWEEN ? AND ?"
)
CHUNK_EVENTS = 8192
# Chunks assembled at once by SQLite, outside the GIL, while this thread hashes: one per spare
# core (at least one), at most three.
_READERS = max(1, min(3, (os.cpu_count() or 1) - 1))


@dataclass
class _Walk:
    """How far the check has got: the next expected event and the last good hash."""

    seq: int = 1
    prev: str = GENESIS_HASH
    count: int = 0

    def report(self, bad_seq: int | None = None, problem: str | None = None) -> ChainReport:
        return ChainReport(self.count, self.prev, bad_seq, problem)


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Walk every event in order; stop at the first gap, broken link or wrong hash.

    Events are checked a chunk at a time from bytes SQLite assembles, on extra read-only
    connections in parallel when the log is long. A chunk with anything irregular is checked
    again event by event (``_walk_rows``), and only that check decides what is reported.
    """
    first, last = conn.execute("SELECT min(seq), max(seq) FROM audit_events").fetchone()
    walk = _Walk()
    if first is None:
        return walk.report()
    ranges = [
        (start, min(start + CHUNK_EVENTS - 1, last))
        for start in range(first, last + 1, CHUNK_EVENTS)
    ]
    chunks = _chunks(conn, ranges)
    try:
        for (start, end), chunk in zip(ranges, chunks, strict=True):
            if not _walk_chunk(chunk, walk):
                cursor = conn.execute(_CHAIN_SQL, (start, end))
                cursor.arraysize = 2048
                report = _walk_rows(cursor, walk)
                if report is not None:
                    return report
    finally:
        chunks.close()
    return walk.report()


def _walk_chunk(chunk: tuple[Any, ...] | None, walk: _Walk) -> bool:
    """Check a chunk from _CHUNK_SQL; False if it must be checked event by event."""
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
    for seq, eid, at, rid, rname, action, etype, entity, before, after, prev, digest in rows:
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


def _chunks(
    conn: sqlite3.Connection, ranges: list[tuple[int, int]]
) -> Generator[tuple[Any, ...] | None, None, None]:
    """_CHUNK_SQL's row for each range, in order."""
    path = _database_file(conn) if len(ranges) > 2 else None
    if path is None:
        for start, end in ranges:
            yield _chunk_row(conn, start, end)
        return
    readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
    opened = []
    for _ in range(_READERS):
        reader = sqlite3.connect(
            f"file:{pathname2url(path)}?mode=ro", uri=True, check_same_thread=False, timeout=5.0
        )
        opened.append(reader)
        readers.put(reader)

    def fetch(start: int, end: int) -> tuple[Any, ...] | None:
        reader = readers.get()
        try:
            return _chunk_row(reader, start, end)
        finally:
            readers.put(reader)

    pool = ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="verify-chain")
    try:
        pending = iter(ranges)
        window = deque(pool.submit(fetch, *r) for r in itertools.islice(pending, 2 * _READERS))
        while window:
            row = window.popleft().result()
            upcoming = next(pending, None)
            if upcoming is not None:
                window.append(pool.submit(fetch, *upcoming))
            yield row
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for reader in opened:
            reader.close()


def _chunk_row(conn: sqlite3.Connection, start: int, end: int) -> tuple[Any, ...] | None:
    try:
        return conn.execute(_CHUNK_SQL, (start, end)).fetchone()  # type: ignore[no-any-return]
    except sqlite3.Error:
        return None  # the per-event check of this range says what is wrong


def _database_file(conn: sqlite3.Connection) -> str | None:
    """The main database's file, or None (in memory, temporary)."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or None
    return None
