"""Speed and safety of projects on a PostgreSQL server, measured in one run.

1. One ``operations.annotate`` call on a server project against a raw psycopg insert of the
   same two rows (an annotation and its audit event) + commit, over the same socket to the
   same server. Target: the ratio of the medians is at most 2.
2. Four writer processes x 500 operations on one server project: 0 operations lost, and the
   audit chain verifies.
3. Live refresh: from a commit to the moment a watcher (LISTEN) on another connection hears
   it. Target: at most 1 s.
4. ``copy`` (file to server, server to file) and ``merge`` (10,000 annotations made on a copy,
   with edits at the desk meanwhile) of a 10,000-annotation project: figures only. Merge
   verifies the copy before bringing anything in; that is part of its time.

Run: ``.venv/bin/python tests/benchmarks/bench_postgres.py [--url URL] [--dir FOLDER]``.
Without ``--url`` a throwaway server is started from the machine's PostgreSQL binaries, with
the server's own durability settings (fsync on; ``--no-fsync`` turns it off, so that commits
cost no disk time and the program's own overhead shows most). ``--url`` names a database the
benchmark may
create databases beside (a role with CREATEDB). Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.core import demo, operations  # noqa: E402
from desktop.core.model import Verdict  # noqa: E402
from desktop.core.store import create_store, open_store, reads  # noqa: E402

REVIEWER = "Benchmark Reviewer"
ANNOTATE_CALLS = 300
WARMUP = 20
WRITERS = 4
WRITER_OPS = 500
LATENCY_SAMPLES = 60
LARGE = 10_000
DESK_EDITS = 200
ANNOTATE_TARGET = 2.0
LATENCY_TARGET_S = 1.0

ANNOTATION_COLUMNS = (
    'id, article_id, start, "end", quote, prefix, suffix, verdict, note, sources, created_at, '
    "created_by, updated_at, updated_by, deleted_at, deleted_by, version, final, claim_id"
)
EVENT_COLUMNS = (
    'seq, id, at, reviewer_id, reviewer, action, entity_type, entity_id, "before", "after", '
    "prev_hash, hash"
)


# --- a server --------------------------------------------------------------------------------


class Databases:
    """Makes databases on one server (a throwaway one, or the one given)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.made: list[str] = []

    def new(self) -> str:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        name = "bench_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        self.made.append(name)
        info = conninfo_to_dict(self.admin_url)
        info["dbname"] = name
        return "postgresql://?" + "&".join(f"{k}={v}" for k, v in info.items())

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def server(url: str | None, *, durable: bool = True) -> Iterator[Databases]:
    if url:
        databases = Databases(url)
        try:
            yield databases
        finally:
            databases.drop_all()
        return
    os.environ.pop("CROSSCHECK_TEST_POSTGRES", None)
    os.environ["CROSSCHECK_REQUIRE_POSTGRES"] = "1"  # say why, rather than skip
    from tests.pg import start_server

    with start_server(durable=durable) as started:
        yield Databases(started.url("postgres"))


def demo_project(url: str) -> str:
    with create_store(url) as project:
        operations.record_project_created(project, name="bench", reviewer=REVIEWER)
        demo.add_demo_articles(project, reviewer=REVIEWER)
    return url


def _timed(func: Callable[[int], Any], i: int) -> float:
    started = time.perf_counter()
    func(i)
    return time.perf_counter() - started


# --- 1. annotate against two raw inserts -------------------------------------------------------


def bench_annotate(databases: Databases) -> tuple[float, float]:
    """Median seconds of one annotate call and of the same two rows inserted raw + commit,
    measured alternately, each in its own database on the same server."""
    import psycopg
    from psycopg.types.json import Json

    ours_url, raw_url = demo_project(databases.new()), demo_project(databases.new())
    project = open_store(ours_url)
    with project.read() as conn:
        articles = [(s.id, s.text_length) for s in reads.article_summaries(conn)]
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
            project, article_id, start, end, verdicts[i % 3], reviewer=REVIEWER,
            note="Checked against the ministry's statement.",
            sources=["https://example.org/evidence"],
        )  # fmt: skip

    for i in range(WARMUP):
        annotate(i)
    raw = psycopg.connect(raw_url)
    with psycopg.connect(ours_url) as sample:
        annotation = sample.execute(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
        event = sample.execute(
            f"SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert annotation is not None and event is not None
    seq = raw.execute("SELECT max(seq) FROM audit_events").fetchone()[0]  # type: ignore[index]
    reviewer_id = raw.execute("SELECT id FROM reviewers").fetchone()[0]  # type: ignore[index]
    raw_article = raw.execute("SELECT id FROM articles LIMIT 1").fetchone()[0]  # type: ignore[index]
    raw.commit()
    annotation_sql = (
        f"INSERT INTO annotations ({ANNOTATION_COLUMNS}) VALUES ({', '.join(['%s'] * 19)})"
    )
    event_sql = f"INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})"

    def insert_raw(i: int) -> None:
        nonlocal seq
        seq += 1
        annotation_id = str(uuid.uuid4())
        row = list(annotation)
        row[0:4] = [annotation_id, raw_article, i, i + 40]
        row[9] = Json(row[9])
        row[11] = row[13] = reviewer_id
        ev = list(event)
        ev[0:2] = [seq, str(uuid.uuid4())]
        ev[3] = reviewer_id
        ev[7] = annotation_id
        ev[11] = hashlib.sha256(annotation_id.encode()).hexdigest()
        raw.execute(annotation_sql, row)
        raw.execute(event_sql, ev)
        raw.commit()

    for i in range(WARMUP):
        insert_raw(i)
    ours, theirs = [], []
    for i in range(WARMUP, WARMUP + ANNOTATE_CALLS):
        ours.append(_timed(annotate, i))
        theirs.append(_timed(insert_raw, i))
    raw.close()
    project.close()
    return statistics.median(ours), statistics.median(theirs)


# --- 2. four writers ---------------------------------------------------------------------------


def _writer(url: str, n: int, article: str, length: int, start_at: float) -> int:
    """Tags WRITER_OPS spans; every fifth operation changes the note of its previous tag.
    Returns the operations done (each records exactly one event)."""
    while time.time() < start_at:  # all four begin together
        time.sleep(0.001)
    done = 0
    last = None
    with open_store(url) as project:
        for i in range(WRITER_OPS):
            if i % 5 == 4 and last is not None:
                operations.update_annotation(project, last, reviewer=f"Writer {n}",
                                             note=f"Writer {n}, step {i}")  # fmt: skip
            else:
                start = (n * WRITER_OPS + i) * 3 % (length - 10)
                changes = operations.annotate(project, article, start, start + 2 + n % 3,
                                              "unverified", reviewer=f"Writer {n}")  # fmt: skip
                created = [c for c in changes.changes if c.action == "annotation.created"]
                last = created[0].entity_id if created else last
            done += 1
    return done


def bench_writers(databases: Databases) -> tuple[int, int, bool, float]:
    """(operations done, operations lost, chain verifies, seconds)."""
    from desktop.core.verify import verify_project

    url = demo_project(databases.new())
    with open_store(url) as project, project.read() as conn:
        before = reads.count_events(conn)
        longest = max(reads.article_summaries(conn), key=lambda s: s.text_length)
    start_at = time.time() + 2
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with context.Pool(WRITERS) as pool:
        done = sum(
            pool.starmap(
                _writer,
                [(url, n, longest.id, longest.text_length, start_at) for n in range(WRITERS)],
            )
        )
    seconds = time.perf_counter() - started - max(0.0, start_at - time.time())
    with open_store(url) as project:
        report = verify_project(project)
        with project.read() as conn:
            after = reads.count_events(conn)
    expected = done + WRITERS  # one event per operation, and each writer joins once
    return done, expected - (after - before), report.ok, seconds


# --- 3. commit to watcher ----------------------------------------------------------------------


def bench_latency(databases: Databases) -> list[float]:
    """Seconds from a commit (another connection's annotate returning) to a waiting watcher
    hearing it, LATENCY_SAMPLES times."""
    url = demo_project(databases.new())
    listening = open_store(url)
    writing = open_store(url)
    with writing.read() as conn:
        article = reads.article_summaries(conn)[0]
    watcher = listening.watcher()
    watcher.poll()  # connects and listens
    latencies: list[float] = []
    committed: list[float] = []

    def write(i: int) -> None:
        time.sleep(0.05)
        operations.annotate(writing, article.id, i * 3, i * 3 + 2, "disputed", reviewer="Sam")
        committed.append(time.perf_counter())

    for i in range(LATENCY_SAMPLES):
        thread = threading.Thread(target=write, args=(i,))
        thread.start()
        heard = watcher.wait(5.0)
        at = time.perf_counter()
        thread.join()
        assert heard, "the commit was not heard within 5 s"
        # The notification can arrive before annotate has returned: that is no delay at all.
        latencies.append(max(0.0, at - committed[-1]))
    watcher.close()
    listening.close()
    writing.close()
    return latencies


# --- 4. copy and merge of a large project ----------------------------------------------------


def _many_annotations(
    project: Any, count: int, reviewer: str, seed: int, seen: set[tuple[str, int, int]]
) -> list[str]:
    """``count`` new annotations on spans not in ``seen`` (tagging a tagged span would change
    that annotation instead)."""
    with project.read() as conn:
        articles = [(s.id, s.text_length) for s in reads.article_summaries(conn)]
    rng = random.Random(seed)
    made: list[str] = []
    while len(made) < count:
        article_id, length = rng.choice(articles)
        start = rng.randrange(0, length - 60)
        end = start + rng.randrange(5, 60)
        if (article_id, start, end) in seen:
            continue
        seen.add((article_id, start, end))
        changes = operations.annotate(project, article_id, start, end,
                                      rng.choice(list(Verdict)), reviewer=reviewer,
                                      note="Checked." if len(made) % 3 == 0 else "")  # fmt: skip
        made.extend(changes.annotation_ids)
    return made


def bench_copy_and_merge(databases: Databases, folder: Path) -> dict[str, float]:
    from desktop.core.transfer import copy_project

    figures: dict[str, float] = {}
    desk_file = folder / "desk.crosscheck"
    with create_store(desk_file) as project:
        operations.record_project_created(project, name="large", reviewer=REVIEWER)
        demo.add_demo_articles(project, reviewer=REVIEWER)
    with open_store(desk_file) as project:
        started = time.perf_counter()
        spans: set[tuple[str, int, int]] = set()
        desk_ids = _many_annotations(project, LARGE, REVIEWER, 1, spans)
        figures["build 10,000 annotations with annotate (file)"] = time.perf_counter() - started
    server_url = databases.new()
    with open_store(desk_file, read_only=True) as source:
        started = time.perf_counter()
        report = copy_project(source, server_url)
        figures["copy file -> server"] = time.perf_counter() - started
    figures["  events copied"] = report.events
    laptop = folder / "laptop.crosscheck"
    with open_store(server_url, read_only=True) as source:
        started = time.perf_counter()
        copy_project(source, laptop)
        figures["copy server -> file"] = time.perf_counter() - started
    # On the road: 10,000 new annotations and edits to existing ones. At the desk meanwhile:
    # edits to existing ones, half of them to the same annotations (conflicts: combined).
    with open_store(laptop) as road:
        _many_annotations(road, LARGE, "Olena", 2, spans)
        for annotation_id in desk_ids[DESK_EDITS // 2 : DESK_EDITS + DESK_EDITS // 2]:
            operations.update_annotation(road, annotation_id, reviewer="Olena", note="Road edit")
    with open_store(server_url) as desk:
        for annotation_id in desk_ids[:DESK_EDITS]:
            operations.update_annotation(desk, annotation_id, reviewer="Sam", note="Desk edit")
        with open_store(laptop, read_only=True) as road:
            started = time.perf_counter()
            result = operations.merge_copy(desk, road, reviewer="Desk Editor", default="combine")
            figures[
                f"merge {LARGE:,} new annotations and {DESK_EDITS} edits from the copy "
                "(file -> server, verify included)"
            ] = time.perf_counter() - started
            figures["  events brought in"] = len(result.plan.events)
            figures["  conflicts decided (combine)"] = len(result.chosen)
            started = time.perf_counter()
            again = operations.merge_copy(desk, road, reviewer="Desk Editor")
            figures["merge the same copy again (nothing to do)"] = time.perf_counter() - started
            assert not again.changes
        from desktop.core.verify import verify_project

        started = time.perf_counter()
        verified = verify_project(desk)
        figures["verify the merged server project"] = time.perf_counter() - started
        assert verified.ok, verified.problems
        with desk.read() as conn:
            figures["  annotations afterwards"] = reads.count_annotations(conn)
    return figures


# --- report ------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a server to use (a role that may create databases)")
    parser.add_argument("--dir", type=Path, help="folder for the benchmark's files")
    parser.add_argument("--skip-large", action="store_true", help="leave out copy and merge")
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="throwaway server with fsync off: commits cost no disk, so the program's own "
        "overhead shows most",
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-bench-pg-", dir=args.dir))
    try:
        with server(args.url, durable=not args.no_fsync) as databases:
            ours, theirs = bench_annotate(databases)
            done, lost, verifies, seconds = bench_writers(databases)
            latencies = bench_latency(databases)
            large = {} if args.skip_large else bench_copy_and_merge(databases, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ratio = ours / theirs
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    rows = [
        ("annotate on the server (annotation + event, committed)", f"{ours * 1e3:.3f} ms", "", ""),
        ("raw psycopg: the same two rows + commit", f"{theirs * 1e3:.3f} ms", "", ""),
        ("annotate / raw", f"{ratio:.2f}x", f"<= {ANNOTATE_TARGET:g}x", _verdict(ratio <= 2)),
        (f"{WRITERS} writers x {WRITER_OPS} operations", f"{done} done in {seconds:.1f} s", "", ""),
        ("  operations lost", str(lost), "0", _verdict(lost == 0)),
        ("  audit chain", "verifies" if verifies else "BROKEN", "verifies", _verdict(verifies)),
        ("commit -> watcher, median", f"{statistics.median(latencies) * 1e3:.1f} ms", "", ""),
        (
            f"commit -> watcher, 95th percentile / max of {len(latencies)}",
            f"{p95 * 1e3:.1f} / {latencies[-1] * 1e3:.1f} ms",
            f"<= {LATENCY_TARGET_S:g} s",
            _verdict(latencies[-1] <= LATENCY_TARGET_S),
        ),
    ]
    for name, value in large.items():
        shown = f"{value:.2f} s" if isinstance(value, float) else f"{value:,}"
        rows.append((name, shown, "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    where = "given" if args.url else f"throwaway, fsync {'off' if args.no_fsync else 'on'}"
    print(f"Medians over {ANNOTATE_CALLS} calls; server: {where}")
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    ok = ratio <= ANNOTATE_TARGET and lost == 0 and verifies and latencies[-1] <= LATENCY_TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
