"""Tampering as an attacker would - the sqlite3 module, triggers dropped and put back - and
what ``crosscheck verify`` says about it. Each case names the row, the field, both values and
the event."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from desktop import cli
from desktop.core.storage.schema import AUDIT_TRIGGERS
from tests.conftest import REVIEWER

QUOTES = ("nine individuals were detained", "Azerbaijan", "Russia")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def attack(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Change the file behind the program's back and cover the tracks left in the schema."""
    conn = sqlite3.connect(path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    for sql in statements:
        conn.execute(sql, params if "?" in sql else ())
    for sql in AUDIT_TRIGGERS.values():
        conn.execute(sql)
    conn.commit()
    conn.close()


def problems(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> list[str]:
    """Run verify, which must fail; the problems it names, one per line."""
    code, out, err = run(capsys, "verify", path, *extra)
    assert code == 1, (out, err)
    assert out == ""
    lines = err.splitlines()
    prefix = f"crosscheck: error: {path}: "
    assert lines and all(line.startswith(prefix) for line in lines), err
    return [line[len(prefix) :] for line in lines]


def verify_json(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> dict:
    _code, out, _err = run(capsys, "verify", path, "--json", *extra)
    return json.loads(out)


def scalar(path: Path, sql: str, *params: object) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo with three annotations (events 8-10); the first one's verdict changed by Bob
    (who is added at event 11) at event 12."""
    path = tmp_path / "desk.crosscheck"
    assert run(capsys, "new", path, "--demo", "--reviewer", REVIEWER)[0] == 0
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
    report = verify_json(capsys, path)
    assert report["ok"] and report["events"] == 12, report
    return path


def differs(row: str, field: str, stored: str, logged: str, seq: int) -> str:
    """The message naming a field whose value the log does not give."""
    return f"{row}: {field} is {stored} in the table but {logged} in the log (event {seq})"


def annotation(path: Path, quote: str) -> str:
    return str(scalar(path, "SELECT id FROM annotations WHERE quote = ?", quote))


def last_event(path: Path, entity_id: str) -> int:
    return int(scalar(path, "SELECT max(seq) FROM audit_events WHERE entity_id = ?", entity_id))  # type: ignore[arg-type]


def test_an_untouched_project_verifies(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "verify", project)
    assert (code, err) == (0, "")
    assert re.fullmatch(
        re.escape(f"{project}: OK: 12 audit events, chain intact (head ")
        + r"[0-9a-f]{64}"
        + re.escape(" at event 12); 11 rows match the log; integrity and foreign keys checked\n"),
        out,
    )


def test_verdict_changed_without_an_event(project: Path, capsys) -> None:
    target = annotation(project, QUOTES[1])
    attack(project, f"UPDATE annotations SET verdict = 'disputed' WHERE id = '{target}'")
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


def test_note_changed_without_an_event(project: Path, capsys) -> None:
    target = annotation(project, QUOTES[2])
    attack(project, f"UPDATE annotations SET note = 'nothing to see' WHERE id = '{target}'")
    assert problems(capsys, project) == [
        f"annotations {target}: note is 'nothing to see' in the table but 'checked Russia' in "
        f"the log (event {last_event(project, target)})"
    ]


def test_soft_delete_without_an_event(project: Path, capsys) -> None:
    target = annotation(project, QUOTES[1])
    reviewer = scalar(project, "SELECT id FROM reviewers WHERE name = ?", REVIEWER)
    attack(
        project,
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


def test_annotation_row_deleted(project: Path, capsys) -> None:
    target = annotation(project, QUOTES[0])
    attack(project, f"DELETE FROM annotations WHERE id = '{target}'")
    assert problems(capsys, project) == [
        f"annotations {target}: the log records it (event 12, annotation.changed) but the "
        "table has no such row (removed outside the log)"
    ]


def test_annotation_row_inserted(project: Path, capsys) -> None:
    source = annotation(project, QUOTES[1])
    forged = "00000000-0000-4000-8000-00000000f00d"
    columns = (
        'article_id, start, "end", quote, prefix, suffix, verdict, note, sources, created_at, '
        "created_by, updated_at, updated_by"
    )
    attack(
        project,
        f"INSERT INTO annotations (id, {columns}) SELECT '{forged}', {columns} "
        f"FROM annotations WHERE id = '{source}'",
    )
    assert problems(capsys, project) == [
        f"annotations {forged}: no audit event records this row (added outside the log)"
    ]


def test_span_and_quote_moved_together(project: Path, capsys) -> None:
    """The quote still matches the text at its new place: only the log gives it away."""
    target = annotation(project, QUOTES[1])
    text = str(scalar(project, "SELECT t.text FROM articles t JOIN annotations a "
                      "ON a.article_id = t.id WHERE a.id = ?", target))  # fmt: skip
    start, end = (int(v) for v in (  # type: ignore[call-overload]
        scalar(project, "SELECT start FROM annotations WHERE id = ?", target),
        scalar(project, 'SELECT "end" FROM annotations WHERE id = ?', target),
    ))  # fmt: skip
    new_start = text.index("Russia")
    new_end = new_start + len("Russia")
    attack(
        project,
        'UPDATE annotations SET start = ?, "end" = ?, quote = ?, prefix = ?, suffix = ? '
        f"WHERE id = '{target}'",
        params=(new_start, new_end, "Russia", text[new_start - 32 : new_start],
                text[new_end : new_end + 32]),
    )  # fmt: skip
    seq = last_event(project, target)
    found = problems(capsys, project)
    row = f"annotations {target}"
    assert differs(row, "start", str(new_start), str(start), seq) in found
    assert differs(row, "end", str(new_end), str(end), seq) in found
    assert differs(row, "quote", "'Russia'", "'Azerbaijan'", seq) in found
    assert not any("no longer matches the article text" in p for p in found)


def test_article_text_changed_with_its_hash(project: Path, capsys) -> None:
    article_id = str(scalar(project, "SELECT id FROM articles ORDER BY imported_at LIMIT 1"))
    text = str(scalar(project, "SELECT text FROM articles WHERE id = ?", article_id))
    forged = text.replace("nine individuals", "ninety individuals")
    old_hash = hashlib.sha256(text.encode()).hexdigest()
    new_hash = hashlib.sha256(forged.encode()).hexdigest()
    attack(
        project,
        f"UPDATE articles SET text = ?, text_sha256 = '{new_hash}', text_length = "
        f"{len(forged)} WHERE id = '{article_id}'",
        params=(forged,),
    )
    seq = int(scalar(project, "SELECT seq FROM audit_events WHERE entity_id = ?", article_id))  # type: ignore[arg-type]
    found = problems(capsys, project)
    row = f"articles {article_id}"
    assert differs(row, "text_length", str(len(forged)), str(len(text)), seq) in found
    assert differs(row, "text_sha256", repr(new_hash), repr(old_hash), seq) in found
    assert (
        f"articles {article_id}: text differs from the import (event {seq}): the stored text "
        f"hashes to '{new_hash[:12]}…', the log gives '{old_hash[:12]}…'"
    ) in found


def test_article_title_changed(project: Path, capsys) -> None:
    article_id, title = (str(v) for v in sqlite3.connect(project).execute(
        "SELECT id, title FROM articles ORDER BY imported_at LIMIT 1").fetchone())  # fmt: skip
    attack(project, f"UPDATE articles SET title = 'A quiet day' WHERE id = '{article_id}'")
    seq = int(scalar(project, "SELECT seq FROM audit_events WHERE entity_id = ?", article_id))  # type: ignore[arg-type]
    assert problems(capsys, project) == [
        f"articles {article_id}: title is 'A quiet day' in the table but {title!r} in the log "
        f"(event {seq})"
    ]


def test_reviewer_name_changed(project: Path, capsys) -> None:
    """The reviewer's row is named; the annotations, which the log ties to the reviewer's
    logged name, are not blamed for it."""
    reviewer_id = str(scalar(project, "SELECT id FROM reviewers WHERE name = 'Bob'"))
    attack(project, f"UPDATE reviewers SET name = 'Mallory' WHERE id = '{reviewer_id}'")
    seq = int(scalar(project, "SELECT seq FROM audit_events WHERE entity_id = ?", reviewer_id))  # type: ignore[arg-type]
    assert problems(capsys, project) == [
        f"reviewers {reviewer_id}: name is 'Mallory' in the table but 'Bob' in the log "
        f"(event {seq})"
    ]


def test_a_change_laundered_by_a_later_edit(project: Path, capsys) -> None:
    """Changed outside the log, then edited in the app: the row matches its last event, but
    that event started from a state no event left."""
    target = annotation(project, QUOTES[2])
    attack(project, f"UPDATE annotations SET note = 'planted' WHERE id = '{target}'")
    first_article = str(scalar(project, "SELECT article_id FROM annotations WHERE id = ?", target))
    code, _out, err = run(
        capsys, "annotate", project, first_article, "--quote", QUOTES[2], "--verdict",
        "disputed", "--reviewer", REVIEWER,
    )  # fmt: skip
    assert code == 0, err
    seq = last_event(project, target)
    assert problems(capsys, project) == [
        f"annotations {target}: note changed outside the log before event {seq} "
        f"(annotation.changed): 'checked Russia' after event 10, 'planted' when event "
        f"{seq} was recorded"
    ]


def _cut_the_last_event(project: Path, *, cover: bool) -> None:
    """Delete the last event (Bob's change of a verdict); with ``cover``, put the row back as
    the event before it left it, so the file agrees with itself."""
    target = annotation(project, QUOTES[0])
    before = json.loads(str(scalar(project, "SELECT before FROM audit_events WHERE seq = 12")))
    statements = ["DELETE FROM audit_events WHERE seq = 12"]
    if cover:
        statements.append(
            f"UPDATE annotations SET verdict = '{before['verdict']}', updated_at = "
            f"'{before['updated_at'][:-1].replace('T', ' ')}', updated_by = created_by "
            f"WHERE id = '{target}'"
        )
    attack(project, *statements)


def test_last_event_deleted_alone_is_found_by_the_replay(project: Path, capsys) -> None:
    target = annotation(project, QUOTES[0])
    _cut_the_last_event(project, cover=False)
    found = problems(capsys, project)
    assert (
        f"annotations {target}: verdict is 'unverified' in the table but 'disputed' in the "
        "log (event 8)"
    ) in found


def test_last_event_deleted_and_covered_needs_an_anchor(project: Path, capsys) -> None:
    """A file cut short and made to agree with itself verifies on its own; the head published
    before (or any export made before) catches it."""
    published = verify_json(capsys, project)
    head, seq = published["head_hash"], published["head_seq"]
    export = project.with_name("published-log.jsonl")
    code, _out, err = run(capsys, "export", project, "-f", "audit-jsonl", "-o", export)
    assert code == 0, err

    _cut_the_last_event(project, cover=True)
    code, out, err = run(capsys, "verify", project)
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
