"""A printable, self-contained HTML report of the verdicts.

A summary with a bar chart (inline SVG), then each article's text with its annotated spans
highlighted and numbered, and the notes and sources as numbered footnotes. Everything is in
the one file: inline CSS, no scripts, no images, no fonts, and a Content-Security-Policy that
forbids loading anything, so opening it never touches the network; evidence links are plain
``<a href>`` links. Verdicts stay apart in greyscale print: each has its own underline
(solid, double, dotted), a symbol after the span (✓ ✗ ?) and a fill of different lightness.
Every string from the project is HTML-escaped.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from html import escape
from typing import BinaryIO

from desktop.core.exports.common import (
    DEFAULT_OPTIONS,
    AnnotationFilter,
    ExportOptions,
    Progress,
    Ticker,
    load_rows,
)
from desktop.core.model import Verdict, iso_utc, utc_now
from desktop.core.records import AnnotationRow, ArticleSummary
from desktop.core.store import Store, reads

SYMBOL = {Verdict.SUPPORTED: "✓", Verdict.DISPUTED: "✗", Verdict.UNVERIFIED: "?"}
LABEL = {
    Verdict.SUPPORTED: "Supported",
    Verdict.DISPUTED: "Disputed",
    Verdict.UNVERIFIED: "Unverified",
}
# Where annotations overlap the most serious verdict shows, as in the window.
SEVERITY = {Verdict.SUPPORTED: 1, Verdict.UNVERIFIED: 2, Verdict.DISPUTED: 3}
# Fills of clearly different lightness (relative luminance about 0.22, 0.10 and 0.58).
BAR_FILL = {
    Verdict.SUPPORTED: "#4d9221",
    Verdict.DISPUTED: "#b2182b",
    Verdict.UNVERIFIED: "#f6c141",
}

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.5 Georgia, "Times New Roman", serif; color: #111; margin: 2em auto;
  max-width: 46em; padding: 0 1em; }
h1, h2, h3 { font-family: "Helvetica Neue", Arial, sans-serif; line-height: 1.2; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
.meta, .filters { color: #444; font-size: .9em; margin-top: 0; }
table.counts { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
table.counts th, table.counts td { border: 1px solid #999; padding: .15em .5em; }
table.counts td.n { text-align: right; }
svg.chart text { font: 12px Arial, sans-serif; fill: #111; }
.legend span { margin-right: 1.2em; white-space: nowrap; }
.text { white-space: pre-wrap; border-left: 3px solid #ddd; padding-left: .8em; }
mark { color: inherit; padding: 0 .05em; }
mark.v-supported { background: #dcefd2; border-bottom: 2px solid #1b5e20; }
mark.v-disputed { background: #f6cfcb; border-bottom: 4px double #7f0000; }
mark.v-unverified { background: #fff1c4; border-bottom: 2px dotted #5d4500; }
mark.overlap { outline: 1px solid #444; }
mark.deleted { background: none; text-decoration: line-through; }
sup.ref { font: bold .75em Arial, sans-serif; }
sup.ref a { color: #111; text-decoration: none; }
ol.notes { font-size: .92em; }
ol.notes > li { margin-bottom: .5em; }
.badge { font: bold .85em Arial, sans-serif; padding: 0 .3em; }
.badge.v-supported { border-bottom: 2px solid #1b5e20; }
.badge.v-disputed { border-bottom: 4px double #7f0000; }
.badge.v-unverified { border-bottom: 2px dotted #5d4500; }
.note { white-space: pre-wrap; margin: .2em 0; }
.who { color: #444; font-size: .9em; }
ul.sources { margin: .2em 0; padding-left: 1.2em; }
.url { color: #444; word-break: break-all; font-size: .9em; }
a.back { text-decoration: none; }
article { margin-top: 2.5em; }
@media print {
  body { margin: 0; max-width: none; }
  article { break-before: page; }
  a { color: inherit; }
  a.back { display: none; }
  mark, .badge, svg.chart rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _is_web_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _link(url: str, text: str) -> str:
    if _is_web_link(url):
        return f'<a href="{_e(url)}">{_e(text)}</a>'
    return _e(text)


def chart_svg(counts: Counter[Verdict]) -> str:
    """A horizontal bar per verdict, labelled with its symbol, name and count."""
    width, label_w, bar_h, gap = 520, 130, 22, 8
    top = max(counts.values(), default=0) or 1
    rows = []
    for i, verdict in enumerate(Verdict):
        y = i * (bar_h + gap)
        n = counts.get(verdict, 0)
        w = round((width - label_w - 60) * n / top)
        rows.append(
            f'<text x="0" y="{y + 16}">{SYMBOL[verdict]} {LABEL[verdict]}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" '
            f'fill="{BAR_FILL[verdict]}" stroke="#111" stroke-width="1"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}">{n}</text>'
        )
    height = len(Verdict) * (bar_h + gap)
    summary = ", ".join(f"{LABEL[v]} {counts.get(v, 0)}" for v in Verdict)
    return (
        f'<svg class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Verdicts: {_e(summary)}">' + "".join(rows) + "</svg>"
    )


def legend_html() -> str:
    items = " ".join(
        f'<span><mark class="v-{v.value}">{LABEL[v].lower()} claim</mark>'
        f'<sup class="ref">{SYMBOL[v]}1</sup></span>'
        for v in Verdict
    )
    return f'<p class="legend">Legend: {items}</p>'


def highlighted_text(text: str, spans: list[tuple[int, int, str, str, int]]) -> str:
    """``text`` escaped, with ``<mark>`` around annotated spans and a reference after each.

    ``spans`` are (start, end, mark class, reference HTML, severity). Where spans overlap, the
    text takes the class of the most severe one (then the innermost) and the class
    ``overlap``.
    """
    cuts = sorted({0, len(text), *(s[0] for s in spans), *(s[1] for s in spans)})
    starting: dict[int, list[int]] = defaultdict(list)
    ending: dict[int, list[int]] = defaultdict(list)
    for index, (start, end, *_rest) in enumerate(spans):
        starting[start].append(index)
        ending[end].append(index)
    active: set[int] = set()
    out: list[str] = []
    for here, nxt in itertools.pairwise(cuts):
        for index in sorted(ending.get(here, ()), key=lambda i: -spans[i][0]):
            active.discard(index)
            out.append(spans[index][3])
        active.update(starting.get(here, ()))
        piece = _e(text[here:nxt])
        if active:
            # The most serious verdict shows where annotations overlap, as in the window.
            worst = max(active, key=lambda i: (spans[i][4], spans[i][0], -spans[i][1]))
            overlap = " overlap" if len(active) > 1 else ""
            out.append(f'<mark class="{spans[worst][2]}{overlap}">{piece}</mark>')
        else:
            out.append(piece)
    for index in sorted(ending.get(len(text), ()), key=lambda i: -spans[i][0]):
        out.append(spans[index][3])
    return "".join(out)


def _filters_text(flt: AnnotationFilter, titles: dict[str, str]) -> str:
    parts = []
    if flt.article_ids is not None:
        parts.append("articles: " + "; ".join(titles.get(a, a) for a in flt.article_ids))
    if flt.verdicts is not None:
        parts.append("verdicts: " + ", ".join(LABEL[v].lower() for v in flt.verdicts))
    if flt.reviewers is not None:
        parts.append("last changed by: " + ", ".join(flt.reviewers))
    if flt.include_deleted:
        parts.append("deleted annotations included")
    return "Filtered to " + "; ".join(parts) + "." if parts else ""


def _article_html(
    article: ArticleSummary,
    number: int,
    text: str,
    rows: list[AnnotationRow],
) -> Iterator[str]:
    anchor = f"a{number}"
    meta = [m for m in (article.outlet, article.published and article.published.isoformat()) if m]
    removed = " (removed)" if article.removed_at else ""
    yield f'<article id="{anchor}"><h2>{_e(article.title)}{removed}</h2>'
    line = " · ".join(_e(m) for m in meta)
    if article.url:
        line += (" · " if line else "") + _link(article.url, article.url)
    if line:
        yield f'<p class="meta">{line}</p>'
    spans = []
    for k, row in enumerate(rows, 1):
        cls = f"v-{row.verdict.value}" + (" deleted" if row.deleted else "")
        ref = (
            f'<sup class="ref"><a id="{anchor}-r{k}" href="#{anchor}-n{k}" '
            f'title="{_e(LABEL[row.verdict])}">{SYMBOL[row.verdict]}{k}</a></sup>'
        )
        spans.append((row.start, row.end, cls, ref, SEVERITY[row.verdict]))
    yield f'<div class="text">{highlighted_text(text, spans)}</div>'
    if not rows:
        yield '<p class="meta">No annotations.</p></article>'
        return
    yield '<ol class="notes">'
    for k, row in enumerate(rows, 1):
        state = " (deleted)" if row.deleted else ""
        yield (
            f'<li id="{anchor}-n{k}"><span class="badge v-{row.verdict.value}">'
            f"{SYMBOL[row.verdict]} {LABEL[row.verdict]}{state}</span> "
            f"<q>{_e(row.quote)}</q> "
            f'<span class="who">— {_e(row.reviewer)}, {_e(iso_utc(row.updated_at)[:10])}</span> '
            f'<a class="back" href="#{anchor}-r{k}" title="Back to the text">↩</a>'
        )
        if row.note:
            yield f'<p class="note">{_e(row.note)}</p>'
        if row.sources:
            yield '<ul class="sources">'
            for s in row.sources:
                title = s.title or s.url
                extra = f' <span class="url">{_e(s.url)}</span>' if s.title else ""
                yield f"<li>{_link(s.url, title)}{extra}</li>"
            yield "</ul>"
        yield "</li>"
    yield "</ol></article>"


def _counts_table(
    articles: Iterable[ArticleSummary], by_article: dict[str, list[AnnotationRow]]
) -> str:
    head = "".join(f"<th>{SYMBOL[v]} {LABEL[v]}</th>" for v in Verdict)
    body = []
    for number, article in enumerate(articles, 1):
        live = Counter(r.verdict for r in by_article.get(article.id, ()) if not r.deleted)
        cells = "".join(f'<td class="n">{live.get(v, 0)}</td>' for v in Verdict)
        body.append(f'<tr><td><a href="#a{number}">{_e(article.title)}</a></td>{cells}</tr>')
    return (
        f'<table class="counts"><thead><tr><th>Article</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _agreement_html(project: Store, articles: list[ArticleSummary], flt: AnnotationFilter) -> str:
    """The agreement table of the report: the articles shown, less those blind review hides
    from the side the report is made for. Empty when no article has two reviewers."""
    from desktop.core.agreement_report import NEEDS_TWO, article_agreements, figure

    hidden = set(flt.blind_articles or ())
    shown = [a.id for a in articles if a.id not in hidden]
    report = article_agreements(project, shown) if shown else []
    if not any(r.status == "ok" for r in report):
        return ""
    anchors = {a.id: f"#a{n}" for n, a in enumerate(articles, 1)}
    body = []
    for r in report:
        if r.status != "ok":
            cells = f'<td colspan="4">{NEEDS_TWO}</td>'
        else:
            cells = (
                f'<td class="n">{figure(r.alpha_u)}</td><td class="n">{figure(r.kappa)}</td>'
                f'<td class="n">{figure(r.percent, percent=True)}</td>'
                f'<td class="n">{r.open_disagreements}</td>'
            )
        body.append(
            f'<tr><td><a href="{anchors[r.article_id]}">{_e(r.title)}</a></td>'
            f"<td>{_e(', '.join(r.reviewers) or '—')}</td>{cells}</tr>"
        )
    return (
        '<section class="agreement"><h2>Agreement between reviewers</h2>'
        '<p class="meta">Each reviewer\'s live annotations (not deleted, not final verdicts); '
        "uα over characters and Cohen's κ over words count untagged text as a value of its "
        "own; agreement is the share of words either reviewer tagged that both gave the same "
        "verdict (averaged over pairs of reviewers).</p>"
        '<table class="counts"><thead><tr><th>Article</th><th>Reviewers</th><th>uα</th>'
        "<th>κ</th><th>Agreement</th><th>Open disagreements</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def write_html(
    project: Store,
    out: BinaryIO,
    options: ExportOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> int:
    flt = options.filter
    rows = load_rows(project, flt)
    by_article: dict[str, list[AnnotationRow]] = defaultdict(list)
    for row in rows:
        by_article[row.article_id].append(row)
    with project.read() as db:
        info = reads.project_info(db)
        summaries = reads.article_summaries(db, include_removed=flt.include_deleted)
    wanted = set(flt.article_ids) if flt.article_ids is not None else set(by_article)
    articles = [a for a in summaries if a.id in wanted]
    name = info.name if info else project.display_name
    counts = Counter(r.verdict for r in rows if not r.deleted)
    deleted = sum(1 for r in rows if r.deleted)
    ticker = Ticker(progress, len(rows))
    ticker.report()

    def emit(*parts: str) -> None:
        out.write("".join(parts).encode("utf-8"))

    emit(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(name)} — verdicts</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_e(name)}</h1>",
        f'<p class="meta">Verdict report · {len(rows)} annotation(s) in {len(articles)} '
        f"article(s) · generated {_e(iso_utc(utc_now())[:16].replace('T', ' '))} UTC</p>",
    )
    filters = _filters_text(flt, {a.id: a.title for a in summaries})
    if filters:
        emit(f'<p class="filters">{_e(filters)}</p>')
    emit("</header><section><h2>Summary</h2>", chart_svg(counts))
    if deleted:
        emit(f'<p class="meta">{deleted} deleted annotation(s) are listed but not counted.</p>')
    emit(_counts_table(articles, by_article), legend_html(), "</section>")
    emit(_agreement_html(project, articles, flt))
    with project.read() as db:
        for number, article in enumerate(articles, 1):
            mine = by_article.get(article.id, [])
            text = reads.article_text(db, article.id)
            emit(*_article_html(article, number, text, mine))
            ticker.add(len(mine))
    emit("</body></html>\n")
    return len(rows)
