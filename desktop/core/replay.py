"""Rebuilding every entity from the audit log and comparing it with the stored rows.

Every event holds the whole state of its entity before and after the change (canonical JSON).
Replaying the log in order therefore says what each row must hold now, and this module checks:

- every row equals the ``after`` of its entity's last event, field by field;
- every entity the log says exists has its row, and the log removed none that is still there;
- no row exists without events;
- each event's ``before`` is the state its previous event left (nothing changed in between);
- an article's text (a fetched page's bytes) hashes to what its import (fetch) recorded;
- rows of a table the log keeps inside their parent's state (an article's PDF page starts, a
  settlement's links) are exactly the list the parent's last event holds.

It knows no database: events and rows come in as plain iterables, so any storage backend can
feed it. ``ENTITIES`` declares, per entity type, its table and how each column reads in the
log; a new kind of entity needs one more ``Entity`` there, and a table that is deliberately
not part of the record goes in ``NOT_LOGGED`` with the reason (a test checks that every column
of every table is accounted for).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
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
    BOOL = "bool"  # true/false (SQLite keeps 1/0)


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


class _EventCount:
    def __repr__(self) -> str:
        return "<number of events>"


ABSENT: Any = _Absent()
# For ``Field.absent``: the number of events the entity has had (an annotation's version was
# counted so when versions were introduced).
EVENTS: Any = _EventCount()


@dataclass(frozen=True)
class Field:
    """One column of a table and the key of the logged state that must equal it.

    ``absent`` is what an older event that lacks the key means (a column added later);
    without it a missing key is a mismatch. ``omitted``: the program itself leaves the key out
    while the value is ``absent`` (an annotation is marked ``final`` only when it is one).
    """

    column: str
    key: str = ""
    kind: Kind = Kind.PLAIN
    absent: Any = ABSENT
    omitted: bool = False

    @property
    def log_key(self) -> str:
        return self.key or self.column


@dataclass(frozen=True)
class Hashed:
    """A column the log holds only as its SHA-256 (hex) under ``key``: an article's text, a
    fetched page's bytes. ``made_by`` names the event that recorded it, for messages."""

    column: str
    key: str
    made_by: str


@dataclass(frozen=True)
class Child:
    """Rows of another table that the log keeps inside their parent's state as one list:
    ``key`` holds the ``value`` column of the parent's rows (those whose ``role_column`` is
    ``role``, when given) in the order of the ``order`` column. ``numbered``: that column
    counts 1, 2, 3 … (PDF pages). ``empty``: what the log holds when there are no rows;
    ``absent``: what an older event without the key means."""

    table: str
    parent: str
    key: str
    value: str
    order: str
    role_column: str | None = None
    role: str | None = None
    numbered: bool = False
    empty: Any = None
    absent: Any = ABSENT

    @property
    def columns(self) -> tuple[str, ...]:
        names = [self.parent, self.value, self.order, self.role_column]
        return tuple(dict.fromkeys(c for c in names if c))


@dataclass(frozen=True)
class Entity:
    """An entity type of the log and the table holding its current state (None: log only).

    ``first_at`` / ``first_reviewer``: columns that hold the time / the reviewer's id of the
    event that created the entity (its latest ``before``-less event) rather than a logged key.
    """

    entity_type: str
    table: str | None
    fields: tuple[Field, ...] = ()
    first_at: str | None = None
    first_reviewer: str | None = None
    hashed: tuple[Hashed, ...] = ()
    children: tuple[Child, ...] = ()
    id_column: str = "id"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of its own table this declaration checks."""
        extra = (self.first_at, self.first_reviewer, *(h.column for h in self.hashed))
        return tuple(
            dict.fromkeys(
                [self.id_column, *(f.column for f in self.fields), *(c for c in extra if c)]
            )
        )

    @property
    def bulk_comparable(self) -> bool:
        """True if a row can be compared by building its canonical JSON from its columns
        alone (what a database can do in bulk); otherwise only this module compares it."""
        return self.table is not None and not (
            self.first_at or self.first_reviewer or self.hashed or self.children
        )


def _reviewer(column: str, key: str = "", absent: Any = ABSENT) -> Field:
    return Field(column, key, Kind.REVIEWER, absent)


def _time(column: str, absent: Any = ABSENT) -> Field:
    return Field(column, kind=Kind.TIME, absent=absent)


ENTITIES: dict[str, Entity] = {
    e.entity_type: e
    for e in (
        Entity("project", "project", (Field("id"), Field("name"), _time("created_at"))),
        Entity(
            "reviewer",
            "reviewers",
            (Field("id"), Field("name"), Field("email", absent=None)),
            first_at="created_at",
        ),
        Entity(
            "page",
            "fetched_pages",
            (
                Field("id"),
                Field("url"),
                Field("final_url"),
                Field("redirects", kind=Kind.JSON),
                Field("status"),
                Field("content_type"),
                _time("fetched_at"),
                Field("size"),
                Field("sha256"),
                Field("title"),
            ),
            first_reviewer="fetched_by",
            hashed=(
                Hashed("body", "sha256", "the fetch"),
                Hashed("text", "text_sha256", "the fetch"),
            ),
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
                # Keys added by later versions: older events lack them.
                Field("published_precision", absent=None),
                Field("author", absent=None),
                Field("fetched_page_id", absent=None),
                _time("imported_at"),
                Field("original_name"),
                Field("source_format"),
                Field("text_length"),
                Field("text_sha256"),
                _time("deleted_at", absent=None),
                _reviewer("deleted_by", absent=None),
            ),
            first_reviewer="imported_by",
            hashed=(Hashed("text", "text_sha256", "the import"),),
            children=(
                Child(
                    "article_pages",
                    "article_id",
                    "page_starts",
                    "start",
                    "page",
                    numbered=True,
                    empty=None,
                    absent=None,
                ),
            ),
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
                _time("created_at"),
                _reviewer("created_by"),
                _time("updated_at"),
                _reviewer("updated_by"),
                _time("deleted_at"),
                _reviewer("deleted_by"),
                # Counted from the log when versions came in; older events lack the key.
                Field("version", absent=EVENTS),
                Field("final", kind=Kind.BOOL, absent=False, omitted=True),
                Field("claim_id", absent=None),
            ),
        ),
        Entity(
            "blinding",
            "blinding",
            (
                Field("id"),
                Field("article_id"),
                _time("started_at"),
                _reviewer("started_by"),
            ),
        ),
        Entity(
            "done_mark",
            "done_marks",
            (
                Field("id"),
                Field("article_id"),
                _reviewer("reviewer_id", "reviewer"),
                _time("done_at"),
            ),
        ),
        Entity(
            "adjudicator",
            "adjudicators",
            (Field("reviewer_id"), _reviewer("reviewer_id", "name"), _time("added_at")),
            first_reviewer="added_by",
            id_column="reviewer_id",
        ),
        Entity(
            "settlement",
            "settlements",
            (
                Field("id"),
                Field("article_id"),
                Field("outcome"),
                Field("note"),
                _time("created_at"),
                _reviewer("created_by"),
                _time("withdrawn_at"),
                _reviewer("withdrawn_by"),
            ),
            children=tuple(
                Child(
                    "settlement_links",
                    "settlement_id",
                    key,
                    "annotation_id",
                    "annotation_id",
                    role_column="role",
                    role=role,
                    empty=[],
                )
                for key, role in (("settles", "settled"), ("finals", "final"))
            ),
        ),
        # Kept in the log alone: signing keys, the checkpoints signed with them, and the
        # records of merged copies (``core.merge``).
        Entity("signing_key", None),
        Entity("checkpoint", None),
        Entity("merge", None),
    )
}


# Tables that hold no entity of the log, and why; every other table needs its Entity above.
NOT_LOGGED: dict[str, str] = {
    "audit_events": "the log itself",
    "presence": "who has the project open right now: refreshed by each open window, never "
    "part of the record",
}


def child_tables() -> dict[str, list[Child]]:
    """Each table kept inside its parents' states, with its declarations."""
    found: dict[str, list[Child]] = {}
    for entity in ENTITIES.values():
        for child in entity.children:
            found.setdefault(child.table, []).append(child)
    return found


class Event(NamedTuple):
    """The columns of an audit event the replay needs; ``before``/``after`` as stored, ``id``
    the event's own id."""

    seq: int
    at: str
    reviewer_id: str
    action: str
    entity_type: str
    entity_id: str
    before: str | None
    after: str | None
    id: str = ""


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


# Problems kept for a report; a file changed wholesale would otherwise list millions.
MAX_PROBLEMS = 1_000


@dataclass
class Merges:
    """The copies merged into a project, as their records (``copy.merged`` events) tell.

    ``branches``: each merged event's id -> the seq of the latest record naming it (a copy
    that had merged another copy brings that copy's events along). ``origin``: the seq of a
    merged event here -> the seq of the earliest record naming it. ``provenance``: by record,
    each merged event's seq in its copy -> its hash there; ``forks``: by record, the last
    event the copy shared with this project.
    """

    branches: dict[str, int] = field(default_factory=dict)
    origin: dict[int, int] = field(default_factory=dict)
    provenance: dict[int, dict[int, str]] = field(default_factory=dict)
    forks: dict[int, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def hash_in_copy(self, seq: int, at: int, hash_at: Callable[[int], str | None]) -> str | None:
        """The hash of event ``at`` of the chain event ``seq`` was made in: this project's
        own (``hash_at``), or, for an event merged from a copy, the copy's."""
        record = self.origin.get(seq)
        seen: set[int] = set()
        while record is not None and record not in seen:
            seen.add(record)
            found = self.provenance.get(record, {}).get(at)
            if found is not None:
                return found
            if at > self.forks.get(record, 0):
                # Merged earlier from the same copy (a merge brings only what is new).
                for other in self.provenance.values():
                    if at in other:
                        return other[at]
                return None
            record = self.origin.get(record)  # the record itself came from a copy
        return hash_at(at)


@dataclass
class ReplayReport:
    """What replaying the log found: ``rows`` checked per table, ``events`` replayed."""

    events: int = 0
    # Every table of ENTITIES, in their order, whichever order a backend checks them in.
    rows: dict[str, int] = field(
        default_factory=lambda: {e.table: 0 for e in ENTITIES.values() if e.table}
    )
    problems: list[Problem] = field(default_factory=list)
    more: int = 0  # problems found beyond MAX_PROBLEMS
    # Entities kept in the log alone (signing keys, checkpoints): (id, seq, state) by type.
    states: dict[str, list[tuple[str, int, dict[str, Any]]]] = field(default_factory=dict)
    merges: Merges = field(default_factory=Merges)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problems: list[Problem]) -> None:
        room = max(MAX_PROBLEMS - len(self.problems), 0)
        self.problems.extend(problems[:room])
        self.more += max(len(problems) - room, 0)


@dataclass
class _State:
    """What the log says of one entity so far. ``first_*``: the event that created it.

    After events merged in from a copy (``Replay.carried``), the entity is what the copy made
    of it or what it was before, whichever the merge kept: ``options`` holds the other states
    it may be in (the one before the merged events, and the last one of each earlier merge),
    until an event of this project says which (``branch``: the merge the latest came with)."""

    first_seq: int
    first_at: str
    first_reviewer_id: str
    last_seq: int
    last_action: str
    after: str | None
    count: int = 1
    parsed: dict[str, Any] | None = None
    options: list[_State] | None = None
    branch: int | None = None

    def snapshot(self) -> _State:
        return dataclasses.replace(self, parsed=None, options=None, branch=None)


# An entity that did not exist: what a merge may have left of one the copy made.
_NOTHING = _State(0, "", "", 0, "", None, 0)


class _Unreadable:
    """A stored value that cannot be read as what the log holds; equal to nothing."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return self.why


@dataclass
class Replay:
    """Feed it every event of some entities in order (``add``), then their rows
    (``check_rows``); ``problems`` lists what disagrees.

    Checking part of a project is allowed: give the complete history of some entities and
    their rows, and ``only`` the ids whose rows are given.
    """

    entities: Mapping[str, Entity] = field(default_factory=lambda: ENTITIES)
    # Events merged in from copies of the project: event id -> the merge that brought them
    # (the seq of its record; see ``store.replay.merged_events``).
    carried: Mapping[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    events: int = 0
    rows_checked: dict[str, int] = field(default_factory=dict)
    _states: dict[tuple[str, str], _State] = field(default_factory=dict)
    _names: dict[str, str] | None = None  # worked out from the reviewers' events, on demand
    _given_names: dict[str, str] | None = None

    # --- the log ----------------------------------------------------------------------------

    def add(self, events: Iterable[Event | tuple[Any, ...]]) -> None:
        """Replay events; each entity's in ascending ``seq`` order."""
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
                        f"{_show(event.entity_type)} is unknown to this version",
                        seq=event.seq,
                    )
                )
            branch = self.carried.get(event.id) if event.id else None
            if branch is not None:
                self._add_merged(key, state, event, branch)
                continue
            if state is not None and state.options is not None:
                # The first event of this project after a merge starts from one of the states
                # the merge may have left.
                state = self._settle(key, state, event)
            elif event.before != (state.after if state is not None else None):
                self.problems.extend(self._differences(event, state))
            if state is None:
                self._states[key] = _State(
                    event.seq, event.at, event.reviewer_id, event.seq, event.action, event.after
                )
                continue
            self._apply(state, event)

    @staticmethod
    def _apply(state: _State, event: Event) -> None:
        if event.before is None:  # made anew (an adjudicator named again)
            state.first_seq, state.first_at = event.seq, event.at
            state.first_reviewer_id = event.reviewer_id
        state.last_seq, state.last_action = event.seq, event.action
        state.after, state.parsed = event.after, None
        state.count += 1

    def _add_merged(
        self, key: tuple[str, str], state: _State | None, event: Event, branch: int
    ) -> None:
        """An event made in a copy and merged in as it was. It follows on from the copy's
        state of the entity, which this project's log need not hold (the copy was checked when
        it was merged, and ``merge.check_provenance`` shows the event is the copy's own)."""
        if state is None:
            state = _State(
                event.seq, event.at, event.reviewer_id, event.seq, event.action, event.after
            )
            state.options, state.branch = [_NOTHING], branch
            self._states[key] = state
            return
        if state.options is None:
            state.options = [state.snapshot()]
        elif state.branch != branch:
            state.options.append(state.snapshot())
        state.branch = branch
        self._apply(state, event)

    def _settle(self, key: tuple[str, str], state: _State, event: Event) -> _State | None:
        """The state an event of this project after a merge starts from: the one its
        ``before`` names, among those the merge may have left."""
        candidates = [state.snapshot(), *(state.options or [])]
        for candidate in candidates:
            if candidate.after == event.before or (
                candidate.after is not None
                and event.before is not None
                and not self._differences(event, candidate)
            ):
                chosen = candidate
                break
        else:
            self.problems.extend(self._differences(event, state))
            chosen = state.snapshot()
        if chosen is _NOTHING or (chosen.after is None and chosen.count == 0):
            del self._states[key]  # made anew by the event itself
            return None
        self._states[key] = chosen
        return chosen

    def _differences(self, event: Event, state: _State | None) -> list[Problem]:
        """``event.before`` is not what the previous event left: the row changed between."""
        entity = self.entities.get(event.entity_type)
        where = _where(entity, event.entity_type, event.entity_id)
        table = entity.table if entity else None
        if state is None:
            return [
                Problem(
                    f"{where}: event {event.seq} ({event.action}) changes a state no earlier "
                    "event records",
                    table,
                    event.entity_id,
                    seq=event.seq,
                )
            ]
        before = _parse(event.before)
        after = _parse(state.after)
        if not isinstance(before, dict) or not isinstance(after, dict):
            return [
                Problem(
                    f"{where}: event {event.seq} ({event.action}) starts from another state "
                    f"than event {state.last_seq} left",
                    table,
                    event.entity_id,
                    seq=event.seq,
                )
            ]
        defaults = _defaults(entity, state)
        found_problems = []
        for key in sorted(set(before) | set(after)):
            was, found = after.get(key, ABSENT), before.get(key, ABSENT)
            # A key added by a later version: an older event without it meant its default.
            if was is ABSENT:
                was = defaults.get(key, ABSENT)
            if found is ABSENT:
                found = defaults.get(key, ABSENT)
            if not _same(was, found):
                found_problems.append(
                    Problem(
                        f"{where}: {key} changed outside the log before event {event.seq} "
                        f"({event.action}): {_show(was)} after event {state.last_seq}, "
                        f"{_show(found)} when event {event.seq} was recorded",
                        table,
                        event.entity_id,
                        key,
                        found,
                        was,
                        event.seq,
                    )
                )
        return found_problems

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
        children: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    ) -> None:
        """Compare every row of ``entity``'s table with the log. ``only``: the rows given
        are these ids' (checking part of a table); entities outside it are not looked for.
        ``children``: by table, the rows of its child tables whose parents are among
        ``rows`` (or would be)."""
        assert entity.table is not None
        table = entity.table
        seen: set[str] = set()
        names = self.reviewer_names()
        kids = _group_children(entity, children or {})
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
            if state.options is None:
                self.problems.extend(self._row_problems(entity, row, state, names, kids))
                continue
            # After a merge: the row must be one of the states it may have left.
            candidates = [state, *(s for s in state.options if s.after is not None)]
            found = [self._row_problems(entity, row, c, names, kids) for c in candidates]
            if all(found):
                fewest: list[Problem] = min(found, key=len)
                self.problems.extend(fewest)
        self.rows_checked[table] = self.rows_checked.get(table, 0) + count
        self._orphans(entity, kids, seen)
        wanted = None if only is None else set(only)
        for (etype, eid), state in self._states.items():
            if etype != entity.entity_type or eid in seen or state.after is None:
                continue
            if wanted is not None and eid not in wanted:
                continue
            if state.options and any(s.after is None for s in state.options):
                continue  # the merge may have left it out
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

    def _row_problems(
        self,
        entity: Entity,
        row: Mapping[str, Any],
        state: _State,
        names: Mapping[str, str],
        kids: dict[str, dict[Any, list[Mapping[str, Any]]]],
    ) -> list[Problem]:
        """What differs between a row and one state of its entity."""
        table, row_id = entity.table, row[entity.id_column]
        if state.after is None:
            return [
                Problem(
                    f"{table} {shown(row_id)}: the log removed it at event {state.last_seq} "
                    f"({state.last_action}) but the row is still there",
                    table,
                    row_id,
                    seq=state.last_seq,
                )
            ]
        logged = self._parsed(state)
        if logged is None:
            return [
                Problem(
                    f"{table} {shown(row_id)}: the state event {state.last_seq} records "
                    "is not a JSON object",
                    table,
                    row_id,
                    seq=state.last_seq,
                )
            ]
        kept, self.problems = self.problems, []
        try:
            self._compare(entity, row, state, logged, names)
            for child in entity.children:
                self._compare_child(entity, child, row_id, kids, state, logged)
            return self.problems
        finally:
            self.problems = kept

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
            if expected is EVENTS:
                expected = state.count
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
            stored = _reads(Kind.REVIEWER, stored_id, names)
            maker = _reads(Kind.REVIEWER, state.first_reviewer_id, names)
            # By name: an entity merged in from a copy was made there by the copy's reviewer,
            # whom this project may know under another id.
            if stored_id != state.first_reviewer_id and not _same(stored, maker):
                self._mismatch(table, row_id, entity.first_reviewer, stored, maker, state.first_seq)
        for hashed in entity.hashed:
            self._check_hash(entity, hashed, row, state, logged)

    def _check_hash(
        self,
        entity: Entity,
        hashed: Hashed,
        row: Mapping[str, Any],
        state: _State,
        logged: dict[str, Any],
    ) -> None:
        value = row.get(hashed.column)
        expected = logged.get(hashed.key)
        if value is None:
            digest: str | None = None
        elif isinstance(value, str):
            digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        elif isinstance(value, bytes | bytearray | memoryview):
            digest = hashlib.sha256(value).hexdigest()
        else:
            digest = f"not text ({type(value).__name__})"
        if digest != expected:
            table, row_id = entity.table, row[entity.id_column]
            self.problems.append(
                Problem(
                    f"{table} {shown(row_id)}: {hashed.column} differs from {hashed.made_by} "
                    f"(event {state.first_seq}): the stored {hashed.column} hashes to "
                    f"{_short(digest)}, the log gives {_short(expected)}",
                    table,
                    row_id,
                    hashed.column,
                    digest,
                    expected,
                    state.last_seq,
                )
            )

    def _compare_child(
        self,
        entity: Entity,
        child: Child,
        row_id: str,
        kids: dict[str, dict[Any, list[Mapping[str, Any]]]],
        state: _State,
        logged: dict[str, Any],
    ) -> None:
        items = [
            r
            for r in kids.get(child.table, {}).get(row_id, [])
            if child.role_column is None or r.get(child.role_column) == child.role
        ]
        items.sort(key=lambda r: _order_key(r.get(child.order)))
        table = entity.table
        where = f"{table} {shown(row_id)}: {child.key} (from {child.table})"
        if child.numbered:
            numbers = [r.get(child.order) for r in items]
            if numbers != list(range(1, len(items) + 1)):
                self.problems.append(
                    Problem(
                        f"{where}: its {child.order} numbers are {_show(numbers)}, not 1 to "
                        f"{len(items)}",
                        table,
                        row_id,
                        child.key,
                        numbers,
                        None,
                        state.last_seq,
                    )
                )
        stored = [r.get(child.value) for r in items] if items else child.empty
        expected = logged.get(child.key, child.absent)
        if expected is ABSENT:
            self.problems.append(
                Problem(
                    f"{where}: not recorded in the log (event {state.last_seq})",
                    table,
                    row_id,
                    child.key,
                    stored,
                    None,
                    state.last_seq,
                )
            )
        elif not _same(stored, expected):
            self.problems.append(
                Problem(
                    f"{where}: is {_show(stored)} in the table but {_show(expected)} in the "
                    f"log (event {state.last_seq})",
                    table,
                    row_id,
                    child.key,
                    stored,
                    expected,
                    state.last_seq,
                )
            )

    def _orphans(
        self, entity: Entity, kids: dict[str, dict[Any, list[Mapping[str, Any]]]], seen: set[str]
    ) -> None:
        """Child rows whose parent is not in the table, or that no declaration accounts for."""
        for child_table, by_parent in kids.items():
            decls = [c for c in entity.children if c.table == child_table]
            for parent, found in by_parent.items():
                if parent not in seen:
                    self.problems.append(
                        Problem(
                            f"{child_table}: {len(found)} row(s) belong to {entity.table} "
                            f"{shown(parent)}, which the table does not hold",
                            child_table,
                            parent,
                        )
                    )
                    continue
                for r in found:
                    if not any(
                        c.role_column is None or r.get(c.role_column) == c.role for c in decls
                    ):
                        column = decls[0].role_column or ""
                        self.problems.append(
                            Problem(
                                f"{child_table}: a row of {entity.table} {shown(parent)} has "
                                f"{column} {_show(r.get(column))}, which the log never records",
                                child_table,
                                parent,
                                column,
                                r.get(column),
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


def _defaults(entity: Entity | None, state: _State) -> dict[str, Any]:
    """What a missing key of a logged state means, by key (``Field.absent``)."""
    if entity is None:
        return {}
    found: dict[str, Any] = {c.key: c.absent for c in entity.children if c.absent is not ABSENT}
    for f in entity.fields:
        if f.absent is not ABSENT:
            found[f.log_key] = state.count if f.absent is EVENTS else f.absent
    return found


def _group_children(
    entity: Entity, children: Mapping[str, Iterable[Mapping[str, Any]]]
) -> dict[str, dict[Any, list[Mapping[str, Any]]]]:
    grouped: dict[str, dict[Any, list[Mapping[str, Any]]]] = {}
    for child in entity.children:
        if child.table in grouped or child.table not in children:
            continue
        by_parent: dict[Any, list[Mapping[str, Any]]] = {}
        for r in children[child.table]:
            by_parent.setdefault(r.get(child.parent), []).append(r)
        grouped[child.table] = by_parent
    return grouped


def _order_key(value: Any) -> tuple[int, Any]:
    """Numbers before text, each in its own order (a tampered cell may hold either)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


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
    ``store.sqlite.replay`` (which may only ever find fewer rows equal, never more)."""
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
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        if type(value) is int and value in (0, 1):
            return bool(value)
        return _Unreadable(f"{value!r} (not true or false)")
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
        return _clip(json.dumps(value, ensure_ascii=False, default=repr))
    if isinstance(value, bytes | bytearray | memoryview):
        return f"bytes {_clip(bytes(value).hex())}"
    return repr(value)


def _short(digest: Any) -> str:
    return (
        repr(digest[:12] + "…") if isinstance(digest, str) and len(digest) > 12 else _show(digest)
    )


def _jsonable(value: Any) -> Any:
    if value is ABSENT or isinstance(value, _Unreadable | bytes | bytearray | memoryview):
        return _show(value)
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, default=repr))
    return value


def _where(entity: Entity | None, entity_type: str, entity_id: str) -> str:
    if entity is not None and entity.table is not None:
        return f"{entity.table} {shown(entity_id)}"
    return f"{shown(entity_type)} {shown(entity_id)}"
