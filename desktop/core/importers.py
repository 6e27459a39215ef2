"""Turn what a reviewer brings into article text and metadata: files (.txt, .md, .html, .docx,
.pdf), web pages by URL, and pasted text or standard input.

The text is kept as the reader saw it, so that quotes and offsets taken from it match the
original; only line endings are made uniform. Every failure is ImportFailed naming the
source and the cause in one line.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.decoding import decode, python_codec
from desktop.core.errors import (
    ImportCancelled,
    ImportFailed,
    InvalidInput,
    NoTextFound,
)
from desktop.core.model import PartialDate

if TYPE_CHECKING:
    from desktop.core.fetch import FetchedPage

MAX_TEXT_CHARS = 20 * 1024 * 1024
MAX_PDF_BYTES = 200 * 1024 * 1024  # pictures make PDFs large; the text limit still applies
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")
STDIN = "-"
STDIN_NAME = "standard input"

_FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
_USE_INSTEAD = "(use .txt, .md, .html, .docx or .pdf, or a web address)"
_TITLE_LIMIT = 200
_NAME_LIMIT = 500

_ATX_OPEN = re.compile(r"^#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")

# progress(step, what): called as each source is read ("Fetching https://…", "Reading x.pdf").
Progress = Callable[[int, str], None]
Cancelled = Callable[[], bool]
# ask_password(name, wrong) -> the password for an encrypted PDF, or None to give up.
AskPassword = Callable[[str, bool], "str | None"]
PASSWORD_TRIES = 3


@dataclass(frozen=True)
class ImportedArticle:
    """An article read into text, ready to be stored as a new article."""

    text: str
    title: str
    original_name: str
    source_format: str
    url: str | None = None
    outlet: str = ""
    author: str = ""
    published: PartialDate | None = None
    # Where each page starts in ``text`` (PDFs only).
    page_starts: tuple[int, ...] = ()
    # The page as fetched, for an article imported from a URL.
    fetched: FetchedPage | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SourceResult:
    """What became of one source: an article, or the error that stopped it."""

    source: str
    article: ImportedArticle | None = None
    error: ImportFailed | None = None


# --- one source ------------------------------------------------------------------------------


def read_article(
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    password: str | None = None,
    cancelled: Cancelled | None = None,
) -> ImportedArticle:
    """Read one article file; raise ImportFailed saying why if it cannot be used."""
    name = os.fspath(path)
    file = Path(name)
    fmt = _file_format(name, file)
    if fmt == "pdf":
        return _from_pdf_file(name, file, title=title, password=password, cancelled=cancelled)
    data = _read_bytes(name, file, 4 * MAX_TEXT_CHARS)  # no character takes more than 4 bytes
    if fmt == "html":
        from desktop.core.html_article import read_html

        page = read_html(name, data)
        return _article(
            name, page.text, title or page.title or file.stem or file.name, file.name, "html",
            url=page.url, outlet=page.outlet, author=page.author, published=page.published,
        )  # fmt: skip
    if fmt == "docx":
        from desktop.core.docx_text import read_docx

        text, default_title = read_docx(name, data)
        chosen = title or _shorten(default_title) or file.stem
        return _article(name, text, chosen, file.name, "docx")
    text = _normalise_newlines(decode(name, data))
    if not text.strip():
        raise ImportFailed(name, "is empty")
    return _article(name, text, title or _text_title(text) or file.stem, file.name, fmt)


def read_url(
    url: str,
    *,
    title: str | None = None,
    password: str | None = None,
    cancelled: Cancelled | None = None,
    fetch_page: Callable[..., FetchedPage] | None = None,
) -> ImportedArticle:
    """Fetch a web page (or a PDF or plain text at a URL) and read its article."""
    from desktop.core import fetch

    page = (fetch_page or fetch.fetch)(url, cancelled=cancelled)
    return article_from_page(page, title=title, password=password, cancelled=cancelled)


def article_from_page(
    page: FetchedPage,
    *,
    title: str | None = None,
    password: str | None = None,
    cancelled: Cancelled | None = None,
) -> ImportedArticle:
    """The article in a fetched page, which is kept with it."""
    from desktop.core.fetch import HTML_TYPES

    name = _clip(page.url, 200)
    original = _clip(page.url, _NAME_LIMIT)
    if page.content_type in HTML_TYPES:
        from desktop.core.html_article import read_html

        found = read_html(name, page.body, charset=page.charset, page_url=page.final_url)
        return _article(
            name, found.text, title or found.title or _first_line(found.text), original, "html",
            url=found.url, outlet=found.outlet, author=found.author, published=found.published,
            fetched=page,
        )  # fmt: skip
    if page.content_type == "application/pdf":
        from desktop.core.pdf import read_pdf

        pdf = read_pdf(name, page.body, password=password, cancelled=cancelled)
        return _article(
            name, pdf.text, title or pdf.title, original, "pdf",
            url=page.final_url, page_starts=pdf.page_starts, fetched=page,
        )  # fmt: skip
    text = _normalise_newlines(decode(name, page.body, python_codec(page.charset)))
    if not text.strip():
        raise NoTextFound(name, "is empty")
    return _article(
        name, text, title or _text_title(text), original, "txt", url=page.final_url, fetched=page
    )


def readable_copy(page: FetchedPage) -> tuple[str | None, str]:
    """The text and title to show for a saved copy of an evidence page; (None, "") when it
    holds no readable text (a picture, say), whose bytes are still worth keeping."""
    try:
        article = article_from_page(page)
    except NoTextFound:
        return None, ""
    return article.text, article.title


def read_pasted(
    data: bytes | str,
    *,
    name: str = STDIN_NAME,
    title: str | None = None,
    outlet: str = "",
    password: str | None = None,
) -> ImportedArticle:
    """Text pasted or piped in. A whole HTML page or PDF is read as such; anything else as
    plain text, titled by its first line unless a title is given."""
    if isinstance(data, str):
        text = data
    else:
        if data.lstrip()[:5] == b"%PDF-":
            from desktop.core.pdf import read_pdf

            pdf = read_pdf(name, data, password=password)
            return _article(
                name, pdf.text, title or pdf.title, name, "pdf", page_starts=pdf.page_starts,
                outlet=outlet,
            )  # fmt: skip
        if len(data) > 4 * MAX_TEXT_CHARS:
            raise ImportFailed(name, _too_large())
        text = decode(name, data)
    text = _normalise_newlines(text)
    if _looks_like_html(text):
        from desktop.core.html_article import read_html_text

        page = read_html_text(name, text)
        return _article(
            name, page.text, title or page.title or _first_line(page.text), name, "html",
            url=page.url, outlet=outlet or page.outlet, author=page.author,
            published=page.published,
        )  # fmt: skip
    if not text.strip():
        raise ImportFailed(name, "is empty")
    chosen = title or _text_title(text)
    return _article(name, text, chosen, name, "txt", outlet=outlet)


def read_source(
    source: str | os.PathLike[str],
    *,
    title: str | None = None,
    password: str | None = None,
    stdin: Callable[[], bytes] | None = None,
    cancelled: Cancelled | None = None,
    ask_password: AskPassword | None = None,
) -> ImportedArticle:
    """A file path, an http(s) URL, or ``-`` for standard input (read with ``stdin``).

    An encrypted PDF without its password calls ``ask_password`` (a few tries) if given.
    """
    from desktop.core.fetch import looks_like_url
    from desktop.core.pdf import PasswordNeeded

    text = os.fspath(source)
    if text == STDIN:
        if stdin is None:
            raise InvalidInput("standard input (-) cannot be read here")
        data = stdin()
        return _with_password(
            lambda pw: read_pasted(data, title=title, password=pw), password, ask_password
        )
    if looks_like_url(text) or _has_scheme(text):
        from desktop.core import fetch

        page = fetch.fetch(text, cancelled=cancelled)
        return _with_password(
            lambda pw: article_from_page(page, title=title, password=pw, cancelled=cancelled),
            password,
            ask_password,
        )
    try:
        return read_article(text, title=title, password=password, cancelled=cancelled)
    except PasswordNeeded as exc:
        if ask_password is None:
            raise
        first = exc
    return _with_password(
        lambda pw: read_article(text, title=title, password=pw, cancelled=cancelled),
        password,
        ask_password,
        first,
    )


def _with_password(
    read: Callable[[str | None], ImportedArticle],
    password: str | None,
    ask: AskPassword | None,
    failure: ImportFailed | None = None,
) -> ImportedArticle:
    """Read, asking for a PDF's password again while it is missing or wrong."""
    from desktop.core.pdf import PasswordNeeded

    for _ in range(PASSWORD_TRIES):
        if failure is None:
            try:
                return read(password)
            except PasswordNeeded as exc:
                failure = exc
        if ask is None or not isinstance(failure, PasswordNeeded):
            raise failure
        password = ask(str(failure.path), failure.wrong)
        if password is None:
            raise ImportCancelled(f"{failure.path}: no password given; nothing was imported")
        failure = None
    return read(password)


# --- several sources -------------------------------------------------------------------------


def read_sources(
    sources: Sequence[str | os.PathLike[str]],
    *,
    title: str | None = None,
    password: str | None = None,
    stdin: Callable[[], bytes] | None = None,
    keep_going: bool = False,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
    ask_password: AskPassword | None = None,
) -> list[SourceResult]:
    """Read every source in order. Without ``keep_going`` the first failure is raised (an
    import is all or nothing); with it, each failure is returned beside the articles."""
    results: list[SourceResult] = []
    seen: set[str] = set()
    for step, source in enumerate(sources):
        text = os.fspath(source)
        if cancelled is not None and cancelled():
            raise ImportCancelled("import cancelled; nothing was imported")
        if progress is not None:
            progress(step, _describe(text))
        try:
            key = _source_key(text)
            if key in seen:
                raise ImportFailed(text, "given more than once")
            seen.add(key)
            article = read_source(
                text,
                title=title,
                password=password,
                stdin=stdin,
                cancelled=cancelled,
                ask_password=ask_password,
            )
        except ImportFailed as exc:
            if not keep_going:
                raise
            results.append(SourceResult(text, error=exc))
        else:
            results.append(SourceResult(text, article=article))
    return results


def read_articles(
    paths: Sequence[str | os.PathLike[str]],
    *,
    title: str | None = None,
    password: str | None = None,
    stdin: Callable[[], bytes] | None = None,
) -> list[ImportedArticle]:
    """Read several sources, all or nothing: the first that fails stops the whole import."""
    results = read_sources(paths, title=title, password=password, stdin=stdin)
    return [r.article for r in results if r.article is not None]


def _source_key(text: str) -> str:
    from desktop.core.fetch import looks_like_url

    if text == STDIN or looks_like_url(text) or _has_scheme(text):
        return text.strip()
    try:
        return os.path.normcase(os.path.realpath(text))
    except (OSError, ValueError):
        return text  # read_article() reports what is wrong with it


def _describe(source: str) -> str:
    from desktop.core.fetch import looks_like_url

    if source == STDIN:
        return "Reading standard input"
    if looks_like_url(source):
        return f"Fetching {_clip(source, 80)}"
    return f"Reading {Path(source).name}"


def _has_scheme(text: str) -> bool:
    """``file:``, ``javascript:``, ``ftp:`` and the like, refused with a reason by the fetcher
    (a Windows drive letter such as ``C:`` is a path)."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]+):", text.strip())
    return bool(scheme) and not os.path.exists(text)


# --- files -----------------------------------------------------------------------------------


def _file_format(name: str, file: Path) -> str:
    suffix = file.suffix
    if suffix.lower() in _FORMATS:
        return _FORMATS[suffix.lower()]
    try:
        if file.is_dir():
            raise ImportFailed(name, "is a directory")
    except (OSError, ValueError):
        pass
    if not suffix:
        raise ImportFailed(name, f"has no file type extension {_USE_INSTEAD}")
    raise ImportFailed(name, f"has an unsupported file type '{suffix}' {_USE_INSTEAD}")


def _from_pdf_file(
    name: str,
    file: Path,
    *,
    title: str | None,
    password: str | None,
    cancelled: Cancelled | None,
) -> ImportedArticle:
    from desktop.core.pdf import read_pdf

    data = _read_bytes(name, file, MAX_PDF_BYTES, what="PDF file")
    pdf = read_pdf(name, data, password=password, cancelled=cancelled)
    return _article(
        name, pdf.text, title or pdf.title or file.stem, file.name, "pdf",
        page_starts=pdf.page_starts,
    )  # fmt: skip


def _read_bytes(name: str, file: Path, limit: int, what: str = "") -> bytes:
    """The file's bytes, after the checks that need no reading."""
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ImportFailed(name, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            # Pipes and devices could block or never end.
            raise ImportFailed(name, "is not a regular file")
        if info.st_size > limit:
            raise ImportFailed(name, _too_large(limit, what))
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
        raise ImportFailed(name, _too_large(limit, what))
    return data


# --- shared ----------------------------------------------------------------------------------


def _article(
    name: str,
    text: str,
    title: str | None,
    original_name: str,
    fmt: str,
    **details: object,
) -> ImportedArticle:
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFailed(name, _too_large())
    chosen = (title or "").strip() or _first_line(text) or original_name
    return ImportedArticle(
        text=text,
        title=chosen,
        original_name=original_name,
        source_format=fmt,
        **details,  # type: ignore[arg-type]
    )


def _too_large(limit: int | None = None, what: str = "") -> str:
    if what:
        assert limit is not None
        return f"is larger than the {limit // (1024 * 1024)} MB limit for a {what}"
    chars = MAX_TEXT_CHARS
    if chars % (1024 * 1024) == 0:
        return f"is larger than the {chars // (1024 * 1024)} MB limit for article text"
    return f"is larger than the {chars:,}-character limit for article text"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\n").lower()[:200]
    return head.startswith(("<!doctype html", "<html"))


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


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return _shorten(line.strip())
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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
