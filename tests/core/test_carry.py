"""Carrying a verdict to the counterparts of a claim: one operation, undone in one step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.compare.cache import Cache
from desktop.core.compare.claims import carry_targets, claim_grid
from desktop.core.compare.comparison import Comparison, versions_of
from desktop.core.errors import Conflict, InvalidInput
from desktop.core.importers import ImportedArticle
from desktop.core.model import Verdict
from desktop.core.operations import CarryTarget
from desktop.core.store import Store, create_store, open_store, reads
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER
from tests.core.compare_eval import DATA

FLOOD = DATA / "flood"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(new_target: Path | str) -> Iterator[Store]:
    """Three versions of a flood story, in a file and on a server in turn."""
    with create_store(new_target) as p:
        operations.record_project_created(p, name="Flood", reviewer=REVIEWER)
        operations.import_articles(
            p,
            [
                ImportedArticle(
                    (FLOOD / f"{n}.txt").read_text(encoding="utf-8"), n.upper(), f"{n}.txt", "txt"
                )
                for n in "abc"
            ],
            reviewer=REVIEWER,
        )
    opened = open_store(new_target)
    yield opened
    opened.close()


def events(project: Store) -> list[tuple[str, str]]:
    with project.read() as conn:
        return [(r[3], r[5]) for r in reads.event_rows(conn)]


def ids(project: Store) -> dict[str, str]:
    with project.read() as db:
        return {s.title.lower(): s.id for s in reads.article_summaries(db)}


def tag(project: Store, article: str, quote: str, verdict: str = "supported") -> str:
    aid = ids(project)[article]
    with project.read() as db:
        at = reads.article_text(db, aid).index(quote)
    changes = operations.annotate(
        project, aid, at, at + len(quote), verdict, reviewer=REVIEWER, note="Checked.",
        sources=["https://example.org/evidence"],
    )  # fmt: skip
    return changes.annotation_ids[0]


def targets_for(project: Store, annotation_id: str) -> list[CarryTarget]:
    with project.read() as db:
        (row,) = reads.annotation_rows(db, annotation_ids=[annotation_id])
        comparison = Comparison(versions_of(reads.article_texts(db)), Cache())
    return carry_targets(comparison.counterparts(row.article_id, row.start, row.end))


EVACUATED = "forcing the evacuation of 1,200 residents from low-lying parts of Lakeside"
FORECAST = "Forecasters expect another 40 millimetres of rain by Thursday."


def test_carry_creates_one_audited_annotation_per_counterpart_in_one_claim(
    project: Store,
) -> None:
    source = tag(project, "a", FORECAST)
    before = len(events(project))
    result = operations.carry(project, source, targets_for(project, source), reviewer="Bea")
    # b says the same; c leaves the forecast out, so nothing is made there.
    assert len(result.created) == 1
    assert [(s.article_id, s.reason) for s in result.skipped] == [(ids(project)["c"], "absent")]
    new_events = events(project)[before:]
    assert new_events[-1] == ("annotation.created", result.created[0])
    assert [a for a, _ in new_events] == ["reviewer.added", "annotation.created"]
    with project.read() as db:
        rows = reads.annotation_rows(db)
    carried = next(r for r in rows if r.id == result.created[0])
    assert carried.article_id == ids(project)["b"] and carried.quote == FORECAST
    assert (carried.verdict, carried.note, [s.url for s in carried.sources]) == (
        Verdict.SUPPORTED,
        "Checked.",
        ["https://example.org/evidence"],
    )
    assert result.claim_id == source and {r.claim for r in rows} == {source}
    grid = claim_grid(rows, [ids(project)[n] for n in "abc"])
    assert len(grid) == 1 and [len(c) for c in grid[0].cells.values()] == [1, 1, 0]
    assert verify_project(project).ok

    # Undo is one step, the window's generic one: the inverse deletes every created
    # annotation in one transaction, and its own inverse (redo) restores them.
    assert result.changes.label == "Carry verdict to 1 version"
    assert result.changes.inverse is not None
    undo = result.changes.inverse.run(project, reviewer="Bea")
    assert [c.action for c in undo.changes] == ["annotation.deleted"]
    with project.read() as db:
        assert [r.id for r in reads.annotation_rows(db)] == [source]
    assert undo.inverse is not None
    redo = undo.inverse.run(project, reviewer="Bea")
    assert [c.action for c in redo.changes] == ["annotation.restored"]
    with project.read() as db:
        assert len(reads.annotation_rows(db)) == 2


def test_differing_counterparts_need_confirmation_and_never_get_the_verdict(
    project: Store,
) -> None:
    source = tag(project, "a", EVACUATED)
    targets = targets_for(project, source)
    assert [t.status for t in targets] == ["differs", "same"]  # b says 1,800; c "roughly 1,200"
    result = operations.carry(project, source, targets, reviewer=REVIEWER)
    assert [s.reason for s in result.skipped] == ["differs"] and len(result.created) == 1

    again = operations.carry(project, source, targets, reviewer=REVIEWER, confirm_differs=True)
    # c is tagged already (by the first carry): reported, left alone.
    assert [s.reason for s in again.skipped] == ["existing"]
    assert again.skipped[0].existing_id == result.created[0]
    with project.read() as db:
        (differing,) = reads.annotation_rows(db, annotation_ids=again.created)
    assert differing.verdict == Verdict.UNVERIFIED
    assert source in differing.note and "1,200" in differing.note and "1,800" in differing.note
    assert differing.claim == source

    chosen = tag(
        project,
        "a",
        "Emergency crews built a temporary barrier of 4,000 sandbags along the eastern "
        "embankment overnight.",
    )
    picked = operations.carry(
        project, chosen, targets_for(project, chosen), reviewer=REVIEWER,
        confirm_differs=True, differs_verdict=Verdict.DISPUTED,
    )  # fmt: skip
    with project.read() as db:
        carried = reads.annotation_rows(db, annotation_ids=picked.created)
    verdicts = {r.article_id: r.verdict for r in carried}
    assert verdicts == {
        ids(project)["b"]: Verdict.SUPPORTED,
        ids(project)["c"]: Verdict.DISPUTED,
    }
    assert picked.changes.label == "Carry verdict to 2 versions"

    # Undo names the versions it made: once someone has changed one of the carried
    # annotations, undoing the carry is refused and nothing is deleted.
    operations.update_annotation(project, picked.created[0], reviewer="Cy", note="Seen.")
    assert picked.changes.inverse is not None
    before = events(project)
    with pytest.raises(Conflict):
        picked.changes.inverse.run(project, reviewer=REVIEWER)
    assert events(project) == before


def test_carry_refuses_a_deleted_source_and_writes_nothing_on_a_bad_target(
    project: Store,
) -> None:
    source = tag(project, "a", FORECAST)
    targets = targets_for(project, source)
    before = events(project)
    bad = [*targets, CarryTarget(ids(project)["c"], "same", 0, 10**6)]
    with pytest.raises(InvalidInput, match="outside the article"):
        operations.carry(project, source, bad, reviewer=REVIEWER)
    assert events(project) == before
    operations.delete_annotation(project, source, reviewer=REVIEWER)
    before = events(project)
    with pytest.raises(InvalidInput, match="deleted"):
        operations.carry(project, source, targets, reviewer=REVIEWER)
    assert events(project) == before


def test_carry_to_nothing_writes_nothing(project: Store) -> None:
    source = tag(project, "b", "Tickets for the annual jazz festival go on sale on Monday.")
    before = events(project)
    result = operations.carry(project, source, targets_for(project, source), reviewer="New")
    assert result.created == () and not result.changes
    assert [s.reason for s in result.skipped] == ["absent", "absent"]
    assert events(project) == before  # not even the new reviewer is recorded
