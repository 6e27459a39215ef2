"""The article inside a web page: its text and what the page says about it.

The text comes from trafilatura, which tells the story from the navigation, banners,
comments, related links and paywall prompts around it (measured in the README against the
rules this program used before). Those rules still read a page trafilatura finds nothing in,
such as a bare document of a few paragraphs. Metadata is read from the page's own statements
(link rel=canonical, Open Graph, JSON-LD, meta tags) before trafilatura's guesses, and a date
is kept only as precisely as the page gives it.

A page is parsed once with libxml2, which stops at 256 levels of nesting; deeper pages are
refused rather than read in part (a page of 100,000 nested elements is refused in
milliseconds instead of taking the quadratic path of a full parse).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from lxml import etree, html
from selectolax.lexbor import LexborHTMLParser, LexborNode

from desktop.core.decoding import declared_charset, decode, python_codec
from desktop.core.errors import ImportFailed, NoTextFound
from desktop.core.model import PartialDate, utc_now

MAX_DEPTH = 256  # what libxml2 reads; deeper pages are refused
MAX_PAGE_BYTES = 80 * 1024 * 1024
# Less article text than this (trafilatura's own threshold for having found an article) means
# the page has no article structure to go by.
MIN_ARTICLE_CHARS = 250
TITLE_LIMIT = 200
AUTHOR_LIMIT = 500
OUTLET_LIMIT = 200

_SPACE = re.compile(r"[ \t\n\f\r]+")
_SPACE_CHARS = " \t\n\f\r"
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-|–—·»:]{1,2})\s+")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?=$|[T\s])")

# Containers of consent and cookie prompts, by the names the common consent managers give
# them. trafilatura keeps such a prompt when it is written as prose (measured: 1 page of 9).
_CONSENT_NAMES = re.compile(
    r"cookie|consent|didomi|onetrust|gdpr|cmp-|qc-cmp|sp_message|usercentrics|truste",
    re.IGNORECASE,
)
_CONSENT_MAX_CHARS = 2000  # a prompt is short; a page wrapper that happens to match is not
# A line that is only an advertisement's label.
_AD_LABELS = frozenset(
    ["advertisement", "advert", "anzeige", "publicité", "publicidad", "pubblicità", "werbung",
     "sponsored", "reklama", "annonce"]
)  # fmt: skip
_LINK_SEPARATORS = re.compile(r"^[\s|·•/,;:–—-]*$")

# Meta tags that state a publication date, most trusted first.
_DATE_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued",
    "dc.date", "dcterms.date", "citation_publication_date", "pubdate", "publishdate",
    "publish-date", "date",
)  # fmt: skip
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
_TITLE_META = ("og:title", "twitter:title")
_SITE_META = ("og:site_name", "application-name")


@dataclass(frozen=True)
class HtmlArticle:
    text: str
    title: str
    outlet: str
    author: str
    published: PartialDate | None
    url: str | None  # the page's own address: canonical link, og:url, JSON-LD, or fetched URL


def read_html(
    name: str, data: bytes, *, charset: str | None = None, page_url: str | None = None
) -> HtmlArticle:
    """Read a page's bytes; ``charset`` is what the server said, ``page_url`` where it was
    fetched from (relative links resolve against it). ImportFailed if no article is found."""
    declared = declared_charset(data) or python_codec(charset)
    text = decode(name, data, declared).replace("\r\n", "\n").replace("\r", "\n")
    return read_html_text(name, text, page_url=page_url)


def read_html_text(name: str, text: str, *, page_url: str | None = None) -> HtmlArticle:
    tree = _parse(name, text)
    meta = _metadata(tree, page_url)
    paragraphs = _extract(tree)
    if sum(len(p) for p in paragraphs) < MIN_ARTICLE_CHARS:
        # No article structure found: a bare document, read whole by the earlier rules.
        # Depth is bounded by now, so they run in linear time.
        paragraphs = _fallback_paragraphs(text)
    if not paragraphs:
        raise NoTextFound(name, "contains no article text")
    body = "\n\n".join(paragraphs)
    title = meta.title or _title_tag(tree, meta.outlet, paragraphs) or _first_h1(tree)
    title = _shorten(_collapse(title), TITLE_LIMIT)  # "" when the page has none
    return HtmlArticle(
        text=body,
        title=title,
        outlet=meta.outlet,
        author=meta.author,
        published=meta.published,
        url=meta.url,
    )


def page_title(text: str) -> str:
    """The title of an HTML page given as text, for a quick look (evidence copies)."""
    try:
        tree = _parse("page", text)
    except ImportFailed:
        return ""
    meta = _metadata(tree, None)
    return meta.title or _title_tag(tree, meta.outlet, []) or _first_h1(tree)


# --- parsing --------------------------------------------------------------------------------


def _parse(name: str, text: str) -> Any:
    # lxml refuses a str that still declares an encoding; the text is decoded already.
    text = _XML_DECLARATION.sub("", text, count=1)
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)
    try:
        tree = html.document_fromstring(text or "<html></html>", parser=parser)
    except (etree.ParserError, ValueError):
        raise ImportFailed(name, "contains no article text") from None
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in error.message:
            raise ImportFailed(
                name,
                f"is nested more than {MAX_DEPTH} elements deep; no article page is, "
                "so it is not read",
            )
    return tree


# --- metadata -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Meta:
    title: str
    outlet: str
    author: str
    published: PartialDate | None
    url: str | None


def _metadata(tree: Any, page_url: str | None) -> _Meta:
    metas = _meta_tags(tree)
    ld = list(_json_ld_articles(tree))
    site = _first(metas.get(k) for k in _SITE_META) or _first(
        _ld_name(item.get("publisher")) for item in ld
    )
    # What the page states as its headline; <title> and <h1> are weighed later, against the
    # text found.
    title = _first(metas.get(k) for k in _TITLE_META) or _first(
        _text(item.get("headline")) for item in ld
    )
    author = _first(metas.get(k) for k in _AUTHOR_META) or _first(
        _ld_name(item.get("author")) for item in ld
    )
    return _Meta(
        title=_shorten(_collapse(title or ""), TITLE_LIMIT),
        outlet=_shorten(_collapse(site or ""), OUTLET_LIMIT),
        author=_shorten(_collapse(author or ""), AUTHOR_LIMIT),
        published=_published(tree, metas, ld),
        url=_own_url(tree, metas, ld, page_url),
    )


def _meta_tags(tree: Any) -> dict[str, str]:
    """The page's <meta> values by lower-cased name/property/itemprop; the first one wins."""
    out: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        value = (meta.get("content") or "").strip()
        key = key.strip().lower()
        if key and value and key not in out:
            out[key] = value
    return out


def _json_ld_articles(tree: Any) -> Iterator[dict[str, Any]]:
    """JSON-LD objects that describe the page's article or web page."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            value = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        items = value if isinstance(value, list) else [value]
        expanded: list[Any] = []
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                expanded.extend(item["@graph"])
            else:
                expanded.append(item)
        for item in expanded:
            if isinstance(item, dict) and _is_article_type(item.get("@type")):
                yield item


def _is_article_type(value: Any) -> bool:
    types = value if isinstance(value, list) else [value]
    return any(
        isinstance(t, str) and (t.endswith("Article") or t in ("BlogPosting", "Report"))
        for t in types
    )


def _ld_name(value: Any) -> str:
    """A name from a JSON-LD Person/Organization, or a list of them (joined)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
    return ", ".join(n.strip() for n in names if n.strip())


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first(values: Iterator[str | None] | Any) -> str:
    for value in values:
        if value and value.strip():
            return str(value).strip()
    return ""


def _first_h1(tree: Any) -> str:
    for heading in tree.iter("h1"):
        text = _collapse(heading.text_content() or "")
        if text:
            return text
    return ""


def _title_tag(tree: Any, site: str, paragraphs: list[str]) -> str:
    """<title> without the site's name. When it has several parts ("Outlet - Headline"), the
    part the article shows as a line of its own is the headline; else the site's name is
    dropped if known, and the rest kept whole."""
    node = tree.find(".//title")
    if node is None or not (node.text_content() or "").strip():
        return ""
    title = _collapse(node.text_content())
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    lines = {_collapse(line) for paragraph in paragraphs for line in paragraph.split("\n")}
    shown = [p for p in parts if p in lines]
    if len(shown) == 1:
        return shown[0]
    if site:
        rest = [p for p in parts if p.lower() != site.lower()]
        if len(rest) == 1:
            return rest[0]
    return title


def _own_url(
    tree: Any, metas: dict[str, str], ld: list[dict[str, Any]], page_url: str | None
) -> str | None:
    candidates: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and (link.get("href") or "").strip():
            candidates.append(link.get("href").strip())
    if metas.get("og:url"):
        candidates.append(metas["og:url"])
    for item in ld:
        entity = item.get("mainEntityOfPage")
        if isinstance(entity, dict):
            entity = entity.get("@id") or entity.get("url")
        candidates.extend(v for v in (entity, item.get("url")) if isinstance(v, str) and v.strip())
    for candidate in candidates:
        url = urljoin(page_url, candidate.strip()) if page_url else candidate.strip()
        if url.lower().startswith(("http://", "https://")):
            return url
    return page_url


def _published(tree: Any, metas: dict[str, str], ld: list[dict[str, Any]]) -> PartialDate | None:
    """The publication date the page states, to the precision it states it."""
    candidates = [_text(item.get("datePublished")) for item in ld]
    candidates += [metas.get(key, "") for key in _DATE_META]
    candidates += [v for k, v in metas.items() if "publish" in k and k not in _DATE_META]
    candidates += [t.get("datetime") or "" for t in tree.iter("time")]
    for candidate in candidates:
        found = _partial_date(candidate)
        if found is not None:
            return found
    return _guessed_date(tree)


def _guessed_date(tree: Any) -> PartialDate | None:
    """htmldate's reading of dates written in the page's text ("2 September 2024").

    It gives the 1st of the month when it found only a month (in a URL, say); such a date is
    kept to the month, since the day was never given.
    """
    from htmldate import find_date

    try:
        found = find_date(tree, extensive_search=False, original_date=True)
    except Exception:  # a guess that fails is no date, whatever the reason
        return None
    if not found:
        return None
    result = _partial_date(found)
    if result is not None and result.day == 1:
        return PartialDate(result.year, result.month)
    return result


def _partial_date(value: str) -> PartialDate | None:
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        found = PartialDate(year, month, day)
    except ValueError:
        return None
    latest = (utc_now() + timedelta(days=1)).date()
    if found.first_day() > latest or found.first_day() < date(1800, 1, 1):
        return None
    return found


# --- text -----------------------------------------------------------------------------------


def _extract(tree: Any) -> list[str]:
    """The article's paragraphs as trafilatura finds them, after the page's prompts go."""
    import trafilatura

    _prepare(tree)
    document: Any = trafilatura.bare_extraction(
        tree,
        config=_config(),
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    if document is None or document.body is None:
        return []
    out: list[str] = []
    for block in _paragraphs(document.body):
        out.extend(p.strip("\n") for p in re.split(r"\n{2,}", block) if p.strip())
    return out


_CONFIG: Any = None


def _config() -> Any:
    """trafilatura's settings: no size floor (short articles are articles) and our own
    size limit instead of its 20 MB."""
    global _CONFIG
    if _CONFIG is None:
        from trafilatura.settings import use_config

        config = use_config()
        config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
        config.set("DEFAULT", "MAX_FILE_SIZE", str(MAX_PAGE_BYTES))
        config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
        _CONFIG = config
    return _CONFIG


def _prepare(tree: Any) -> None:
    """Remove what trafilatura was measured to keep: consent prompts, layout tables (read
    as data tables), and runs of links that are page tools ("Print | Email")."""
    for element in list(tree.iter("dialog")):
        _drop(element)
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        names = f"{element.get('id') or ''} {element.get('class') or ''}"
        if _CONSENT_NAMES.search(names) and len(element.text_content()) <= _CONSENT_MAX_CHARS:
            _drop(element)
    for table in list(tree.iter("table")):
        if _is_layout_table(table):
            for node in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
                node.tag = "div"
                for attribute in ("width", "colspan", "rowspan", "valign", "align", "bgcolor"):
                    node.attrib.pop(attribute, None)
    parents = {id(a.getparent()): a.getparent() for a in tree.iter("a")}
    for element in parents.values():
        if (
            element is not None
            and element.tag not in ("li", "html", "body")
            and _only_links(element)
        ):
            _drop(element)


def _drop(element: Any) -> None:
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()


def _is_layout_table(table: Any) -> bool:
    """A table used to lay out a page, not to show data: no headers, and prose in a cell."""
    if table.find(".//th") is not None or table.find(".//caption") is not None:
        return False
    return any(len(cell.text_content()) > 400 for cell in table.iter("td"))


def _only_links(element: Any) -> bool:
    """Two or more links side by side with nothing but separators between them."""
    if len(element) < 2 or any(child.tag != "a" for child in element):
        return False
    rest = (element.text or "") + "".join(child.tail or "" for child in element)
    return bool(_LINK_SEPARATORS.match(rest))


def _paragraphs(body: Any) -> list[str]:
    """One paragraph per block of trafilatura's XML (p, head, list item, table row, quote)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag
        if tag == "list":
            for child in node:
                walk(child)
        elif tag == "table":
            for row in node.iter("row"):
                cells = [_inline(cell) for cell in row.iter("cell")]
                line = " ".join(c for c in cells if c)
                if line:
                    out.append(line)
        elif tag in ("quote", "div", "item") and any(c.tag in _BLOCKS for c in node):
            own = _inline(node, skip=_BLOCKS)
            if own:
                out.append(own)
            for child in node:
                if child.tag in _BLOCKS:
                    walk(child)
        elif tag == "code":
            code = "".join(node.itertext()).strip("\n")
            if code.strip():
                out.append(code)
        else:
            text = _inline(node)
            if text:
                out.append(text)

    for child in body:
        walk(child)
    return out


_BLOCKS = frozenset(["p", "head", "list", "item", "quote", "table", "code", "div"])


def _inline(node: Any, skip: frozenset[str] = frozenset()) -> str:
    """A block's text: runs of spaces collapsed, <lb/> kept as a line break."""
    pieces: list[str] = []

    def visit(element: Any) -> None:
        if element.text:
            pieces.append(element.text)
        for child in element:
            if child.tag in skip:
                pass
            elif child.tag == "lb":
                pieces.append("\n")
            else:
                visit(child)
            if child.tail:
                pieces.append(child.tail)

    visit(node)
    lines = [_collapse(line) for line in "".join(pieces).split("\n")]
    # Ad labels stand on a line of their own between the paragraphs of old pages.
    lines = ["" if line.lower() in _AD_LABELS else line for line in lines]
    # Two line breaks in a row end a paragraph (<br><br> in old pages).
    return "\n".join(lines).strip("\n")


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip(_SPACE_CHARS)


def _shorten(title: str, limit: int) -> str:
    """Cut a long value at a word boundary."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + "…"


# --- the earlier rules, for pages trafilatura finds nothing in ------------------------------

_DROPPED_TAGS = [
    "script", "style", "noscript", "template", "nav", "aside", "form", "svg", "iframe",
]  # fmt: skip
# Page chrome, dropped only outside the article: an <article>'s own <header> holds its headline.
_CHROME_TAGS = ["header", "footer"]
_BLOCK_TAGS = frozenset([
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "br", "tr",
    "section", "figure", "figcaption", "article", "main", "ul", "ol", "dl", "dt", "dd",
    "table", "caption", "hr", "address", "details", "summary",
])  # fmt: skip


def _fallback_paragraphs(text: str) -> list[str]:
    """The <article> (else <main>, else <body>) as paragraphs, without scripts, navigation
    and page chrome."""
    tree = LexborHTMLParser(text)
    tree.strip_tags(_DROPPED_TAGS)
    root = tree.css_first("article") or tree.css_first("main")
    if root is None:
        tree.strip_tags(_CHROME_TAGS)
        root = tree.body
    return _lexbor_paragraphs(root) if root is not None else []


def _lexbor_paragraphs(root: LexborNode) -> list[str]:
    """The element's text as paragraphs, one per block element."""
    paragraphs: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        paragraph = _collapse("".join(pieces))
        if paragraph.strip():
            paragraphs.append(paragraph)
        pieces.clear()

    # An explicit stack: deeply nested pages would overflow recursion.
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            flush()
            continue
        if tag == "-text":
            pieces.append(node.text(deep=False))
            continue
        if tag in ("td", "th"):
            pieces.append(" ")
        if tag not in _BLOCK_TAGS:
            if not tag.startswith("-"):  # comments and the like carry no text
                stack.extend((child, False) for child in _children_reversed(node))
            continue
        flush()
        if tag == "pre":
            # Preformatted text shows its spacing as written.
            block = node.text().strip("\n")
            if block.strip():
                paragraphs.append(block)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in _children_reversed(node))
    flush()
    return paragraphs


def _children_reversed(node: LexborNode) -> list[LexborNode]:
    children = list(node.iter(include_text=True))
    children.reverse()
    return children
