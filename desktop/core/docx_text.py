"""Text and title of a Word document (.docx), after checking what it would inflate to.

A .docx is a zip archive. Its sizes are checked before anything is inflated: the XML parts
that hold the text may inflate to at most MAX_XML_BYTES in all, and to at most
MAX_INFLATION times the file's own size (real documents inflate 5 to 20 times; a 526 KB
file whose text inflates to 200 MB is a bomb). The zip reader never inflates a part past
its declared size, so the declared sizes bound the work even when they lie (the checksum
then fails and the file is refused as damaged). Pictures and other parts that hold no text
are never inflated: the document is rebuilt without their contents before it is parsed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from desktop.core.errors import ImportFailed

MAX_XML_BYTES = 64 * 1024 * 1024
MAX_INFLATION = 100
MAX_PARTS = 10_000
# Below this, any inflation is allowed: a small document cannot cost much.
SMALL_XML_BYTES = 4 * 1024 * 1024

_TEXT_PART_SUFFIXES = (".xml", ".rels")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def read_docx(name: str, data: bytes) -> tuple[str, str]:
    """The document's text (one line per paragraph, table cells included) and its title."""
    import docx

    if data.startswith(_OLE_MAGIC):
        raise ImportFailed(
            name, "is not a valid .docx file (it is an old .doc or a password-protected document)"
        )
    package = _text_parts_only(name, data)
    try:
        document = docx.Document(io.BytesIO(package))
        text = "\n".join(_docx_lines(document)).replace("\r\n", "\n").replace("\r", "\n")
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
    return text, " ".join(title.split())


def _text_parts_only(name: str, data: bytes) -> bytes:
    """The package with its XML parts as they are and every other part emptied, after the
    size checks; ImportFailed when it would inflate past the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFailed(name, "is not a valid .docx file") from None
    if len(parts) > MAX_PARTS:
        raise ImportFailed(name, f"is not a valid .docx file (more than {MAX_PARTS:,} parts)")
    xml = {id(p) for p in parts if p.filename.lower().endswith(_TEXT_PART_SUFFIXES)}
    declared = sum(p.file_size for p in parts if id(p) in xml)
    limit = min(MAX_XML_BYTES, max(SMALL_XML_BYTES, MAX_INFLATION * len(data)))
    if declared > limit:
        raise ImportFailed(name, _bomb(declared, limit))
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as rebuilt:
            left = limit
            for part in parts:
                if id(part) in xml:
                    with archive.open(part) as stream:
                        content = stream.read(left + 1)
                    left -= len(content)
                    if left < 0:
                        raise ImportFailed(name, _bomb(limit + 1, limit))
                else:
                    content = b""  # pictures and fonts hold no text
                rebuilt.writestr(part.filename, content)
    except ImportFailed:
        raise
    except Exception:
        # A bad checksum (a part longer than it says), an unknown compression method...
        raise ImportFailed(name, "is not a valid .docx file (damaged)") from None
    return out.getvalue()


def _bomb(size: int, limit: int) -> str:
    return (
        f"would inflate to {_mb(size)} of XML (the limit for a file of this size is "
        f"{_mb(limit)}); it is not read"
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _docx_lines(container: object) -> Iterator[str]:
    """One line per Word paragraph, tables' cells included, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():  # type: ignore[attr-defined]
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


def _is_heading(paragraph: object) -> bool:
    style = paragraph.style  # type: ignore[attr-defined]
    style_name = ((style.name if style is not None else None) or "").lower()
    return style_name.startswith("heading") or style_name == "title"
