"""Bytes to text for article files: byte-order marks, declared charsets and legacy 8-bit
encodings, refusing what is not text."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from desktop.core.errors import ImportFailed

_BINARY = "looks like a binary file, not text"
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.IGNORECASE)

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


def decode(name: str, data: bytes, declared: str | None = None) -> str:
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
            text = decode_legacy(data)
        if text is None:
            raise ImportFailed(name, _BINARY)
    if text and len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise ImportFailed(name, _BINARY)
    return text


def decode_legacy(data: bytes) -> str | None:
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


def declared_charset(data: bytes) -> str | None:
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


def python_codec(label: str | None) -> str | None:
    """The Python codec for a charset label (from an HTTP header), or None if unknown."""
    if not label:
        return None
    try:
        codec = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return "cp1252" if codec in ("iso8859-1", "ascii") else codec
