"""Turn a user's article file (.txt, .md, .html, .docx) into text and metadata.

The text is kept exactly as the reader saw it, so that quotes and offsets taken from it
match the original; only line endings are made uniform.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
from charset_normalizer import from_bytes
from docx.document import Document as WordDocument
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from selectolax.lexbor import LexborHTMLParser, LexborNode

from desktop.core.errors import ImportFailed

MAX_TEXT_CHARS = 20 * 1024 * 1024
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx")

_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
_USE_INSTEAD = "(use .txt, .md, .html or .docx)"
_TITLE_LIMIT = 200
_BINARY = "looks like a binary file, not text"

# A byte-order mark settles the encoding; it is dropped, being no part of the text.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Control characters never found in prose; tab, newline, carriage return and form feed are.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.1

# The detector often mistakes Western European text for a Baltic or Central European code
# page (French comes out with "ą" for "à"). Windows-1252 is by far the likelier source when
# it yields only these characters and the text reads as one of these languages, or fits no
# worse than the detector's pick. Letters that other code pages put at the same bytes (such
# as š ž ð þ ý, common in Czech, Lithuanian or Turkish text seen as Windows-1252) are left
# out so that such text is left to the detector.
_WESTERN_CHARS = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜßàáâãäåæçèéêëìíîïñòóôõöøùúûüÿŒœ"
    "\u00a0‘’‚“”„–—…•€«»‹›°©®™§¶·¡¿£¢¥ªº´†‡‰"
)
_WESTERN_LANGUAGES = frozenset([
    "Danish", "Dutch", "English", "Finnish", "French", "German", "Italian", "Norwegian",
    "Portuguese", "Spanish", "Swedish",
])  # fmt: skip

_HTML_SPACE = re.compile(r"[ \t\n\f\r]+")
_HTML_SPACE_CHARS = " \t\n\f\r"
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.IGNORECASE)
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

_ATX_OPEN = re.compile(r"^#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")


@dataclass(frozen=True)
class ImportedArticle:
    """An article file read into text, ready to be stored as a new article."""

    text: str
    title: str
    original_name: str
    source_format: str
    url: str | None = None


def read_article(path: str | os.PathLike[str], *, title: str | None = None) -> ImportedArticle:
    """Read one article file; raise ImportFailed saying why if it cannot be used."""
    name = os.fspath(path)
    file = Path(name)
    data = _read_bytes(name, file)
    fmt = _FORMATS[file.suffix.lower()]
    url = None
    if fmt == "html":
        text, default_title, url = _from_html(name, data)
    elif fmt == "docx":
        text, default_title = _from_docx(name, data)
    else:
        text = _normalise_newlines(_decode(name, data))
        if not text.strip():
            raise ImportFailed(name, "is empty")
        default_title = _text_title(text)
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFailed(name, _too_large())
    if title is not None and title.strip():
        chosen = title.strip()
    else:
        chosen = default_title or file.stem or file.name
    return ImportedArticle(
        text=text, title=chosen, original_name=file.name, source_format=fmt, url=url
    )


def read_articles(
    paths: Sequence[str | os.PathLike[str]], *, title: str | None = None
) -> list[ImportedArticle]:
    """Read several files, all or nothing: the first file that fails stops the whole import."""
    seen: set[str] = set()
    articles = []
    for path in paths:
        try:
            key = os.path.normcase(os.path.realpath(path))
        except (OSError, ValueError):
            key = os.fspath(path)  # read_article() reports what is wrong with it
        if key in seen:
            raise ImportFailed(os.fspath(path), "given more than once")
        seen.add(key)
        articles.append(read_article(path, title=title))
    return articles


def _read_bytes(name: str, file: Path) -> bytes:
    """The file's bytes, after the checks that need no reading."""
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ImportFailed(name, "is a directory")
        suffix = file.suffix
        if suffix.lower() not in _FORMATS:
            if not suffix:
                raise ImportFailed(name, f"has no file type extension {_USE_INSTEAD}")
            raise ImportFailed(name, f"has an unsupported file type '{suffix}' {_USE_INSTEAD}")
        if not stat.S_ISREG(info.st_mode):
            # Pipes and devices could block or never end.
            raise ImportFailed(name, "is not a regular file")
        limit = 4 * MAX_TEXT_CHARS  # no character takes more than 4 bytes
        if info.st_size > limit:
            raise ImportFailed(name, _too_large())
        with open(file, "rb") as stream:
            data = stream.read(limit + 1)  # the file may have grown since stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ImportFailed(name, "no such file") from None
    except IsADirectoryError:
        raise ImportFailed(name, "is a directory") from None
    except PermissionError:
        raise ImportFailed(name, "cannot be read: permission denied") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ImportFailed(name, f"cannot be read: {reason}") from None
    except ValueError:
        # e.g. a NUL character inside the path
        raise ImportFailed(name, "is not a valid file path") from None
    if len(data) > limit:
        raise ImportFailed(name, _too_large())
    return data


def _too_large() -> str:
    limit = MAX_TEXT_CHARS
    if limit % (1024 * 1024) == 0:
        return f"is larger than the {limit // (1024 * 1024)} MB limit for article text"
    return f"is larger than the {limit:,}-character limit for article text"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(name: str, data: bytes, declared: str | None = None) -> str:
    """Decode a text file's bytes, refusing anything that is not text.

    `declared` is an encoding the file names for itself (an HTML <meta charset>).
    """
    text: str | None = None
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise ImportFailed(
                    name, f"has a {label} byte-order mark but is not valid {label} text"
                ) from None
            break
    if text is None:
        if b"\x00" in data:
            # Outside UTF-16, NUL bytes do not occur in text.
            raise ImportFailed(name, _BINARY)
        for codec in [c for c in (declared, "utf-8") if c]:
            try:
                text = data.decode(codec)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            text = _decode_legacy(data)
        if text is None:
            raise ImportFailed(name, _BINARY)
    if text and len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise ImportFailed(name, _BINARY)
    return text


def _decode_legacy(data: bytes) -> str | None:
    """Decode bytes in an unknown 8-bit encoding; None if no encoding makes sense of them."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is None or not all(c < "\x80" or c in _WESTERN_CHARS for c in western):
        return str(best)
    if best.language.rstrip("—") in _WESTERN_LANGUAGES:
        return western
    tied = (str(match) for match in matches if match.chaos <= best.chaos)
    return western if western in tied else str(best)


def _text_title(text: str) -> str:
    """Title of a plain-text or Markdown article: its first non-empty line, unmarked."""
    for line in text.split("\n"):
        line = _ATX_CLOSE.sub("", _ATX_OPEN.sub("", line.strip())).strip()
        for mark in ("**", "__"):
            if len(line) > 2 * len(mark) and line.startswith(mark) and line.endswith(mark):
                line = line[len(mark) : -len(mark)].strip()
        if line:
            return _shorten(line)
    return ""


def _shorten(title: str) -> str:
    """Cut a long title at a word boundary so it fits in lists and window titles."""
    if len(title) <= _TITLE_LIMIT:
        return title
    cut = title[: _TITLE_LIMIT - 1]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _collapse(text: str) -> str:
    return _HTML_SPACE.sub(" ", text).strip(_HTML_SPACE_CHARS)


def _from_html(name: str, data: bytes) -> tuple[str, str, str | None]:
    """Readable text, default title and canonical URL of an HTML page."""
    text = _normalise_newlines(_decode(name, data, _declared_charset(data)))
    tree = LexborHTMLParser(text)

    title = ""
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None and node.text().strip():
            title = _shorten(_collapse(node.text()))
            break
    url = _html_url(tree)

    tree.strip_tags(_DROPPED_TAGS)
    root = tree.css_first("article") or tree.css_first("main")
    if root is None:
        tree.strip_tags(_CHROME_TAGS)
        root = tree.body
    paragraphs = _html_paragraphs(root) if root is not None else []
    if not paragraphs:
        raise ImportFailed(name, "contains no article text")
    return "\n\n".join(paragraphs), title, url


def _declared_charset(data: bytes) -> str | None:
    """The Python codec for the page's <meta charset>, if it names one Python knows."""
    found = _META_CHARSET.search(data[:4096])
    if not found:
        return None
    try:
        codec = codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # As browsers do: pages labelled Latin-1 or ASCII are really Windows-1252, and a
    # page readable enough to carry an ASCII <meta> cannot be UTF-16.
    if codec in ("iso8859-1", "ascii"):
        return "cp1252"
    if codec.startswith("utf-16"):
        return "utf-8"
    return codec


def _html_url(tree: LexborHTMLParser) -> str | None:
    """The page's own address: <link rel="canonical">, else og:url."""
    for link in tree.css("link[rel]"):
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            href = (link.attributes.get("href") or "").strip()
            if href:
                return href
    for meta in tree.css("meta[property]"):
        if (meta.attributes.get("property") or "").strip().lower() == "og:url":
            content = (meta.attributes.get("content") or "").strip()
            if content:
                return content
    return None


def _html_paragraphs(root: LexborNode) -> list[str]:
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


def _from_docx(name: str, data: bytes) -> tuple[str, str]:
    """Text and default title of a Word document."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed(
            name, "is not a valid .docx file (it is an old .doc or a password-protected document)"
        )
    try:
        document = docx.Document(io.BytesIO(data))
        text = _normalise_newlines("\n".join(_docx_lines(document)))
        title = (document.core_properties.title or "").strip()
        if not title:
            title = next(
                (p.text for p in document.paragraphs if p.text.strip() and _is_heading(p)), ""
            )
    except Exception:
        # A broken package surfaces as many exception types (zipfile.BadZipFile, KeyError,
        # ValueError, lxml and zlib errors...); to the user they all mean the same.
        raise ImportFailed(name, "is not a valid .docx file") from None
    if not text.strip():
        raise ImportFailed(name, "is empty")
    return text, _shorten(" ".join(title.split()))


def _docx_lines(container: WordDocument | _Cell) -> Iterator[str]:
    """One line per Word paragraph, tables' cells included, in document order."""
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            seen: set[object] = set()
            for row in block.rows:
                for cell in row.cells:
                    # Merged cells come back once per grid position they span.
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    yield from _docx_lines(cell)


def _is_heading(paragraph: Paragraph) -> bool:
    style = paragraph.style
    style_name = ((style.name if style is not None else None) or "").lower()
    return style_name.startswith("heading") or style_name == "title"
