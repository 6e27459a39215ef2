"""Export and audit-chain speed against baselines measured in the same run.

    python tests/benchmarks/bench_exports.py [--annotations N] [--events N] [--runs N]

1. CSV export of 100,000 annotations (spreadsheet-safe, the default) divided by the sqlite3
   command-line shell writing the same columns with ``.mode csv`` (target <= 1.5x). The shell
   is not installed by this script; without it that ratio is skipped with a message
   (Debian/Ubuntu: ``apt-get install -y sqlite3``). Then the same project with every article
   split into PDF pages (a page every 500 characters), so that each row's ``page`` cell is
   looked up: its export divided by the export without pages, and by the shell.
2. Verifying 1,000,000 events and the 900,000 annotation rows they leave - the hash chain and
   the replay of every row against the log, as ``crosscheck verify`` runs them - divided by
   hashing the same canonical bytes (``prev_hash + payload``) with hashlib alone (target <=
   2x). ``audit.verify_chain`` alone and the whole of ``crosscheck verify`` (which adds
   SQLite's integrity_check and the quotes) are reported beside it.

Each timing is the best of ``--runs``. Prints a table; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core import audit  # noqa: E402
from desktop.core.exports import ExportOptions, export_to_path  # noqa: E402
from desktop.core.exports.csv_verdicts import header  # noqa: E402
from desktop.core.store import open_store  # noqa: E402
from desktop.core.store.sqlite.fast import select_sql  # noqa: E402
from tests.conftest import REVIEWER, make_project  # noqa: E402

CSV_TARGET = 1.5
CHAIN_TARGET = 2.0
NOTES = [
    'Ministry says "38", not 40; see statement',
    "=SUM(A1:A2) looks like a formula",
    "two lines,\nwith a comma",
    "emoji 😀 in a note",
    "",
    "Checked against the wire copy.",
]


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


# --- CSV ------------------------------------------------------------------------------------


def build_annotations(path: Path, count: int) -> None:
    """A demo project with ``count`` annotations inserted in bulk (no audit events needed)."""
    make_project(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    articles = conn.execute("SELECT id, text FROM articles").fetchall()
    reviewers = []
    for i, name in enumerate(("Ann Example", "Bob Checker", "=Mallory")):
        rid = f"00000000-0000-4000-8000-{i:012x}"
        conn.execute(
            "INSERT INTO reviewers (id, name, created_at) VALUES (?, ?, ?)",
            (rid, name, "2025-06-29 10:00:00.000000"),
        )
        reviewers.append(rid)
    rows = []
    for i in range(count):
        article_id, text = articles[i % len(articles)]
        start = (i * 7919) % (len(text) - 60)
        end = start + 5 + i % 50
        stamp = f"2025-06-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}.{i:06d}"
        sources = [
            {"url": f"https://example.org/evidence/{i}", "title": "Evidence"},
            {"url": f"https://example.com/more?i={i}", "title": ""},
        ][: i % 3]
        rows.append(
            (
                f"{i:08x}-1111-4000-8000-{i:012x}",
                article_id,
                start,
                end,
                text[start:end],
                text[max(0, start - 32) : start],
                text[end : end + 32],
                ("supported", "disputed", "unverified")[i % 3],
                NOTES[i % len(NOTES)],
                json.dumps(sources),
                stamp,
                reviewers[i % 3],
                stamp,
                reviewers[(i + 1) % 3],
            )
        )
    conn.executemany(
        'INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, verdict, '
        "note, sources, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()


PAGE_CHARS = 500


def add_pages(path: Path) -> int:
    """Split every article into pages of PAGE_CHARS characters, as if read from a PDF."""
    conn = sqlite3.connect(path)
    rows = [
        (article_id, number, start)
        for article_id, length in conn.execute("SELECT id, text_length FROM articles")
        for number, start in enumerate(range(0, max(length, 1), PAGE_CHARS), 1)
    ]
    conn.executemany("INSERT INTO article_pages (article_id, page, start) VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return len(rows)


def shell_csv(path: Path, out: Path, *, pages: bool = False) -> None:
    """The baseline: the sqlite3 shell writing the same columns (raw cells) with .mode csv."""
    sql = select_sql(header(False), safe=False, where="annotations.deleted_at IS NULL", pages=pages)
    with out.open("wb") as fh:
        subprocess.run(
            ["sqlite3", "-readonly", "-cmd", ".mode csv", "-cmd", ".headers on", str(path), sql],
            stdout=fh,
            check=True,
        )


def csv_data_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def bench_csv(folder: Path, count: int, runs: int) -> list[tuple[str, float, float | None, str]]:
    path = folder / "csv.crosscheck"
    start = time.perf_counter()
    build_annotations(path, count)
    print(f"built {count:,} annotations in {time.perf_counter() - start:.1f} s", flush=True)
    ours, raw, theirs = folder / "ours.csv", folder / "raw.csv", folder / "shell.csv"
    with open_store(path, read_only=True) as project:
        safe_s = best(runs, lambda: export_to_path(project, "csv", ours))
        raw_s = best(
            runs, lambda: export_to_path(project, "csv", raw, ExportOptions(spreadsheet_safe=False))
        )
    rows = [
        ("CSV export, spreadsheet-safe (default)", safe_s, None, ""),
        ("CSV export, --raw", raw_s, None, ""),
    ]
    if shutil.which("sqlite3") is None:
        print(
            "sqlite3 shell not found: CSV ratio skipped "
            "(Debian/Ubuntu: apt-get install -y sqlite3)",
            flush=True,
        )
        return rows + bench_csv_pages(folder, path, runs)
    shell_s = best(runs, lambda: shell_csv(path, theirs))
    if csv_data_rows(theirs) != csv_data_rows(raw):
        raise SystemExit("the shell's CSV and the --raw export differ: not the same columns")
    rows = [
        ("sqlite3 shell, .mode csv, same columns", shell_s, None, "baseline"),
        (rows[0][0], safe_s, safe_s / shell_s, f"target <= {CSV_TARGET}x"),
        (rows[1][0], raw_s, raw_s / shell_s, ""),
    ]
    return rows + bench_csv_pages(folder, path, runs)


def bench_csv_pages(
    folder: Path, plain: Path, runs: int
) -> list[tuple[str, float, float | None, str]]:
    """The same export once every article has PDF pages, so that each row's page is looked
    up, against the export without pages; runs alternate, so both see the same load."""
    path = folder / "pages.crosscheck"
    shutil.copyfile(plain, path)
    count = add_pages(path)
    ours, theirs = folder / "pages.csv", folder / "pages-shell.csv"
    shell = shutil.which("sqlite3") is not None
    times: dict[str, list[float]] = {"plain": [], "paged": [], "shell": [], "shell_paged": []}

    def timed(key: str, work: Callable[[], object]) -> None:
        times[key].append(best(1, work))

    with open_store(plain, read_only=True) as unpaged, open_store(path, read_only=True) as paged:
        for _ in range(runs):
            timed("plain", lambda: export_to_path(unpaged, "csv", folder / "plain.csv"))
            timed("paged", lambda: export_to_path(paged, "csv", ours))
            if shell:
                timed("shell", lambda: shell_csv(plain, folder / "plain-shell.csv"))
                timed("shell_paged", lambda: shell_csv(path, theirs, pages=True))
        raw = folder / "pages-raw.csv"
        export_to_path(paged, "csv", raw, ExportOptions(spreadsheet_safe=False))
    if {r[-1] for r in csv_data_rows(ours)} == {""}:
        raise SystemExit("the paged export names no page")
    plain_s, paged_s = min(times["plain"]), min(times["paged"])
    rows: list[tuple[str, float, float | None, str]] = [
        ("CSV export again, no article in pages", plain_s, None, "baseline"),
        (
            f"CSV export, every article in PDF pages ({count:,} pages)",
            paged_s,
            paged_s / plain_s,
            "",
        ),
    ]
    if not shell:
        return rows
    if csv_data_rows(theirs) != csv_data_rows(raw):
        raise SystemExit("the shell's CSV and the --raw export differ on the paged project")
    shell_s, shell_paged_s = min(times["shell"]), min(times["shell_paged"])
    return [
        *rows,
        ("sqlite3 shell, no pages", shell_s, None, "baseline"),
        ("sqlite3 shell, every article in PDF pages", shell_paged_s, shell_paged_s / shell_s, ""),
        ("CSV export with pages ÷ shell with pages", paged_s, paged_s / shell_paged_s, ""),
    ]


# --- the chain and the replay ---------------------------------------------------------------

WORDS = [
    "The",
    "ministry",
    "said",
    "on",
    "Sunday",
    "that",
    "thirty-eight",
    "people",
    "died",
    "in",
    "the",
    "attack,",
    "and",
    "that",
    "the",
    "toll",
    "may",
    "rise.",
]
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def build_log(path: Path, count: int) -> list[bytes]:
    """A project whose log holds ``count`` more events and whose rows agree with it: nine in
    ten tag a span (a new annotation), one in ten changes the verdict of the annotation
    tagged nine events before. Returns the hashed bytes (prev_hash + payload) of every event.
    """
    from desktop.core import operations
    from desktop.core.importers import ImportedArticle

    make_project(path, with_demo=False)
    text = " ".join(WORDS[i % len(WORDS)] for i in range(4000))
    with open_store(path) as project:
        operations.import_articles(
            project, [ImportedArticle(text, "Bench", "bench.txt", "txt")], reviewer=REVIEWER
        )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    (article_id,) = conn.execute("SELECT id FROM articles").fetchone()
    (ann_id,) = conn.execute("SELECT id FROM reviewers").fetchone()
    hashed = [
        prev.encode("ascii") + audit.event_bytes(
            seq=seq, event_id=eid, at=at, reviewer_id=rid, reviewer=name, action=action,
            entity_type=etype, entity_id=entity, before=before, after=after,
        )
        for seq, eid, at, rid, name, action, etype, entity, before, after, prev, _ in
        conn.execute("SELECT * FROM audit_events ORDER BY seq")
    ]  # fmt: skip
    seq, prev = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC").fetchone()
    bob_id = "00000000-0000-4000-8000-0000000000b0"
    events: list[tuple[object, ...]] = []
    rows: dict[str, dict[str, object]] = {}

    def event(at: str, rid: str, name: str, action: str, etype: str, entity: str,
              before: str | None, after: str) -> None:  # fmt: skip
        nonlocal seq, prev
        seq += 1
        eid = f"{seq:08x}-2222-4000-8000-{seq:012x}"
        payload = prev.encode("ascii") + audit.event_bytes(
            seq=seq, event_id=eid, at=at, reviewer_id=rid, reviewer=name, action=action,
            entity_type=etype, entity_id=entity, before=before, after=after,
        )  # fmt: skip
        digest = hashlib.sha256(payload).hexdigest()
        hashed.append(payload)
        events.append((seq, eid, at, rid, name, action, etype, entity, before, after, prev, digest))
        prev = digest

    def flush() -> None:
        conn.executemany(f"INSERT INTO audit_events VALUES ({', '.join('?' * 12)})", events)
        conn.executemany(
            'INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, '
            "verdict, note, sources, created_at, created_by, updated_at, updated_by, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    a["id"], article_id, a["start"], a["end"], a["quote"], a["prefix"],
                    a["suffix"], a["verdict"], a["note"], _CANONICAL(a["sources"]),
                    _stored(a["created_at"]), ann_id, _stored(a["updated_at"]),
                    bob_id if a["updated_by"] == "Bob" else ann_id, a["version"],
                )
                for a in rows.values()
            ],
        )  # fmt: skip
        events.clear()
        rows.clear()

    at = "2025-06-29T12:00:00.000000Z"
    conn.execute(
        "INSERT INTO reviewers (id, name, created_at) VALUES (?, 'Bob', ?)", (bob_id, _stored(at))
    )
    bob = {"email": None, "id": bob_id, "name": "Bob"}
    event(at, bob_id, "Bob", "reviewer.added", "reviewer", bob_id, None, _CANONICAL(bob))
    for i in range(count - 1):
        at = f"2025-06-29T12:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1_000_000:06d}Z"
        if i % 10 == 9:
            target = f"{i - 9:08x}-3333-4000-8000-{i - 9:012x}"
            before = _CANONICAL(rows[target])
            rows[target] |= {
                "verdict": "supported", "updated_at": at, "updated_by": "Bob",
                "version": rows[target]["version"] + 1,
            }  # fmt: skip
            after = _CANONICAL(rows[target])
            event(at, bob_id, "Bob", "annotation.changed", "annotation", target, before, after)
        else:
            entity = f"{i:08x}-3333-4000-8000-{i:012x}"
            start = (i * 7919) % (len(text) - 80)
            end = start + 5 + i % 40
            rows[entity] = {
                "id": entity, "article_id": article_id, "start": start, "end": end,
                "quote": text[start:end], "prefix": text[max(0, start - 32) : start],
                "suffix": text[end : end + 32], "verdict": ("disputed", "unverified")[i % 2],
                "note": f"Checked against the ministry statement ({i}).",
                "sources": [{"title": "Ministry", "url": f"https://example.org/s/{i}"}][: i % 2],
                "created_at": at, "created_by": REVIEWER, "updated_at": at,
                "updated_by": REVIEWER, "deleted_at": None, "deleted_by": None,
                "version": 1, "claim_id": None,
            }  # fmt: skip
            after = _CANONICAL(rows[entity])
            event(at, ann_id, REVIEWER, "annotation.created", "annotation", entity, None, after)
        if i % 10 == 9 and len(events) >= 50_000:
            flush()
    flush()
    conn.commit()
    conn.close()
    return hashed


def _stored(iso: str) -> str:
    """How SQLAlchemy keeps a time in SQLite."""
    return iso[:-1].replace("T", " ")


def bench_chain(folder: Path, count: int, runs: int) -> list[tuple[str, float, float | None, str]]:
    from desktop.core.verify import check_log_and_rows, verify_project

    path = folder / "chain.crosscheck"
    start = time.perf_counter()
    hashed = build_log(path, count)
    rows = count * 9 // 10
    print(f"built {count:,} events and {rows:,} annotations in "
          f"{time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
    sha256 = hashlib.sha256

    def hash_alone() -> None:
        for data in hashed:
            sha256(data).hexdigest()

    bare = best(runs, hash_alone)
    hashed.clear()  # about a gigabyte for a million events
    gc.collect()
    with open_store(path, read_only=True) as project:
        report = audit.verify_chain(project)
        if not report.ok or report.events < count:
            raise SystemExit(f"the benchmark chain does not verify: {report}")
        chain_s = best(runs, lambda: audit.verify_chain(project))
        full = verify_project(project)
        if not full.ok:
            raise SystemExit(f"the benchmark project does not verify: {full.problems[:3]}")
        both_s = best(runs, lambda: check_log_and_rows(project))
        full_s = best(runs, lambda: verify_project(project))
    return [
        ("hashlib alone, same canonical bytes", bare, None, "baseline"),
        (f"audit.verify_chain, {report.events:,} events", chain_s, chain_s / bare, ""),
        (
            f"chain + replay of {full.rows_checked():,} rows",
            both_s,
            both_s / bare,
            f"target <= {CHAIN_TARGET}x",
        ),
        ("crosscheck verify (also integrity_check, quotes)", full_s, full_s / bare, ""),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["csv", "chain"])
    args = parser.parse_args(argv)
    results: list[tuple[str, float, float | None, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "csv"):
            results += bench_csv(folder, args.annotations, args.runs)
        if args.only in (None, "chain"):
            results += bench_chain(folder, args.events, args.runs)
    width = max(len(r[0]) for r in results)
    print(f"\n{'what':<{width}}  {'seconds':>8}  {'ratio':>6}")
    for name, seconds, ratio, note in results:
        shown = f"{ratio:5.2f}x" if ratio is not None else ""
        print(f"{name:<{width}}  {seconds:8.3f}  {shown:>6}  {note}")
    missed = [
        name
        for name, _s, ratio, note in results
        if ratio is not None and note.startswith("target") and ratio > float(note.split()[-1][:-1])
    ]
    csv_ratio = next((r[2] for r in results if r[3] == f"target <= {CSV_TARGET}x"), None)
    chain_ratio = next((r[2] for r in results if r[3] == f"target <= {CHAIN_TARGET}x"), None)
    print()
    if csv_ratio is not None:
        print(f"CSV export / sqlite3 shell: {csv_ratio:.2f}x (target <= {CSV_TARGET}x)")
    if chain_ratio is not None:
        print(
            f"verify chain + rows / hashlib alone: {chain_ratio:.2f}x (target <= {CHAIN_TARGET}x)"
        )
    if missed:
        print("missed: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
