"""Speed and memory of comparing versions.

A cluster of 200 versions of one story, about 800 words each, made from the demo story: each
version reorders paragraphs, drops and rewords sentences, changes figures and appends items
of its own (fixed seed, so every run measures the same texts).

1. Aligning all 200 versions from a cold cache (sentences, vectors, every pair; the model
   load included). Target: at most 20 s on the 2-core development machine.
2. Adding one more version aligns only its 200 pairs; its time against the time per pair of
   the cold run.
3. Counterparts of one span in all 200 other versions, after alignment. Target: 100 ms.
4. Reopening: the same 200 versions in a new Comparison over the same cache.
5. Memory: resident size before and after the model is first used. Target: at most 150 MB
   more, and nothing loaded before first use.

Run: ``.venv/bin/python tests/benchmarks/bench_compare.py [--versions N]``; exits 1 if a
target is missed.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SWAPS = {
    "said": "stated",
    "announced": "declared",
    "cancelled": "called off",
    "killed": "left dead",
    "government": "authorities",
    "relations": "ties",
    "Russian": "Moscow's",
    "visit": "trip",
    "raid": "operation",
    "citizens": "nationals",
    "reported": "said",
    "deaths": "killings",
    "planned": "scheduled",
    "officials": "representatives",
    "several": "a number of",
}
FILLER = [
    "Local markets reopened after a holiday weekend",
    "The weather service expects a dry week",
    "A new bridge across the harbour is due to open in the spring",
    "The city library extended its opening hours",
    "A football club announced a new coach on Friday",
    "Prices of fresh vegetables rose slightly in the capital",
    "A museum opened an exhibition of early photography",
    "Train services were delayed by maintenance work on the northern line.",
]


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def base_paragraphs() -> list[list[str]]:
    from desktop.core.compare.sentences import split_sentences

    paragraphs: list[list[str]] = []
    for path in sorted((ROOT / "seeds").glob("0*.txt")):
        text = path.read_text(encoding="utf-8")
        current: list[str] = []
        line = -1
        for s in split_sentences(text):
            if s.line != line and current:
                paragraphs.append(current)
                current = []
            line = s.line
            current.append(text[s.start : s.end])
        if current:
            paragraphs.append(current)
    return paragraphs


def make_version(rng: random.Random, paragraphs: list[list[str]], words: int) -> str:
    pool = paragraphs[:]
    rng.shuffle(pool)
    out: list[str] = []
    count = 0
    for paragraph in pool:
        kept = []
        for sentence in paragraph:
            if rng.random() < 0.1:
                continue
            if rng.random() < 0.3:
                for a, b in SWAPS.items():
                    if rng.random() < 0.5:
                        sentence = sentence.replace(a, b)
            if rng.random() < 0.2:
                sentence = re.sub(
                    r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), sentence
                )
            kept.append(sentence)
            count += len(sentence.split())
        if kept:
            out.append(" ".join(kept))
        if count >= words - 40:
            break
    extra = rng.sample(FILLER, 2)
    out.append(". ".join(extra) + ".")
    return "\n\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--words", type=int, default=800)
    args = parser.parse_args()

    start_rss = rss_mb()
    import desktop.core  # noqa: F401
    from desktop.core.compare import model
    from desktop.core.compare.cache import Cache
    from desktop.core.compare.comparison import Comparison, Version

    rng = random.Random(20261129)
    paragraphs = base_paragraphs()
    texts = [make_version(rng, paragraphs, args.words) for _ in range(args.versions + 1)]
    mean_words = statistics.mean(len(t.split()) for t in texts)
    versions = [Version(f"v{i:03d}", f"Version {i}", t) for i, t in enumerate(texts)]
    assert not model.loaded() and "wordllama" not in sys.modules
    before_model = rss_mb()
    t0 = time.perf_counter()
    model.model()
    load = time.perf_counter() - t0
    model_mb = rss_mb() - before_model
    failures: list[str] = []

    with tempfile.TemporaryDirectory() as folder:
        cache = Cache(Path(folder))
        comparison = Comparison(versions[:-1], cache)
        t0 = time.perf_counter()
        comparison.align()
        cold = time.perf_counter() - t0 + load
        pairs = comparison.stats.pairs_aligned
        print(
            f"versions: {args.versions} of {mean_words:.0f} words on average, "
            f"{sum(len(comparison.index(v.article_id).sentences) for v in versions[:-1])} "
            f"sentences"
        )
        print(
            f"1. cold alignment: {cold:.2f} s, the model's {load:.2f} s load included "
            f"({pairs} pairs, "
            f"{1000 * cold / max(pairs, 1):.2f} ms per pair; target 20 s)"
        )
        if cold > 20:
            failures.append("cold alignment")

        comparison.add(versions[-1])
        t0 = time.perf_counter()
        comparison.align()
        added = time.perf_counter() - t0
        new_pairs = comparison.stats.pairs_aligned - pairs
        print(
            f"2. one more version: {added:.2f} s for its {new_pairs} pairs "
            f"({added / cold:.3f} of the cold run)"
        )
        if new_pairs != args.versions:
            failures.append("adding a version aligned other pairs")

        source = comparison.index("v000")
        spans = [(s.start, s.end) for s in source.sentences[:20]]
        comparison.counterparts("v000", *spans[0])  # first query pays for lazy tables
        timings = []
        for s, e in spans:
            t0 = time.perf_counter()
            found = comparison.counterparts("v000", s, e)
            timings.append(time.perf_counter() - t0)
        median = statistics.median(timings) * 1000
        print(
            f"3. counterparts of one span in {len(found)} versions: median {median:.0f} ms, "
            f"slowest {max(timings) * 1000:.0f} ms (target 100 ms)"
        )
        if median > 100:
            failures.append("counterparts query")

        t0 = time.perf_counter()
        reopened = Comparison(versions, Cache(Path(folder)))
        reopened.align()
        warm = time.perf_counter() - t0
        print(
            f"4. reopening from the cache: {warm:.2f} s "
            f"({reopened.stats.pairs_aligned} pairs recomputed; {warm / cold:.2f} of cold)"
        )
        if reopened.stats.pairs_aligned:
            failures.append("reopening recomputed pairs")

    print(
        f"5. memory: {start_rss:.0f} MB at start, model adds {model_mb:.0f} MB "
        f"(target 150 MB), {rss_mb():.0f} MB at the end"
    )
    if model_mb > 150:
        failures.append("model memory")
    if failures:
        print("MISSED: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
