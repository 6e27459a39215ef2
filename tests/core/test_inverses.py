"""Every operation returns the edit that takes it back; edits made on a stale version are
refused as conflicts, undo included, and nothing is written when they are."""

from __future__ import annotations

import pytest

from desktop.core import operations
from desktop.core.changes import ChangeSet
from desktop.core.errors import Conflict
from desktop.core.store import Store, open_store, reads
from desktop.core.verify import verify_project
from tests.backends import target_of
from tests.conftest import REVIEWER


def article(store: Store) -> str:
    with store.read() as conn:
        return reads.article_summaries(conn)[0].id


def state(store: Store, annotation_id: str) -> dict[str, object]:
    with store.read() as conn:
        return operations.annotation_state(conn, annotation_id)


def events(store: Store) -> int:
    with store.read() as conn:
        return reads.count_events(conn)


def undo_redo(store: Store, changes: ChangeSet, rounds: int = 2) -> list[ChangeSet]:
    """Undo and redo ``changes`` ``rounds`` times; returns every step's ChangeSet."""
    steps = []
    current = changes
    for _ in range(rounds * 2):
        assert current.inverse is not None
        current = current.inverse.run(store, reviewer=REVIEWER)
        steps.append(current)
    return steps


def test_tag_undo_redo(demo_project: Store) -> None:
    tagged = operations.annotate(
        demo_project, article(demo_project), 0, 9, "disputed", reviewer=REVIEWER
    )
    assert tagged.label == "Tag 'Disputed'"
    annotation_id = tagged.annotation_ids[0]
    undone, redone, _undone2, redone2 = undo_redo(demo_project, tagged)
    assert [c.action for c in undone.changes] == ["annotation.deleted"]
    assert [c.action for c in redone.changes] == ["annotation.restored"]
    assert state(demo_project, annotation_id)["deleted_at"] is None
    assert state(demo_project, annotation_id)["version"] == 5
    assert undone.label == "Delete annotation" and redone2.label == "Restore annotation"
    assert verify_project(demo_project).ok


def test_update_undo_puts_back_every_changed_field(demo_project: Store) -> None:
    tagged = operations.annotate(
        demo_project,
        article(demo_project),
        0,
        9,
        "disputed",
        reviewer=REVIEWER,
        note="first",
        sources=["https://example.org/a"],
    )
    annotation_id = tagged.annotation_ids[0]
    original = state(demo_project, annotation_id)
    changed = operations.update_annotation(
        demo_project,
        annotation_id,
        reviewer="Sam",
        verdict="supported",
        note="second",
        sources=["https://example.org/b"],
        expected_version=1,
    )
    assert changed.label == "Change verdict to 'Supported'"
    undone = changed.inverse.run(demo_project, reviewer=REVIEWER)  # type: ignore[union-attr]
    now = state(demo_project, annotation_id)
    for key in ("verdict", "note", "sources"):
        assert now[key] == original[key]
    redone = undone.inverse.run(demo_project, reviewer=REVIEWER)  # type: ignore[union-attr]
    assert state(demo_project, annotation_id)["note"] == "second"
    assert redone.inverse is not None


def test_retagging_a_span_undoes_to_the_previous_verdict(demo_project: Store) -> None:
    first = operations.annotate(
        demo_project, article(demo_project), 0, 9, "disputed", reviewer=REVIEWER
    )
    again = operations.annotate(
        demo_project, article(demo_project), 0, 9, "supported", reviewer=REVIEWER
    )
    assert again.annotation_ids == first.annotation_ids
    again.inverse.run(demo_project, reviewer=REVIEWER)  # type: ignore[union-attr]
    assert state(demo_project, first.annotation_ids[0])["verdict"] == "disputed"


def test_several_deletes_are_one_step(demo_project: Store) -> None:
    aid = article(demo_project)
    ids = [
        operations.annotate(
            demo_project, aid, i * 10, i * 10 + 5, "unverified", reviewer=REVIEWER
        ).annotation_ids[0]
        for i in range(3)
    ]
    deleted = operations.delete_annotations(demo_project, ids, reviewer=REVIEWER)
    assert deleted.label == "Delete 3 annotations"
    deleted.inverse.run(demo_project, reviewer=REVIEWER)  # type: ignore[union-attr]
    assert all(state(demo_project, i)["deleted_at"] is None for i in ids)


def test_an_edit_on_a_stale_version_is_a_conflict_and_writes_nothing(demo_project: Store) -> None:
    target = target_of(demo_project)
    with open_store(target) as mine, open_store(target) as theirs:
        tagged = operations.annotate(mine, article(mine), 0, 9, "disputed", reviewer=REVIEWER)
        annotation_id = tagged.annotation_ids[0]
        operations.update_annotation(
            theirs, annotation_id, reviewer="Sam Okafor", note="their note", expected_version=1
        )
        count = events(mine)
        with pytest.raises(Conflict) as caught:
            operations.update_annotation(
                mine, annotation_id, reviewer=REVIEWER, note="my note", expected_version=1
            )
        assert events(mine) == count
        conflict = caught.value
        assert conflict.expected == 1
        assert conflict.theirs["note"] == "their note"  # type: ignore[index]
        assert conflict.theirs["version"] == 2  # type: ignore[index]
        assert "Sam Okafor" in str(conflict) and "nothing was changed" in str(conflict)
        assert "\n" not in str(conflict)
        # Overwriting is a choice: the same edit, made on the version now there.
        operations.update_annotation(
            mine, annotation_id, reviewer=REVIEWER, note="my note", expected_version=2
        )
        assert state(mine, annotation_id)["note"] == "my note"


def test_undo_over_another_reviewer_s_change_is_a_conflict(demo_project: Store) -> None:
    """disputed -> unverified here, supported there: undo must not put back disputed."""
    target = target_of(demo_project)
    with open_store(target) as mine, open_store(target) as theirs:
        tagged = operations.annotate(mine, article(mine), 0, 9, "disputed", reviewer=REVIEWER)
        annotation_id = tagged.annotation_ids[0]
        changed = operations.update_annotation(
            mine, annotation_id, reviewer=REVIEWER, verdict="unverified", expected_version=1
        )
        operations.update_annotation(theirs, annotation_id, reviewer="Sam", verdict="supported")
        count = events(mine)
        with pytest.raises(Conflict):
            changed.inverse.run(mine, reviewer=REVIEWER)  # type: ignore[union-attr]
        assert events(mine) == count
        assert state(mine, annotation_id)["verdict"] == "supported"


def test_delete_undo_after_someone_restored_it_is_a_conflict(demo_project: Store) -> None:
    target = target_of(demo_project)
    with open_store(target) as mine, open_store(target) as theirs:
        tagged = operations.annotate(mine, article(mine), 0, 9, "disputed", reviewer=REVIEWER)
        annotation_id = tagged.annotation_ids[0]
        deleted = operations.delete_annotation(mine, annotation_id, reviewer=REVIEWER)
        operations.restore_annotation(theirs, annotation_id, reviewer="Sam")
        operations.update_annotation(theirs, annotation_id, reviewer="Sam", note="kept")
        with pytest.raises(Conflict):
            deleted.inverse.run(mine, reviewer=REVIEWER)  # type: ignore[union-attr]


def test_an_edit_that_changes_nothing_has_nothing_to_undo(demo_project: Store) -> None:
    tagged = operations.annotate(
        demo_project, article(demo_project), 0, 9, "disputed", reviewer=REVIEWER
    )
    same = operations.update_annotation(
        demo_project, tagged.annotation_ids[0], reviewer=REVIEWER, verdict="disputed"
    )
    assert not same and same.inverse is None
