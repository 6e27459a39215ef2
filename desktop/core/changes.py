"""What an operation changed, so every view can refresh itself from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
class ChangeSet:
    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(self.changes + other.changes)

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
        """Articles imported, and articles whose annotations changed."""
        seen = dict.fromkeys(self.ids("article"))
        for change in self.changes:
            if change.entity_type == "annotation":
                state = change.after or change.before or {}
                if "article_id" in state:
                    seen[state["article_id"]] = None
        return list(seen)
