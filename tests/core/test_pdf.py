"""PDFs made at test time: text in reading order, page boundaries, broken words joined,
and clear refusals of scans, encrypted files without their password and damaged files."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core import importers
from desktop.core.errors import ImportFailed, NoTextFound
from desktop.core.pdf import PasswordNeeded, read_pdf
from tests.support import pdf_samples


def pages_of(text: str, starts: tuple[int, ...]) -> list[str]:
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True)]


@pytest.mark.parametrize("sample", pdf_samples.text_samples(), ids=lambda s: s.name)
def test_text_in_reading_order_with_its_pages(sample: pdf_samples.Sample) -> None:
    read = read_pdf(sample.name, sample.data)
    assert pages_of(read.text, read.page_starts) == list(sample.expected_pages)
    assert read.page_count == len(sample.expected_pages)


def test_a_word_broken_across_pages_belongs_to_the_first() -> None:
    read = read_pdf("statement.pdf", pdf_samples.statement().data)
    assert "regional government office" in read.text
    at = read.text.index("government")
    assert read.page_starts[0] <= at < read.page_starts[1]
    assert read.text[read.page_starts[1] :].startswith("office, which")
    # The running page numbers are no part of the text.
    assert "Page 1 of 2" not in read.text and "Page 2 of 2" not in read.text


def test_hyphens_at_line_ends() -> None:
    text = read_pdf("c.pdf", pdf_samples.compound_hyphen().data).text
    assert "a well-known problem" in text  # written with its hyphen elsewhere: kept
    assert "the department many times" in text  # broken by the typesetter: joined
    assert "depart-" not in text


def test_title_from_the_document_else_its_first_line() -> None:
    assert read_pdf("s.pdf", pdf_samples.statement().data).title == "Statement on Ward 7"
    assert read_pdf("t.pdf", pdf_samples.two_columns().data).title == (
        "Port authority reports record cargo year"
    )


def test_a_scan_without_text_is_refused_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_samples.image_only().data)
    with pytest.raises(NoTextFound) as caught:
        importers.read_article(path)
    assert str(caught.value) == (
        f"{path}: has no text layer (it is a scanned image); run it through text "
        "recognition (OCR) first"
    )


def test_an_encrypted_pdf_needs_its_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_samples.encrypted("s3cret").data)
    with pytest.raises(PasswordNeeded) as caught:
        importers.read_article(path)
    assert str(caught.value) == f"{path}: is encrypted: give its password (--password)"
    assert not caught.value.wrong
    with pytest.raises(PasswordNeeded) as caught:
        importers.read_article(path, password="guess")
    assert str(caught.value) == f"{path}: is encrypted and the password given is wrong"
    article = importers.read_article(path, password="s3cret")
    plain = read_pdf("plain", pdf_samples.statement().data)
    assert (article.text, article.page_starts) == (plain.text, plain.page_starts)


def test_the_password_is_asked_for_until_right(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_samples.encrypted("s3cret").data)
    asked: list[tuple[str, bool]] = []
    answers = iter(["wrong", "s3cret"])

    def ask(name: str, wrong: bool) -> str | None:
        asked.append((name, wrong))
        return next(answers)

    article = importers.read_source(path, ask_password=ask)
    assert asked == [(str(path), False), (str(path), True)]
    assert article.source_format == "pdf"


def test_a_pdf_file_imports_with_its_pages(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf_samples.statement().data)
    article = importers.read_article(path)
    assert (article.source_format, article.original_name) == ("pdf", "statement.pdf")
    assert article.title == "Statement on Ward 7"
    assert article.page_starts == read_pdf("x", path.read_bytes()).page_starts
    assert len(article.page_starts) == 2


@pytest.mark.parametrize(
    "data",
    [
        pdf_samples.statement().data[:600],  # cut short
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 9 0 R >>\n%%EOF\n",
        b"%PDF-" + bytes(range(256)) * 8,
    ],
    ids=["truncated", "no-pages", "garbage"],
)
def test_a_broken_pdf_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(ImportFailed) as caught:
        importers.read_article(path)
    assert str(caught.value) == f"{path}: is not a valid PDF (damaged or incomplete)"
