"""Compressed data that inflates to a gigabyte, made in milliseconds.

Compressing a gigabyte takes several seconds. A deflate stream of one repeated chunk can be
made from the chunk's compressed form repeated instead: after a full flush the compressor
starts afresh, so each repetition compresses to the same bytes.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Deflated:
    raw: bytes  # raw deflate stream (as in a zip file)
    size: int  # inflated size
    crc32: int
    adler32: int

    def zlib_stream(self) -> bytes:
        """The same data as a zlib stream (as in a PDF's FlateDecode)."""
        return b"\x78\xda" + self.raw + struct.pack(">I", self.adler32)


def repeated(head: bytes, chunk: bytes, count: int, tail: bytes) -> Deflated:
    """``head + chunk * count + tail``, deflated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    adler = zlib.adler32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
        adler = zlib.adler32(chunk, adler)
    crc = zlib.crc32(tail, crc)
    adler = zlib.adler32(tail, adler)
    return Deflated(
        raw=start + block * count + end,
        size=len(head) + len(chunk) * count + len(tail),
        crc32=crc,
        adler32=adler,
    )


def zip_archive(parts: list[tuple[str, bytes | Deflated]]) -> bytes:
    """A zip file (deflated members, no zip64: members under 4 GB)."""
    out = bytearray()
    directory = bytearray()
    for name, content in parts:
        member = content if isinstance(content, Deflated) else _deflate(content)
        encoded = name.encode("utf-8")
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            8,
            0,
            0,
            member.crc32,
            len(member.raw),
            member.size,
            len(encoded),
            0,
        )
        out += encoded + member.raw
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            member.crc32,
            len(member.raw),
            member.size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    start = len(out)
    out += directory
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), start, 0
    )
    return bytes(out)


def _deflate(data: bytes) -> Deflated:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = packer.compress(data) + packer.flush()
    return Deflated(raw, len(data), zlib.crc32(data), zlib.adler32(data))
