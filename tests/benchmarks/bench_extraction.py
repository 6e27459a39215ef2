"""Article extraction from web pages: Crosscheck's reader against the rules it used before
(selectolax, kept as its fallback) and trafilatura on its own, on the pages of
``tests/core/pages`` (``cases.json`` lists each article's paragraphs and phrases of the page
around it).

    python tests/benchmarks/bench_extraction.py [--verbose]

Prints, for each reader: pages read clean (every paragraph kept whole, no boilerplate kept),
article paragraphs kept, boilerplate phrases kept, metadata fields right, and the time per
page; the pages written after the rules ("heldout-") are counted apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.core import html_article  # noqa: E402
from desktop.core.decoding import declared_charset, decode  # noqa: E402

PAGES = ROOT / "tests" / "core" / "pages"
CASES: dict[str, dict[str, object]] = json.loads((PAGES / "cases.json").read_text("utf-8"))
Reader = Callable[[str, bytes], tuple[str, dict[str, str | None]]]


def crosscheck(name: str, data: bytes) -> tuple[str, dict[str, str | None]]:
    found = html_article.read_html(name, data)
    return found.text, {
        "title": found.title,
        "outlet": found.outlet,
        "author": found.author,
        "published": found.published.isoformat() if found.published else None,
        "url": found.url,
    }


def earlier_rules(name: str, data: bytes) -> tuple[str, dict[str, str | None]]:
    """The selectolax importer as it was: <article>, else <main>, else <body>, without
    scripts, navigation, asides and forms; <title> (else <h1>) and canonical/og:url."""
    from selectolax.lexbor import LexborHTMLParser

    text = decode(name, data, declared_charset(data))
    tree = LexborHTMLParser(text)
    title = ""
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None and node.text().strip():
            title = " ".join(node.text().split())
            break
    url = None
    for link in tree.css("link[rel]"):
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            url = (link.attributes.get("href") or "").strip() or None
    if url is None:
        for meta in tree.css("meta[property]"):
            if (meta.attributes.get("property") or "").strip().lower() == "og:url":
                url = (meta.attributes.get("content") or "").strip() or None
    body = "\n\n".join(html_article._fallback_paragraphs(text))
    return body, {"title": title, "outlet": None, "author": None, "published": None, "url": url}


def trafilatura_alone(name: str, data: bytes) -> tuple[str, dict[str, str | None]]:
    import trafilatura

    document = trafilatura.bare_extraction(
        decode(name, data, declared_charset(data)),
        include_comments=False,
        include_tables=True,
        with_metadata=True,
    )
    if document is None:
        return "", {}
    return document.text or "", {
        "title": document.title,
        "outlet": document.sitename,
        "author": document.author,
        "published": document.date,
        "url": document.url,
    }


def _flat(text: str) -> str:
    return " ".join(text.split())


def measure(reader: Reader, names: list[str], verbose: bool) -> dict[str, float]:
    totals = dict.fromkeys(
        ("clean", "paragraphs", "kept", "phrases", "leaked", "fields", "right", "seconds"), 0.0
    )
    for name in names:
        case = CASES[name]
        data = (PAGES / name).read_bytes()
        started = time.perf_counter()
        try:
            text, meta = reader(name, data)
        except Exception as exc:  # a reader that fails keeps nothing
            text, meta = "", {}
            if verbose:
                print(f"    {name}: {exc}")
        totals["seconds"] += time.perf_counter() - started
        flat = _flat(text)
        body: list[str] = case["body"]  # type: ignore[assignment]
        boilerplate: list[str] = case["boilerplate"]  # type: ignore[assignment]
        expected: dict[str, str] = case["meta"]  # type: ignore[assignment]
        missing = [p for p in body if _flat(p) not in flat]
        leaked = [b for b in boilerplate if b in flat]
        wrong = {k: meta.get(k) for k, v in expected.items() if meta.get(k) != v}
        totals["paragraphs"] += len(body)
        totals["kept"] += len(body) - len(missing)
        totals["phrases"] += len(boilerplate)
        totals["leaked"] += len(leaked)
        totals["fields"] += len(expected)
        totals["right"] += len(expected) - len(wrong)
        totals["clean"] += not missing and not leaked
        if verbose and (missing or leaked or wrong):
            print(f"    {name}: missing {len(missing)}, kept {leaked}, wrong {wrong}")
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    readers = {
        "crosscheck (trafilatura + rules)": crosscheck,
        "earlier rules (selectolax)": earlier_rules,
        "trafilatura alone": trafilatura_alone,
    }
    groups = {
        "tuned": sorted(n for n in CASES if not n.startswith("heldout-")),
        "held out": sorted(n for n in CASES if n.startswith("heldout-")),
    }
    for label, reader in readers.items():
        reader("warm-up", (PAGES / "wordpress-news.html").read_bytes())
        for group, names in groups.items():
            if args.verbose:
                print(f"{label} / {group}:")
            t = measure(reader, names, args.verbose)
            print(
                f"{label:34} {group:8}  clean {int(t['clean'])}/{len(names)}  "
                f"paragraphs {int(t['kept'])}/{int(t['paragraphs'])}  "
                f"boilerplate {int(t['leaked'])}/{int(t['phrases'])}  "
                f"metadata {int(t['right'])}/{int(t['fields'])}  "
                f"{1000 * t['seconds'] / len(names):.1f} ms/page"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
