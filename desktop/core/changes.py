"""What changed in a project, as every view needs to know it, and the feed that tells them.

Every write adds audit events, and the events already say which entity changed and its state
before and after. So one feed serves every open window: ``changes_since(seq)`` reads the events
after the last one a window has seen, whoever wrote them (this window, another window, the
command line, another reviewer's machine), and returns them as a ChangeSet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from desktop.core.store import Store

# A window this many events behind reloads what it shows instead of applying each change.
RELOAD_AFTER = 2_000


@dataclass(frozen=True)
class Change:
    """One audited change: the entity's state before and after (None where it did not exist)."""

    seq: int
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Edit:
    """One operation with its arguments, kept as data so that it can run later: the undo of an
    edit, or its redo. ``op`` names a function in ``operations.EDITS``."""

    op: str
    args: Mapping[str, Any]

    def run(self, store: Store, *, reviewer: str) -> ChangeSet:
        from desktop.core import operations

        function: Callable[..., ChangeSet] = operations.EDITS[self.op]
        return function(store, reviewer=reviewer, **self.args)

    def rebased(self, entity_id: str, version: int) -> Edit:
        """The same edit made on ``version`` of ``entity_id`` (an edit not made on that entity
        is returned as it is). After a conflict this is what "overwrite" means: the reviewer
        has seen the newer version and chose theirs over it; after an undo, it is how the step
        below learns the version the undo left."""
        args = dict(self.args)
        if "expected_version" in args and args.get("annotation_id") == entity_id:
            args["expected_version"] = version
        expected = args.get("expected")
        if isinstance(expected, Mapping) and entity_id in expected:
            args["expected"] = {**expected, entity_id: version}
        return Edit(self.op, args) if args != self.args else self

    def with_args(self, **changes: Any) -> Edit:
        return Edit(self.op, {**self.args, **changes})


@dataclass(frozen=True)
class ChangeSet:
    """The events one operation (or one read of the feed) brought.

    ``label`` names what an operation did ("Tag 'Disputed'"); ``inverse`` is the Edit that takes
    it back, or None when it cannot be taken back. Running the inverse returns a ChangeSet
    whose own inverse redoes the operation.
    """

    changes: tuple[Change, ...] = ()
    label: str = ""
    inverse: Edit | None = field(default=None, compare=False)
    reload: bool = False  # the feed skipped ahead: views must reload what they show

    def __bool__(self) -> bool:
        return bool(self.changes) or self.reload

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(
            self.changes + other.changes,
            self.label or other.label,
            None,
            self.reload or other.reload,
        )

    @property
    def last_seq(self) -> int:
        return max((c.seq for c in self.changes), default=0)

    def ids(self, entity_type: str) -> list[str]:
        seen: dict[str, None] = {}
        for change in self.changes:
            if change.entity_type == entity_type:
                seen[change.entity_id] = None
        return list(seen)

    @property
    def annotation_ids(self) -> list[str]:
        return self.ids("annotation")

    @property
    def article_ids(self) -> list[str]:
        """Articles imported or changed, and articles whose annotations changed."""
        seen = dict.fromkeys(self.ids("article"))
        for change in self.changes:
            if change.entity_type == "annotation":
                for state in (change.before, change.after):
                    if state and "article_id" in state:
                        seen[state["article_id"]] = None
        return list(seen)


def changes_since(conn: Connection, seq: int, *, limit: int = RELOAD_AFTER) -> ChangeSet:
    """The events after ``seq``, oldest first. More than ``limit`` of them gives an empty
    ChangeSet with ``reload`` set (and the newest seq in its one marker change)."""
    from sqlalchemy import func, select

    from desktop.core.store.schema import AuditEvent

    newest = conn.execute(select(func.max(AuditEvent.seq))).scalar() or 0
    if newest <= seq:
        return ChangeSet()
    if newest - seq > limit:
        marker = Change(newest, "", "", "", None, None)
        return ChangeSet((marker,), reload=True)
    rows = conn.execute(
        select(
            AuditEvent.seq,
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.entity_id,
            AuditEvent.before,
            AuditEvent.after,
        )
        .where(AuditEvent.seq > seq)
        .order_by(AuditEvent.seq)
    )
    return ChangeSet(
        tuple(
            Change(s, action, etype, eid, _state(before), _state(after))
            for s, action, etype, eid, before, after in rows
        )
    )


def _state(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
