"""Agreement speed: 1,000 articles × 3 reviewers × 100 annotations each.

    python tests/benchmarks/bench_agreement.py [--articles N] [--runs N] [--keep DIR]

Times ``agreement_report.article_agreements`` over the whole project (reading the annotations
and texts, uα, κ and percent agreement per article and per pair, and the disagreements) and,
as the baseline measured in the same run, reading the same annotation rows and texts with
bare ``sqlite3``. Target: at most 5 s for the whole computation. Each timing is the best of
``--runs``. Exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.core.agreement_report import article_agreements  # noqa: E402
from desktop.core.store import open_store  # noqa: E402
from tests.conftest import make_project  # noqa: E402

TARGET_SECONDS = 5.0
REVIEWERS = ("Ana Ruiz", "Ben Okafor", "Chen Li")
VERDICTS = ("supported", "disputed", "unverified")
PHRASE = (
    "the minister said on tuesday that forty two people had died in the flood while "
    "officials in the capital disputed the figure and called for an independent inquiry "
    "into how the warnings were issued"
)
WORDS = PHRASE.split()


def best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def build(path: Path, articles: int, per_reviewer: int, seed: int = 7) -> None:
    """Articles of about 8,000 characters; each reviewer tags ``per_reviewer`` spans, most
    close to the others' (boundaries a few characters apart, a verdict sometimes differs),
    a few overlapping their own."""
    rng = random.Random(seed)
    make_project(path, with_demo=False)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    reviewer_ids = []
    for i, name in enumerate(REVIEWERS):
        rid = f"00000000-0000-4000-8000-{i:012x}"
        conn.execute(
            "INSERT INTO reviewers (id, name, created_at) VALUES (?, ?, ?)",
            (rid, name, "2025-06-29 10:00:00.000000"),
        )
        reviewer_ids.append(rid)
    stamp = "2025-06-29 10:00:00.000000"
    annotations = []
    n = 0
    for a in range(articles):
        text = " ".join(rng.choice(WORDS) for _ in range(1_400))
        article_id = f"{a:08x}-2222-4000-8000-{a:012x}"
        conn.execute(
            "INSERT INTO articles (id, title, outlet, url, published, imported_at, imported_by, "
            "original_name, source_format, text, text_length, text_sha256) "
            "VALUES (?, ?, '', NULL, NULL, ?, ?, ?, 'txt', ?, ?, ?)",
            (
                article_id, f"Article {a}", stamp, reviewer_ids[0], f"a{a:05d}.txt", text,
                len(text), hashlib.sha256(text.encode()).hexdigest(),
            ),
        )  # fmt: skip
        slot = len(text) // per_reviewer
        claims = [(k * slot + rng.randrange(0, slot // 3), rng.choice(VERDICTS))
                  for k in range(per_reviewer)]  # fmt: skip
        for rid in reviewer_ids:
            for k, (start, verdict) in enumerate(claims):
                s = max(0, start + rng.randrange(-4, 5))
                e = min(len(text), s + slot // 2 + rng.randrange(-6, 7))
                if k % 10 == 9:  # now and then a span inside the previous one
                    s, e = max(0, s - slot // 2), s - slot // 4
                v = verdict if rng.random() < 0.85 else rng.choice(VERDICTS)
                annotations.append(
                    (
                        f"{n:08x}-1111-4000-8000-{n:012x}", article_id, s, e, text[s:e],
                        text[max(0, s - 32) : s], text[e : e + 32], v, "", "[]", stamp, rid,
                        stamp, rid,
                    )
                )  # fmt: skip
                n += 1
    conn.executemany(
        'INSERT INTO annotations (id, article_id, start, "end", quote, prefix, suffix, verdict, '
        "note, sources, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        annotations,
    )
    conn.commit()
    conn.close()


def read_baseline(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            'SELECT n.article_id, n.id, c.name, n.start, n."end", n.verdict, n.note '
            "FROM annotations n JOIN reviewers c ON c.id = n.created_by "
            "WHERE n.deleted_at IS NULL AND n.final = 0"
        ).fetchall()
        texts = conn.execute("SELECT id, text FROM articles").fetchall()
        return len(rows) + len(texts)
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--per-reviewer", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the project in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-agreement-"))
    path = folder / "agreement.crosscheck"
    if not path.exists():
        t0 = time.perf_counter()
        build(path, args.articles, args.per_reviewer)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s")
    with open_store(path, read_only=True) as project:
        results: list[object] = []
        seconds = best(args.runs, lambda: results.append(article_agreements(project)))
    baseline = best(args.runs, lambda: read_baseline(path))
    report = results[-1]
    assert isinstance(report, list)
    total = sum(r.annotations for r in report)
    print(f"{len(report)} articles, {total} annotations, {len(REVIEWERS)} reviewers")
    print(f"agreement of every article: {seconds:.2f} s (target <= {TARGET_SECONDS:.0f} s)")
    print(f"baseline, reading the same rows and texts with sqlite3: {baseline:.2f} s "
          f"(ratio {seconds / baseline:.1f}x)")  # fmt: skip
    alphas = [r.alpha_u for r in report if r.alpha_u is not None]
    print(f"mean uα {sum(alphas) / len(alphas):.3f}")
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
