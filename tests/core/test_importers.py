"""Reading article files as a user hands them to Crosscheck."""

from __future__ import annotations

import os
import random
from pathlib import Path

import docx
import pytest

from desktop.core import importers
from desktop.core.errors import ImportFailed
from desktop.core.importers import ImportedArticle, read_article, read_articles

RUSSIAN = (
    "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация "
    "южных губерний даст мощный толчок подъёму сельского хозяйства."
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def refused(path: Path | str, reason: str) -> None:
    """Assert that reading `path` fails with exactly `reason`, naming the file."""
    with pytest.raises(ImportFailed) as caught:
        read_article(path)
    assert caught.value.reason == reason
    assert str(caught.value) == f"{path}: {reason}"


# --- plain text and encodings -----------------------------------------------------------


def test_utf8_text(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", "Headline here\n\nBody with “quotes” and ünïcödé.\n")
    assert read_article(path) == ImportedArticle(
        text="Headline here\n\nBody with “quotes” and ünïcödé.\n",
        title="Headline here",
        original_name="story.txt",
        source_format="txt",
        url=None,
    )


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbfFirst line\nsecond")
    article = read_article(path)
    assert article.text == "First line\nsecond"
    assert article.title == "First line"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Ünïcode — 16 bits 😀\nline two"
    path = write(tmp_path, "wide.txt", "\ufeff".encode(codec) + text.encode(codec))
    assert read_article(path).text == text


def test_cp1252_western_text(tmp_path: Path) -> None:
    text = "Café déjà vu, naïve résumé, “quoted” — dash"
    path = write(tmp_path, "legacy.txt", text.encode("cp1252"))
    assert read_article(path).text == text


def test_latin1_text(tmp_path: Path) -> None:
    text = "Die Straße ist schön, Grüße aus München"
    path = write(tmp_path, "legacy.txt", text.encode("latin-1"))
    assert read_article(path).text == text


@pytest.mark.parametrize("codec", ["koi8-r", "cp1251"])
def test_cyrillic_legacy_text(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path, "russian.txt", RUSSIAN.encode(codec))
    assert read_article(path).text == RUSSIAN


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        (
            "cp1252",
            "Le maire a déclaré mercredi que le nouveau pont serait achevé « d’ici à l’été "
            "prochain ». Selon lui, les travaux ont déjà coûté 12 millions d’euros — une somme "
            "jugée excessive par l’opposition, qui réclame une enquête indépendante.",
        ),
        (
            "cp1250",
            "Burmistrz oświadczył w środę, że nowy most zostanie ukończony „do przyszłego lata”. "
            "Według niego prace kosztowały już 12 milionów euro – kwotę, którą opozycja uważa "
            "za zawyżoną i żąda niezależnego śledztwa.",
        ),
        (
            "cp1250",
            "Starosta ve středu prohlásil, že nový most bude dokončen „do příštího léta“. Podle "
            "něj stavební práce již stály 12 milionů eur, což opozice považuje za přemrštěnou "
            "částku a žádá nezávislé vyšetřování.",
        ),
        (
            "cp1253",
            "Ο δήμαρχος δήλωσε την Τετάρτη ότι η νέα γέφυρα θα ολοκληρωθεί «μέχρι το επόμενο "
            "καλοκαίρι». Σύμφωνα με τον ίδιο, τα έργα έχουν ήδη κοστίσει 12 εκατομμύρια ευρώ.",
        ),
    ],
    ids=["french", "polish", "czech", "greek"],
)
def test_other_legacy_paragraphs(tmp_path: Path, codec: str, text: str) -> None:
    path = write(tmp_path, "legacy.txt", text.encode(codec))
    assert read_article(path).text == text


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.txt", b"one\r\ntwo\rthree\nfour\r\n\r\n")
    assert read_article(path).text == "one\ntwo\nthree\nfour\n\n"


def test_every_visible_character_is_kept(tmp_path: Path) -> None:
    text = (
        "\n  Title\u00a0with NBSP  \n"
        "Cafe\u0301 (combining accent), family 👩\u200d👩\u200d👧, flag 🇺🇦, "
        "tab\there, zero\u200bwidth\u200d joiner   \n\n\n"
    )
    path = write(tmp_path, "exact.txt", text)
    article = read_article(path)
    assert article.text == text
    assert article.title == "Title\u00a0with NBSP"


def test_uppercase_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "SHOUT.TXT", "Loud text")
    article = read_article(path)
    assert (article.text, article.source_format, article.original_name) == (
        "Loud text",
        "txt",
        "SHOUT.TXT",
    )


def test_path_may_be_a_string(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Text")
    assert read_article(str(path)).text == "Text"


# --- titles --------------------------------------------------------------------------------


def test_markdown_kept_verbatim_with_heading_title(tmp_path: Path) -> None:
    text = "\n# The *Real* Story #\n\nSome **bold** text and a [link](http://x.example).\n"
    path = write(tmp_path, "post.md", text)
    article = read_article(path)
    assert article.text == text
    assert article.title == "The *Real* Story"
    assert article.source_format == "md"


@pytest.mark.parametrize("line", ["**Bold title**", "__Bold title__", "## **Bold title**"])
def test_markdown_emphasis_title(tmp_path: Path, line: str) -> None:
    path = write(tmp_path, "post.markdown", f"{line}\nbody")
    assert read_article(path).title == "Bold title"


def test_hashtag_is_not_a_heading(tmp_path: Path) -> None:
    path = write(tmp_path, "tweet.txt", "#breaking news today")
    assert read_article(path).title == "#breaking news today"


def test_long_title_is_cut_at_a_word(tmp_path: Path) -> None:
    words = " ".join(["word"] * 100)  # 499 characters
    path = write(tmp_path, "long.txt", words)
    title = read_article(path).title
    assert title == " ".join(["word"] * 39) + "…"
    assert len(title) <= 200


def test_given_title_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Default title\nbody")
    assert read_article(path, title="  Chosen title ").title == "Chosen title"
    assert read_article(path, title="   ").title == "Default title"


# --- HTML --------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
  <meta charset="utf-8">
  <title>  Mayor   says
     yes  </title>
  <link rel="canonical" href="https://news.example/mayor">
  <meta property="og:url" content="https://news.example/og">
  <style>p { color: red }</style>
  <script>var tracking = "do not import";</script>
</head>
<body>
  <nav><a href="/">Home</a> <a href="/news">News</a></nav>
  <h1>Page heading</h1>
  <p>The mayor said&nbsp;yes
     to the   <b>new</b>
     <i>bridge</i>.</p>
  <div>Second<br>paragraph</div>
  <ul><li>one</li><li>two</li></ul>
  <table><tr><td>Year</td><td>Cost</td></tr><tr><td>2024</td><td>12&nbsp;m</td></tr></table>
  <aside>Related stories</aside>
  <noscript>Enable JavaScript</noscript>
  <footer>© News Ltd</footer>
</body></html>
"""


def test_html_readable_text(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "page.html", PAGE))
    assert article.text == (
        "Page heading\n\n"
        "The mayor said\u00a0yes to the new bridge.\n\n"
        "Second\n\nparagraph\n\none\n\ntwo\n\nYear Cost\n\n2024 12\u00a0m"
    )
    assert article.title == "Mayor says yes"
    assert article.url == "https://news.example/mayor"
    assert article.source_format == "html"
    assert article.original_name == "page.html"


def test_html_article_element_wins(tmp_path: Path) -> None:
    page = (
        "<html><body><p>Cookie banner</p><main><p>Main text</p>"
        "<article><h1>Story</h1><p>Story text</p></article></main></body></html>"
    )
    article = read_article(write(tmp_path, "story.htm", page))
    assert article.text == "Story\n\nStory text"
    assert article.title == "Story"  # no <title>: first <h1>
    assert article.url is None


def test_html_article_header_kept_page_header_dropped(tmp_path: Path) -> None:
    page = (
        "<html><body><header>Site name</header><article><header><h1>Headline</h1>"
        "<p>By A. Writer</p></header><p>Body text</p></article><footer>(c)</footer></body></html>"
    )
    assert read_article(write(tmp_path, "a.html", page)).text == (
        "Headline\n\nBy A. Writer\n\nBody text"
    )
    page = (
        "<html><body><header>Site name</header><p>Body text</p><footer>(c)</footer></body></html>"
    )
    assert read_article(write(tmp_path, "b.html", page)).text == "Body text"


def test_html_main_element_used_without_article(tmp_path: Path) -> None:
    page = "<html><body><div>Menu</div><main><p>Main text</p></main></body></html>"
    article = read_article(write(tmp_path, "page.html", page))
    assert article.text == "Main text"
    assert article.title == "page"  # no <title> or <h1>: the file name


def test_html_og_url_and_preformatted(tmp_path: Path) -> None:
    page = (
        '<html><head><meta property="og:url" content=" https://x.example/a "></head>'
        "<body><p>Code:</p><pre>\n  indented\n    more</pre></body></html>"
    )
    article = read_article(write(tmp_path, "page.html", page))
    assert article.url == "https://x.example/a"
    assert article.text == "Code:\n\n  indented\n    more"


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'
    article = read_article(write(tmp_path, "ru.html", page.encode("cp1251")))
    assert article.text == "Привет, мир"


def test_html_without_text_is_refused(tmp_path: Path) -> None:
    page = "<html><head><title>T</title></head><body><nav>menu</nav><script>x</script></body>"
    refused(write(tmp_path, "empty.html", page), "contains no article text")


# --- Word --------------------------------------------------------------------------------


def make_docx(path: Path, *, core_title: str = "") -> Path:
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_heading("Council votes", level=1)
    document.add_paragraph("First paragraph with “quotes”\u00a0and NBSP.")
    document.add_paragraph("")
    document.add_paragraph("Third paragraph.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "cell A"
    table.rows[0].cells[1].text = "cell B"
    document.add_paragraph("After the table.")
    document.save(str(path))
    return path


def test_docx_text_and_heading_title(tmp_path: Path) -> None:
    article = read_article(make_docx(tmp_path / "report.docx"))
    assert article.text == (
        "Council votes\n"
        "First paragraph with “quotes”\u00a0and NBSP.\n"
        "\n"
        "Third paragraph.\n"
        "cell A\n"
        "cell B\n"
        "After the table."
    )
    assert article.title == "Council votes"
    assert article.source_format == "docx"
    assert article.url is None


def test_docx_core_title_wins(tmp_path: Path) -> None:
    article = read_article(make_docx(tmp_path / "report.docx", core_title=" Official title "))
    assert article.title == "Official title"


def test_docx_without_heading_uses_file_name(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Just text.")
    document.save(str(tmp_path / "notes.docx"))
    assert read_article(tmp_path / "notes.docx").title == "notes"


def test_empty_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    refused(path, "is empty")


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.docx", "Just some text saved with the wrong name.")
    refused(path, "is not a valid .docx file")


# --- bad input ---------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    refused(write(tmp_path, "empty.txt", b""), "is empty")


def test_whitespace_only_file(tmp_path: Path) -> None:
    refused(write(tmp_path, "blank.md", " \n\t\r\n\u00a0\n"), "is empty")


def test_binary_file(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(2000)
    refused(
        write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n" + noise),
        "looks like a binary file, not text",
    )


def test_binary_file_without_nul_bytes(tmp_path: Path) -> None:
    noise = bytes(b for b in random.Random(8).randbytes(4000) if b)
    refused(write(tmp_path, "noise.txt", noise), "looks like a binary file, not text")


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    # UTF-16 without a byte-order mark is not guessed at.
    path = write(tmp_path, "wide.txt", "A plain sentence.".encode("utf-16-le"))
    refused(path, "looks like a binary file, not text")


def test_control_characters_mean_binary(tmp_path: Path) -> None:
    refused(
        write(tmp_path, "ctl.txt", "ab\x01\x02\x03\x04cd"), "looks like a binary file, not text"
    )


def test_oversized_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "MAX_TEXT_CHARS", 10)
    assert read_article(write(tmp_path, "ok.txt", "ten chars!")).text == "ten chars!"
    reason = "is larger than the 10-character limit for article text"
    # Too many characters, though few enough bytes to be read.
    refused(write(tmp_path, "long.txt", "eleven char"), reason)
    # Too many bytes to be worth reading.
    refused(write(tmp_path, "huge.txt", "x" * 41), reason)


def test_size_limit_message() -> None:
    assert importers._too_large() == "is larger than the 20 MB limit for article text"


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path / "nowhere.txt", "no such file")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    refused(tmp_path / "folder.txt", "is a directory")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "paper.rtf",
            "has an unsupported file type '.rtf' "
            "(use .txt, .md, .html, .docx or .pdf, or a web address)",
        ),
        (
            "README",
            "has no file type extension (use .txt, .md, .html, .docx or .pdf, or a web address)",
        ),
    ],
)
def test_unsupported_type(tmp_path: Path, name: str, reason: str) -> None:
    refused(write(tmp_path, name, "{\\rtf1 text}"), reason)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="permissions do not bind root"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", "text")
    path.chmod(0)
    try:
        refused(path, "cannot be read: permission denied")
    finally:
        path.chmod(0o600)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.txt", "text")

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(importers, "open", deny, raising=False)
    refused(path, "cannot be read: permission denied")


# --- several files -----------------------------------------------------------------------


def test_read_articles_in_order(tmp_path: Path) -> None:
    first = write(tmp_path, "a.txt", "Alpha")
    second = write(tmp_path, "b.md", "# Beta")
    articles = read_articles([first, second])
    assert [(a.title, a.text) for a in articles] == [("Alpha", "Alpha"), ("Beta", "# Beta")]
    assert read_articles([]) == []


def test_read_articles_is_all_or_nothing(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", "Fine")
    bad = write(tmp_path, "bad.txt", b"")
    with pytest.raises(ImportFailed) as caught:
        read_articles([good, bad])
    assert str(caught.value) == f"{bad}: is empty"


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
def test_read_articles_refuses_duplicates(tmp_path: Path, spelling: str) -> None:
    path = write(tmp_path, "a.txt", "Alpha")
    (tmp_path / "sub").mkdir()
    if spelling == "same":
        again: str | Path = path
    elif spelling == "dotted":
        again = os.path.join(tmp_path, "sub", "..", "a.txt")
    else:
        again = tmp_path / "link.txt"
        again.symlink_to(path)
    with pytest.raises(ImportFailed) as caught:
        read_articles([path, again])
    assert str(caught.value) == f"{again}: given more than once"


def test_read_articles_applies_given_title(tmp_path: Path) -> None:
    paths = [write(tmp_path, "a.txt", "Alpha"), write(tmp_path, "b.txt", "Beta")]
    assert [a.title for a in read_articles(paths, title="Series")] == ["Series", "Series"]
