"""Tampering as an attacker would - the sqlite3 module on a file, a superuser's connection on a
server, the audit guards taken off and put back - and what ``crosscheck verify`` says about it.
Each case names the row, the field, both values and the event, on every backend."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from desktop import cli
from tests.conftest import REVIEWER
from tests.support.tampering import Database

QUOTES = ("nine individuals were detained", "Azerbaijan", "Russia")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def problems(capsys: pytest.CaptureFixture[str], db: Database, *extra: str) -> list[str]:
    """Run verify, which must fail; the problems it names, one per line."""
    code, out, err = run(capsys, "verify", db.argument, *extra)
    assert code == 1, (out, err)
    assert out == ""
    lines = err.splitlines()
    prefix = f"crosscheck: error: {db.location}: "
    assert lines and all(line.startswith(prefix) for line in lines), err
    return [line[len(prefix) :] for line in lines]


def verify_json(capsys: pytest.CaptureFixture[str], db: Database, *extra: str) -> dict:
    _code, out, _err = run(capsys, "verify", db.argument, "--json", *extra)
    return json.loads(out)


def new_demo(capsys: pytest.CaptureFixture[str], target: str | Path) -> Database:
    """``crosscheck new --demo`` at a file's path or a server database's URL."""
    code, _out, err = run(capsys, "new", target, "--demo", "--reviewer", REVIEWER)
    assert code == 0, err
    return Database(target)


@pytest.fixture
def project(new_target: str | Path, capsys: pytest.CaptureFixture[str]) -> Database:
    """The demo with three annotations (events 8-10); Bob (added at event 11) tags the first
    quote too, with a verdict of his own (event 12). A file, or a database on a server."""
    if isinstance(new_target, Path):
        new_target = new_target.with_name("desk.crosscheck")
    db = new_demo(capsys, new_target)
    path = db.argument
    title = "Azerbaijan suspends cultural ties"
    first_article = json.loads(run(capsys, "articles", path, "--json")[1])[0]["id"]
    for quote, verdict in zip(QUOTES, ("disputed", "supported", "unverified"), strict=True):
        code, _out, err = run(
            capsys, "annotate", path, first_article, "--quote", quote, "--verdict", verdict,
            "--note", f"checked {quote}", "--reviewer", REVIEWER,
        )  # fmt: skip
        assert code == 0, err
    code, _out, err = run(
        capsys, "annotate", path, first_article, "--quote", QUOTES[0], "--verdict", "unverified",
        "--reviewer", "Bob",
    )  # fmt: skip
    assert code == 0, err
    assert title
    report = verify_json(capsys, db)
    assert report["ok"] and report["events"] == 12, report
    return db


def differs(row: str, field: str, stored: str, logged: str, seq: int) -> str:
    """The message naming a field whose value the log does not give."""
    return f"{row}: {field} is {stored} in the table but {logged} in the log (event {seq})"


def annotation(db: Database, quote: str, reviewer: str = REVIEWER) -> str:
    return str(
        db.scalar(
            "SELECT a.id FROM annotations a JOIN reviewers r ON r.id = a.created_by "
            "WHERE a.quote = :quote AND r.name = :reviewer",
            quote=quote,
            reviewer=reviewer,
        )
    )


def last_event(db: Database, entity_id: str) -> int:
    return int(db.scalar("SELECT max(seq) FROM audit_events WHERE entity_id = :p1", p1=entity_id))


def test_an_untouched_project_verifies(
    project: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "verify", project.argument)
    assert (code, err) == (0, "")
    assert re.fullmatch(
        re.escape(f"{project.location}: OK: 12 audit events, chain intact (head ")
        + r"[0-9a-f]{64}"
        + re.escape(" at event 12); 12 rows match the log; ")
        + re.escape(
            "the server's audit guards checked\n"
            if project.server
            else "integrity and foreign keys checked\n"
        ),
        out,
    )


def test_verdict_changed_without_an_event(project: Database, capsys) -> None:
    target = annotation(project, QUOTES[1])
    project.attack(f"UPDATE annotations SET verdict = 'disputed' WHERE id = '{target}'")
    assert problems(capsys, project) == [
        f"annotations {target}: verdict is 'disputed' in the table but 'supported' in the log "
        f"(event {last_event(project, target)})"
    ]
    [mismatch] = verify_json(capsys, project)["mismatches"]
    assert mismatch | {"message": ""} == {
        "message": "",
        "table": "annotations",
        "id": target,
        "field": "verdict",
        "stored": "disputed",
        "logged": "supported",
        "seq": last_event(project, target),
    }


def test_note_changed_without_an_event(project: Database, capsys) -> None:
    target = annotation(project, QUOTES[2])
    project.attack(f"UPDATE annotations SET note = 'nothing to see' WHERE id = '{target}'")
    assert problems(capsys, project) == [
        f"annotations {target}: note is 'nothing to see' in the table but 'checked Russia' in "
        f"the log (event {last_event(project, target)})"
    ]


def test_soft_delete_without_an_event(project: Database, capsys) -> None:
    target = annotation(project, QUOTES[1])
    reviewer = project.scalar("SELECT id FROM reviewers WHERE name = :p1", p1=REVIEWER)
    project.attack(
        "UPDATE annotations SET deleted_at = '2026-01-01 00:00:00.000000', "
        f"deleted_by = '{reviewer}' WHERE id = '{target}'",
    )
    seq = last_event(project, target)
    assert problems(capsys, project) == [
        f"annotations {target}: deleted_at is '2026-01-01T00:00:00.000000Z' in the table but "
        f"null in the log (event {seq})",
        f"annotations {target}: deleted_by is {REVIEWER!r} in the table but null in the log "
        f"(event {seq})",
    ]


def test_annotation_row_deleted(project: Database, capsys) -> None:
    target = annotation(project, QUOTES[0])
    project.attack(f"DELETE FROM annotations WHERE id = '{target}'")
    assert problems(capsys, project) == [
        f"annotations {target}: the log records it (event 8, annotation.created) but the "
        "table has no such row (removed outside the log)"
    ]


def test_annotation_row_inserted(project: Database, capsys) -> None:
    source = annotation(project, QUOTES[1])
    forged = "00000000-0000-4000-8000-00000000f00d"
    columns = (
        'article_id, start, "end", quote, prefix, suffix, verdict, note, sources, created_at, '
        "created_by, updated_at, updated_by"
    )
    project.attack(
        f"INSERT INTO annotations (id, {columns}) SELECT '{forged}', {columns} "
        f"FROM annotations WHERE id = '{source}'",
    )
    assert problems(capsys, project) == [
        f"annotations {forged}: no audit event records this row (added outside the log)"
    ]


def test_span_and_quote_moved_together(project: Database, capsys) -> None:
    """The quote still matches the text at its new place: only the log gives it away."""
    target = annotation(project, QUOTES[1])
    text = str(
        project.scalar(
            "SELECT t.text FROM articles t JOIN annotations a ON a.article_id = t.id "
            "WHERE a.id = :id",
            id=target,
        )
    )
    [(start, end)] = project.rows('SELECT start, "end" FROM annotations WHERE id = :id', id=target)
    new_start = text.index("Russia")
    new_end = new_start + len("Russia")
    project.attack(
        (
            'UPDATE annotations SET start = :start, "end" = :end, quote = :quote, '
            "prefix = :prefix, suffix = :suffix WHERE id = :id",
            {"start": new_start, "end": new_end, "quote": "Russia", "id": target,
             "prefix": text[new_start - 32 : new_start], "suffix": text[new_end : new_end + 32]},
        )
    )  # fmt: skip
    seq = last_event(project, target)
    found = problems(capsys, project)
    row = f"annotations {target}"
    assert differs(row, "start", str(new_start), str(start), seq) in found
    assert differs(row, "end", str(new_end), str(end), seq) in found
    assert differs(row, "quote", "'Russia'", "'Azerbaijan'", seq) in found
    assert not any("no longer matches the article text" in p for p in found)


def test_article_text_changed_with_its_hash(project: Database, capsys) -> None:
    article_id = str(project.scalar("SELECT id FROM articles ORDER BY imported_at LIMIT 1"))
    text = str(project.scalar("SELECT text FROM articles WHERE id = :p1", p1=article_id))
    forged = text.replace("nine individuals", "ninety individuals")
    old_hash = hashlib.sha256(text.encode()).hexdigest()
    new_hash = hashlib.sha256(forged.encode()).hexdigest()
    project.attack(
        (
            f"UPDATE articles SET text = :text, text_sha256 = '{new_hash}', text_length = "
            f"{len(forged)} WHERE id = '{article_id}'",
            {"text": forged},
        )
    )
    seq = int(project.scalar("SELECT seq FROM audit_events WHERE entity_id = :p1", p1=article_id))
    found = problems(capsys, project)
    row = f"articles {article_id}"
    assert differs(row, "text_length", str(len(forged)), str(len(text)), seq) in found
    assert differs(row, "text_sha256", repr(new_hash), repr(old_hash), seq) in found
    assert (
        f"articles {article_id}: text differs from the import (event {seq}): the stored text "
        f"hashes to '{new_hash[:12]}…', the log gives '{old_hash[:12]}…'"
    ) in found


def test_article_title_changed(project: Database, capsys) -> None:
    [(article_id, title)] = project.rows(
        "SELECT id, title FROM articles ORDER BY imported_at LIMIT 1"
    )
    project.attack(f"UPDATE articles SET title = 'A quiet day' WHERE id = '{article_id}'")
    seq = int(project.scalar("SELECT seq FROM audit_events WHERE entity_id = :p1", p1=article_id))
    assert problems(capsys, project) == [
        f"articles {article_id}: title is 'A quiet day' in the table but {title!r} in the log "
        f"(event {seq})"
    ]


def test_reviewer_name_changed(project: Database, capsys) -> None:
    """The reviewer's row is named; the annotations, which the log ties to the reviewer's
    logged name, are not blamed for it."""
    reviewer_id = str(project.scalar("SELECT id FROM reviewers WHERE name = 'Bob'"))
    project.attack(f"UPDATE reviewers SET name = 'Mallory' WHERE id = '{reviewer_id}'")
    seq = int(project.scalar("SELECT seq FROM audit_events WHERE entity_id = :p1", p1=reviewer_id))
    assert problems(capsys, project) == [
        f"reviewers {reviewer_id}: name is 'Mallory' in the table but 'Bob' in the log "
        f"(event {seq})"
    ]


def test_a_change_laundered_by_a_later_edit(project: Database, capsys) -> None:
    """Changed outside the log, then edited in the app: the row matches its last event, but
    that event started from a state no event left."""
    target = annotation(project, QUOTES[2])
    project.attack(f"UPDATE annotations SET note = 'planted' WHERE id = '{target}'")
    first_article = str(
        project.scalar("SELECT article_id FROM annotations WHERE id = :p1", p1=target)
    )
    code, _out, err = run(
        capsys, "annotate", project.argument, first_article, "--quote", QUOTES[2], "--verdict",
        "disputed", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    seq = last_event(project, target)
    assert problems(capsys, project) == [
        f"annotations {target}: note changed outside the log before event {seq} "
        f"(annotation.changed): 'checked Russia' after event 10, 'planted' when event "
        f"{seq} was recorded"
    ]


def _cut_the_last_event(project: Database, *, cover: bool) -> None:
    """Delete the last event (Bob's tag); with ``cover``, delete his annotation too, so the
    file agrees with itself."""
    target = annotation(project, QUOTES[0], "Bob")
    statements = ["DELETE FROM audit_events WHERE seq = 12"]
    if cover:
        statements.append(f"DELETE FROM annotations WHERE id = '{target}'")
    project.attack(*statements)


def test_last_event_deleted_alone_is_found_by_the_replay(project: Database, capsys) -> None:
    target = annotation(project, QUOTES[0], "Bob")
    _cut_the_last_event(project, cover=False)
    assert problems(capsys, project) == [
        f"annotations {target}: no audit event records this row (added outside the log)"
    ]


def test_last_event_deleted_and_covered_needs_an_anchor(
    project: Database, capsys, tmp_path: Path
) -> None:
    """A file cut short and made to agree with itself verifies on its own; the head published
    before (or any export made before) catches it."""
    published = verify_json(capsys, project)
    head, seq = published["head_hash"], published["head_seq"]
    export = tmp_path / "published-log.jsonl"
    code, _out, err = run(capsys, "export", project.argument, "-f", "audit-jsonl", "-o", export)
    assert code == 0, err

    _cut_the_last_event(project, cover=True)
    code, out, err = run(capsys, "verify", project.argument)
    assert (code, err) == (0, ""), "cut short and covered, the file is consistent on its own"
    assert "11 audit events" in out

    assert problems(capsys, project, "--expect-head", head) == [
        f"the log does not hold the expected head {head[:12]}…: it was cut short or rewritten "
        "since (or the head is from another project)"
    ]
    assert problems(capsys, project, "--expect-head", head, "--expect-seq", str(seq)) == [
        f"the log ends at event 11, before the expected head {head[:12]}… at event 12: events "
        "were removed from its end"
    ]
    assert problems(capsys, project, "--against", export) == [
        f"the log ends at event 11, before the export published-log.jsonl {head[:12]}… at "
        "event 12: events were removed from its end"
    ]


# --- double-checking, fetched pages, PDF pages, removal -------------------------------------


@pytest.fixture
def busy(new_target: str | Path, tmp_path: Path) -> tuple[Database, dict[str, str]]:
    """A project that has seen every kind of write (see ``tests.support.busy``)."""
    from desktop.core.store import open_store
    from tests.conftest import make_project
    from tests.support.busy import every_kind_of_write

    target = make_project(new_target)
    with open_store(target) as store:
        ids = every_kind_of_write(store, tmp_path)
    return Database(target), ids


def test_a_busy_project_verifies(busy, capsys) -> None:
    db, _ids = busy
    report = verify_json(capsys, db)
    assert report["ok"], report["problems"]
    assert report["rows"]["settlements"] == 2 and report["rows"]["fetched_pages"] == 2


def test_a_settlement_changed_without_an_event(busy, capsys) -> None:
    db, ids = busy
    settlement = ids["settlement"]
    db.attack(f"UPDATE settlements SET outcome = 'untagged' WHERE id = '{settlement}'")
    assert problems(capsys, db) == [
        differs(f"settlements {settlement}", "outcome", "'untagged'", "'accepted'",
                last_event(db, settlement))
    ]  # fmt: skip


def test_a_settlement_link_removed(busy, capsys) -> None:
    db, ids = busy
    settlement = ids["settlement"]
    final = str(
        db.scalar(
            "SELECT annotation_id FROM settlement_links "
            "WHERE settlement_id = :id AND role = 'final'",
            id=settlement,
        )
    )
    db.attack(f"DELETE FROM settlement_links WHERE annotation_id = '{final}'")
    assert problems(capsys, db) == [
        f"settlements {settlement}: finals (from settlement_links): is [] in the table but "
        f'["{final}"] in the log (event {last_event(db, settlement)})'
    ]


def test_a_final_verdict_made_outside_the_log(busy, capsys) -> None:
    db, ids = busy
    target = ids["changed"]
    db.attack((f"UPDATE annotations SET final = :yes WHERE id = '{target}'", {"yes": True}))
    assert problems(capsys, db) == [
        differs(f"annotations {target}", "final", "true", "false", last_event(db, target))
    ]


def test_a_fetched_page_replaced_with_its_hash(busy, capsys) -> None:
    """The bytes and their SHA-256 changed together: the fetch's event still has the old
    hash."""
    db, _ids = busy
    page = str(db.scalar("SELECT id FROM fetched_pages WHERE url = 'http://example.org/evidence'"))
    forged = b"<p>other evidence</p>"
    old, new = (hashlib.sha256(b).hexdigest() for b in (b"<p>evidence</p>", forged))
    db.attack(
        (
            f"UPDATE fetched_pages SET body = :body, sha256 = '{new}', size = {len(forged)} "
            f"WHERE id = '{page}'",
            {"body": forged},
        )
    )
    seq = last_event(db, page)
    assert problems(capsys, db) == [
        differs(f"fetched_pages {page}", "size", str(len(forged)), "15", seq),
        differs(f"fetched_pages {page}", "sha256", repr(new), repr(old), seq),
        f"fetched_pages {page}: body differs from the fetch (event {seq}): the stored body "
        f"hashes to '{new[:12]}…', the log gives '{old[:12]}…'",
    ]


def test_an_article_removed_without_an_event(busy, capsys) -> None:
    db, ids = busy
    article = ids["second"]
    reviewer = db.scalar("SELECT id FROM reviewers WHERE name = 'Eda Editor'")
    db.attack(
        "UPDATE articles SET deleted_at = '2026-01-01 00:00:00.000000', "
        f"deleted_by = '{reviewer}' WHERE id = '{article}'"
    )
    seq = last_event(db, article)
    assert problems(capsys, db) == [
        differs(f"articles {article}", "deleted_at", "'2026-01-01T00:00:00.000000Z'", "null", seq),
        differs(f"articles {article}", "deleted_by", "'Eda Editor'", "null", seq),
    ]


def test_a_pdf_page_moved(busy, capsys) -> None:
    db, ids = busy
    pdf = ids["pdf"]
    start = int(
        db.scalar("SELECT start FROM article_pages WHERE article_id = :p1 AND page = 2", p1=pdf)
    )
    db.attack(
        f"UPDATE article_pages SET start = {start + 5} WHERE article_id = '{pdf}' AND page = 2"
    )
    assert problems(capsys, db) == [
        f"articles {pdf}: page_starts (from article_pages): is [0, {start + 5}] in the table "
        f"but [0, {start}] in the log (event {last_event(db, pdf)})"
    ]


def test_a_done_mark_deleted(busy, capsys) -> None:
    db, _ids = busy
    [(mark, seq)] = db.rows(
        "SELECT d.id, (SELECT max(seq) FROM audit_events e WHERE e.entity_id = d.id) "
        "FROM done_marks d JOIN reviewers r ON r.id = d.reviewer_id WHERE r.name = 'Bob Checker'"
    )
    db.attack(f"DELETE FROM done_marks WHERE id = '{mark}'")
    assert problems(capsys, db) == [
        f"done_marks {mark}: the log records it (event {seq}, review.done) but the table has "
        "no such row (removed outside the log)"
    ]


def test_an_adjudicator_named_outside_the_log(busy, capsys) -> None:
    db, _ids = busy
    bob = db.scalar("SELECT id FROM reviewers WHERE name = 'Bob Checker'")
    db.attack(
        "INSERT INTO adjudicators (reviewer_id, added_at, added_by) "
        f"VALUES ('{bob}', '2026-01-01 00:00:00.000000', '{bob}')"
    )
    assert problems(capsys, db) == [
        f"adjudicators {bob}: no audit event records this row (added outside the log)"
    ]


def test_an_ended_blind_review_put_back(busy, capsys) -> None:
    db, ids = busy
    blinding = ids["blinding"]
    editor = db.scalar("SELECT id FROM reviewers WHERE name = 'Eda Editor'")
    db.attack(
        "INSERT INTO blinding (id, article_id, started_at, started_by) "
        f"VALUES ('{blinding}', '{ids['second']}', '2026-01-01 00:00:00.000000', '{editor}')"
    )
    assert problems(capsys, db) == [
        f"blinding {blinding}: the log removed it at event {last_event(db, blinding)} "
        "(blinding.ended) but the row is still there"
    ]


# --- merged copies -----------------------------------------------------------------------------


@pytest.fixture
def merged(project: Database, tmp_path: Path, capsys) -> tuple[Database, str]:
    """The project after merging a copy in which Olena changed an annotation's note while the
    desk changed its verdict (no conflict: the copy's note goes on top of the desk's row)."""
    road = tmp_path / "road.crosscheck"
    assert run(capsys, "copy", project.argument, road)[0] == 0
    target = annotation(project, QUOTES[2])
    article = str(project.scalar("SELECT article_id FROM annotations WHERE id = :p1", p1=target))
    code, _out, err = run(
        capsys, "annotate", road, article, "--quote", QUOTES[2], "--verdict", "unverified",
        "--note", "checked on the road", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    code, _out, err = run(
        capsys, "annotate", project.argument, article, "--quote", QUOTES[1], "--verdict",
        "disputed", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    code, _out, err = run(capsys, "merge", project.argument, road, "--reviewer", "Desk Editor")
    assert code == 0, err
    report = verify_json(capsys, project)
    assert report["ok"], report["problems"]
    return project, target


def test_a_merged_row_changed_afterwards(merged, capsys) -> None:
    db, target = merged
    db.attack(f"UPDATE annotations SET note = 'nothing to see' WHERE id = '{target}'")
    [problem] = problems(capsys, db)
    assert problem.startswith(f"annotations {target}: note is 'nothing to see' in the table but ")
    assert "'checked on the road' in the log (event " in problem


def test_a_merge_record_that_claims_earlier_events(merged, capsys) -> None:
    """A forger who adds an event of the desk to a merge record (so that its change might pass
    for the copy's) and hashes everything again: the record no longer names the events
    merged just before it."""
    db, _target = merged
    record_seq, after = db.rows("SELECT seq, after FROM audit_events WHERE action = 'copy.merged'")[
        0
    ]
    record = json.loads(after)
    first = db.rows("SELECT id, seq, prev_hash, hash FROM audit_events WHERE seq = 8")[0]
    record["events"].insert(0, list(first))
    from desktop.core.audit import canonical_json

    forged = canonical_json(record).replace("'", "''")
    db.rehash(f"UPDATE audit_events SET after = '{forged}' WHERE seq = {record_seq}")
    [problem] = problems(capsys, db)
    assert problem.startswith(f"merge record {record_seq} names events 8–")
    assert problem.endswith("as merged from a copy, but they are not one run of events before it")
