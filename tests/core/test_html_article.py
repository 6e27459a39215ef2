"""The article inside a web page: text without the page around it, and the page's metadata.

The pages in ``pages/`` are written the way news sites, blogs and government sites write
them (navigation, cookie banners, comments, related stories, JSON-LD, a paywall teaser);
``cases.json`` lists for each the paragraphs of the article and phrases of everything else.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from desktop.core.errors import ImportFailed, NoTextFound
from desktop.core.html_article import MAX_DEPTH, read_html, read_html_text
from desktop.core.model import PartialDate
from tests.conftest import MEASURED

PAGES = Path(__file__).parent / "pages"
CASES: dict[str, dict[str, object]] = json.loads((PAGES / "cases.json").read_text("utf-8"))
# Written after the extraction rules, and not used to tune them.
HELD_OUT = sorted(name for name in CASES if name.startswith("heldout-"))
TUNED = sorted(name for name in CASES if name not in HELD_OUT)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _score(name: str) -> tuple[list[str], list[str]]:
    """(paragraphs of the article missing, phrases of the page around it kept)."""
    case = CASES[name]
    text = _flat(read_html(name, (PAGES / name).read_bytes()).text)
    missing = [p for p in case["body"] if _flat(p) not in text]  # type: ignore[attr-defined]
    kept = [b for b in case["boilerplate"] if b in text]  # type: ignore[attr-defined]
    return missing, kept


@pytest.mark.parametrize("name", TUNED + HELD_OUT)
def test_the_article_is_kept_whole(name: str) -> None:
    missing, _ = _score(name)
    assert missing == []


@pytest.mark.parametrize("name", TUNED)
def test_nothing_around_the_article_is_kept(name: str) -> None:
    _, kept = _score(name)
    assert kept == []


@pytest.mark.parametrize("name", TUNED + HELD_OUT)
def test_metadata_from_the_page(name: str) -> None:
    found = read_html(name, (PAGES / name).read_bytes())
    expected = CASES[name]["meta"]
    got = {
        "title": found.title,
        "outlet": found.outlet,
        "author": found.author,
        "published": found.published.isoformat() if found.published else None,
        "url": found.url,
    }
    assert {k: got[k] for k in expected} == expected  # type: ignore[union-attr]


def test_report_extraction_figures() -> None:
    """The README's figures: pages clean, paragraphs kept, phrases of boilerplate kept."""
    for label, names in (("tuned", TUNED), ("held out", HELD_OUT)):
        paragraphs = sum(len(CASES[n]["body"]) for n in names)  # type: ignore[arg-type]
        phrases = sum(len(CASES[n]["boilerplate"]) for n in names)  # type: ignore[arg-type]
        scores = [_score(n) for n in names]
        lost = sum(len(m) for m, _ in scores)
        leaked = sum(len(k) for _, k in scores)
        clean = sum(1 for m, k in scores if not m and not k)
        MEASURED.append(
            f"web page extraction ({label}): {clean}/{len(names)} pages clean, "
            f"{paragraphs - lost}/{paragraphs} article paragraphs kept, "
            f"{leaked}/{phrases} boilerplate phrases kept"
        )
        assert lost == 0


def test_a_date_given_only_to_the_month_stays_vague() -> None:
    found = read_html("p", (PAGES / "french-vague-date.html").read_bytes())
    assert found.published == PartialDate(2024, 11)
    assert found.published.isoformat() == "2024-11"


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        ('<meta property="article:published_time" content="2023">', "2023"),
        ('<meta property="article:published_time" content="2023-07-04T10:00:00Z">', "2023-07-04"),
        ('<meta name="date" content="2999-01-01">', None),  # the future is no publication date
        # A day that does not exist: only the month is kept.
        ('<meta name="date" content="2023-02-30">', "2023-02"),
    ],
)
def test_dates_keep_the_precision_the_page_gives(stated: str, expected: str | None) -> None:
    page = (
        f"<html><head>{stated}</head><body><article><p>{'Text. ' * 60}</p></article></body></html>"
    )
    found = read_html_text("p", page)
    assert (found.published.isoformat() if found.published else None) == expected


def test_canonical_url_resolves_against_the_page_address() -> None:
    page = (
        '<html><head><link rel="canonical" href="/news/story-1"></head>'
        f"<body><article><p>{'Text. ' * 60}</p></article></body></html>"
    )
    found = read_html_text("p", page, page_url="https://news.example/amp/story-1?x=1")
    assert found.url == "https://news.example/news/story-1"
    bare = f"<html><body><article><p>{'Text. ' * 60}</p></article></body></html>"
    assert read_html_text("p", bare, page_url="https://a.example/s").url == "https://a.example/s"


def test_a_bare_document_is_read_whole() -> None:
    """Less than a short article's worth found by trafilatura: the page is a bare document,
    read whole by the earlier rules (here trafilatura would drop the list and the heading)."""
    page = (
        "<html><head><title>Note</title></head><body><h1>Minutes</h1><p>Opened at 10.</p>"
        "<ul><li>Budget agreed</li><li>Next meeting in May</li></ul></body></html>"
    )
    found = read_html_text("n", page)
    assert found.text == "Minutes\n\nOpened at 10.\n\nBudget agreed\n\nNext meeting in May"
    assert found.title == "Note"


def test_a_page_of_navigation_only_has_no_article() -> None:
    page = "<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>"
    with pytest.raises(NoTextFound) as caught:
        read_html_text("menu.html", page)
    assert str(caught.value) == "menu.html: contains no article text"


@pytest.mark.parametrize("depth", [300, 25_000, 100_000])
def test_deeply_nested_pages_are_refused_quickly(depth: int) -> None:
    page = "<html><body>" + "<div>" * depth + "<p>deep</p>" + "</div>" * depth + "</body></html>"
    started = time.process_time()
    with pytest.raises(ImportFailed) as caught:
        read_html_text("deep.html", page)
    assert time.process_time() - started < 1.0
    assert str(caught.value) == (
        f"deep.html: is nested more than {MAX_DEPTH} elements deep; no article page is, "
        "so it is not read"
    )


def test_nesting_within_the_limit_is_read() -> None:
    depth = 200
    page = "<html><body>" + "<div>" * depth + "<p>Deep but fine.</p>" + "</div>" * depth
    assert read_html_text("ok.html", page + "</body></html>").text == "Deep but fine."
