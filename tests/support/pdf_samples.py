"""Small real PDFs made at test time (no opaque binaries in the repository).

Each sample writes its lines one by one at fixed positions, as typesetting programs do, so
line breaks, hyphens and the order of text in the file are exactly what the test says.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

from fpdf import FPDF

PAGE_W, PAGE_H = 210, 297  # A4, millimetres
LINE = 6


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    # The text as Crosscheck keeps it: pages in order, paragraphs separated by blank lines,
    # words broken at a line end joined again, running page numbers left out.
    expected_pages: tuple[str, ...]


def _pdf() -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    pdf.set_title("")
    return pdf


def _lines(pdf: FPDF, x: float, y: float, lines: list[str], *, gap_after: bool = True) -> float:
    for line in lines:
        pdf.text(x, y, line)
        y += LINE
    return y + (LINE if gap_after else 0)


def statement() -> Sample:
    """A two-page statement: heading, footer drawn first, a word broken across the pages."""
    pdf = _pdf()
    pdf.set_title("Statement on Ward 7")
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.text(95, 287, "Page 1 of 2")  # drawn before the body, as many producers do
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.text(20, 25, "Statement on the temporary closure of Ward 7")
    pdf.set_font("Helvetica", size=11)
    y = _lines(
        pdf,
        20,
        40,
        [
            "The Riverside Hospitals Trust confirms that Ward 7 at St Anne's Hospital will",
            "close to new admissions from 1 April for a period of up to six months.",
        ],
    )
    y = _lines(
        pdf,
        20,
        y,
        [
            "The decision follows an inspection in February which found that the ward's",
            "ventilation did not meet current standards. No patient has been harmed, and",
            "the 24 patients on the ward will be cared for in other wards of the hospital.",
        ],
    )
    _lines(
        pdf,
        20,
        y,
        [
            "We understand that this is worrying for patients and families, and we have",
            "asked the Department of Health for emergency capital funding. We are grateful",
            "for the support of the local authority and of the regional govern-",
        ],
        gap_after=False,
    )
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.text(95, 287, "Page 2 of 2")
    pdf.set_font("Helvetica", size=11)
    y = _lines(
        pdf,
        20,
        25,
        [
            "ment office, which has agreed to review the inter-",
            "national guidance on ward ventilation with us.",
        ],
    )
    _lines(
        pdf,
        20,
        y,
        [
            "Visiting arrangements for the remaining wards are unchanged. Relatives with",
            "questions can call the patient advice service on 0300 123 4567.",
        ],
        gap_after=False,
    )
    return Sample(
        "statement",
        bytes(pdf.output()),
        (
            "Statement on the temporary closure of Ward 7\n\n"
            "The Riverside Hospitals Trust confirms that Ward 7 at St Anne's Hospital will "
            "close to new admissions from 1 April for a period of up to six months.\n\n"
            "The decision follows an inspection in February which found that the ward's "
            "ventilation did not meet current standards. No patient has been harmed, and "
            "the 24 patients on the ward will be cared for in other wards of the hospital.\n\n"
            "We understand that this is worrying for patients and families, and we have "
            "asked the Department of Health for emergency capital funding. We are grateful "
            "for the support of the local authority and of the regional government ",
            "office, which has agreed to review the international guidance on ward "
            "ventilation with us.\n\n"
            "Visiting arrangements for the remaining wards are unchanged. Relatives with "
            "questions can call the patient advice service on 0300 123 4567.",
        ),
    )


def two_columns() -> Sample:
    """A press release set in two columns, each written top to bottom."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.text(20, 25, "Port authority reports record cargo year")
    pdf.set_font("Helvetica", size=10)
    left = [
        "The port handled 41.2 million",
        "tonnes of cargo in 2023, up 6",
        "per cent on the year before,",
        "the port authority said.",
        "",
        "Container traffic rose by 9 per",
        "cent, while bulk grain exports",
        "fell for a second year.",
    ]
    right = [
        "The authority plans to spend",
        "EUR 310 million on a new deep",
        "water berth by 2027.",
        "",
        "Unions welcomed the figures but",
        "said staffing had not kept pace",
        "with the growth in traffic.",
    ]
    for column, x in ((left, 20), (right, 110)):
        y = 40
        for line in column:
            if line:
                pdf.text(x, y, line)
            y += 5
    return Sample(
        "two-columns",
        bytes(pdf.output()),
        (
            "Port authority reports record cargo year\n\n"
            "The port handled 41.2 million tonnes of cargo in 2023, up 6 per cent on the year "
            "before, the port authority said.\n\n"
            "Container traffic rose by 9 per cent, while bulk grain exports fell for a second "
            "year.\n\n"
            "The authority plans to spend EUR 310 million on a new deep water berth by 2027.\n\n"
            "Unions welcomed the figures but said staffing had not kept pace with the growth "
            "in traffic.",
        ),
    )


def compound_hyphen() -> Sample:
    """A compound word broken at its own hyphen keeps it; a word broken by the typesetter
    does not. The compound appears unbroken elsewhere, which tells them apart."""
    pdf = _pdf()
    pdf.add_page()
    _lines(
        pdf,
        20,
        30,
        [
            "The minister, a well-known critic of the scheme, said the figures were",
            "out of date. Officials described the report as a well-",
            "known problem that had been raised with the depart-",
            "ment many times before.",
        ],
    )
    return Sample(
        "compound-hyphen",
        bytes(pdf.output()),
        (
            "The minister, a well-known critic of the scheme, said the figures were out of "
            "date. Officials described the report as a well-known problem that had been "
            "raised with the department many times before.",
        ),
    )


def image_only() -> Sample:
    """A scan: one page that is a picture of text, with no text layer."""
    pdf = _pdf()
    pdf.add_page()
    # A small grey image stands for the scanned page; what matters is that no text is drawn.
    width, height = 64, 64
    pixels = bytes(range(256)) * (width * height // 256)
    image = io.BytesIO()
    _write_pgm(image, width, height, pixels)
    image.seek(0)
    pdf.image(image, x=20, y=20, w=170)
    return Sample("scan", bytes(pdf.output()), ())


def _write_pgm(out: io.BytesIO, width: int, height: int, pixels: bytes) -> None:
    """A PNG made by hand (grey, 8-bit), so the sample needs no imaging library."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + pixels[r * width : (r + 1) * width] for r in range(height))
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
    out.write(chunk(b"IDAT", zlib.compress(rows)))
    out.write(chunk(b"IEND", b""))


def encrypted(password: str = "s3cret") -> Sample:
    """The statement, encrypted with a user password (AES-256) by pypdf."""
    from pypdf import PdfReader, PdfWriter

    plain = statement()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain.data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return Sample("encrypted", out.getvalue(), plain.expected_pages)


def text_samples() -> list[Sample]:
    return [statement(), two_columns(), compound_hyphen()]
