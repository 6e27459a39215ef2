"""Audit log exports, re-checking them, and the chunked chain check behind ``verify``."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

import desktop.core.store.sqlite.fast as fast
from desktop.core import audit, operations
from desktop.core.exports import ExportOptions, export_to_path, export_to_stream
from desktop.core.exports.audit_log import (
    AUDIT_COLUMNS,
    check_audit_csv,
    check_audit_export,
    check_audit_jsonl,
    read_sidecar,
)
from desktop.core.store import Store, open_store, reads
from tests.backends import Attacker, Target, rows, target_of


@pytest.fixture
def logged(demo_project: Store) -> Store:
    """The demo project plus annotations by a reviewer whose name looks like a formula."""
    with demo_project.read() as session:
        article = reads.article_summaries(session)[0].id
    ids = [
        operations.annotate(
            demo_project, article, s, s + 8, "disputed", reviewer=name, note=note
        ).annotation_ids[0]
        for s, name, note in (
            (0, "=Eve", 'says "no",\nthen 😀'),
            (20, "'Quote", "-1"),
            (40, "Ann", "\u2028 line sep \x7f"),
        )
    ]
    operations.update_annotation(demo_project, ids[0], reviewer="Ann", verdict="supported")
    operations.delete_annotation(demo_project, ids[1], reviewer="Ann")
    return demo_project


def db_events(project: Store) -> list[tuple]:
    return rows(
        project,
        'SELECT seq, at, reviewer, action, entity_type, entity_id, "before", "after", '
        "prev_hash, hash, id, reviewer_id FROM audit_events ORDER BY seq",
    )


# --- JSON Lines -----------------------------------------------------------------------------


def test_jsonl_has_every_event_then_a_summary(logged: Store, tmp_path: Path) -> None:
    result = export_to_path(logged, "audit-jsonl", tmp_path / "log.jsonl")
    lines = (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in lines]
    events, summary = objects[:-1], objects[-1]["summary"]
    stored = db_events(logged)
    assert [tuple(e[k] for k in AUDIT_COLUMNS) for e in events] == stored
    assert summary["events"] == len(stored) == result.count
    assert summary["head_hash"] == stored[-1][9] == result.head_hash
    assert check_audit_jsonl(tmp_path / "log.jsonl").ok


def test_jsonl_check_finds_a_tampered_line(logged: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    export_to_path(logged, "audit-jsonl", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[8])
    assert event["seq"] == 9 and event["action"] == "annotation.created"
    event["after"] = event["after"].replace('"disputed"', '"supported"')
    lines[8] = json.dumps(event, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_audit_jsonl(path)
    assert not report.ok and report.first_bad_seq == 9 and report.events == 8
    assert "hash does not match" in (report.problem or "")


def test_jsonl_check_finds_a_removed_line_and_a_cut_file(logged: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    export_to_path(logged, "audit-jsonl", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    gap = tmp_path / "gap.jsonl"
    gap.write_text("\n".join(lines[:4] + lines[5:]) + "\n", encoding="utf-8")
    assert check_audit_jsonl(gap).problem == "sequence gap: event 6 follows event 4"
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    report = check_audit_jsonl(cut)
    assert not report.ok and "summary line is missing" in (report.problem or "")
    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(lines[:-2] + lines[-1:]) + "\n", encoding="utf-8")
    assert "says" in (check_audit_jsonl(short).problem or "")


# --- CSV with its sidecar -------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_has_every_event_and_a_sidecar(logged: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    result = export_to_path(logged, "audit-csv", path, ExportOptions(spreadsheet_safe=False))
    lines = read_csv(path)
    stored = db_events(logged)
    assert tuple(lines[0].keys()) == AUDIT_COLUMNS
    assert [tuple(r.values()) for r in lines] == [
        tuple("" if v is None else str(v) for v in e) for e in stored
    ]
    assert result.sidecar == tmp_path / "log.csv.sha256"
    entries, digest, name = read_sidecar(result.sidecar)
    assert entries["events"] == str(len(stored))
    assert entries["head_hash"] == stored[-1][9]
    assert entries["cells"] == "raw"
    assert (digest, name) == (hashlib.sha256(path.read_bytes()).hexdigest(), "log.csv")
    assert check_audit_csv(path).ok


def test_csv_cells_are_spreadsheet_safe_and_still_check(logged: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    export_to_path(logged, "audit-csv", path)
    reviewers = {r["reviewer"] for r in read_csv(path)}
    assert {"'=Eve", "''Quote", "Ann"} <= reviewers
    for row in read_csv(path):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), value
    assert read_sidecar(path.with_name("log.csv.sha256"))[0]["cells"] == "safe"
    report = check_audit_export(path)
    assert report.ok and report.events == len(db_events(logged))


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum is not installed")
def test_sha256sum_checks_the_copy(logged: Store, tmp_path: Path) -> None:
    export_to_path(logged, "audit-csv", tmp_path / "log.csv")
    ok = subprocess.run(
        ["sha256sum", "-c", "log.csv.sha256"], cwd=tmp_path, capture_output=True, text=True
    )
    assert ok.returncode == 0 and "log.csv: OK" in ok.stdout
    with (tmp_path / "log.csv").open("ab") as fh:
        fh.write(b"x")
    bad = subprocess.run(["sha256sum", "-c", "log.csv.sha256"], cwd=tmp_path, capture_output=True)
    assert bad.returncode != 0


def test_csv_check_finds_an_edited_cell(logged: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    export_to_path(logged, "audit-csv", path)
    lines = read_csv(path)
    lines[4]["reviewer"] = "Mallory"
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=AUDIT_COLUMNS)
    writer.writeheader()
    writer.writerows(lines)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    assert "differs from the checksum" in (check_audit_csv(path).problem or "")
    # Even with a matching checksum the chain gives it away.
    sidecar = path.with_name("log.csv.sha256")
    text = sidecar.read_text(encoding="utf-8").splitlines()
    text[-1] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}  log.csv"
    sidecar.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = check_audit_csv(path)
    assert report.first_bad_seq == 5 and "hash does not match" in (report.problem or "")


def test_audit_csv_to_a_stream_has_no_sidecar(logged: Store) -> None:
    out = io.BytesIO()
    result = export_to_stream(logged, "audit-csv", out, ExportOptions(bom=True))
    assert out.getvalue().startswith(b"\xef\xbb\xbf")
    assert result.count == len(db_events(logged)) and result.sidecar is None


# --- SQLite's json_quote is RFC 8785 for strings --------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=40,
)
_TRICKY = st.sampled_from(
    ['"', "\\", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", "\U0001f600", "\ufeff", "é", "\b\f"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TEXT, _TRICKY), max_size=6).map("".join))
def test_sqlite_json_quote_is_rfc8785(value: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        quoted = conn.execute("SELECT json_quote(?)", (value,)).fetchone()[0]
    finally:
        conn.close()
    assert quoted.encode("utf-8") == rfc8785.dumps(value)


@settings(max_examples=100, deadline=None)
@given(
    action=_TEXT,
    reviewer=st.lists(st.one_of(_TEXT, _TRICKY), max_size=4).map("".join),
    entity=_TEXT,
    seq=st.integers(min_value=1, max_value=2**40),
)
def test_sql_payload_is_the_python_payload(
    action: str, reviewer: str, entity: str, seq: int
) -> None:
    before = audit.canonical_json({"note": reviewer, "n": 1})
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(
            "CREATE TABLE audit_events (seq INTEGER PRIMARY KEY, id TEXT, at TEXT, "
            "reviewer_id TEXT, reviewer TEXT, action TEXT, entity_type TEXT, entity_id TEXT, "
            'before TEXT, "after" TEXT, prev_hash TEXT, hash TEXT)'
        )
        conn.execute(
            "INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                "id\\1",
                "2025-01-01T00:00:00.000000Z",
                'r"1',
                reviewer,
                action,
                "annotation",
                entity,
                before,
                None,
                audit.GENESIS_HASH,
                "x",
            ),
        )
        built = conn.execute(
            f"SELECT CAST({fast._PAYLOAD_SQL} AS BLOB) FROM audit_events"
        ).fetchone()[0]
    finally:
        conn.close()
    expected = audit.GENESIS_HASH.encode("ascii") + audit.event_bytes(
        seq=seq,
        event_id="id\\1",
        at="2025-01-01T00:00:00.000000Z",
        reviewer_id='r"1',
        reviewer=reviewer,
        action=action,
        entity_type="annotation",
        entity_id=entity,
        before=before,
        after=None,
    )
    assert built == expected


# --- the chunked chain check ----------------------------------------------------------------


def per_event(target: Target) -> audit.ChainReport:
    """The reference: the per-event check over the whole table."""
    with open_store(target, read_only=True) as store, store.read() as conn:
        walk = audit._Walk()
        rows = reads.event_rows(conn)
        return audit._walk_rows(rows, walk) or walk.report()


def chunked(target: Target) -> audit.ChainReport:
    with open_store(target, read_only=True) as store:
        return audit.verify_chain(store)


def portable(target: Target, monkeypatch: pytest.MonkeyPatch) -> audit.ChainReport:
    """The check a backend without a fast path makes."""
    with open_store(target, read_only=True) as store:
        monkeypatch.setattr(store, "chain_payload_chunks", lambda size: None)
        return audit.verify_chain(store)


@pytest.fixture
def long_chain(logged: Store, monkeypatch: pytest.MonkeyPatch) -> Target:
    """A project of 30-odd events checked in chunks of 4, so several readers are used."""
    with logged.read() as session:
        article = reads.article_summaries(session)[1].id
    for i in range(20):
        operations.annotate(logged, article, i * 3, i * 3 + 2, "unverified", reviewer="Ann")
    monkeypatch.setattr(audit, "CHUNK_EVENTS", 4)
    return target_of(logged)


@pytest.mark.parametrize(
    "statements",
    [
        (),
        ("UPDATE audit_events SET reviewer = 'Mallory' WHERE seq = 13",),
        ("UPDATE audit_events SET after = replace(after, 'unverif', 'support') WHERE seq = 30",),
        ("DELETE FROM audit_events WHERE seq = 9",),
        ("DELETE FROM audit_events WHERE seq BETWEEN 5 AND 12",),
        ("DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)",),
        ("UPDATE audit_events SET prev_hash = 'x' || substr(prev_hash, 2) WHERE seq = 17",),
        ("UPDATE audit_events SET hash = substr(hash, 2) WHERE seq = 21",),
        ("UPDATE audit_events SET seq = 0 WHERE seq = 1",),
        # A raw newline splits the chunk's payloads wrongly: the per-event check decides.
        ("UPDATE audit_events SET after = replace(after, ',', '\n,') WHERE seq = 14",),
    ],
)
def test_chunks_report_exactly_what_the_per_event_check_does(
    long_chain: Target,
    statements: tuple[str, ...],
    attacker: Attacker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = attacker.tampered(long_chain, *statements) if statements else long_chain
    assert chunked(target) == per_event(target) == portable(target, monkeypatch)
    if not statements:
        assert chunked(target).ok and chunked(target).events > 12


def test_a_rehashed_event_with_a_raw_newline_is_valid(
    long_chain: Target, attacker: Attacker
) -> None:
    """Canonical JSON never holds a raw newline, but the definition decides, not the shortcut."""
    with open_store(long_chain, read_only=True) as store:
        (row,) = rows(
            store,
            "SELECT seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, "
            '"before", "after", prev_hash FROM audit_events ORDER BY seq DESC LIMIT 1',
        )
    seq, eid, at, rid, name, action, etype, entity, before, after, prev = row
    after = after.replace(",", "\n,", 1)
    payload = audit.event_bytes(
        seq=seq,
        event_id=eid,
        at=at,
        reviewer_id=rid,
        reviewer=name,
        action=action,
        entity_type=etype,
        entity_id=entity,
        before=before,
        after=after,
    )
    digest = audit.chain_hash(prev, payload)
    target = attacker.tampered(
        long_chain,
        (
            'UPDATE audit_events SET "after" = :after, hash = :hash WHERE seq = :seq',
            {"after": after, "hash": digest, "seq": seq},
        ),
    )
    report = chunked(target)
    assert report == per_event(target)
    assert report.ok and report.head_hash == digest
