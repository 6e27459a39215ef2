"""Code point ↔ UTF-16 conversion, and Qt's document positions matching UTF-16 indices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QTextDocument

from desktop.core.importers import read_article
from desktop.ui.text_offsets import Utf16Map, display_text

THUMBS = "👍🏽"  # two astral code points
FLAG = "🇺🇦"  # two regional indicators, both astral
FAMILY = "👨\u200d👩\u200d👧"  # three astral code points joined by ZWJ
E_ACUTE = "e\u0301"  # combining accent: two BMP code points
CYRILLIC = "Привіт, світе"
ARABIC = "مرحبا بالعالم"
NBSP = "\u00a0"

MIXED = (
    f"Start {THUMBS} then {FLAG} and {FAMILY}.\n"
    f"Café {E_ACUTE}clair\t{CYRILLIC}{NBSP}{ARABIC}\u2028end"
)


def utf16_index(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def test_ascii_text_maps_to_itself() -> None:
    mapping = Utf16Map("plain text\nwith lines")
    assert mapping.is_identity
    assert mapping.to_utf16(5) == 5
    assert mapping.to_codepoint(5) == 5
    assert mapping.u16_length == mapping.cp_length == 21


@pytest.mark.parametrize(
    "text", [THUMBS, FLAG, FAMILY, E_ACUTE, CYRILLIC, ARABIC, NBSP, MIXED], ids=repr
)
def test_every_code_point_round_trips(text: str) -> None:
    mapping = Utf16Map(text)
    assert mapping.u16_length == len(text.encode("utf-16-le")) // 2
    for cp in range(len(text) + 1):
        u16 = mapping.to_utf16(cp)
        assert u16 == utf16_index(text, cp)
        assert mapping.to_codepoint(u16) == cp
        assert mapping.to_codepoint(u16, round_up=True) == cp


def test_bmp_only_scripts_need_no_conversion() -> None:
    for text in (E_ACUTE, CYRILLIC, ARABIC, NBSP):
        assert Utf16Map(text).is_identity


def test_position_inside_a_surrogate_pair_rounds_to_a_whole_character() -> None:
    text = f"a{THUMBS}b"  # a, 👍 (2 units), 🏽 (2 units), b
    mapping = Utf16Map(text)
    assert mapping.to_codepoint(2) == 1  # inside 👍: a start rounds down
    assert mapping.to_codepoint(2, round_up=True) == 2  # an end rounds up
    assert mapping.to_codepoint(4) == 2
    assert mapping.to_codepoint(4, round_up=True) == 3
    start, end = mapping.span_to_codepoints(2, 4)
    assert text[start:end] == "👍🏽"


def test_positions_are_clamped_to_the_text() -> None:
    mapping = Utf16Map(f"x{FLAG}")
    assert mapping.to_utf16(-3) == 0
    assert mapping.to_utf16(99) == 5
    assert mapping.to_codepoint(-1) == 0
    assert mapping.to_codepoint(99) == 3


def test_crlf_import_stores_line_feeds_and_offsets_match(tmp_path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(f"First line {THUMBS}\r\nSecond {CYRILLIC}\r\n".encode())
    text = read_article(path).text
    assert "\r" not in text
    mapping = Utf16Map(text)
    start = text.index("Second")
    assert text[start : start + 6] == "Second"
    assert mapping.to_utf16(start) == utf16_index(text, start)
    assert mapping.to_codepoint(mapping.to_utf16(start)) == start


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_round_trip_any_text(text: str) -> None:
    mapping = Utf16Map(text)
    for cp in range(len(text) + 1):
        assert mapping.to_codepoint(mapping.to_utf16(cp)) == cp


@pytest.mark.parametrize(
    "text",
    [
        "a\nb\n\nc",
        "tab\there",
        "line\u2028separator",
        "para\u2029separator",
        f"no{NBSP}break",
        MIXED,
        "form\x0cfeed and \x0bvertical tab",
        "zero\u200bwidth\ufeffbom",
        "lone\rreturn and crlf\r\npair",
    ],
    ids=repr,
)
def test_document_positions_are_utf16_indices(qapp, text: str) -> None:
    """What ``setPlainText(display_text(text))`` shows has one position per UTF-16 unit, and
    each position holds the same character (line breaks excepted)."""
    document = QTextDocument()
    document.setPlainText(display_text(text))
    units = text.encode("utf-16-le")
    count = len(units) // 2
    assert document.characterCount() - 1 == count
    breaks = {"\n", "\r", "\u2029"}
    mapping = Utf16Map(text)
    for cp, ch in enumerate(text):
        u16 = mapping.to_utf16(cp)
        shown = document.characterAt(u16)
        if ch in breaks:
            assert shown == "\u2029"
        elif ord(ch) > 0xFFFF:
            pair = units[2 * u16 : 2 * u16 + 4].decode("utf-16-le")
            assert pair == ch
            assert 0xD800 <= ord(shown) <= 0xDBFF
        else:
            assert shown == ch


def test_crlf_would_shift_positions_without_display_text(qapp) -> None:
    """The one exception found: Qt folds ``\\r\\n`` into one break."""
    document = QTextDocument()
    document.setPlainText("a\r\nb")
    assert document.characterCount() - 1 == 3  # not 4
    assert display_text("a\r\nb") == "a\n\nb"


def test_display_text_replaces_lone_surrogates_in_place() -> None:
    assert display_text("a\ud800b") == "a\ufffdb"
    assert display_text("plain") == "plain"
