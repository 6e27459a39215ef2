"""Grouping reviewers' annotations into agreements and disagreements."""

from __future__ import annotations

from desktop.core.disagreements import Tag, find_groups


def t(id_: str, who: str, start: int, end: int, verdict: str = "supported") -> Tag:
    return Tag(id_, who, start, end, verdict)


def test_each_kind_of_disagreement() -> None:
    tags = [
        t("1", "A", 0, 10), t("2", "B", 0, 10, "disputed"),  # verdicts
        t("3", "B", 20, 30),  # missing: only B
        t("4", "A", 40, 50), t("5", "B", 42, 50),  # boundaries
        t("6", "A", 60, 70), t("7", "B", 60, 70),  # agreed
    ]  # fmt: skip
    found = find_groups(["A", "B"], tags)
    assert [(g.kind, g.start, g.end) for g in found.groups] == [
        ("verdicts", 0, 10), ("missing", 20, 30), ("boundaries", 40, 50), (None, 60, 70),
    ]  # fmt: skip
    assert found.groups[1].missing == ("A",)
    assert len(found.open) == 3 and len(found.agreed) == 1
    # Ids follow the annotations, not the order or the time of asking.
    again = find_groups(["B", "A"], list(reversed(tags)))
    assert [g.id for g in again.groups] == [g.id for g in found.groups]


def test_chains_of_overlaps_form_one_group_and_settlement_counts_all() -> None:
    tags = [t("1", "A", 0, 10), t("2", "B", 8, 20), t("3", "A", 18, 30)]
    (group,) = find_groups(["A", "B"], tags).groups
    assert (group.kind, group.start, group.end, len(group.tags)) == ("boundaries", 0, 30, 3)
    assert not find_groups(["A", "B"], tags, {"1", "2"}).groups[0].settled
    assert find_groups(["A", "B"], tags, {"1", "2", "3"}).groups[0].settled


def test_three_reviewers_and_nested_spans() -> None:
    same = [t("1", "A", 0, 10), t("2", "B", 0, 10)]
    (group,) = find_groups(["A", "B", "C"], same).groups
    assert (group.kind, group.missing) == ("missing", ("C",))
    # Each reviewer tagged the same two nested spans alike: agreed.
    nested = [t("1", "A", 0, 10), t("2", "A", 2, 4, "disputed"),
              t("3", "B", 0, 10), t("4", "B", 2, 4, "disputed")]  # fmt: skip
    (group,) = find_groups(["A", "B"], nested).groups
    assert group.kind is None
    assert find_groups(["A"], same).groups == ()
    # Touching spans do not overlap.
    touching = find_groups(["A", "B"], [t("1", "A", 0, 10), t("2", "B", 10, 20)])
    assert [g.kind for g in touching.groups] == ["missing", "missing"]
