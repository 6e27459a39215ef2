"""Counterpart quality on hand-labelled claims: precision, recall and F1.

A labelled set names articles (files), and claims: a quote in a source article and, for
every other article, the passage making the same claim or null. A found counterpart is
correct when it overlaps the labelled passage by at least half of each; a counterpart found
where the label is null, or a wrong one, counts against precision; a missed one against
recall. Conflicting facts the label lists (``differences``) must be among those reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "compare"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Score:
    found_right: int = 0
    found: int = 0
    expected: int = 0
    facts_expected: int = 0
    facts_reported: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.found_right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.found_right / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name}: precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"F1 {self.f1:.3f} ({self.found_right} right of {self.found} found, "
            f"{self.expected} labelled); conflicting facts reported "
            f"{self.facts_reported}/{self.facts_expected}"
        )


def _locate(text: str, quote: str, where: str) -> tuple[int, int]:
    at = text.find(quote)
    if at < 0:
        raise AssertionError(f"labelled quote not found in {where}: {quote!r}")
    return at, at + len(quote)


def load_set(name: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    spec = json.loads((DATA / name).read_text(encoding="utf-8"))
    folder = ROOT / spec.get("folder", "seeds") if "folder" in spec else ROOT / "seeds"
    if spec.get("folder"):
        folder = DATA / spec["folder"]
    texts = {
        key: (folder / file).read_text(encoding="utf-8") for key, file in spec["articles"].items()
    }
    return texts, spec["claims"]


def evaluate(name: str) -> Score:
    from desktop.core.compare.counterparts import ABSENT, Query, counterpart
    from desktop.core.compare.index import ArticleIndex

    texts, claims = load_set(name)
    index = {key: ArticleIndex.build(key, text) for key, text in texts.items()}
    score = Score()
    for claim in claims:
        source = index[claim["source"]]
        start, end = _locate(source.text, claim["quote"], claim["source"])
        query = Query.of(source, start, end)
        for target_key, gold_quote in claim["counterparts"].items():
            target = index[target_key]
            got = counterpart(query, target)
            gold = None if gold_quote is None else _locate(target.text, gold_quote, target_key)
            label = f"{claim['source']}→{target_key} {claim['quote'][:40]!r}"
            if gold is not None:
                score.expected += 1
            if got.status != ABSENT:
                score.found += 1
            if gold is None and got.status == ABSENT:
                continue
            if gold is None:
                score.mistakes.append(f"{label}: found {got.quote!r} ({got.score:.2f})")
                continue
            if got.status == ABSENT:
                score.mistakes.append(f"{label}: missed ({got.score:.2f})")
                continue
            assert got.start is not None and got.end is not None
            overlap = min(got.end, gold[1]) - max(got.start, gold[0])
            if overlap >= 0.5 * (gold[1] - gold[0]) and overlap >= 0.5 * (got.end - got.start):
                score.found_right += 1
                wanted = claim.get("differences", {}).get(target_key, [])
                kinds = {d.kind for d in got.differences}
                score.facts_expected += len(wanted)
                score.facts_reported += sum(1 for k in wanted if k in kinds)
                for k in wanted:
                    if k not in kinds:
                        score.mistakes.append(f"{label}: {k} difference not reported")
            else:
                score.mistakes.append(f"{label}: wrong span {got.quote!r} ({got.score:.2f})")
    return score
