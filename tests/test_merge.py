"""``crosscheck merge``: the work done on a laptop copy comes back into the shared project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop import cli
from desktop.core import audit, operations, review_ops, review_state
from desktop.core.importers import ImportedArticle
from desktop.core.merge import check_provenance
from desktop.core.records import AnnotationFilter
from desktop.core.store import Store, open_store, reads
from desktop.core.store.schema import AuditEvent
from desktop.core.transfer import copy_project
from desktop.core.verify import verify_project
from tests.backends import Attacker, count, full_events, record, snapshot, target_of
from tests.conftest import REVIEWER, make_project
from tests.support import every_kind
from tests.support.every_kind import before_the_copy, work_on_everything


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def merge(capsys: pytest.CaptureFixture[str], shared: Store, copy: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run(capsys, "merge", target_of(shared), copy, "--reviewer", "Desk Editor", *extra)


def state(project: Store | Path, annotation_id: str) -> dict[str, Any]:
    store = open_store(project) if isinstance(project, Path) else project
    try:
        with store.read() as conn:
            return operations.annotation_state(conn, annotation_id)
    finally:
        if isinstance(project, Path):
            store.close()


def first_article(project: Store) -> str:
    with project.read() as conn:
        return reads.article_summaries(conn)[0].id


@pytest.fixture
def shared(demo_project: Store) -> Store:
    """The shared project (on each backend) with two annotations made before the copy."""
    article = first_article(demo_project)
    operations.annotate(demo_project, article, 0, 9, "disputed", reviewer=REVIEWER,
                        note="Base note", sources=["https://example.org/base"])  # fmt: skip
    operations.annotate(demo_project, article, 20, 29, "supported", reviewer=REVIEWER)
    return demo_project


@pytest.fixture
def laptop(shared: Store, tmp_path: Path) -> Path:
    """A copy of the shared project taken to the road, as a file."""
    path = tmp_path / "laptop.crosscheck"
    copy_project(shared, path)
    return path


def ids(project: Store) -> list[str]:
    with project.read() as conn:
        rows = reads.annotation_rows(conn, AnnotationFilter(include_deleted=True))
    return [r.id for r in sorted(rows, key=lambda r: r.start)]


# --- bringing work in ------------------------------------------------------------------------


def test_the_copy_s_new_work_comes_in_with_its_reviewers(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = ids(shared)
    with open_store(laptop) as road:
        imported = operations.import_articles(
            road, [ImportedArticle("Filed from Baku.\n", "Baku", "baku.txt", "txt")],
            reviewer="Olena",
        )  # fmt: skip
        new_article = imported.article_ids[0]
        tagged = operations.annotate(road, new_article, 0, 5, "unverified", reviewer="Olena")
        operations.update_annotation(road, first, reviewer="Olena", note="Checked on the road")
        operations.delete_annotation(road, second, reviewer="Olena")
    road_events = full_events(open_store(laptop, read_only=True))
    # Meanwhile at the desk, something else.
    desk = operations.annotate(shared, first_article(shared), 40, 49, "disputed", reviewer="Sam")
    code, out, err = merge(capsys, shared, laptop)
    assert (code, err) == (0, "")
    assert out.startswith(f"Merged {laptop} into {shared.location}: 5 event(s) of the copy")
    assert "annotations: 1 added, 2 updated" in out and "articles: 1 added" in out
    with shared.read() as conn:
        assert reads.article_text(conn, new_article) == "Filed from Baku.\n"
    assert state(shared, tagged.annotation_ids[0])["created_by"] == "Olena"
    assert state(shared, first)["note"] == "Checked on the road"
    assert state(shared, second)["deleted_by"] == "Olena"
    assert state(shared, desk.annotation_ids[0])["verdict"] == "disputed"
    # The copy's events, in the shared chain as they were made: same id, time and reviewer.
    merged = {e[1]: e for e in full_events(shared)}
    for event in road_events[9:]:
        _seq, eid, at, rid, reviewer, action, *_rest = event
        assert merged[eid][2:6] == (at, rid, reviewer, action)
    last = full_events(shared)[-1]
    assert (last[4], last[5], last[6]) == ("Desk Editor", "copy.merged", "merge")
    report = verify_project(shared)
    assert report.ok, report.problems
    assert out.rstrip().endswith(f"head {report.chain.head_hash}")
    with shared.read() as conn:
        assert check_provenance(conn) == []


def test_a_copy_no_one_changed_at_the_desk_comes_in_as_it_is(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing happened at the desk: the chain continues exactly as the copy's did."""
    with open_store(laptop) as road:
        operations.annotate(road, first_article(road), 60, 70, "disputed", reviewer="Olena")
    assert merge(capsys, shared, laptop)[0] == 0
    with open_store(laptop, read_only=True) as road:
        road_events = full_events(road)
    assert full_events(shared)[: len(road_events)] == road_events


def test_merging_the_same_copy_twice_changes_nothing(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(laptop) as road:
        operations.annotate(road, first_article(road), 60, 70, "disputed", reviewer="Olena")
    assert merge(capsys, shared, laptop)[0] == 0
    before = snapshot(shared)
    code, out, err = merge(capsys, shared, laptop)
    assert (code, err) == (0, "")
    assert "nothing to merge" in out
    assert snapshot(shared) == before


def test_work_continued_on_the_copy_comes_in_the_next_time(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ids(shared)[0]
    operations.update_annotation(shared, first, reviewer="Sam", note="Desk note")
    with open_store(laptop) as road:
        operations.update_annotation(road, first, reviewer="Olena", note="Road note")
    assert merge(capsys, shared, laptop, "--resolve", f"{first}=copy")[0] == 0
    with open_store(laptop) as road:
        operations.update_annotation(road, first, reviewer="Olena", verdict="supported")
    code, out, _ = merge(capsys, shared, laptop)
    assert code == 0 and "1 updated" in out  # no conflict: the desk took the road's version
    assert (state(shared, first)["verdict"], state(shared, first)["note"]) == (
        "supported",
        "Road note",
    )
    assert verify_project(shared).ok


# --- conflicts ---------------------------------------------------------------------------


@pytest.fixture
def conflicting(shared: Store, laptop: Path) -> str:
    """The first annotation changed at the desk and on the road since the copy was made."""
    first = ids(shared)[0]
    base, desk, road = (f"https://example.org/{n}" for n in ("base", "desk", "road"))
    operations.update_annotation(
        shared, first, reviewer="Sam", note="Desk note", sources=[base, desk]
    )
    with open_store(laptop) as project:
        operations.update_annotation(
            project, first, reviewer="Olena", note="Road note", verdict="supported",
            sources=[base, road],
        )  # fmt: skip
    return first


def test_conflicts_are_listed_and_nothing_changes_without_a_decision(
    shared: Store, laptop: Path, conflicting: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(shared)
    code, out, err = merge(capsys, shared, laptop)
    assert code == 1
    assert err == (
        "crosscheck: error: 1 conflicting edit needs a decision (keep shared, keep copy or "
        "combine); nothing was merged\n"
    )
    assert f"  {conflicting[:8]}  annotation ‘" in out
    assert "shared (Sam): verdict disputed; note “Desk note”; evidence " in out
    assert "copy   (Olena): verdict supported; note “Road note”; evidence " in out
    assert "--resolve ID=shared|copy|combine" in out
    assert snapshot(shared) == before
    code, out, _ = merge(capsys, shared, laptop, "--json")
    report = json.loads(out)
    assert code == 1 and report["merged"] is False and report["undecided"] == [conflicting]
    assert report["conflicts"][0]["copy"]["note"] == "Road note"
    assert snapshot(shared) == before


@pytest.mark.parametrize(
    ("choice", "verdict", "note", "sources"),
    [
        ("shared", "disputed", "Desk note", ["base", "desk"]),
        ("copy", "supported", "Road note", ["base", "road"]),
        ("combine", "supported", "Desk note\n\nRoad note", ["base", "desk", "road"]),
    ],
)
def test_each_decision_keeps_what_it_says(
    shared: Store,
    laptop: Path,
    conflicting: str,
    capsys: pytest.CaptureFixture[str],
    choice: str,
    verdict: str,
    note: str,
    sources: list[str],
) -> None:
    desk = state(shared, conflicting)
    code, out, err = merge(capsys, shared, laptop, "--resolve", f"{conflicting[:6]}={choice}")
    assert (code, err) == (0, ""), err
    assert f"conflicts decided: 1 {choice}" in out
    now = state(shared, conflicting)
    assert (now["verdict"], now["note"]) == (verdict, note)
    assert [s["url"].rsplit("/", 1)[1] for s in now["sources"]] == sources
    events = full_events(shared)
    record = json.loads(events[-1][9])
    assert record["resolutions"] == {conflicting: choice}
    if choice == "shared":
        assert now == desk  # untouched: whoever holds it can go on editing
    else:
        # A change by whoever merged, past both sides' versions, from the desk's state.
        change = events[-2]
        assert (change[4], change[5]) == ("Desk Editor", "annotation.merged")
        assert json.loads(change[8]) == desk and json.loads(change[9]) == now
        assert now["version"] == desk["version"] + 1 and now["updated_by"] == "Desk Editor"
    # Both sides' edits are in the chain whatever was chosen.
    notes = [json.loads(e[9]).get("note") for e in events if e[6] == "annotation" and e[9]]
    assert "Desk note" in notes and "Road note" in notes
    assert verify_project(shared).ok


def test_resolve_all_and_a_dry_run(
    shared: Store, laptop: Path, conflicting: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(shared)
    code, out, _ = merge(capsys, shared, laptop, "--dry-run")
    assert code == 1 and out.startswith("Would merge") and "1 in conflict" in out
    code, out, _ = merge(capsys, shared, laptop, "--dry-run", "--resolve-all", "combine", "--json")
    assert code == 0 and json.loads(out)["undecided"] == []
    assert snapshot(shared) == before
    assert merge(capsys, shared, laptop, "--resolve-all", "copy")[0] == 0
    assert state(shared, conflicting)["note"] == "Road note"


@pytest.mark.parametrize(
    ("resolve", "message"),
    [
        ("nonsense", "write ID=CHOICE"),
        ("abcd=maybe", "write ID=CHOICE"),
        ("zzzz=copy", "no conflicting edit has the id zzzz"),
        ("ab=copy", "no conflicting edit has the id ab"),
    ],
)
def test_bad_decisions_are_one_line(
    shared: Store,
    laptop: Path,
    conflicting: str,
    capsys: pytest.CaptureFixture[str],
    resolve: str,
    message: str,
) -> None:
    before = snapshot(shared)
    code, _, err = merge(capsys, shared, laptop, "--resolve", resolve)
    assert code == 1 and err.count("\n") == 1 and message in err
    assert snapshot(shared) == before


# --- what is refused -----------------------------------------------------------------------


def test_a_copy_of_another_project_is_refused(
    shared: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = make_project(tmp_path / "other.crosscheck")
    before = snapshot(shared)
    code, out, err = merge(capsys, shared, other)  # type: ignore[arg-type]
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "is a copy of another project (‘other’" in err and "nothing was merged" in err
    assert snapshot(shared) == before


def test_a_copy_whose_chain_is_broken_is_refused(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(laptop) as road:
        operations.annotate(road, first_article(road), 60, 70, "disputed", reviewer="Olena")
    Attacker("sqlite", None, laptop.parent).run(
        laptop, "UPDATE audit_events SET reviewer = 'Mallory' WHERE seq = 10", guards_off=True
    )
    before = snapshot(shared)
    code, _, err = merge(capsys, shared, laptop)
    assert code == 1 and err.count("\n") == 1
    assert "the copy does not verify (audit chain broken at event 10" in err
    assert snapshot(shared) == before


def test_a_copy_whose_rows_differ_from_its_trail_is_refused(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ids(shared)[0]
    with open_store(laptop) as road:
        operations.update_annotation(road, first, reviewer="Olena", note="Logged note")
    Attacker("sqlite", None, laptop.parent).run(
        laptop, ("UPDATE annotations SET note = 'Quietly changed' WHERE id = :id", {"id": first})
    )
    before = snapshot(shared)
    code, _, err = merge(capsys, shared, laptop)
    # Verifying the copy replays its rows against its trail, and names what differs.
    assert code == 1 and "the copy does not verify" in err, err
    assert (
        f"annotations {first}: note is 'Quietly changed' in the table but 'Logged note' in the "
        "log (event 11)); nothing was merged" in err
    )
    assert snapshot(shared) == before


def test_provenance_gives_away_a_rewritten_merged_event(
    shared: Store, laptop: Path, attacker: Attacker, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone rewrites who made a merged change and re-hashes the whole chain after it: the
    chain is whole again, but the merged event no longer hashes to its original."""
    with open_store(laptop) as road:
        operations.annotate(road, first_article(road), 60, 70, "disputed", reviewer="Olena")
    operations.annotate(shared, first_article(shared), 80, 90, "supported", reviewer="Sam")
    assert merge(capsys, shared, laptop)[0] == 0
    events = full_events(shared)
    victim = next(e for e in events if e[4] == "Olena" and e[5] == "annotation.created")
    statements = []
    prev = None
    for event in events:
        seq, eid, at, rid, reviewer, action, etype, entity, before, after, prev_hash, digest = event
        if seq < victim[0]:
            continue
        if seq == victim[0]:
            reviewer = "Mallory"
        prev_hash = prev or prev_hash
        digest = audit.chain_hash(
            prev_hash,
            audit.event_bytes(seq=seq, event_id=eid, at=at, reviewer_id=rid, reviewer=reviewer,
                              action=action, entity_type=etype, entity_id=entity,
                              before=before, after=after),
        )  # fmt: skip
        statements.append(
            (
                "UPDATE audit_events SET reviewer = :r, prev_hash = :p, hash = :h WHERE seq = :s",
                {"r": reviewer, "p": prev_hash, "h": digest, "s": seq},
            )
        )
        prev = digest
    forged = attacker.tampered(shared, *statements)
    with open_store(forged) as project:
        report = verify_project(project)
    assert report.chain.ok
    assert report.problems == [
        f"event {victim[0]} does not match event 11 of the copy it was merged from "
        f"(merge record {events[-1][0]})"
    ]


def test_a_server_that_goes_away_mid_merge_changes_nothing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    from desktop.core import merge as merging

    make_project(pg_url)
    laptop = tmp_path / "laptop.crosscheck"
    with open_store(pg_url) as desk:
        copy_project(desk, laptop)
    with open_store(laptop) as road:
        operations.annotate(road, first_article(road), 0, 9, "disputed", reviewer="Olena")
    with open_store(pg_url) as desk:
        before = snapshot(desk)
    real = merging.write_entities

    def cut_off(conn, kind, inserts, updates):  # type: ignore[no-untyped-def]
        real(conn, kind, inserts, updates)
        with psycopg.connect(pg_url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)",
                          (conn.exec_driver_sql("SELECT pg_backend_pid()").scalar(),))  # fmt: skip

    monkeypatch.setattr(merging, "write_entities", cut_off)
    code, out, err = run(capsys, "merge", pg_url, laptop, "--reviewer", "Desk Editor")
    assert code == 1 and out == "" and err.count("\n") == 1 and "cannot reach the server" in err
    with open_store(pg_url) as desk:
        assert snapshot(desk) == before


def test_a_copy_on_a_server_merges_into_a_file(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = make_project(tmp_path / "desk.crosscheck")
    assert run(capsys, "copy", desk, pg_url)[0] == 0
    with open_store(pg_url) as server:
        tagged = operations.annotate(server, first_article(server), 0, 9, "disputed",
                                     reviewer="Olena")  # fmt: skip
    code, out, err = run(capsys, "merge", desk, pg_url, "--reviewer", "Desk Editor", "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["merged"] is True and report["counts"]["annotation"]["added"] == 1
    with open_store(desk) as project:
        assert state(project, tagged.annotation_ids[0])["created_by"] == "Olena"
        assert verify_project(project).ok


def test_a_copy_that_merged_a_copy_of_its_own_merges_whole(
    shared: Store, laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stringer works from the reporter's laptop copy; the reporter merges that, works on,
    and brings it all to the desk. The records of both merges stay checkable there."""
    stringer = tmp_path / "stringer.crosscheck"
    with open_store(laptop, read_only=True) as road:
        copy_project(road, stringer)
    with open_store(stringer) as project:
        operations.annotate(project, first_article(project), 60, 70, "disputed", reviewer="Ali")
    assert run(capsys, "merge", laptop, stringer, "--reviewer", "Olena")[0] == 0
    with open_store(laptop) as road:
        operations.annotate(road, first_article(road), 80, 90, "supported", reviewer="Olena")
    operations.annotate(shared, first_article(shared), 100, 110, "unverified", reviewer="Sam")
    assert merge(capsys, shared, laptop)[0] == 0
    report = verify_project(shared)
    assert report.ok, report.problems
    actions = [e[5] for e in full_events(shared)]
    assert actions.count("copy.merged") == 2
    with shared.read() as conn:
        creators = {r.created_by for r in reads.annotation_rows(conn)}
    assert {"Ali", "Olena", "Sam"} <= creators
    code, out, _ = merge(capsys, shared, stringer)
    assert code == 0 and "nothing to merge" in out


# --- every kind of change ----------------------------------------------------------------------


def test_a_copy_that_used_every_kind_of_change_merges_whole(
    demo_project: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Saved pages, a PDF's pages, edited and removed articles, moved and carried annotations,
    an adjudication, blind review ended and begun, done marks and adjudicators added and
    removed: the shared project ends up holding what the copy holds, row for row."""
    before_the_copy(demo_project)
    laptop = tmp_path / "laptop.crosscheck"
    copy_project(demo_project, laptop)
    with open_store(laptop) as road:
        worked = work_on_everything(road)
    code, out, err = merge(capsys, demo_project, laptop)
    assert (code, err) == (0, ""), err
    assert "saved pages: 2 added" in out and "blind reviews: 1 added, 1 removed" in out
    assert "done marks: 1 added, 1 removed" in out and "adjudicators: 1 removed" in out
    assert "adjudications: 1 added" in out and "articles: 2 added, 1 updated" in out
    with open_store(laptop, read_only=True) as road:
        theirs = record(road, leave_out=("presence", "audit_events", "reviewers"))
        their_reviewers = record(road, leave_out=())["reviewers"]
    assert record(demo_project, leave_out=("presence", "audit_events", "reviewers")) == theirs
    mine = record(demo_project, leave_out=())["reviewers"]
    assert [r for r in mine if r[1] != "Desk Editor"] == their_reviewers
    with demo_project.read() as conn:
        assert reads.article_text(conn, worked.web) == every_kind.WEB_TEXT
        assert operations.annotation_state(conn, worked.carried)["claim_id"] == worked.tagged
        assert review_state.blind_state(conn).active
    report = verify_project(demo_project)
    assert report.ok, report.problems
    code, out, _ = merge(capsys, demo_project, laptop)
    assert code == 0 and "nothing to merge" in out


def test_review_state_both_sides_made_on_their_own_is_kept_once(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same reviewer marked the same article done at the desk and on the road, blind
    review of the same article began on both sides, the same adjudicator was named on both:
    each stays one, as on either side."""
    article = first_article(shared)
    for project in (shared, open_store(laptop)):
        with project:
            review_ops.mark_done(project, article, reviewer="Ann Example")
            review_ops.start_blinding(project, reviewer="Eda Editor", article_id=article)
            review_ops.add_adjudicator(project, "Eda Editor", reviewer="Eda Editor")
    shared = open_store(target_of(shared))
    code, out, err = merge(capsys, shared, laptop)
    assert (code, err) == (0, ""), err
    assert "(no other changes)" in out  # each was there already
    assert count(shared, "done_marks") == count(shared, "blinding") == 1
    assert count(shared, "adjudicators") == 1
    assert verify_project(shared).ok
    shared.close()


def test_article_details_changed_on_both_sides_are_a_decision(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = first_article(shared)
    operations.edit_article(shared, article, reviewer="Sam", title="Desk title")
    with open_store(laptop) as road:
        operations.edit_article(road, article, reviewer="Olena", outlet="Road outlet",
                                author="R. Writer")  # fmt: skip
    code, out, _ = merge(capsys, shared, laptop)
    assert code == 1 and f"  {article[:8]}  article ‘Desk title’" in out
    assert "shared (Sam): title Desk title; outlet " in out
    assert "copy   (Olena): title " in out and "author R. Writer" in out
    code, out, err = merge(capsys, shared, laptop, "--resolve", f"{article}=combine")
    assert (code, err) == (0, ""), err
    with shared.read() as conn:
        (summary,) = [s for s in reads.article_summaries(conn) if s.id == article]
    assert (summary.title, summary.outlet, summary.author) == (
        "Desk title",
        "Road outlet",
        "R. Writer",
    )
    last_change = full_events(shared)[-2]
    assert (last_change[4], last_change[5]) == ("Desk Editor", "article.merged")
    from desktop.core.exports import audit_trail

    with shared.read() as conn:
        (entry,) = [e for e in audit_trail.list_entries(conn) if e.action == "article.merged"]
    assert entry.what == "Merged both versions of the details of ‘Desk title’"
    assert verify_project(shared).ok


def test_a_removal_on_the_road_takes_the_annotations_with_it(
    shared: Store, laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy removed an article while the desk added a note to one of its annotations:
    combining keeps the desk's note on the removed (deleted) annotation."""
    article = first_article(shared)
    first = ids(shared)[0]
    operations.update_annotation(shared, first, reviewer="Sam", note="Desk note")
    with open_store(laptop) as road:
        operations.remove_articles(road, [article], reviewer="Olena")
    code, _out, err = merge(capsys, shared, laptop, "--resolve-all", "combine")
    assert (code, err) == (0, ""), err
    now = state(shared, first)
    assert now["note"] == "Desk note" and now["deleted_at"] is not None
    with shared.read() as conn:
        assert article not in [s.id for s in reads.article_summaries(conn)]
    assert verify_project(shared).ok


def test_every_entity_and_every_table_has_a_kind(demo_project: Store) -> None:
    """What the operations log, and every table of the record, can be copied and merged: a
    new entity type or table fails here until desktop/core/entities.py knows it."""
    import re

    from desktop.core import entities
    from desktop.core.store.schema import Base

    core = Path(entities.__file__).parent
    logged = {
        m.group(1)
        for path in core.rglob("*.py")
        for m in re.finditer(r'\.record\(\s*[^,()]+,\s*"([a-z_]+)"', path.read_text("utf-8"))
    }
    assert {"annotation", "settlement", "done_mark"} <= logged  # the pattern finds them
    assert logged <= set(entities.KINDS) | entities.LOG_ONLY
    before_the_copy(demo_project)
    work_on_everything(demo_project)
    with demo_project.read() as conn:
        used = set(conn.execute(select(AuditEvent.entity_type).distinct()).scalars())
    assert used <= set(entities.KINDS) | entities.LOG_ONLY
    assert entities.covered_tables() == set(Base.metadata.tables) - {"presence", "audit_events"}
