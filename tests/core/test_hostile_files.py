"""Hostile files cost what they weigh: each is refused (or read without inflating what it
hides) within 1 s of processor time and 100 MB of memory.

Each case runs in a fresh interpreter so that its peak memory can be measured: the child
imports the readers first, resets the kernel's peak counter, reads the file, and reports
processor time, wall time and the peak resident memory above what it held before reading.
The figures are printed after the test run under "measured" and quoted in the README.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import MEASURED
from tests.support import inflate, pdf_bombs

ROOT = Path(__file__).resolve().parents[2]
CPU_LIMIT_S = 1.0
MEMORY_LIMIT = 100 * 1024 * 1024
MB = 1024 * 1024

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="peak memory is measured through /proc"
)

_CHILD = r"""
import json, sys, time

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024

from desktop.core import importers
import desktop.core.docx_text, desktop.core.html_article, desktop.core.pdf
# Loaded before measuring: the libraries' code is no cost of the file.
import docx, pypdf, trafilatura, lxml.html

before = status("VmRSS:")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak resident size
cpu, wall = time.process_time(), time.perf_counter()
try:
    article = importers.read_article(sys.argv[1])
    outcome, message = "read", f"{len(article.text):,} characters"
except Exception as exc:
    outcome, message = "refused", str(exc)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"outcome": outcome, "message": message, "cpu": cpu, "wall": wall,
                  "peak": status("VmHWM:") - before}))
"""


def _measure(path: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the hostile files --------------------------------------------------------------------


def nested_html(path: Path) -> None:
    """100,000 nested <div>s: 1.1 MB, and quadratic work for a parser that builds them all."""
    depth = 100_000
    path.write_text(
        "<html><body>" + "<div>" * depth + "<p>deep</p>" + "</div>" * depth + "</body></html>"
    )


def _docx_with(path: Path, replace: dict[str, bytes | inflate.Deflated]) -> None:
    """A real .docx from python-docx with some parts replaced."""
    template = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("A short statement.")
    document.save(template)
    with zipfile.ZipFile(template) as source:
        parts: list[tuple[str, bytes | inflate.Deflated]] = [
            (name, source.read(name)) for name in source.namelist() if name not in replace
        ]
    path.write_bytes(inflate.zip_archive(parts + list(replace.items())))


_BODY_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
)


def docx_text_bomb(path: Path) -> None:
    """A .docx of a few hundred KB whose text inflates to 200 MB."""
    body = inflate.repeated(
        _BODY_HEAD + b"<w:p><w:r><w:t>",
        b"a" * MB,
        200,
        b"</w:t></w:r></w:p></w:body></w:document>",
    )
    _docx_with(path, {"word/document.xml": body})


def docx_padding_bomb(path: Path) -> None:
    """1 GB of blanks between the elements of the document part."""
    body = inflate.repeated(
        _BODY_HEAD + b"<w:p><w:r><w:t>Short text.</w:t></w:r></w:p>",
        b" " * MB,
        1024,
        b"</w:body></w:document>",
    )
    _docx_with(path, {"word/document.xml": body})


def docx_hidden_gigabyte(path: Path) -> None:
    """An ordinary document carrying a 1 GB part that holds no text (a "picture")."""
    _docx_with(path, {"word/media/image1.png": inflate.repeated(b"", b"\0" * MB, 1024, b"")})


def pdf_huge_stream(path: Path) -> None:
    path.write_bytes(pdf_bombs.huge_stream(1 << 30))


def pdf_deep_nesting(path: Path) -> None:
    path.write_bytes(pdf_bombs.deep_nesting_in_content(100_000))


def pdf_many_operators(path: Path) -> None:
    path.write_bytes(pdf_bombs.many_operators(12 * MB))


CASES = {
    "html-nested-100k.html": (
        nested_html,
        "is nested more than 256 elements deep; no article page is, so it is not read",
    ),
    "docx-text-200mb.docx": (docx_text_bomb, "would inflate to 200.8 MB of XML"),
    "docx-padding-1gb.docx": (docx_padding_bomb, "would inflate to 1,024.8 MB of XML"),
    "docx-hidden-1gb.docx": (docx_hidden_gigabyte, None),  # read: the gigabyte stays packed
    "pdf-stream-1gb.pdf": (pdf_huge_stream, "a part of it inflates to more than 16 MB"),
    "pdf-nested-100k.pdf": (pdf_deep_nesting, "is nested too deeply to be read safely"),
    "pdf-operators-12mb.pdf": (pdf_many_operators, "drawing instructions"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_costs_what_it_weighs(name: str, tmp_path: Path) -> None:
    make, refusal = CASES[name]
    path = tmp_path / name
    make(path)
    result = _measure(path)
    size = path.stat().st_size
    MEASURED.append(
        f"hostile {name:24} {size / 1024:9,.0f} KB  {result['outcome']:7} "
        f"cpu {result['cpu']:.2f} s  wall {result['wall']:.2f} s  "
        f"peak +{int(result['peak']) / MB:.1f} MB  "  # type: ignore[call-overload]
        f"({str(result['message']).removeprefix(f'{path}: ')})"
    )
    if refusal is None:
        assert result["outcome"] == "read", result["message"]
    else:
        assert result["outcome"] == "refused"
        message = str(result["message"])
        assert message.startswith(f"{path}: ") and refusal in message
        assert "\n" not in message
    assert float(result["cpu"]) < CPU_LIMIT_S  # type: ignore[arg-type]
    assert int(result["peak"]) < MEMORY_LIMIT  # type: ignore[call-overload]
