"""Annotations as schema.org ``ClaimReview`` JSON-LD, one per annotation.

A document ``{"@context": "https://schema.org", "@graph": [ClaimReview, ...]}``. Each review:
``claimReviewed`` the quote; ``itemReviewed`` a ``Claim`` whose ``appearance`` is the article
(a ``NewsArticle`` with its headline, URL, publisher and date where known); ``author`` the
reviewer who last changed the verdict (a ``Person``); ``datePublished`` when it was last changed
(ISO 8601 UTC); ``reviewBody`` the note; ``citation`` the evidence links; ``reviewRating`` a
``Rating`` on this scale:

    ratingValue  alternateName  verdict
    1            Disputed       disputed
    2            Unverified     unverified
    3            Supported      supported

with ``worstRating`` 1 and ``bestRating`` 3.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from desktop.core.exports.common import DEFAULT_OPTIONS, ExportOptions, Progress, Ticker, load_rows
from desktop.core.model import Verdict, iso_utc
from desktop.core.records import AnnotationRow, ArticleSummary
from desktop.core.store import Store, reads

RATING: dict[Verdict, tuple[int, str]] = {
    Verdict.DISPUTED: (1, "Disputed"),
    Verdict.UNVERIFIED: (2, "Unverified"),
    Verdict.SUPPORTED: (3, "Supported"),
}
WORST, BEST = 1, 3


def review_json(row: AnnotationRow, article: ArticleSummary | None) -> dict[str, Any]:
    value, label = RATING[row.verdict]
    appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": row.article_title}
    if row.url:
        appearance["url"] = row.url
    else:
        appearance["identifier"] = f"urn:uuid:{row.article_id}"
    if row.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": row.outlet}
    if article is not None and article.published:
        appearance["datePublished"] = article.published.isoformat()
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "@id": f"urn:uuid:{row.id}",
        "claimReviewed": row.quote,
        "itemReviewed": {"@type": "Claim", "appearance": appearance},
        "author": {"@type": "Person", "name": row.reviewer},
        "dateCreated": iso_utc(row.created_at),
        "datePublished": iso_utc(row.updated_at),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST,
            "worstRating": WORST,
            "alternateName": label,
        },
    }
    if row.note:
        review["reviewBody"] = row.note
    if row.sources:
        review["citation"] = [
            {"@type": "CreativeWork", "url": s.url, **({"name": s.title} if s.title else {})}
            for s in row.sources
        ]
    return review


def write_claimreview(
    project: Store,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> int:
    rows = load_rows(project, options.filter)
    with project.read() as db:
        articles = {a.id: a for a in reads.article_summaries(db, include_removed=True)}
    ticker = Ticker(progress, len(rows))
    ticker.report()
    out.write(b'{\n  "@context": "https://schema.org",\n  "@graph": [')
    for index, row in enumerate(rows):
        item = json.dumps(
            review_json(row, articles.get(row.article_id)), ensure_ascii=False, indent=2
        )
        out.write(
            (("," if index else "") + "\n    " + item.replace("\n", "\n    ")).encode("utf-8")
        )
        if (index + 1) % 1000 == 0:
            ticker.add(1000)
    out.write(b"\n  ]\n}\n" if rows else b"]\n}\n")
    ticker.done = len(rows)
    ticker.report()
    return len(rows)
