"""Bringing the work done on an offline copy back into the shared project.

A copy starts as the shared project (same project id, same audit chain); both then go on
separately. Their chains agree up to the event where they parted (the fork). Merging takes the
copy's events after the fork that the shared project does not have yet (events are matched by
their UUID, so merging the same copy twice brings nothing the second time) and:

- writes the entities they changed into the shared project, matched by UUID (new articles,
  annotations, saved pages, adjudications... are added, edited ones updated, and those whose
  rows the copy removed, such as blind review it ended, removed); what a project holds at most
  once (a reviewer's done mark on an article, blind review of one article, an adjudicator) and
  both sides made on their own is kept once;
- appends those events to the shared chain unchanged but for their place (seq and previous
  hash): the original reviewer, time and event id are kept;
- where the same entity was edited on both sides since the fork (a conflict), writes nothing
  until the reviewer chooses: keep the shared version, keep the copy's, or combine them;
  whatever is chosen is a new event by the reviewer who merged, and both sides' edits stay in
  the chain;
- ends with one ``copy.merged`` event that records, for every event brought in, its id and its
  original seq, previous hash and hash. From that anyone can recompute each original hash from
  the merged row (``check_provenance``, run by ``verify``): the events were not altered. The
  record names events by id, so it stays true when the project is copied, or merged onward.

The copy is only read. It must verify before anything is brought in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select

from desktop.core import audit
from desktop.core.entities import (
    KINDS,
    LOG_ONLY,
    Kind,
    RowContext,
    State,
    delete_rows,
    kind_of,
    write_entities,
)
from desktop.core.errors import CrosscheckError, InvalidInput
from desktop.core.store import reads
from desktop.core.store.schema import AuditEvent, Reviewer

if TYPE_CHECKING:
    from desktop.core.operations import _Recorder

RESOLUTIONS = ("shared", "copy", "combine")
MERGE_ACTION = "copy.merged"


class MergeRefused(CrosscheckError):
    """The copy cannot be merged (another project, a broken chain); nothing was changed."""


class DecisionsNeeded(CrosscheckError):
    """Conflicting edits wait for the reviewer's choice; nothing was changed."""

    def __init__(self, message: str, plan: MergePlan, undecided: list[MergeConflict]) -> None:
        super().__init__(message)
        self.plan = plan
        self.undecided = undecided


@dataclass(frozen=True)
class Event:
    """One audit event as stored (``reads.EVENT_COLUMNS``)."""

    seq: int
    at: str
    reviewer: str
    action: str
    entity_type: str
    entity_id: str
    before: str | None
    after: str | None
    prev_hash: str
    hash: str
    id: str
    reviewer_id: str

    def state(self, which: str) -> State | None:
        text = self.before if which == "before" else self.after
        value = json.loads(text) if text is not None else None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class MergeConflict:
    """The same entity edited on both sides since the copies parted (None: one side removed
    it)."""

    entity_type: str
    entity_id: str
    label: str
    shared: State | None
    copy: State | None
    base: State | None
    shared_by: tuple[str, ...]
    copy_by: tuple[str, ...]
    choices: tuple[str, ...]

    def fields(self, side: str) -> list[tuple[str, str]]:
        """What a reviewer is shown of one side ("shared" or "copy"): (label, value)."""
        from desktop.core.entities import display_fields

        return display_fields(self.entity_type, self.shared if side == "shared" else self.copy)

    def differing(self, side: str) -> list[tuple[str, str]]:
        """The fields in which one side differs from the other."""
        other = dict(self.fields("copy" if side == "shared" else "shared"))
        return [(label, value) for label, value in self.fields(side) if other.get(label) != value]

    def to_json(self) -> dict[str, Any]:
        return {
            "entity_type": self.entity_type,
            "id": self.entity_id,
            "label": self.label,
            "shared": self.shared,
            "copy": self.copy,
            "changed_in_shared_by": list(self.shared_by),
            "changed_in_copy_by": list(self.copy_by),
            "choices": list(self.choices),
        }


@dataclass
class Step:
    """What merging does to one entity: ``insert`` a new one, ``replace`` an unchanged one by
    the copy's version, ``update`` it to ``target`` (the copy's edits on a row the shared side
    only touched in passing), ``keep`` the shared one, ``delete`` it (the copy removed it), or
    ``conflict``. ``shared_id`` is its id in the shared project (the entity's own, or that of
    the equal entity the shared side made on its own)."""

    kind: Kind
    entity_id: str
    how: str
    copy: State | None
    shared: State | None
    base: State | None
    target: State | None = None
    shared_id: str | None = None


_COUNTS = ("added", "updated", "kept", "removed", "conflicts")
_COUNTED_AS = {"insert": "added", "replace": "updated", "update": "updated", "keep": "kept",
               "delete": "removed", "conflict": "conflicts"}  # fmt: skip
_PLURALS = {"page": "saved pages", "done_mark": "done marks", "blinding": "blind reviews",
            "settlement": "adjudications"}  # fmt: skip


@dataclass
class MergePlan:
    project_id: str
    project_name: str
    fork_seq: int
    copy_head: tuple[int, str]
    events: list[Event] = field(default_factory=list)
    new_reviewers: list[State] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    conflicts: list[MergeConflict] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return not self.events

    def counts(self) -> dict[str, dict[str, int]]:
        """Per entity type: how many are added, updated, kept and in conflict."""
        out: dict[str, dict[str, int]] = {}
        for step in self.steps:
            counts = out.setdefault(step.kind.entity_type, dict.fromkeys(_COUNTS, 0))
            key = _COUNTED_AS[step.how]
            counts[key] += 1
        if self.new_reviewers:
            out.setdefault("reviewer", dict.fromkeys(_COUNTS, 0))
            out["reviewer"]["added"] = len(self.new_reviewers)
        return out

    def summary(self, *, done: bool = False) -> str:
        if self.nothing_to_do:
            return "nothing to merge: the shared project already has every change of the copy"
        parts = []
        for entity_type, c in self.counts().items():
            bits = [f"{c['added']} added"] if c["added"] else []
            bits += [f"{c['updated']} updated"] if c["updated"] else []
            bits += [f"{c['removed']} removed"] if c["removed"] else []
            conflicts = "decided" if done else "in conflict"
            bits += [f"{c['conflicts']} {conflicts}"] if c["conflicts"] else []
            if bits:
                parts.append(f"{_PLURALS.get(entity_type, entity_type + 's')}: " + ", ".join(bits))
        changes = "; ".join(parts) or "no other changes"
        verb = "brought in" if done else "to bring in"
        return f"{len(self.events)} event(s) of the copy {verb} ({changes})"

    def to_json(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "fork_seq": self.fork_seq,
            "copy_head": {"seq": self.copy_head[0], "hash": self.copy_head[1]},
            "events": len(self.events),
            "counts": self.counts(),
            "conflicts": [c.to_json() for c in self.conflicts],
        }


# --- planning --------------------------------------------------------------------------------


def _chain(conn: Connection) -> list[tuple[int, str, str]]:
    rows = conn.execute(
        select(AuditEvent.seq, AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.seq)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def fork_point(shared: Sequence[tuple[int, str, str]], copy: Sequence[tuple[int, str, str]]) -> int:
    """The last seq at which both chains hold the same event (hashes chain, so the same hash
    at a seq means the same history up to it)."""
    fork = 0
    for (s_seq, _sid, s_hash), (c_seq, _cid, c_hash) in zip(shared, copy, strict=False):
        if s_seq != c_seq or s_hash != c_hash:
            break
        fork = s_seq
    return fork


def plan_merge(shared: Connection, copy: Connection, *, copy_name: str = "the copy") -> MergePlan:
    """What merging ``copy`` into ``shared`` would do; reads only."""
    mine, theirs = reads.project_info(shared), reads.project_info(copy)
    if theirs is None:
        raise MergeRefused(f"{copy_name} holds no project to merge")
    if mine is None or mine.id != theirs.id:
        name = mine.name if mine is not None else "?"
        raise MergeRefused(
            f"{copy_name} is a copy of another project (‘{theirs.name}’, {theirs.id}), not of "
            f"‘{name}’; nothing was merged"
        )
    shared_chain, copy_chain = _chain(shared), _chain(copy)
    fork = fork_point(shared_chain, copy_chain)
    head = copy_chain[-1] if copy_chain else (0, "", audit.GENESIS_HASH)
    plan = MergePlan(mine.id, mine.name, fork, (head[0], head[2]))
    if fork == 0:
        raise MergeRefused(f"{copy_name} shares no history with this project; nothing was merged")
    shared_ids = {eid for _s, eid, _h in shared_chain}
    copy_ids = {eid for _s, eid, _h in copy_chain}
    events = (Event(*row) for row in reads.event_rows(copy, fork + 1))
    plan.events = [e for e in events if e.id not in shared_ids]
    if not plan.events:
        return plan
    # What the shared side did itself since the fork (not events it merged from this copy).
    shared_touched: dict[tuple[str, str], list[str]] = {}
    stmt = select(AuditEvent.id, AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.reviewer)
    for eid, etype, entity, reviewer in shared.execute(stmt.where(AuditEvent.seq > fork)):
        if eid not in copy_ids:
            shared_touched.setdefault((etype, entity), []).append(reviewer)
    _plan_entities(plan, shared, copy, shared_touched, copy_name)
    return plan


def _plan_entities(
    plan: MergePlan,
    shared: Connection,
    copy: Connection,
    shared_touched: Mapping[tuple[str, str], list[str]],
    copy_name: str,
) -> None:
    groups: dict[tuple[str, str], list[Event]] = {}
    for event in plan.events:
        if event.entity_type not in LOG_ONLY:
            groups.setdefault((event.entity_type, event.entity_id), []).append(event)
    by_kind: dict[str, list[str]] = {}
    for etype, entity in groups:
        kind_of(etype)  # refuse what this version cannot write, before anything else
        by_kind.setdefault(etype, []).append(entity)
    shared_names = {name for (name,) in shared.execute(select(Reviewer.name))}
    for etype in KINDS:
        ids = by_kind.get(etype, [])
        if not ids:
            continue
        kind = KINDS[etype]
        copy_states = kind.states(copy, ids)
        shared_states = kind.states(shared, ids)
        for entity in ids:
            events = groups[(etype, entity)]
            copy_state = copy_states.get(entity)
            logged = events[-1].state("after")
            if (copy_state is None) != (logged is None) or (
                copy_state is not None and logged is not None
                and kind.own(copy_state) != kind.own(logged)
            ):  # fmt: skip
                what = _what(kind, copy_state or logged or events[-1].state("before"), entity)
                raise MergeRefused(
                    f"{copy_name}: {what} ({entity}) does not match its audit trail; "
                    "nothing was merged"
                )
            if etype == "reviewer":
                assert copy_state is not None
                if copy_state["name"] not in shared_names and entity not in shared_states:
                    plan.new_reviewers.append(copy_state)
                    shared_names.add(copy_state["name"])
                continue
            base = events[0].state("before")
            shared_state = shared_states.get(entity)
            shared_id: str | None = entity if shared_state is not None else None
            probe = copy_state or base
            if shared_state is None and kind.same is not None and probe is not None:
                shared_id = kind.same(shared, probe)
                if shared_id is not None:
                    shared_state = kind.states(shared, [shared_id]).get(shared_id)
            step = _decide(kind, entity, copy_state, shared_state, base)
            if step is None:
                continue
            step.shared_id = shared_id or entity
            plan.steps.append(step)
            if step.how == "conflict":
                one_side = step.shared is None or step.copy is None
                plan.conflicts.append(
                    MergeConflict(
                        etype,
                        entity,
                        kind.describe(step.shared or step.copy or {}),
                        step.shared,
                        copy_state,
                        base,
                        tuple(dict.fromkeys(shared_touched.get((etype, step.shared_id), []))),
                        tuple(dict.fromkeys(e.reviewer for e in events)),
                        RESOLUTIONS
                        if kind.combine is not None and not one_side
                        else RESOLUTIONS[:2],
                    )
                )


def _what(kind: Kind, state: State | None, entity: str) -> str:
    try:
        return kind.describe(state or {})
    except (KeyError, TypeError):
        return f"{kind.entity_type} {entity}"


def _decide(
    kind: Kind, entity: str, copy: State | None, shared: State | None, base: State | None
) -> Step | None:
    if copy is None:  # the copy removed it (or made and removed it)
        if shared is None:
            return None
        if base is not None and kind.own(shared) == kind.own(base):
            return Step(kind, entity, "delete", copy, shared, base)
        return Step(kind, entity, "conflict", copy, shared, base)
    if shared is None:
        if base is None:
            return Step(kind, entity, "insert", copy, None, base, copy)
        return Step(kind, entity, "conflict", copy, shared, base)  # the shared side removed it
    if base is not None and kind.own(shared) == kind.own(base):
        return Step(kind, entity, "replace", copy, shared, base, copy)
    content = kind.content
    if content(copy) == content(shared) or (base is not None and content(copy) == content(base)):
        return Step(kind, entity, "keep", copy, shared, base)
    if base is not None and content(shared) == content(base):
        # The shared side only touched it in passing (an earlier merge's new version, an edit
        # undone): the copy's edits go on top.
        target = _with_content(kind, shared, copy, base)
        return Step(kind, entity, "update", copy, shared, base, target)
    return Step(kind, entity, "conflict", copy, shared, base)


def _with_content(kind: Kind, shared: State, copy: State, base: State | None) -> State:
    if kind.combine is not None:
        return kind.combine(shared, copy, base)
    return copy


# --- applying ----------------------------------------------------------------------------------


def decide(
    plan: MergePlan, choices: Mapping[str, str], default: str | None
) -> tuple[dict[str, str], list[MergeConflict]]:
    """Each conflict's choice by entity id, and the conflicts still undecided. ``choices``
    name conflicts by id or by a unique prefix of at least four characters."""
    chosen: dict[str, str] = {}
    for ref, given in choices.items():
        key = ref.strip().lower()
        found = [c for c in plan.conflicts if c.entity_id.lower().startswith(key)]
        if len(key) < 4 or not found:
            raise InvalidInput(f"no conflicting edit has the id {ref}")
        if len(found) > 1:
            raise InvalidInput(f"several conflicting edits have ids starting {ref}")
        chosen[found[0].entity_id] = given
    undecided: list[MergeConflict] = []
    for conflict in plan.conflicts:
        choice: str | None = chosen.get(conflict.entity_id, default)
        if choice is None:
            undecided.append(conflict)
            continue
        if choice not in conflict.choices:
            raise InvalidInput(
                f"{conflict.label} ({conflict.entity_id[:8]}) can be resolved with "
                f"{', '.join(conflict.choices)}, not {choice}"
            )
        chosen[conflict.entity_id] = choice
    return chosen, undecided


def resolve(plan: MergePlan, choices: Mapping[str, str], default: str | None) -> dict[str, str]:
    """Each conflict's choice (by entity id). Raises DecisionsNeeded if any is missing."""
    chosen, undecided = decide(plan, choices, default)
    if undecided:
        n = len(undecided)
        raise DecisionsNeeded(
            f"{n} conflicting edit{'s' if n != 1 else ''} need{'s' if n == 1 else ''} a "
            "decision (keep shared, keep copy or combine); nothing was merged",
            plan,
            undecided,
        )
    return chosen


def apply_merge(
    rec: _Recorder,
    plan: MergePlan,
    copy: Connection,
    chosen: Mapping[str, str],
    *,
    copy_location: str,
) -> None:
    """Write ``plan`` into the shared project in the recorder's transaction."""
    conn = rec.conn
    for state in plan.new_reviewers:
        row, _children = KINDS["reviewer"].to_row(state, RowContext({}, copy))
        conn.execute(insert(Reviewer), row)
    # The copy's events first, as they were; then whoever merges (added now if new to the
    # project), whose choices are changes of their own.
    provenance = rec.carry(plan.events)
    rec.reviewer  # noqa: B018 - adds and logs a reviewer new to the project
    reviewer_ids = {name: rid for rid, name in conn.execute(select(Reviewer.id, Reviewer.name))}
    copy_names = {rid: name for rid, name in copy.execute(select(Reviewer.id, Reviewer.name))}
    ctx = RowContext(reviewer_ids, copy, copy_names)
    after_merge: list[Step] = []
    inserts: dict[str, list[dict[str, Any]]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    updates: dict[str, list[dict[str, Any]]] = {}
    deletes: dict[str, list[str]] = {}
    for step in plan.steps:
        target, how = step.target, step.how
        if how == "conflict":
            choice = chosen[step.entity_id]
            if choice == "shared":
                continue
            if step.copy is None:
                how = "delete"
            elif step.shared is None:
                how, target = "insert", step.copy
            else:
                # Keeping the copy's version is the copy's edits over the shared row as it is.
                base = step.shared if choice == "copy" else step.base
                target = _with_content(step.kind, step.shared, step.copy, base)
        etype = step.kind.entity_type
        if how == "delete":
            assert step.shared_id is not None
            deletes.setdefault(etype, []).append(step.shared_id)
            after_merge.append(step)
            continue
        if target is None:
            continue
        if how in ("update", "conflict") and step.kind.restamp is not None:
            assert step.copy is not None
            target = step.kind.restamp(target, step.copy, rec.at, rec.name)
        try:
            row, rows_with_it = step.kind.to_row(target, ctx)
        except LookupError as exc:
            raise MergeRefused(f"{copy_location}: {exc}; nothing was merged") from None
        if how == "insert":
            inserts.setdefault(etype, []).append(row)
            for name, child_rows in rows_with_it.items():
                children.setdefault(name, []).extend(child_rows)
        else:
            updates.setdefault(etype, []).append(row)
        if how in ("update", "conflict"):
            after_merge.append(step)
    for etype, kind in KINDS.items():
        write_entities(conn, kind, inserts.get(etype, []), updates.get(etype, []))
        for child_table, _column in kind.children:
            if children.get(child_table.name):
                conn.execute(insert(child_table), children[child_table.name])
    for etype, kind in reversed(KINDS.items()):
        if deletes.get(etype):
            delete_rows(conn, kind, deletes[etype])
    for step in after_merge:
        key = step.shared_id or step.entity_id
        now = step.kind.states(conn, [key]).get(key)
        rec.record(f"{step.kind.entity_type}.merged", step.kind.entity_type, key,
                   step.shared, now)  # fmt: skip
    rec.record(
        MERGE_ACTION,
        "merge",
        _merge_id(),
        None,
        {
            "copy": {
                "location": copy_location,
                "head_seq": plan.copy_head[0],
                "head_hash": plan.copy_head[1],
            },
            "fork": {"seq": plan.fork_seq},
            "events": provenance,
            "resolutions": dict(sorted(chosen.items())),
        },
    )


def _merge_id() -> str:
    from desktop.core.model import new_id

    return new_id()


# --- checking provenance -------------------------------------------------------------------


def check_provenance(conn: Connection) -> list[str]:
    """For every merge recorded in the chain: each merged event, put back at its original
    place in the copy (seq and previous hash), must hash to the original hash recorded."""
    problems: list[str] = []
    records = conn.execute(
        select(AuditEvent.seq, AuditEvent.after).where(AuditEvent.action == MERGE_ACTION)
    ).all()
    for record_seq, after in records:
        try:
            entries = json.loads(after or "")["events"]
            ids = [str(entry[0]) for entry in entries]
        except (TypeError, ValueError, KeyError, IndexError):
            problems.append(f"merge record {record_seq} is unreadable")
            continue
        rows = _events_by_id(conn, ids)
        for event_id, original_seq, original_prev, original_hash in entries:
            event = rows.get(event_id)
            if event is None:
                problems.append(
                    f"event {event_id}, merged from event {original_seq} of a copy (merge "
                    f"record {record_seq}), is missing"
                )
                return problems
            if not _hashes_to(event, original_seq, original_prev, original_hash):
                problems.append(
                    f"event {event.seq} does not match event {original_seq} of the copy it was "
                    f"merged from (merge record {record_seq})"
                )
                return problems
    return problems


def _events_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, Event]:
    out: dict[str, Event] = {}
    wanted = list(dict.fromkeys(ids))
    for i in range(0, len(wanted), reads.CHUNK):
        chunk = wanted[i : i + reads.CHUNK]
        stmt = select(*reads.EVENT_COLUMNS).where(AuditEvent.id.in_(chunk))
        for row in conn.execute(stmt):
            event = Event(*tuple(row))
            out[event.id] = event
    return out


def _hashes_to(event: Event, seq: int, prev_hash: str, digest: str) -> bool:
    payload = audit.event_bytes(
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
    return audit.chain_hash(prev_hash, payload) == digest
