"""Text of a PDF, page by page, in reading order, with words broken at line ends joined again.

pypdf reads the text in the order the file draws it (which keeps columns whole, where
position-sorting readers interleave them), keeps the hyphen at a line end so that the break
can be judged, and enforces limits on every structure it decodes (see the README's
measurements). Lines become paragraphs where the gap between them is wider than the page's
usual line spacing or the type size changes. A word broken at a line end is joined without
its hyphen, unless the document also writes it with the hyphen on one line ("well-known").
The first or last line repeated on most pages (a running head, "Page 3 of 9") is left out,
which also lets a word broken across a page join up.

Every failure is ImportFailed naming the cause: no text layer (a scan), a wrong or missing
password, a damaged file, or a structure past the limits (a PDF bomb).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from desktop.core.errors import CrosscheckError, ImportCancelled, ImportFailed, NoTextFound

MAX_PAGES = 5_000
MAX_STREAM_BYTES = 16 * 1024 * 1024  # one inflated stream (a page's drawing, a font)
MAX_STREAM_TOKENS = 250_000  # operators and operands in one content stream
TIME_LIMIT_S = 60.0
TITLE_LIMIT = 200

_LIMITS: dict[str, Any] = {
    "zlib_maximum_output_length": MAX_STREAM_BYTES,
    "lzw_maximum_output_length": MAX_STREAM_BYTES,
    "run_length_maximum_output_length": MAX_STREAM_BYTES,
    "brotli_maximum_output_length": MAX_STREAM_BYTES,
    "jbig2_maximum_output_length": MAX_STREAM_BYTES,
    "maximum_declared_stream_length": MAX_STREAM_BYTES,
    "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
    "image_maximum_buffer_size": MAX_STREAM_BYTES,
    "stream_decoding_work_maximum_length": 4 * MAX_STREAM_BYTES,
    "stream_parsing_work_maximum_count": MAX_STREAM_TOKENS,
    "page_tree_maximum_entries": MAX_PAGES + 1,
}

_SOFT_HYPHEN = "\u00ad"
_BROKEN_WORD = re.compile(r"(\w+)-$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")
_SENTENCE_END = tuple('.!?:;"”’)»')
_USELESS_TITLES = re.compile(r"^(untitled|microsoft word|document\d*|slide \d+)", re.IGNORECASE)


class PasswordNeeded(ImportFailed):
    """The PDF is encrypted and no password (or a wrong one) was given."""

    def __init__(self, path: object, *, wrong: bool) -> None:
        reason = (
            "is encrypted and the password given is wrong"
            if wrong
            else "is encrypted: give its password (--password)"
        )
        super().__init__(path, reason)
        self.wrong = wrong


@dataclass(frozen=True)
class PdfText:
    text: str
    page_starts: tuple[int, ...]  # where each page starts in ``text`` (code points)
    title: str

    @property
    def page_count(self) -> int:
        return len(self.page_starts)


@dataclass
class _Line:
    text: str
    y: float
    size: float


def read_pdf(
    name: str,
    source: bytes | IO[bytes],
    *,
    password: str | None = None,
    cancelled: Callable[[], bool] | None = None,
    time_limit: float = TIME_LIMIT_S,
) -> PdfText:
    """Read a PDF's text; ImportFailed saying why when it cannot be used."""
    import io

    import pypdf

    # pypdf logs each repair it makes to a damaged file; the user gets one line from us.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    deadline = time.monotonic() + time_limit
    with pypdf.apply_configuration(**_LIMITS):
        pages, title = _read_pages(name, stream, password, cancelled, deadline, time_limit)
    pages = _without_running_lines(pages)
    text, starts = _assemble(pages)
    if not text.strip():
        raise NoTextFound(
            name,
            "has no text layer (it is a scanned image); run it through text recognition "
            "(OCR) first",
        )
    first = next((line.text for lines in pages for line in lines), "")
    return PdfText(text=text, page_starts=starts, title=title or _shorten(first))


def _read_pages(
    name: str,
    stream: IO[bytes],
    password: str | None,
    cancelled: Callable[[], bool] | None,
    deadline: float,
    time_limit: float,
) -> tuple[list[list[_Line]], str]:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = pypdf.PdfReader(stream, strict=False)
        _unlock(name, reader, password)
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise ImportFailed(name, f"has more than {MAX_PAGES:,} pages")
        pages: list[list[_Line]] = []
        for number, page in enumerate(reader.pages, 1):
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was imported")
            if time.monotonic() > deadline:
                raise ImportFailed(
                    name, f"took longer than {time_limit:g} s to read (stopped at page {number})"
                )
            pages.append(_page_lines(page))
        title = _metadata_title(reader)
    except CrosscheckError:
        raise
    except DependencyError:
        raise ImportFailed(
            name, "is encrypted with a method this installation cannot open"
        ) from None
    except FileNotDecryptedError:
        raise PasswordNeeded(name, wrong=password is not None) from None
    except RecursionError:
        raise ImportFailed(name, "is nested too deeply to be read safely (a PDF bomb?)") from None
    except MemoryError:
        raise ImportFailed(name, "needs more memory than is safe to read (a PDF bomb?)") from None
    except Exception as exc:
        if type(exc).__name__ == "LimitReachedError":
            raise ImportFailed(name, _limit_reason(str(exc))) from None
        # A damaged file surfaces as many exception types (PdfReadError, ValueError,
        # KeyError, struct and zlib errors...); to the user they all mean the same.
        raise ImportFailed(name, "is not a valid PDF (damaged or incomplete)") from None
    return pages, title


def _unlock(name: str, reader: Any, password: str | None) -> None:
    from pypdf import PasswordType

    if not reader.is_encrypted:
        return
    # Many PDFs are encrypted only to restrict printing or copying, with an empty password.
    if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
        return
    if password is None:
        raise PasswordNeeded(name, wrong=False)
    if reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
        raise PasswordNeeded(name, wrong=True)


def _limit_reason(detail: str) -> str:
    lowered = detail.lower()
    if "decompress" in lowered or "output length" in lowered or "stream length" in lowered:
        what = f"a part of it inflates to more than {MAX_STREAM_BYTES // (1024 * 1024)} MB"
    elif "token" in lowered:
        what = f"a page holds more than {MAX_STREAM_TOKENS:,} drawing instructions"
    elif "page" in lowered:
        what = "its page tree is too large or too deep"
    else:
        what = " ".join(detail.split()).rstrip(".").lower() or "it passes a safety limit"
    return f"cannot be read safely: {what} (a PDF bomb?)"


def _metadata_title(reader: Any) -> str:
    try:
        title = (reader.metadata or {}).get("/Title") or ""
    except Exception:  # broken metadata is no title
        return ""
    title = " ".join(str(title).split())
    return "" if _USELESS_TITLES.match(title) else _shorten(title)


def _page_lines(page: Any) -> list[_Line]:
    """The page's lines in the order the file draws them, with their height on the page."""
    lines: list[_Line] = []
    current: list[str] = []
    where: list[tuple[float, float]] = []  # (y, size) of the current line's first text

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text == "\n":
            flush()
            return
        for i, piece in enumerate(text.split("\n")):
            if i:
                flush()
            if piece:
                current.append(piece)
                if not where and piece.strip():
                    where.append(_position(cm, tm, size))

    def flush() -> None:
        text = "".join(current)
        if text.strip():
            y, size = where[0] if where else (0.0, 0.0)
            lines.append(_Line(text.strip(), y, size))
        current.clear()
        where.clear()

    page.extract_text(visitor_text=visit)
    flush()
    return lines


def _position(cm: Any, tm: Any, size: float) -> tuple[float, float]:
    """The baseline height on the page and the type size as drawn (text matrix × CTM)."""
    _a, b, c, d, _e, f = (float(v) for v in cm)
    y = float(tm[4]) * b + float(tm[5]) * d + f
    scale = math.hypot(float(tm[2]), float(tm[3])) * math.hypot(c, d)
    return y, float(size) * (scale or 1.0)


def _assemble(pages: list[list[_Line]]) -> tuple[str, tuple[int, ...]]:
    """The document's text and where each page starts in it."""
    words = _word_forms(pages)
    paragraphs_per_page = [_paragraphs(lines, words) for lines in pages]
    text = ""
    starts: list[int] = []
    for paragraphs in paragraphs_per_page:
        page_text = "\n\n".join(paragraphs)
        if text and page_text:
            last = text.rstrip()
            first = page_text.lstrip()
            broken = _BROKEN_WORD.search(last)
            if broken and first[:1].islower():
                # A word broken across the page: it belongs to the page where it starts.
                head, _, rest = first.partition(" ")
                joined = _join_broken(broken.group(1), head, words)
                text = last[: broken.start()] + joined
                starts.append(len(text) + (1 if rest else 0))
                text += (" " + rest) if rest else ""
                continue
            separator = " " if not last.endswith(_SENTENCE_END) and first[:1].islower() else "\n\n"
            text = last + separator
        starts.append(len(text))
        text += page_text
    return text, tuple(starts)


def _without_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop the topmost or bottommost line of pages where the same line (numbers aside)
    tops or ends most pages."""
    if len(pages) < 2:
        return pages

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", " ".join(line.text.lower().split()))

    edges: list[list[_Line]] = []
    for lines in pages:
        if not lines:
            edges.append([])
            continue
        top = max(lines, key=lambda line: line.y)
        bottom = min(lines, key=lambda line: line.y)
        edges.append([top] if top is bottom else [top, bottom])
    counts = Counter(key(line) for group in edges for line in group)
    with_text = sum(1 for lines in pages if lines)
    running = {k for k, n in counts.items() if n >= 2 and n * 2 >= with_text}
    return [
        [line for line in lines if not (any(line is e for e in group) and key(line) in running)]
        for lines, group in zip(pages, edges, strict=True)
    ]


def _word_forms(pages: list[list[_Line]]) -> set[str]:
    """Every word of the document as written on one line, lower case."""
    return {
        m.group(0).lower() for lines in pages for line in lines for m in _WORD.finditer(line.text)
    }


def _join_broken(head: str, tail: str, words: set[str]) -> str:
    """``head-`` at a line end followed by ``tail``: one word, hyphen kept only for a
    compound the document writes with its hyphen elsewhere."""
    tail_word = re.match(r"[\w'’-]*", tail)
    rest = tail[tail_word.end() :] if tail_word else tail
    second = tail_word.group(0) if tail_word else ""
    compound = f"{head}-{second}".lower()
    solid = f"{head}{second}".lower()
    if compound in words and solid not in words:
        return f"{head}-{second}{rest}"
    return f"{head}{second}{rest}"


def _paragraphs(lines: list[_Line], words: set[str]) -> list[str]:
    if not lines:
        return []
    gaps = [
        prev.y - line.y
        for prev, line in itertools.pairwise(lines)
        if prev.y > line.y and abs(prev.size - line.size) < 0.5
    ]
    usual = statistics.median(gaps) if gaps else max(lines[0].size, 1.0) * 1.2
    paragraphs: list[str] = []
    current = lines[0].text
    for prev, line in itertools.pairwise(lines):
        gap = prev.y - line.y
        new_paragraph = gap <= 0 or gap > usual * 1.35 or abs(prev.size - line.size) >= 1.0
        if new_paragraph:
            paragraphs.append(current)
            current = line.text
        else:
            current = _join_lines(current, line.text, words)
    paragraphs.append(current)
    return [p for p in paragraphs if p.strip()]


def _join_lines(text: str, line: str, words: set[str]) -> str:
    if text.endswith(_SOFT_HYPHEN):
        return text[:-1] + line
    broken = _BROKEN_WORD.search(text)
    if broken and line[:1].islower():
        return text[: broken.start()] + _join_broken(broken.group(1), line, words)
    if text.endswith("-") and line[:1].isalnum():
        return text + line  # "COVID-" + "19", "Anglo-" + "Saxon": the hyphen is the word's
    return text + " " + line


def _shorten(title: str) -> str:
    if len(title) <= TITLE_LIMIT:
        return title
    cut = title[: TITLE_LIMIT - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip() + "…"
