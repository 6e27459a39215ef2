"""Counterpart quality on the hand-labelled claims: precision, recall and F1 per set, the
conflicting facts reported, and every mistake.

Run: ``.venv/bin/python tests/benchmarks/eval_compare.py``; exits 1 if F1 is under 0.9 on a
set or a labelled conflicting fact is not reported. The same figures are checked by
``tests/core/test_compare.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.core.compare_eval import evaluate  # noqa: E402

SETS = {
    "seed_claims.json": "demo story (5 versions, 17 claims)",
    "flood_claims.json": "planted changes (3 versions, 14 claims)",
}


def main() -> int:
    ok = True
    for name, label in SETS.items():
        score = evaluate(name)
        print(score.line(label))
        for mistake in score.mistakes:
            print(f"    {mistake}")
        ok &= score.f1 >= 0.9 and score.facts_reported == score.facts_expected
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
