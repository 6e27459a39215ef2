"""The audit log: one event per change in the same transaction, append-only, hash-chained."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import audit, operations
from desktop.core.errors import CrosscheckError
from desktop.core.importers import ImportedArticle
from desktop.core.store import Store, open_store, reads
from desktop.core.verify import verify_project
from tests.backends import (
    Attacker,
    Target,
    count,
    events,
    full_events,
    guard_names,
    snapshot,
    target_of,
)
from tests.conftest import REVIEWER, make_project


def article_ids(project: Store) -> list[str]:
    with project.read() as session:
        return [s.id for s in reads.article_summaries(session)]


@pytest.fixture
def tagged(demo_project: Store) -> Store:
    """The demo project with three annotations (events 8, 9, 10)."""
    first = article_ids(demo_project)[0]
    for start, verdict in ((0, "supported"), (20, "disputed"), (40, "unverified")):
        operations.annotate(demo_project, first, start, start + 10, verdict, reviewer=REVIEWER)
    return demo_project


# --- what each operation records -----------------------------------------------------------


def test_a_new_project_records_its_creation(demo_project: Store) -> None:
    logged = events(demo_project)
    assert [(e[0], e[1], e[2], e[4]) for e in logged] == [
        (1, "reviewer.added", "reviewer", REVIEWER),
        (2, "project.created", "project", REVIEWER),
        *[(n, "article.imported", "article", REVIEWER) for n in range(3, 8)],
    ]
    assert all(e[5] is None for e in logged)
    assert json.loads(logged[0][6]) == {"id": logged[0][3], "name": REVIEWER, "email": None}
    created = json.loads(logged[1][6])
    assert created["name"] == "demo" and created["id"] == logged[1][3]
    imported = json.loads(logged[2][6])
    assert imported["title"].startswith("Azerbaijan cancels cultural events")
    assert imported["outlet"] == "Kyiv Independent"
    assert imported["published"] == "2025-06-29"
    assert "text" not in imported and len(imported["text_sha256"]) == 64


def test_every_operation_records_exactly_its_events(demo_project: Store) -> None:
    first = article_ids(demo_project)[0]
    seen = len(events(demo_project))

    def new_events() -> list[tuple[Any, ...]]:
        nonlocal seen
        logged = events(demo_project)[seen:]
        seen += len(logged)
        return logged

    created = operations.annotate(demo_project, first, 5, 15, "supported", reviewer="Bohdan")
    annotation = created.annotation_ids[0]
    logged = new_events()
    assert [(e[1], e[3], e[4]) for e in logged] == [
        ("reviewer.added", created.changes[0].entity_id, "Bohdan"),
        ("annotation.created", annotation, "Bohdan"),
    ]
    assert [json.loads(e[6]) if e[6] else None for e in logged] == [
        c.after for c in created.changes
    ]

    changed = operations.update_annotation(
        demo_project, annotation, reviewer="Bohdan", note="Checked with the ministry."
    )
    (event,) = new_events()
    assert (event[1], event[3]) == ("annotation.changed", annotation)
    assert json.loads(event[5]) == changed.changes[0].before
    assert json.loads(event[6]) == changed.changes[0].after
    assert json.loads(event[6])["note"] == "Checked with the ministry."

    operations.delete_annotation(demo_project, annotation, reviewer=REVIEWER)
    (event,) = new_events()
    assert (event[1], event[4]) == ("annotation.deleted", REVIEWER)
    assert json.loads(event[6])["deleted_by"] == REVIEWER

    operations.restore_annotation(demo_project, annotation, reviewer="Bohdan")
    (event,) = new_events()
    assert event[1] == "annotation.restored"
    assert json.loads(event[5])["deleted_at"] is not None
    assert json.loads(event[6])["deleted_at"] is None

    operations.import_articles(
        demo_project,
        [
            ImportedArticle("One.\n", "One", "one.txt", "txt"),
            ImportedArticle("Two.\n", "Two", "two.txt", "txt"),
        ],
        reviewer="Bohdan",
    )
    assert [e[1] for e in new_events()] == ["article.imported", "article.imported"]

    # Nothing changed, nothing recorded.
    assert not operations.update_annotation(demo_project, annotation, reviewer="Bohdan")
    assert not operations.restore_annotation(demo_project, annotation, reviewer="Bohdan")
    assert new_events() == []
    assert verify_project(demo_project).ok


def _fail_after_change(monkeypatch: pytest.MonkeyPatch) -> None:
    real = audit.append_event

    def append_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit, "append_event", append_then_fail)


OPERATIONS: dict[str, Callable[[Store, str, str], object]] = {
    "annotate": lambda p, art, ann: operations.annotate(p, art, 50, 60, "disputed", reviewer="Bo"),
    "retag": lambda p, art, ann: operations.annotate(p, art, 0, 10, "disputed", reviewer=REVIEWER),
    "update": lambda p, art, ann: operations.update_annotation(
        p, ann, reviewer=REVIEWER, verdict="unverified"
    ),
    "delete": lambda p, art, ann: operations.delete_annotation(p, ann, reviewer=REVIEWER),
    "import": lambda p, art, ann: operations.import_articles(
        p, [ImportedArticle("Text.\n", "T", "t.txt", "txt")], reviewer=REVIEWER
    ),
    "new reviewer": lambda p, art, ann: operations.update_annotation(
        p, ann, reviewer="Someone New", note="x"
    ),
}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_failure_after_the_change_keeps_neither_change_nor_event(
    tagged: Store, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    first = article_ids(tagged)[0]
    with tagged.read() as session:
        annotation = reads.annotation_rows(session)[0].id
    before = snapshot(tagged)
    _fail_after_change(monkeypatch)
    with pytest.raises(RuntimeError, match="power cut"):
        OPERATIONS[name](tagged, first, annotation)
    assert snapshot(tagged) == before
    monkeypatch.undo()
    OPERATIONS[name](tagged, first, annotation)  # and it works once the failure is gone
    assert verify_project(tagged).ok


def test_a_constraint_failure_writes_nothing(
    tagged: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the event cannot be stored (here: a hash clash), the change is not stored either."""
    first = article_ids(tagged)[0]
    taken = events(tagged)[-1]
    last_hash = full_events(tagged)[-1][-1]
    monkeypatch.setattr(audit, "chain_hash", lambda prev, payload: last_hash)
    with pytest.raises(CrosscheckError) as caught:
        operations.annotate(tagged, first, 70, 80, "supported", reviewer=REVIEWER)
    assert "\n" not in str(caught.value)
    assert events(tagged)[-1] == taken
    assert count(tagged, "annotations") == 3


# --- append-only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_events SET reviewer = 'Mallory' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 7",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_to_change_events(
    demo_project: Store, attacker: Attacker, sql: str
) -> None:
    with pytest.raises(Exception, match="audit events are append-only"):
        attacker.run(target_of(demo_project), sql)
    assert count(demo_project, "audit_events") == 7


# --- checking the chain --------------------------------------------------------------------


def _chain(target: Target) -> audit.ChainReport:
    with open_store(target, read_only=True) as store:
        return audit.verify_chain(store)


def test_intact_chain(tagged: Store) -> None:
    report = _chain(target_of(tagged))
    assert report.ok and report.events == 10 and report.first_bad_seq is None
    assert report.head_hash == full_events(tagged)[9][-1]


def test_empty_chain_is_intact(new_target: Target) -> None:
    from desktop.core.store import create_store

    with create_store(new_target) as project:
        report = verify_project(project)
    assert report.ok and report.chain.events == 0 and report.chain.head_hash == audit.GENESIS_HASH


def test_changed_event_content_is_found(tagged: Store, attacker: Attacker) -> None:
    copy = attacker.tampered(
        tagged,
        "UPDATE audit_events SET after = replace(after, '\"disputed\"', '\"supported\"') "
        "WHERE seq = 9",
    )
    report = _chain(copy)
    assert report.first_bad_seq == 9
    assert report.events == 8
    assert report.problem is not None and report.problem.startswith("event 9 (annotation.created")
    assert report.problem.endswith("hash does not match its content")
    with open_store(copy) as project:
        result = verify_project(project)
    assert not result.ok
    # The replay, reading the changed event, finds the row no longer matches it either.
    chain_problem, replayed = result.problems
    assert chain_problem == f"audit chain broken at {report.problem}"
    assert replayed.startswith("annotations ")
    assert replayed.endswith(
        ": verdict is 'disputed' in the table but 'supported' in the log (event 9)"
    )


def test_changed_reviewer_or_time_is_found(tagged: Store, attacker: Attacker) -> None:
    copy = attacker.tampered(tagged, "UPDATE audit_events SET reviewer = 'Mallory' WHERE seq = 3")
    assert _chain(copy).first_bad_seq == 3
    copy = attacker.tampered(
        tagged, "UPDATE audit_events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 10"
    )
    assert _chain(copy).first_bad_seq == 10


def test_missing_event_is_found(tagged: Store, attacker: Attacker) -> None:
    copy = attacker.tampered(tagged, "DELETE FROM audit_events WHERE seq = 5")
    report = _chain(copy)
    assert (report.first_bad_seq, report.problem) == (6, "sequence gap: event 6 follows event 4")


def test_broken_link_is_found(tagged: Store, attacker: Attacker) -> None:
    copy = attacker.tampered(
        tagged, f"UPDATE audit_events SET prev_hash = '{'a' * 64}' WHERE seq = 4"
    )
    report = _chain(copy)
    assert (report.first_bad_seq, report.problem) == (
        4,
        "event 4: previous hash does not match event 3",
    )


def test_rewritten_tail_is_found(tagged: Store, attacker: Attacker) -> None:
    """Recomputing one event's hash is not enough: the next event's link breaks."""
    seq, eid, at, rid, rname, action, etype, entity, before, after, prev, _ = full_events(tagged)[8]
    forged_after = after.replace('"disputed"', '"supported"')
    forged = audit.chain_hash(
        prev,
        audit.event_bytes(
            seq=seq,
            event_id=eid,
            at=at,
            reviewer_id=rid,
            reviewer=rname,
            action=action,
            entity_type=etype,
            entity_id=entity,
            before=before,
            after=forged_after,
        ),
    )
    copy = attacker.tampered(
        tagged,
        (
            'UPDATE audit_events SET "after" = :after, hash = :hash WHERE seq = 9',
            {"after": forged_after, "hash": forged},
        ),
    )
    report = _chain(copy)
    assert (report.first_bad_seq, report.problem) == (
        10,
        "event 10: previous hash does not match event 9",
    )


def test_verify_reports_missing_triggers(
    demo_project: Store, attacker: Attacker, backend: str
) -> None:
    copy = attacker.tampered(demo_project, keep_guards=False)
    with open_store(copy) as project:
        report = verify_project(project)
    assert report.problems == ["audit triggers missing: " + ", ".join(guard_names(backend))]
    assert report.summary() == report.problems[0]


def test_verify_reports_a_changed_article_text(tagged: Store, attacker: Attacker) -> None:
    (first, title) = _first_article(tagged)
    copy = attacker.tampered(
        tagged,
        f"UPDATE articles SET text = replace(text, 'Azerbaijan', 'Armenia') WHERE id = '{first}'",
    )
    with open_store(copy) as project:
        report = verify_project(project)
    [problem] = report.problems
    assert problem.startswith(f"articles {first}: text differs from the import (event ")
    assert report.chain.ok
    assert title


def test_verify_reports_a_quote_that_no_longer_matches(tagged: Store, attacker: Attacker) -> None:
    with tagged.read() as session:
        row = reads.annotation_rows(session)[1]
    copy = attacker.tampered(
        tagged, f"UPDATE annotations SET quote = 'something else' WHERE id = '{row.id}'"
    )
    with open_store(copy) as project:
        report = verify_project(project)
    assert (
        report.problems[0] == f"annotation {row.id}: its quote no longer matches the article text"
    )
    assert report.problems[1].startswith(f"annotations {row.id}: quote is 'something else' in the")
    copy = attacker.tampered(
        tagged, f"UPDATE annotations SET \"end\" = 10000000 WHERE id = '{row.id}'"
    )
    with open_store(copy) as project:
        problems = verify_project(project).problems
    assert problems[0] == f"annotation {row.id}: its quote no longer matches the article text"
    assert problems[1].startswith(f"annotations {row.id}: end is 10000000 in the table but ")


def test_verify_summary_when_all_is_well(tagged: Store) -> None:
    report = verify_project(tagged)
    assert report.ok
    assert report.summary() == (
        f"OK: 10 audit events, chain intact (head {report.chain.head_hash} at event 10); "
        "10 rows match the log; "
        + (
            "the server's audit guards checked"
            if tagged.kind == "postgresql"
            else "integrity and foreign keys checked"
        )
    )


def _first_article(project: Store) -> tuple[str, str]:
    with project.read() as session:
        s = reads.article_summaries(session)[0]
    return s.id, s.title


# --- canonical JSON ------------------------------------------------------------------------

# Event states hold text, whole numbers, booleans, null, lists and objects; never floats.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
STATES = st.none() | st.dictionaries(TEXT, JSON_VALUES, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=2**53 - 1),
    texts=st.lists(TEXT, min_size=7, max_size=7),
    before=STATES,
    after=STATES,
)
def test_event_bytes_are_rfc8785(
    seq: int, texts: list[str], before: dict[str, Any] | None, after: dict[str, Any] | None
) -> None:
    event_id, at, reviewer_id, reviewer, action, entity_type, entity_id = texts
    stored_before = None if before is None else audit.canonical_json(before)
    stored_after = None if after is None else audit.canonical_json(after)
    expected = rfc8785.dumps(
        {
            "action": action,
            "after": after,
            "at": at,
            "before": before,
            "entity_id": entity_id,
            "entity_type": entity_type,
            "id": event_id,
            "reviewer": reviewer,
            "reviewer_id": reviewer_id,
            "seq": seq,
        }
    )
    assert (
        audit.event_bytes(
            seq=seq,
            event_id=event_id,
            at=at,
            reviewer_id=reviewer_id,
            reviewer=reviewer,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=stored_before,
            after=stored_after,
        )
        == expected
    )


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_canonical_json_round_trips(value: Any) -> None:
    text = audit.canonical_json(value)
    assert json.loads(text) == value
    assert audit.canonical_json(json.loads(text)) == text


KEYS = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)
WIDE_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=6), children, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(WIDE_VALUES)
def test_canonical_json_is_the_reference_rfc8785(value: Any) -> None:
    """The quick path for plain values and the reference agree, astral keys and integers past
    what a double holds included (those take the reference, which refuses them)."""
    try:
        expected = rfc8785.dumps(value).decode("utf-8")
    except rfc8785.IntegerDomainError:
        with pytest.raises(rfc8785.IntegerDomainError):
            audit.canonical_json(value)
        return
    assert audit.canonical_json(value) == expected


def test_canonical_json_is_sorted_compact_and_unescaped() -> None:
    assert audit.canonical_json({"b": 1, "a": ["é\u00a0", None, True]}) == (
        '{"a":["é\u00a0",null,true],"b":1}'
    )
    assert audit.canonical_json('\x1f"\\') == '"\\u001f\\"\\\\"'


def test_event_hash_is_sha256_of_prev_and_payload() -> None:
    import hashlib

    payload = b'{"action":"x"}'
    assert (
        audit.chain_hash(audit.GENESIS_HASH, payload)
        == hashlib.sha256(b"0" * 64 + payload).hexdigest()
    )


def test_stored_hashes_follow_the_documented_formula(tagged: Store) -> None:
    """Anyone can re-check the chain from the rows alone, with any RFC 8785 library."""
    import hashlib

    rows = full_events(tagged)
    prev = "0" * 64
    for seq, eid, at, rid, rname, action, etype, entity, before, after, prev_hash, digest in rows:
        event = {
            "action": action,
            "after": None if after is None else json.loads(after),
            "at": at,
            "before": None if before is None else json.loads(before),
            "entity_id": entity,
            "entity_type": etype,
            "id": eid,
            "reviewer": rname,
            "reviewer_id": rid,
            "seq": seq,
        }
        assert prev_hash == prev
        assert digest == hashlib.sha256(prev.encode() + rfc8785.dumps(event)).hexdigest()
        prev = digest
    assert len(rows) == 10


def test_demo_project_made_twice_has_distinct_chains(tmp_path: Path) -> None:
    a = make_project(tmp_path / "a.crosscheck")
    b = make_project(tmp_path / "b.crosscheck")
    assert _chain(a).head_hash != _chain(b).head_hash
