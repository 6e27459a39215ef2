"""PDF text libraries compared on what matters for quoting statements: reading order,
hyphenated line breaks, speed, and hostile files.

    python tests/benchmarks/bench_pdf_text.py

pypdf is what Crosscheck uses; pdfplumber and pypdfium2 are measured when installed
(``pip install pdfplumber pypdfium2``). The PDFs are made here (``tests/support``).

- order: sentences of each sample found in the right order in the library's raw text;
- hyphens: line-end breaks ("govern-" / "ment") whose hyphen and line break survive, so
  that a reader can judge them (a break joined into "govern-ment", or marked and joined,
  loses that);
- 60 pages: seconds to extract a 60-page report;
- bombs: each in a fresh interpreter, CPU seconds and peak memory above the start, or the
  error. Crosscheck's own reading is shown with its limits as ``crosscheck``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support import pdf_samples  # noqa: E402

BREAKS = ["govern-\nment", "inter-\nnational", "well-\nknown", "depart-\nment"]


def pypdf_text(data: bytes) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def plumber_text(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pdfium_text(data: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def crosscheck_text(data: bytes) -> list[str]:
    from desktop.core.pdf import read_pdf

    read = read_pdf("bench", data)
    ends = [*read.page_starts[1:], len(read.text)]
    return [read.text[a:b] for a, b in zip(read.page_starts, ends, strict=True)]


LIBRARIES: dict[str, Callable[[bytes], list[str]]] = {
    "crosscheck": crosscheck_text,
    "pypdf": pypdf_text,
    "pdfplumber": plumber_text,
    "pypdfium2": pdfium_text,
}


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def order_score(expected: str, got: str) -> tuple[int, int]:
    """(sentences in order, sentences): the longest run of sentences found in order."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n\n", expected) if len(s) > 12]
    flat = _letters(got)
    positions = [flat.find(_letters(s)) for s in sentences]
    best: list[int] = []  # longest increasing subsequence of the positions found
    for p in positions:
        if p < 0:
            continue
        i = next((k for k, v in enumerate(best) if v >= p), len(best))
        best[i:i + 1] = [p]  # fmt: skip
    return len(best), len(sentences)


def available(name: str) -> bool:
    module = {"pypdfium2": "pypdfium2", "pdfplumber": "pdfplumber"}.get(name)
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def report_pages(count: int = 60) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=10)
    line = "The committee heard evidence from 14 witnesses on the funding of local services."
    for page in range(count):
        pdf.add_page()
        pdf.text(95, 287, f"Page {page + 1} of {count}")
        for row in range(50):
            pdf.text(20, 20 + row * 5, line)
    return bytes(pdf.output())


_BOMB_CHILD = r"""
import io, json, sys, time
sys.path.insert(0, sys.argv[3])
from tests.support import pdf_bombs
from tests.benchmarks.bench_pdf_text import LIBRARIES
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
data = getattr(pdf_bombs, sys.argv[2])()
read = LIBRARIES[sys.argv[1]]
try:
    read(pdf_bombs.plain())  # load the library's code before measuring
except Exception:
    pass
before = status("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")
cpu = time.process_time()
try:
    read(data)
    outcome = "read"
except BaseException as exc:
    outcome = f"{type(exc).__name__}: {' '.join(str(exc).split())[:60]}"
print(json.dumps({"cpu": time.process_time() - cpu, "peak": status("VmHWM:") - before,
                  "outcome": outcome}))
"""


def bomb(library: str, case: str) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _BOMB_CHILD, library, case, str(ROOT)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return "over 120 s"
    if done.returncode != 0:
        return f"crashed ({done.returncode})"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return f"{result['cpu']:.2f} s, +{result['peak'] / 2**20:.0f} MB, {result['outcome']}"


def main() -> int:
    samples = pdf_samples.text_samples()
    for name, read in LIBRARIES.items():
        if not available(name):
            print(f"{name:11} not installed")
            continue
        in_order = total = kept = 0
        for sample in samples:
            pages = read(sample.data)
            got = "\n".join(pages)
            n, m = order_score("\n\n".join(sample.expected_pages), got)
            in_order += n
            total += m
            flat = got.replace("\r\n", "\n")
            kept += sum(1 for b in BREAKS if b in flat)
        report = report_pages()
        started = time.perf_counter()
        read(report)
        seconds = time.perf_counter() - started
        hyphens = (
            "joined by Crosscheck's rules" if name == "crosscheck" else f"{kept}/{len(BREAKS)}"
        )
        print(
            f"{name:11} order {in_order}/{total} sentences  line-end hyphens kept {hyphens}  "
            f"60 pages {seconds:.2f} s"
        )
    if not Path("/proc/self/clear_refs").exists():
        print("bombs: peak memory is measured through /proc (Linux only)")
        return 0
    for case in ("huge_stream", "deep_nesting_in_content", "many_operators", "page_tree_loop"):
        for name in LIBRARIES:
            if available(name) and name != "pypdf":
                print(f"{case:24} {name:11} {bomb(name, case)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
