"""Hostile PDFs, written byte by byte: structures a well-formed reader must survive."""

from __future__ import annotations

from tests.support.inflate import repeated


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with the given objects (numbered from 1) and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _page(contents: bytes, extra: bytes = b"") -> list[bytes]:
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + extra + b">>",
        contents,
        font,
    ]


def _stream(data: bytes, *, flate: bool = False) -> bytes:
    head = b"<< /Length %d%s >>\nstream\n" % (len(data), b" /Filter /FlateDecode" if flate else b"")
    return head + data + b"\nendstream"


TEXT = b"BT /F1 12 Tf 72 750 Td (A statement with a hostile part.) Tj ET"


def deep_nesting(depth: int = 100_000) -> bytes:
    """An array nested ``depth`` levels deep, hung on the page."""
    objects = _page(_stream(TEXT), b"/Annots 6 0 R ")
    objects.append(b"[" * depth + b"]" * depth)
    return _pdf(objects)


def huge_stream(inflated_bytes: int = 1 << 30) -> bytes:
    """A page whose content stream is small in the file and ``inflated_bytes`` once inflated."""
    chunk = b" " * (1 << 20)
    data = repeated(TEXT + b"\n", chunk, inflated_bytes // len(chunk), b"")
    return _pdf(_page(_stream(data.zlib_stream(), flate=True)))


def page_tree_loop() -> bytes:
    """A page tree whose node lists itself as its own child."""
    objects = _page(_stream(TEXT))
    objects[1] = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
    return _pdf(objects)


def plain() -> bytes:
    """The same page without anything hostile, to show the reader works on it."""
    return _pdf(_page(_stream(TEXT)))


def deep_nesting_in_page(depth: int = 100_000) -> bytes:
    """The page dictionary itself holds an array nested ``depth`` levels deep."""
    objects = _page(_stream(TEXT), b"/Deep " + b"[" * depth + b"]" * depth + b" ")
    return _pdf(objects)


def deep_nesting_in_content(depth: int = 100_000) -> bytes:
    """The content stream's text operand is nested ``depth`` levels deep."""
    body = b"BT /F1 12 Tf 72 750 Td " + b"[" * depth + b"(x)" + b"]" * depth + b" TJ ET"
    return _pdf(_page(_stream(body)))


def many_operators(inflated_bytes: int = 12 << 20) -> bytes:
    """A content stream of path operators that inflates to ``inflated_bytes``."""
    unit = b"0 0 m 1 1 l S\n" * 4096
    data = repeated(TEXT + b"\n", unit, inflated_bytes // len(unit), b"")
    return _pdf(_page(_stream(data.zlib_stream(), flate=True)))
