"""W3C Web Annotation, ClaimReview and the HTML report, parsed back and checked."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.exports import AnnotationFilter, ExportOptions, export_to_path, export_to_stream
from desktop.core.exports.html_report import highlighted_text
from desktop.core.model import Verdict, iso_utc
from desktop.core.records import AnnotationRow
from desktop.core.store import Store, reads
from tests.core.test_exports_csv import TRICKY_NOTE, Tagged, texts
from tests.core.test_exports_csv import tagged as tagged


def export_json(project: Store, fmt: str, options: ExportOptions | None = None) -> object:
    out = io.BytesIO()
    export_to_stream(project, fmt, out, options or ExportOptions())
    return json.loads(out.getvalue().decode("utf-8"))


def rows_by_id(project: Store, **kw: object) -> dict[str, AnnotationRow]:
    with project.read() as session:
        return {r.id: r for r in reads.annotation_rows(session, AnnotationFilter(**kw))}  # type: ignore[arg-type]


# --- W3C Web Annotation ---------------------------------------------------------------------


def apply_quote_selector(text: str, selector: dict[str, str]) -> tuple[int, int]:
    """Find ``exact`` where ``prefix`` ends right before it and ``suffix`` starts right after."""
    exact, prefix, suffix = selector["exact"], selector["prefix"], selector["suffix"]
    found = []
    at = text.find(exact)
    while at != -1:
        if text[:at].endswith(prefix) and text[at + len(exact) :].startswith(suffix):
            found.append(at)
        at = text.find(exact, at + 1)
    assert len(found) == 1, f"{exact!r} matches {len(found)} places"
    return found[0], found[0] + len(exact)


def test_w3c_collection_shape(tagged: Tagged) -> None:
    doc = export_json(tagged.project, "w3c")
    assert isinstance(doc, dict)
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    assert doc["id"].startswith("urn:uuid:")
    page = doc["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert page["id"].startswith("urn:uuid:")
    assert doc["total"] == len(page["items"]) == 5


def test_w3c_annotations_carry_verdict_note_sources_and_people(tagged: Tagged) -> None:
    doc = export_json(tagged.project, "w3c")
    expected = rows_by_id(tagged.project)
    for item in doc["first"]["items"]:  # type: ignore[index]
        row = expected[item["id"].removeprefix("urn:uuid:")]
        assert item["type"] == "Annotation" and item["motivation"] == "assessing"
        assert item["created"] == iso_utc(row.created_at)
        assert item["modified"] == iso_utc(row.updated_at)
        assert item["creator"] == {"type": "Person", "name": row.reviewer}
        tags = [b for b in item["body"] if b.get("purpose") == "tagging"]
        assert tags == [{"type": "TextualBody", "value": row.verdict.value, "purpose": "tagging"}]
        notes = [b["value"] for b in item["body"] if b.get("purpose") == "commenting"]
        assert notes == ([row.note] if row.note else [])
        links = [b["source"]["id"] for b in item["body"] if b.get("purpose") == "linking"]
        assert links == [s.url for s in row.sources]
        assert item["target"]["source"] == (row.url or f"urn:uuid:{row.article_id}")
    tricky = next(i for i in doc["first"]["items"] if i["id"].endswith(tagged.ids["tricky"]))
    assert any(b.get("value") == TRICKY_NOTE for b in tricky["body"])


def test_w3c_selectors_reselect_the_quote(tagged: Tagged) -> None:
    doc = export_json(tagged.project, "w3c")
    text = texts(tagged.project)
    expected = rows_by_id(tagged.project)
    for item in doc["first"]["items"]:  # type: ignore[index]
        row = expected[item["id"].removeprefix("urn:uuid:")]
        article = text[row.article_id]
        quote_sel, pos_sel = item["target"]["selector"]
        assert quote_sel["type"] == "TextQuoteSelector"
        assert pos_sel["type"] == "TextPositionSelector"
        start, end = apply_quote_selector(article, quote_sel)
        assert article[start:end] == row.quote
        assert article[pos_sel["start"] : pos_sel["end"]] == row.quote
        assert (pos_sel["start"], pos_sel["end"]) == (start, end) == (row.start, row.end)


def test_w3c_positions_count_code_points(demo_project: Store) -> None:
    from desktop.core.importers import ImportedArticle

    text = "Emoji 😀😀 then the claim: 38 dead, then more 😀 text."
    article = operations.import_articles(
        demo_project,
        [ImportedArticle(text=text, title="Emoji", original_name="e.txt", source_format="txt")],
        reviewer="Ann",
    ).ids("article")[0]
    start = text.index("38 dead")
    operations.annotate(demo_project, article, start, start + 7, "disputed", reviewer="Ann")
    doc = export_json(demo_project, "w3c", ExportOptions(AnnotationFilter(article_ids=(article,))))
    (item,) = doc["first"]["items"]  # type: ignore[index]
    quote_sel, pos_sel = item["target"]["selector"]
    assert (pos_sel["start"], pos_sel["end"]) == (start, start + 7) == (25, 32)
    assert len(text[:start].encode("utf-16-le")) // 2 == 27  # not UTF-16 units
    assert text[pos_sel["start"] : pos_sel["end"]] == quote_sel["exact"] == "38 dead"
    assert apply_quote_selector(text, quote_sel) == (25, 32)


def test_w3c_filters_and_empty_collection(tagged: Tagged) -> None:
    only = export_json(tagged.project, "w3c", ExportOptions(AnnotationFilter(reviewers=("Bob",))))
    assert only["total"] == 1  # type: ignore[index]
    none = export_json(
        tagged.project, "w3c", ExportOptions(AnnotationFilter(reviewers=("Nobody",)))
    )
    assert none["total"] == 0 and "first" not in none  # type: ignore[operator]


# --- ClaimReview ----------------------------------------------------------------------------


def test_claimreview_one_review_per_annotation(tagged: Tagged) -> None:
    doc = export_json(tagged.project, "claimreview")
    assert doc["@context"] == "https://schema.org"  # type: ignore[index]
    reviews = doc["@graph"]  # type: ignore[index]
    expected = rows_by_id(tagged.project)
    assert len(reviews) == 5
    scale = {
        "disputed": (1, "Disputed"),
        "unverified": (2, "Unverified"),
        "supported": (3, "Supported"),
    }
    with tagged.project.read() as session:
        articles = {a.id: a for a in reads.article_summaries(session)}
    for review in reviews:
        row = expected[review["@id"].removeprefix("urn:uuid:")]
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == row.quote
        assert review["itemReviewed"]["@type"] == "Claim"
        appearance = review["itemReviewed"]["appearance"]
        assert appearance["headline"] == row.article_title
        published = articles[row.article_id].published
        assert appearance.get("datePublished") == (published.isoformat() if published else None)
        assert review["author"] == {"@type": "Person", "name": row.reviewer}
        assert review["datePublished"] == iso_utc(row.updated_at)
        rating = review["reviewRating"]
        assert (rating["ratingValue"], rating["alternateName"]) == scale[row.verdict.value]
        assert (rating["worstRating"], rating["bestRating"], rating["@type"]) == (1, 3, "Rating")
        assert review.get("reviewBody", "") == row.note
        assert [c["url"] for c in review.get("citation", [])] == [s.url for s in row.sources]


def test_claimreview_honours_verdict_filter(tagged: Tagged) -> None:
    doc = export_json(
        tagged.project, "claimreview", ExportOptions(AnnotationFilter(verdicts=(Verdict.DISPUTED,)))
    )
    assert [r["reviewRating"]["ratingValue"] for r in doc["@graph"]] == [1]  # type: ignore[index]


# --- HTML report ----------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects what a browser would load or show."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def html_page(project: Store, options: ExportOptions | None = None) -> tuple[str, Page]:
    out = io.BytesIO()
    export_to_stream(project, "html", out, options or ExportOptions())
    html = out.getvalue().decode("utf-8")
    page = Page()
    page.feed(html)
    page.close()
    return html, page


def test_html_loads_nothing_from_anywhere(tagged: Tagged) -> None:
    _html, page = html_page(tagged.project)
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert not page.all("iframe") and not page.all("object") and not page.all("embed")
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in ("src", "srcset", "data", "poster", "background"):
                raise AssertionError(f"<{tag} {name}={value!r}> would load something")
            if name == "style":
                assert "url(" not in (value or "")
            if name == "href":
                assert tag == "a", f"<{tag} href> would load something"
    css = "".join(page.styles)
    assert "@import" not in css and "url(" not in css
    csp = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    external = [a["href"] for a in page.all("a") if re.match(r"https?:", a.get("href") or "")]
    assert sorted(external) == sorted(["https://example.org/a", "https://example.org/b?x=1,2"])


def test_html_escapes_everything(demo_project: Store) -> None:
    with demo_project.read() as session:
        article = reads.article_summaries(session)[0].id
    operations.annotate(
        demo_project,
        article,
        0,
        12,
        "disputed",
        reviewer="<b>Ann</b>",
        note="<script>alert('x')</script> & <img src=x onerror=alert(1)>",
    )
    html, page = html_page(demo_project)
    assert not page.all("script") and not page.all("img") and not page.all("b")
    shown = "".join(page.text)
    assert "<script>alert('x')</script> & <img src=x onerror=alert(1)>" in shown
    assert "<b>Ann</b>" in shown
    assert "&lt;script&gt;" in html


def test_html_highlights_numbered_footnotes_and_summary(tagged: Tagged) -> None:
    html, page = html_page(tagged.project)
    marks = page.all("mark")
    classes = {c for m in marks for c in (m.get("class") or "").split()}
    assert {"v-supported", "v-disputed", "v-unverified"} <= classes
    notes = [li for li in page.all("li") if (li.get("id") or "").startswith("a")]
    # Article 1 has three live annotations and article 2 two: footnotes 1..3 and 1..2.
    ids = [li["id"] for li in notes if re.fullmatch(r"a\d+-n\d+", li.get("id") or "")]
    assert ids == ["a1-n1", "a1-n2", "a1-n3", "a2-n1", "a2-n2"]
    refs = [a["href"] for a in page.all("a") if re.fullmatch(r"#a\d+-n\d+", a.get("href") or "")]
    assert refs == ["#" + i for i in ids]
    shown = "".join(page.text)
    assert TRICKY_NOTE.replace("\r\n", "\n") in shown.replace("\r\n", "\n")
    # Symbols for greyscale print after each highlight, and a chart with one bar per verdict.
    for symbol in ("✓", "✗", "?"):
        assert symbol in shown
    assert len(page.all("svg")) == 1 and len(page.all("rect")) == 3
    counts = re.search(r'aria-label="Verdicts: ([^"]+)"', html)
    assert counts and counts.group(1) == "Supported 2, Disputed 1, Unverified 2"


def test_html_quotes_are_the_highlighted_text(tagged: Tagged) -> None:
    _html, page = html_page(tagged.project)
    expected = rows_by_id(tagged.project)
    shown = "".join(page.text)
    for row in expected.values():
        assert row.quote in shown


def test_html_deleted_only_when_asked(tagged: Tagged) -> None:
    _html, page = html_page(tagged.project)
    assert "(deleted)" not in "".join(page.text)
    _html, page = html_page(tagged.project, ExportOptions(AnnotationFilter(include_deleted=True)))
    assert "(deleted)" in "".join(page.text)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], "abcdef"),
        ([(1, 3, "x", "[1]", 1)], 'a<mark class="x">bc</mark>[1]def'),
        (
            [(0, 4, "o", "[1]", 1), (1, 2, "i", "[2]", 1)],
            '<mark class="o">a</mark><mark class="i overlap">b</mark>[2]'
            '<mark class="o">cd</mark>[1]ef',
        ),
        (
            [(0, 4, "worse", "[1]", 3), (1, 2, "i", "[2]", 1)],
            '<mark class="worse">a</mark><mark class="worse overlap">b</mark>[2]'
            '<mark class="worse">cd</mark>[1]ef',
        ),
        ([(4, 6, "x", "[1]", 2)], 'abcd<mark class="x">ef</mark>[1]'),
        ([(0, 2, "x", "<b&>", 2)], '<mark class="x">ab</mark><b&>cdef'),
    ],
)
def test_highlighting_nests_and_ends_with_references(spans, expected) -> None:
    assert highlighted_text("abcdef", spans) == expected


def test_highlighting_escapes_the_text() -> None:
    assert (
        highlighted_text("<a&b>", [(1, 2, "x", "*", 1)])
        == '&lt;<mark class="x">a</mark>*&amp;b&gt;'
    )


def test_html_file_written_in_place(tagged: Tagged, tmp_path: Path) -> None:
    result = export_to_path(tagged.project, "html", tmp_path / "r.html")
    assert result.count == 5
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
