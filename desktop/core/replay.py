"""Rebuilding every entity from the audit log and comparing it with the stored rows.

Every event holds the whole state of its entity before and after the change (canonical JSON).
Replaying the log in order therefore says what each row must hold now, and this module checks:

- every row equals the ``after`` of its entity's last event, field by field;
- every entity the log says exists has its row, and the log removed none that is still there;
- no row exists without events;
- each event's ``before`` is the state its previous event left (nothing changed in between);
- an article's text hashes to the ``text_sha256`` its import recorded.

It knows no database: events and rows come in as plain iterables, so any storage backend can
feed it. ``ENTITIES`` declares, per entity type, its table and how each column reads in the
log; a new kind of entity needs one more ``Entity`` there, and a table that is deliberately
not part of the record goes in ``NOT_LOGGED`` with the reason (a test checks that every column
of every table is accounted for).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, NamedTuple

from desktop.core.errors import shown


class Kind(Enum):
    """How a stored value reads in the log."""

    PLAIN = "plain"  # the same value
    TIME = "time"  # a UTC moment; ISO 8601 ending in Z in the log
    DATE = "date"  # YYYY-MM-DD
    JSON = "json"  # JSON text in the row, the decoded value in the log
    REVIEWER = "reviewer"  # a reviewer's id in the row, their name (as logged) in the log


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Field:
    """One column of a table and the key of the logged state that must equal it.

    ``absent`` is what an older event that lacks the key means (a column added later);
    without it a missing key is a mismatch.
    """

    column: str
    key: str = ""
    kind: Kind = Kind.PLAIN
    absent: Any = ABSENT

    @property
    def log_key(self) -> str:
        return self.key or self.column


@dataclass(frozen=True)
class Entity:
    """An entity type of the log and the table holding its current state (None: log only).

    ``first_at`` / ``first_reviewer``: columns that hold the time / the reviewer's id of the
    entity's first event rather than a logged key. ``text``: a column whose SHA-256 and length
    the log holds as ``text_sha256`` and ``text_length``.
    """

    entity_type: str
    table: str | None
    fields: tuple[Field, ...] = ()
    first_at: str | None = None
    first_reviewer: str | None = None
    text: str | None = None
    id_column: str = "id"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column this declaration checks."""
        extra = (self.first_at, self.first_reviewer, self.text)
        return tuple(dict.fromkeys([f.column for f in self.fields] + [c for c in extra if c]))

    @property
    def bulk_comparable(self) -> bool:
        """True if a row can be compared by building its canonical JSON from its columns
        alone (what a database can do in bulk); otherwise only this module compares it."""
        return self.table is not None and not (self.first_at or self.first_reviewer or self.text)


ENTITIES: dict[str, Entity] = {
    e.entity_type: e
    for e in (
        Entity(
            "project",
            "project",
            (Field("id"), Field("name"), Field("created_at", kind=Kind.TIME)),
        ),
        Entity(
            "reviewer",
            "reviewers",
            (Field("id"), Field("name"), Field("email", absent=None)),
            first_at="created_at",
        ),
        Entity(
            "article",
            "articles",
            (
                Field("id"),
                Field("title"),
                Field("outlet"),
                Field("url"),
                Field("published", kind=Kind.DATE),
                Field("imported_at", kind=Kind.TIME),
                Field("original_name"),
                Field("source_format"),
                Field("text_length"),
                Field("text_sha256"),
            ),
            first_reviewer="imported_by",
            text="text",
        ),
        Entity(
            "annotation",
            "annotations",
            (
                Field("id"),
                Field("article_id"),
                Field("start"),
                Field("end"),
                Field("quote"),
                Field("prefix"),
                Field("suffix"),
                Field("verdict"),
                Field("note"),
                Field("sources", kind=Kind.JSON),
                Field("created_at", kind=Kind.TIME),
                Field("created_by", kind=Kind.REVIEWER),
                Field("updated_at", kind=Kind.TIME),
                Field("updated_by", kind=Kind.REVIEWER),
                Field("deleted_at", kind=Kind.TIME),
                Field("deleted_by", kind=Kind.REVIEWER),
            ),
        ),
        # Kept in the log alone: signing keys and the checkpoints signed with them.
        Entity("signing_key", None),
        Entity("checkpoint", None),
    )
}


# Tables that hold no entity of the log, and why; every other table needs its Entity above.
NOT_LOGGED: dict[str, str] = {
    "audit_events": "the log itself",
}


class Event(NamedTuple):
    """The columns of an audit event the replay needs; ``before``/``after`` as stored."""

    seq: int
    at: str
    reviewer_id: str
    action: str
    entity_type: str
    entity_id: str
    before: str | None
    after: str | None


EVENT_COLUMNS = Event._fields


@dataclass(frozen=True)
class Problem:
    """One disagreement between the rows and the log, as a complete one-line message, with
    what it is about for a program to read."""

    message: str
    table: str | None = None
    row_id: str | None = None
    field: str | None = None
    stored: Any = None
    logged: Any = None
    seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "table": self.table,
            "id": self.row_id,
            "field": self.field,
            "stored": _jsonable(self.stored),
            "logged": _jsonable(self.logged),
            "seq": self.seq,
        }


@dataclass
class _State:
    """What the log says of one entity so far."""

    first_seq: int
    first_at: str
    first_reviewer_id: str
    last_seq: int
    last_action: str
    after: str | None
    parsed: dict[str, Any] | None = None


class _Unreadable:
    """A stored value that cannot be read as what the log holds; equal to nothing."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return self.why


@dataclass
class Replay:
    """Feed it every event in order (``add``), then the rows of each table (``check_rows``);
    ``problems`` lists what disagrees.

    Checking part of a project is allowed: give the complete history of some entities and
    their rows, and ``only`` the ids whose rows are given.
    """

    entities: Mapping[str, Entity] = field(default_factory=lambda: ENTITIES)
    problems: list[Problem] = field(default_factory=list)
    events: int = 0
    rows_checked: dict[str, int] = field(default_factory=dict)
    _states: dict[tuple[str, str], _State] = field(default_factory=dict)
    _names: dict[str, str] | None = None  # worked out from the reviewers' events, on demand
    _given_names: dict[str, str] | None = None

    # --- the log ----------------------------------------------------------------------------

    def add(self, events: Iterable[Event | tuple[Any, ...]]) -> None:
        """Replay events in ascending ``seq`` order."""
        for raw in events:
            event = raw if isinstance(raw, Event) else Event(*raw)
            self.events += 1
            self._names = None
            key = (event.entity_type, event.entity_id)
            state = self._states.get(key)
            if event.entity_type not in self.entities:
                self.problems.append(
                    Problem(
                        f"event {event.seq} ({event.action}): entity type "
                        f"{event.entity_type!r} is unknown to this version",
                        seq=event.seq,
                    )
                )
            previous = state.after if state is not None else None
            if event.before != previous:
                self._changed_between(event, state)
            if state is None:
                self._states[key] = _State(
                    event.seq, event.at, event.reviewer_id, event.seq, event.action, event.after
                )
            else:
                state.last_seq, state.last_action = event.seq, event.action
                state.after, state.parsed = event.after, None

    def _changed_between(self, event: Event, state: _State | None) -> None:
        """``event.before`` is not what the previous event left: the row changed between."""
        entity = self.entities.get(event.entity_type)
        where = _where(entity, event.entity_type, event.entity_id)
        if state is None:
            self.problems.append(
                Problem(
                    f"{where}: event {event.seq} ({event.action}) changes a state no earlier "
                    "event records",
                    entity.table if entity else None,
                    event.entity_id,
                    seq=event.seq,
                )
            )
            return
        before = _parse(event.before)
        after = _parse(state.after)
        if not isinstance(before, dict) or not isinstance(after, dict):
            self.problems.append(
                Problem(
                    f"{where}: event {event.seq} ({event.action}) starts from another state "
                    f"than event {state.last_seq} left",
                    entity.table if entity else None,
                    event.entity_id,
                    seq=event.seq,
                )
            )
            return
        for key in sorted(set(before) | set(after)):
            was, found = after.get(key, ABSENT), before.get(key, ABSENT)
            if not _same(was, found):
                self.problems.append(
                    Problem(
                        f"{where}: {key} changed outside the log before event {event.seq} "
                        f"({event.action}): {_show(was)} after event {state.last_seq}, "
                        f"{_show(found)} when event {event.seq} was recorded",
                        entity.table if entity else None,
                        event.entity_id,
                        key,
                        found,
                        was,
                        event.seq,
                    )
                )

    def reviewer_names(self) -> dict[str, str]:
        """Reviewer id -> name, as the log has them."""
        if self._given_names is not None:
            return self._given_names
        if self._names is None:
            names: dict[str, str] = {}
            for (etype, eid), state in self._states.items():
                if etype == "reviewer":
                    parsed = self._parsed(state)
                    if parsed is not None and isinstance(parsed.get("name"), str):
                        names[eid] = parsed["name"]
            self._names = names
        return self._names

    def set_reviewer_names(self, names: Mapping[str, str]) -> None:
        """Use these names (from a replay of every reviewer) when checking part of a project
        that does not hold the reviewers' events."""
        self._given_names = dict(names)

    def logged_state(self, entity_type: str, entity_id: str) -> dict[str, Any] | None:
        state = self._states.get((entity_type, entity_id))
        return None if state is None else self._parsed(state)

    def states(self, entity_type: str) -> list[tuple[str, int, dict[str, Any]]]:
        """(id, seq of the last event, state) of every entity of a type that exists."""
        found = []
        for (etype, eid), state in self._states.items():
            parsed = self._parsed(state) if etype == entity_type else None
            if parsed is not None:
                found.append((eid, state.last_seq, parsed))
        return found

    # --- the rows ---------------------------------------------------------------------------

    def check_rows(
        self,
        entity: Entity,
        rows: Iterable[Mapping[str, Any]],
        *,
        only: Iterable[str] | None = None,
    ) -> None:
        """Compare every row of ``entity``'s table with the log. ``only``: the rows given
        are these ids' (checking part of a table); entities outside it are not looked for."""
        assert entity.table is not None
        table = entity.table
        seen: set[str] = set()
        names = self.reviewer_names()
        count = 0
        for row in rows:
            count += 1
            row_id = row[entity.id_column]
            if row_id in seen:
                self.problems.append(
                    Problem(
                        f"{table} {shown(row_id)}: more than one row has this id", table, row_id
                    )
                )
                continue
            seen.add(row_id)
            state = self._states.get((entity.entity_type, row_id))
            if state is None:
                self.problems.append(
                    Problem(
                        f"{table} {shown(row_id)}: no audit event records this row "
                        "(added outside the log)",
                        table,
                        row_id,
                    )
                )
                continue
            logged = self._parsed(state)
            if state.after is None:
                self.problems.append(
                    Problem(
                        f"{table} {shown(row_id)}: the log removed it at event {state.last_seq} "
                        f"({state.last_action}) but the row is still there",
                        table,
                        row_id,
                        seq=state.last_seq,
                    )
                )
                continue
            if logged is None:
                self.problems.append(
                    Problem(
                        f"{table} {shown(row_id)}: the state event {state.last_seq} records "
                        "is not a JSON object",
                        table,
                        row_id,
                        seq=state.last_seq,
                    )
                )
                continue
            self._compare(entity, row, state, logged, names)
        self.rows_checked[table] = self.rows_checked.get(table, 0) + count
        wanted = None if only is None else set(only)
        for (etype, eid), state in self._states.items():
            if etype != entity.entity_type or eid in seen or state.after is None:
                continue
            if wanted is not None and eid not in wanted:
                continue
            self.problems.append(
                Problem(
                    f"{table} {shown(eid)}: the log records it (event {state.last_seq}, "
                    f"{state.last_action}) but the table has no such row "
                    "(removed outside the log)",
                    table,
                    eid,
                    seq=state.last_seq,
                )
            )

    def _compare(
        self,
        entity: Entity,
        row: Mapping[str, Any],
        state: _State,
        logged: dict[str, Any],
        names: Mapping[str, str],
    ) -> None:
        table, row_id = entity.table, row[entity.id_column]
        for f in entity.fields:
            expected = logged.get(f.log_key, f.absent)
            if expected is ABSENT:
                self.problems.append(
                    Problem(
                        f"{table} {shown(row_id)}: {f.column} is not recorded in the log "
                        f"(event {state.last_seq})",
                        table,
                        row_id,
                        f.column,
                        _reads(f.kind, row.get(f.column), names),
                        None,
                        state.last_seq,
                    )
                )
                continue
            stored = _reads(f.kind, row.get(f.column), names)
            if not _same(stored, expected):
                self._mismatch(table, row_id, f.column, stored, expected, state.last_seq)
        if entity.first_at:
            stored = _reads(Kind.TIME, row.get(entity.first_at), names)
            if not _same(stored, state.first_at):
                self._mismatch(
                    table, row_id, entity.first_at, stored, state.first_at, state.first_seq
                )
        if entity.first_reviewer:
            stored_id = row.get(entity.first_reviewer)
            if stored_id != state.first_reviewer_id:
                self._mismatch(
                    table,
                    row_id,
                    entity.first_reviewer,
                    _reads(Kind.REVIEWER, stored_id, names),
                    _reads(Kind.REVIEWER, state.first_reviewer_id, names),
                    state.first_seq,
                )
        if entity.text:
            self._check_text(entity, row, state, logged)

    def _check_text(
        self, entity: Entity, row: Mapping[str, Any], state: _State, logged: dict[str, Any]
    ) -> None:
        assert entity.text is not None
        text = row.get(entity.text)
        expected = logged.get("text_sha256")
        if isinstance(text, str):
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        else:
            digest = f"not text ({type(text).__name__})"
        if digest != expected:
            table, row_id = entity.table, row[entity.id_column]
            self.problems.append(
                Problem(
                    f"{table} {shown(row_id)}: text differs from the import (event "
                    f"{state.first_seq}): the stored text hashes to {_short(digest)}, the log "
                    f"gives {_short(expected)}",
                    table,
                    row_id,
                    entity.text,
                    digest,
                    expected,
                    state.last_seq,
                )
            )

    def _mismatch(
        self, table: str | None, row_id: str, column: str, stored: Any, logged: Any, seq: int
    ) -> None:
        self.problems.append(
            Problem(
                f"{table} {shown(row_id)}: {column} is {_show(stored)} in the table but "
                f"{_show(logged)} in the log (event {seq})",
                table,
                row_id,
                column,
                stored,
                logged,
                seq,
            )
        )

    def _parsed(self, state: _State) -> dict[str, Any] | None:
        if state.parsed is None and state.after is not None:
            value = _parse(state.after)
            state.parsed = value if isinstance(value, dict) else None
        return state.parsed


# --- reading values -------------------------------------------------------------------------


def _parse(text: str | bytes | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return _Unreadable(f"unreadable JSON {_clip(str(text))!r}")


def _reads(kind: Kind, value: Any, names: Mapping[str, str]) -> Any:
    """A stored value as the log writes it. The same rules as the bulk comparison of
    ``storage.replay_sqlite`` (which may only ever find fewer rows equal, never more)."""
    if value is None:
        return None
    if kind is Kind.TIME:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if isinstance(value, str):
            # SQLite keeps SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC).
            return value.replace(" ", "T") + "Z"
        return value
    if kind is Kind.DATE:
        return value.isoformat() if isinstance(value, date) else value
    if kind is Kind.JSON:
        return _parse(value) if isinstance(value, str | bytes) else value
    if kind is Kind.REVIEWER:
        name = names.get(value) if isinstance(value, str) else None
        return name if name is not None else _Unreadable(f"reviewer id {value!r} (not in the log)")
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: 1 and 1.0 are, 1 and true or "1" are not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


# --- showing values -------------------------------------------------------------------------

_CLIP = 120


def _clip(text: str) -> str:
    return text if len(text) <= _CLIP else text[: _CLIP - 1] + "…"


def _show(value: Any) -> str:
    """A value in a one-line message: strings quoted and escaped, long ones cut."""
    if value is ABSENT:
        return "absent"
    if isinstance(value, _Unreadable):
        return value.why
    if isinstance(value, str):
        return repr(_clip(value))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return _clip(json.dumps(value, ensure_ascii=False))
    if isinstance(value, bytes):
        return f"bytes {_clip(value.hex())}"
    return repr(value)


def _short(digest: Any) -> str:
    return (
        repr(digest[:12] + "…") if isinstance(digest, str) and len(digest) > 12 else _show(digest)
    )


def _jsonable(value: Any) -> Any:
    if value is ABSENT or isinstance(value, _Unreadable | bytes):
        return _show(value)
    return value


def _where(entity: Entity | None, entity_type: str, entity_id: str) -> str:
    if entity is not None and entity.table is not None:
        return f"{entity.table} {shown(entity_id)}"
    return f"{entity_type} {shown(entity_id)}"
