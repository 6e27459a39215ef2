"""Agreement per article and per pair of reviewers, as the CLI, the HTML report and the
window show it.

Counted: per article not removed, the live annotations (not deleted, not an adjudicator's
final verdict) of each reviewer who created one there, plus reviewers who marked the article
done without tagging anything. An annotation is its creator's. Untagged text is a value of
its own ("no verdict") for uα and κ; percent agreement counts only tokens at least one of the
two tagged.
An article with fewer than two reviewers gets no figures but the status NEEDS_TWO.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core import agreement, review_state
from desktop.core.disagreements import ArticleGroups, find_groups
from desktop.core.store import Store

NEEDS_TWO = "needs two reviewers"
# Verdicts as uα values, ranked so that the most serious wins where a reviewer's own
# annotations overlap (as the window paints them).
VALUE = {"supported": 1, "unverified": 2, "disputed": 3}


@dataclass(frozen=True)
class PairAgreement:
    reviewers: tuple[str, str]
    alpha_u: float | None
    kappa: float | None
    kappa_tagged: float | None
    percent: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewers": list(self.reviewers),
            "alpha_u": _round(self.alpha_u),
            "kappa": _round(self.kappa),
            "kappa_tagged": _round(self.kappa_tagged),
            "percent_agreement": _round(self.percent),
        }


@dataclass(frozen=True)
class ArticleAgreement:
    """One article's figures; None where a figure is undefined (see ``agreement``)."""

    article_id: str
    title: str
    reviewers: tuple[str, ...]
    annotations: int
    alpha_u: float | None = None
    kappa: float | None = None  # mean of the pairs' Cohen's κ (no verdict + three verdicts)
    kappa_tagged: float | None = None  # the same, tagged against untagged only
    percent: float | None = None  # mean of the pairs'
    disagreements: int = 0
    open_disagreements: int = 0
    pairs: tuple[PairAgreement, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        return "ok" if len(self.reviewers) >= 2 else NEEDS_TWO

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "status": self.status,
            "reviewers": list(self.reviewers),
            "annotations": self.annotations,
            "alpha_u": _round(self.alpha_u),
            "kappa": _round(self.kappa),
            "kappa_tagged": _round(self.kappa_tagged),
            "percent_agreement": _round(self.percent),
            "disagreements": self.disagreements,
            "open_disagreements": self.open_disagreements,
            "pairs": [p.to_json() for p in self.pairs],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def article_agreements(
    project: Store, article_ids: Sequence[str] | None = None
) -> list[ArticleAgreement]:
    """Figures for the given articles (default: all not removed), in reading order."""
    with project.read() as conn:
        articles = review_state.article_tags(conn, article_ids)
        settled = review_state.settled_annotation_ids(conn, article_ids)
        texts = review_state.article_texts(
            conn, [a.article_id for a in articles if len(a.reviewers) >= 2]
        )
    return [
        compute(a, texts.get(a.article_id, ""), find_groups(a.reviewers, a.tags, settled))
        for a in articles
    ]


def agreements_for(
    project: Store, viewer: str | None, article_ids: Sequence[str] | None = None
) -> tuple[list[ArticleAgreement], list[ArticleAgreement]]:
    """(shown, hidden): the figures ``viewer`` may see, and the articles whose figures blind
    review hides from them - figures tell how the others tagged, so they wait, as the others'
    annotations do, until the viewer marks the article done (adjudicators see them all)."""
    with project.read() as conn:
        state = review_state.blind_state(conn)
    report = article_agreements(project, article_ids)
    shown = [r for r in report if not state.hides_others(viewer, r.article_id)]
    hidden = [r for r in report if state.hides_others(viewer, r.article_id)]
    return shown, hidden


def compute(
    article: review_state.ArticleTags, text: str, groups: ArticleGroups
) -> ArticleAgreement:
    """The figures of one article from its counted annotations and its text."""
    base = ArticleAgreement(article.article_id, article.title, article.reviewers, len(article.tags))
    if base.status != "ok":
        return base
    spans: dict[str, list[agreement.Span]] = {r: [] for r in article.reviewers}
    for tag in article.tags:
        spans[tag.reviewer].append((tag.start, tag.end, VALUE[tag.verdict]))
    codings = {r: agreement.coding(article.length, s) for r, s in spans.items()}
    toks = agreement.tokens(text)
    token_values = {r: agreement.token_values(toks, c) for r, c in codings.items()}
    pairs = []
    for a, b in itertools.combinations(article.reviewers, 2):
        ta, tb = token_values[a], token_values[b]
        pairs.append(
            PairAgreement(
                (a, b),
                agreement.unitizing_alpha(article.length, [codings[a], codings[b]]),
                agreement.cohen_kappa(ta, tb),
                agreement.cohen_kappa(ta, tb, binary=True),
                agreement.percent_agreement(ta, tb),
            )
        )
    return ArticleAgreement(
        article.article_id,
        article.title,
        article.reviewers,
        len(article.tags),
        alpha_u=(
            pairs[0].alpha_u
            if len(pairs) == 1
            else agreement.unitizing_alpha(article.length, list(codings.values()))
        ),
        kappa=agreement.mean([p.kappa for p in pairs]),
        kappa_tagged=agreement.mean([p.kappa_tagged for p in pairs]),
        percent=agreement.mean([p.percent for p in pairs]),
        disagreements=len(groups.disagreements),
        open_disagreements=len(groups.open),
        pairs=tuple(pairs),
    )


def figure(value: float | None, *, percent: bool = False) -> str:
    """A figure as the report prints it; an undefined one is a dash."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if percent else f"{value:.3f}"
