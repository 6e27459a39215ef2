"""Speed of the project-file core, measured against plain SQLite in the same run.

1. One ``operations.annotate`` call (annotation + audit event, committed) against a raw
   ``sqlite3`` insert of two comparable rows + commit, on the same kind of file, with the same
   pragmas, in the same folder. Target: the ratio of the medians is at most 2.
2. Listing the articles with their verdict counts (``reads.article_summaries`` in a fresh
   read session) for a project of 1,000 articles and 100,000 annotations. Target: 1 s.

Run: ``.venv/bin/python tests/benchmarks/bench_core.py [--dir FOLDER]``; exits 1 if a target is
missed. ``--dir`` puts the files on the drive to measure (default: the system's temp folder).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.core import demo, operations  # noqa: E402
from desktop.core.model import Verdict  # noqa: E402
from desktop.core.store import (  # noqa: E402
    create_store,
    open_store,
    reads,
)

REVIEWER = "Benchmark Reviewer"
ANNOTATE_CALLS = 300
WARMUP = 20
LIST_ARTICLES = 1_000
LIST_ANNOTATIONS = 100_000
LIST_RUNS = 5
ANNOTATE_TARGET = 2.0
LIST_TARGET_S = 1.0

ANNOTATION_COLUMNS = (
    'id, article_id, start, "end", quote, prefix, suffix, verdict, note, sources, created_at, '
    "created_by, updated_at, updated_by, deleted_at, deleted_by"
)
EVENT_COLUMNS = (
    "seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, before, after, "
    "prev_hash, hash"
)


def db_time(moment: datetime) -> str:
    """A UTC time as SQLAlchemy stores it in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def make_demo(path: Path) -> Path:
    with create_store(path) as project:
        operations.record_project_created(project, name="bench", reviewer=REVIEWER)
        demo.add_demo_articles(project, reviewer=REVIEWER)
    return path


# --- 1. one annotate against two raw inserts -------------------------------------------------


def bench_annotate(folder: Path) -> tuple[float, float]:
    """Median seconds of one annotate call and of one raw two-row insert + commit.

    The two are measured alternately, so both see the same disk and the same load.
    """
    project_path = make_demo(folder / "annotate.crosscheck")
    raw_path = make_demo(folder / "raw.crosscheck")
    project = open_store(project_path)
    with project.read() as session:
        articles = [(s.id, s.text_length) for s in reads.article_summaries(session)]
    rng = random.Random(1)
    spans = []
    for i in range(ANNOTATE_CALLS + WARMUP):
        article_id, length = articles[i % len(articles)]
        start = rng.randrange(0, length - 200)
        spans.append((article_id, start, start + rng.randrange(20, 120)))
    verdicts = list(Verdict)

    def annotate(i: int) -> None:
        article_id, start, end = spans[i]
        operations.annotate(
            project,
            article_id,
            start,
            end,
            verdicts[i % 3],
            reviewer=REVIEWER,
            note="Checked against the ministry's statement.",
            sources=["https://example.org/evidence"],
        )

    # The raw side writes rows shaped and sized like the ones annotate wrote, into the same
    # tables of a copy of the same project, with the pragmas the program uses.
    raw = sqlite3.connect(raw_path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = DELETE")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("PRAGMA busy_timeout = 5000")
    for i in range(WARMUP):
        annotate(i)
    sample_annotation, sample_event = _sample_rows(project_path)
    seq = raw.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    reviewer_id = raw.execute("SELECT id FROM reviewers").fetchone()[0]
    raw_article = raw.execute("SELECT id FROM articles").fetchone()[0]
    annotation_sql = (
        f"INSERT INTO annotations ({ANNOTATION_COLUMNS}) VALUES ({', '.join('?' * 16)})"
    )
    event_sql = f"INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 12)})"

    def insert_raw(i: int) -> None:
        nonlocal seq
        seq += 1
        annotation_id = str(uuid.uuid4())
        row = dict(sample_annotation)
        row.update(
            id=annotation_id,
            article_id=raw_article,
            start=i,
            end=i + 40,
            created_by=reviewer_id,
            updated_by=reviewer_id,
        )
        event = dict(sample_event)
        event.update(
            seq=seq,
            id=str(uuid.uuid4()),
            reviewer_id=reviewer_id,
            entity_id=annotation_id,
            hash=hashlib.sha256(annotation_id.encode()).hexdigest(),
        )
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(annotation_sql, list(row.values()))
        raw.execute(event_sql, list(event.values()))
        raw.execute("COMMIT")

    for i in range(WARMUP):
        insert_raw(i)
    ours: list[float] = []
    theirs: list[float] = []
    for i in range(WARMUP, WARMUP + ANNOTATE_CALLS):
        ours.append(_timed(annotate, i))
        theirs.append(_timed(insert_raw, i))
    raw.close()
    project.close()
    return statistics.median(ours), statistics.median(theirs)


def _sample_rows(path: Path) -> tuple[dict[str, object], dict[str, object]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        annotation = conn.execute(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
        event = conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return dict(annotation), dict(event)
    finally:
        conn.close()


def _timed(func: Callable[[int], None], i: int) -> float:
    started = time.perf_counter()
    func(i)
    return time.perf_counter() - started


# --- 2. listing a large project --------------------------------------------------------------


def build_large_project(path: Path) -> None:
    """1,000 articles of 5-20 KB made from the seed texts, and 100,000 annotations on them
    (all three verdicts, some deleted), inserted in bulk."""
    with create_store(path) as project:
        operations.record_project_created(project, name="large", reviewer=REVIEWER)
    rng = random.Random(7)
    seeds_dir = ROOT / "seeds"
    manifest = json.loads((seeds_dir / "manifest.json").read_text(encoding="utf-8"))
    paragraphs = [
        p
        for entry in manifest["articles"]
        for p in (seeds_dir / entry["file"]).read_text(encoding="utf-8").split("\n")
        if p.strip()
    ]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN IMMEDIATE")
    reviewer_id = conn.execute("SELECT id FROM reviewers").fetchone()[0]
    base = datetime(2025, 7, 1, tzinfo=UTC)
    articles = []
    texts = []
    for n in range(LIST_ARTICLES):
        target = rng.randrange(5_000, 20_000)
        parts: list[str] = []
        size = 0
        while size < target:
            paragraph = rng.choice(paragraphs)
            parts.append(paragraph)
            size += len(paragraph) + 1
        text = "\n".join(parts)
        texts.append(text)
        article_id = str(uuid.uuid4())
        articles.append(article_id)
        conn.execute(
            "INSERT INTO articles (id, title, outlet, url, published, imported_at, imported_by, "
            "original_name, source_format, text, text_length, text_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                f"Version {n} of the story: {parts[0][:80]}",
                rng.choice(["Kyiv Independent", "ILKHA", "Wire", ""]),
                f"https://example.org/story/{n}",
                "2025-06-29" if n % 3 else None,
                db_time(base + timedelta(seconds=n)),
                reviewer_id,
                f"story-{n:04d}.txt",
                "txt",
                text,
                len(text),
                hashlib.sha256(text.encode("utf-8")).hexdigest(),
            ),
        )
    verdicts = [v.value for v in Verdict]
    rows = []
    for i in range(LIST_ANNOTATIONS):
        which = rng.randrange(LIST_ARTICLES)
        text = texts[which]
        start = rng.randrange(0, len(text) - 150)
        end = start + rng.randrange(10, 150)
        when = db_time(base + timedelta(days=1, seconds=i))
        deleted = rng.random() < 0.05
        rows.append(
            (
                str(uuid.uuid4()),
                articles[which],
                start,
                end,
                text[start:end],
                text[max(0, start - 32) : start],
                text[end : end + 32],
                rng.choice(verdicts),
                "Checked." if i % 4 == 0 else "",
                json.dumps([{"url": "https://example.org/e", "title": ""}] if i % 2 else []),
                when,
                reviewer_id,
                when,
                reviewer_id,
                when if deleted else None,
                reviewer_id if deleted else None,
            )
        )
    conn.executemany(
        f"INSERT INTO annotations ({ANNOTATION_COLUMNS}) VALUES ({', '.join('?' * 16)})", rows
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def bench_listing(folder: Path) -> tuple[float, float, int]:
    """Seconds for the first listing and the median of later ones, each in a fresh session."""
    path = folder / "large.crosscheck"
    build_large_project(path)
    times = []
    listed = 0
    for _ in range(LIST_RUNS):
        with open_store(path, read_only=True) as project:
            started = time.perf_counter()
            with project.read() as session:
                summaries = reads.article_summaries(session)
            times.append(time.perf_counter() - started)
        listed = len(summaries)
        assert sum(s.total for s in summaries) > 0.9 * LIST_ANNOTATIONS
    return times[0], statistics.median(times), listed


# --- report ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="folder for the benchmark's files")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-bench-", dir=args.dir))
    try:
        ours, theirs = bench_annotate(folder)
        first, median, listed = bench_listing(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ratio = ours / theirs
    rows = [
        ("annotate (annotation + event, committed)", f"{ours * 1e3:.3f} ms", "", ""),
        ("raw sqlite3: two inserts + commit", f"{theirs * 1e3:.3f} ms", "", ""),
        ("annotate / raw", f"{ratio:.2f}x", f"<= {ANNOTATE_TARGET:g}x", _verdict(ratio <= 2)),
        (
            f"list {listed:,} articles, {LIST_ANNOTATIONS:,} annotations (first)",
            f"{first:.3f} s",
            f"<= {LIST_TARGET_S:g} s",
            _verdict(first <= LIST_TARGET_S),
        ),
        (
            f"  same, median of {LIST_RUNS} fresh sessions",
            f"{median:.3f} s",
            f"<= {LIST_TARGET_S:g} s",
            _verdict(median <= LIST_TARGET_S),
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"Medians over {ANNOTATE_CALLS} calls; files in {args.dir or tempfile.gettempdir()}")
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    ok = ratio <= ANNOTATE_TARGET and first <= LIST_TARGET_S and median <= LIST_TARGET_S
    return 0 if ok else 1


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
