"""Carrying a verdict to the counterparts of a claim: one operation, undone in one step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core import operations, queries
from desktop.core.compare.cache import Cache
from desktop.core.compare.claims import carry_targets, claim_grid
from desktop.core.compare.comparison import Comparison, versions_of
from desktop.core.errors import InvalidInput
from desktop.core.importers import ImportedArticle
from desktop.core.model import Verdict
from desktop.core.operations import CarryTarget
from desktop.core.storage import Project, new_project_file
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER
from tests.core.compare_eval import DATA

FLOOD = DATA / "flood"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with new_project_file(tmp_path / "flood.crosscheck") as p:
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
    from desktop.core.storage import open_project

    opened = open_project(tmp_path / "flood.crosscheck")
    yield opened
    opened.close()


def events(project: Project) -> list[tuple[str, str]]:
    conn = sqlite3.connect(project.path)
    try:
        return conn.execute("SELECT action, entity_id FROM audit_events ORDER BY seq").fetchall()
    finally:
        conn.close()


def ids(project: Project) -> dict[str, str]:
    with project.snapshot() as db:
        return {s.title.lower(): s.id for s in queries.article_summaries(db)}


def tag(project: Project, article: str, quote: str, verdict: str = "supported") -> str:
    aid = ids(project)[article]
    with project.snapshot() as db:
        at = queries.article_text(db, aid).index(quote)
    changes = operations.annotate(
        project, aid, at, at + len(quote), verdict, reviewer=REVIEWER, note="Checked.",
        sources=["https://example.org/evidence"],
    )  # fmt: skip
    return changes.annotation_ids[0]


def targets_for(project: Project, annotation_id: str) -> list[CarryTarget]:
    with project.snapshot() as db:
        (row,) = queries.annotation_rows(db, annotation_ids=[annotation_id])
        comparison = Comparison(versions_of(queries.article_texts(db)), Cache())
    return carry_targets(comparison.counterparts(row.article_id, row.start, row.end))


EVACUATED = "forcing the evacuation of 1,200 residents from low-lying parts of Lakeside"
FORECAST = "Forecasters expect another 40 millimetres of rain by Thursday."


def test_carry_creates_one_audited_annotation_per_counterpart_in_one_claim(
    project: Project,
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
    with project.snapshot() as db:
        rows = queries.annotation_rows(db)
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

    # Undo is one step: one transaction deletes every created annotation; redo restores.
    undo = operations.delete_annotations(project, result.created, reviewer="Bea")
    assert [c.action for c in undo.changes] == ["annotation.deleted"]
    with project.snapshot() as db:
        assert [r.id for r in queries.annotation_rows(db)] == [source]
    operations.restore_annotations(project, result.created, reviewer="Bea")
    with project.snapshot() as db:
        assert len(queries.annotation_rows(db)) == 2


def test_differing_counterparts_need_confirmation_and_never_get_the_verdict(
    project: Project,
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
    with project.snapshot() as db:
        (differing,) = queries.annotation_rows(db, annotation_ids=again.created)
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
    with project.snapshot() as db:
        carried = queries.annotation_rows(db, annotation_ids=picked.created)
    verdicts = {r.article_id: r.verdict for r in carried}
    assert verdicts == {
        ids(project)["b"]: Verdict.SUPPORTED,
        ids(project)["c"]: Verdict.DISPUTED,
    }


def test_carry_refuses_a_deleted_source_and_writes_nothing_on_a_bad_target(
    project: Project,
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


def test_carry_to_nothing_writes_nothing(project: Project) -> None:
    source = tag(project, "b", "Tickets for the annual jazz festival go on sale on Monday.")
    before = events(project)
    result = operations.carry(project, source, targets_for(project, source), reviewer="New")
    assert result.created == () and not result.changes
    assert [s.reason for s in result.skipped] == ["absent", "absent"]
    assert events(project) == before  # not even the new reviewer is recorded
