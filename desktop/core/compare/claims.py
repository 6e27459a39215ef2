"""Claims across versions: annotations sharing a claim id, arranged as a verdict table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.compare.counterparts import ABSENT, DIFFERS, Counterpart

if TYPE_CHECKING:
    from desktop.core.operations import CarryTarget
    from desktop.core.records import AnnotationRow


@dataclass(frozen=True)
class ClaimRow:
    """One claim: its id, a quote to name it by, and its annotations per article id."""

    claim_id: str
    quote: str
    cells: dict[str, tuple[AnnotationRow, ...]]


def claim_grid(rows: Sequence[AnnotationRow], article_ids: Sequence[str]) -> list[ClaimRow]:
    """One row per claim (in the reading order of its first annotation), one cell per
    article of ``article_ids`` (empty where the claim is not tagged in that version)."""
    by_claim: dict[str, list[AnnotationRow]] = {}
    for row in rows:
        if not row.deleted:
            by_claim.setdefault(row.claim, []).append(row)
    out: list[ClaimRow] = []
    for claim_id, members in by_claim.items():
        cells: dict[str, tuple[AnnotationRow, ...]] = {
            aid: tuple(m for m in members if m.article_id == aid) for aid in article_ids
        }
        first = next((m for m in members if m.id == claim_id), members[0])
        out.append(ClaimRow(claim_id, first.quote, cells))
    return out


def carry_targets(found: Sequence[Counterpart]) -> list[CarryTarget]:
    """What ``operations.carry`` needs from the counterparts of an annotation's span."""
    from desktop.core.operations import CarryTarget

    return [
        CarryTarget(
            c.article_id,
            c.status,
            None if c.status == ABSENT else c.start,
            None if c.status == ABSENT else c.end,
            tuple(
                f"{d.kind}: \u201c{d.here}\u201d there reads \u201c{d.there}\u201d"
                for d in c.differences
            )
            if c.status == DIFFERS
            else (),
        )
        for c in found
    ]
