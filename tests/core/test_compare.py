"""Comparing versions: sentences, differing facts, counterparts, alignment, cache, search."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.compare import facts, search
from desktop.core.compare.cache import Cache
from desktop.core.compare.comparison import Comparison, Version
from desktop.core.compare.sentences import split_sentences
from desktop.core.errors import InvalidInput, NotFound
from tests.core.compare_eval import DATA, evaluate

ROOT = Path(__file__).resolve().parents[2]
FLOOD = DATA / "flood"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))


def flood(*names: str) -> list[Version]:
    return [Version(n, n.upper(), (FLOOD / f"{n}.txt").read_text(encoding="utf-8")) for n in names]


# --- sentences ------------------------------------------------------------------------------


def test_sentences_keep_exact_code_point_offsets() -> None:
    text = (
        "Headline without a full stop\n\nDr. Smith met U.S. officials 🌊 on Jan. 5. "
        "He paid $1.5 million, i.e. a lot.\nŞirket açıklama yaptı. Ünal said “no”."
    )
    sentences = split_sentences(text)
    quotes = [text[s.start : s.end] for s in sentences]
    assert quotes == [
        "Headline without a full stop",
        "Dr. Smith met U.S. officials 🌊 on Jan. 5.",
        "He paid $1.5 million, i.e. a lot.",
        "Şirket açıklama yaptı.",
        "Ünal said “no”.",
    ]
    for s in sentences:
        assert s.clauses[0][0] == s.start and s.clauses[-1][1] == s.end
        assert all(text[a:b].strip() == text[a:b] for a, b in s.clauses)


def test_empty_and_punctuation_only_texts_have_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n ***\n--\n") == []


# --- facts ----------------------------------------------------------------------------------


def diff(here: str, there: str) -> list[tuple[str, str, str]]:
    found = facts.differences(here, (0, len(here)), there, (0, len(there)))
    for d in found:
        assert here[d.here_start : d.here_end] == d.here
        assert there[d.there_start : d.there_end] == d.there
    return [(d.kind, d.here, d.there) for d in found]


def test_numbers_in_words_and_digits_and_hedges() -> None:
    assert diff("nine were detained", "9 were detained") == []
    assert diff("a total of nine individuals were detained", "Approximately 50 individuals") == [
        ("number", "nine", "Approximately 50")
    ]
    assert diff("killing all 67 passengers on board", "the deaths of 38 individuals") == [
        ("number", "67", "38")
    ]
    assert diff("approximately 50 people", "48 people") == [
        ("number_precision", "approximately 50", "48")
    ]
    assert diff("at least 49 were killed", "52 were killed") == [
        ("number_precision", "at least 49", "52")
    ]
    assert diff("twenty-one people", "21 people") == []
    assert diff("$1 million in aid", "$1.5 million in aid") == [
        ("number", "$1 million", "$1.5 million")
    ]
    assert diff("revenue of $4.2bn", "revenue of $4.2 billion") == []
    assert diff("a 5km race", "a 10km race") == [("number", "5km", "10km")]
    # Different kinds of figure are never set against each other.
    assert diff("rose 12% to $4.2 billion", "rose 15% to $4.2 billion") == [
        ("number", "12%", "15%")
    ]


def test_dates_keep_their_precision() -> None:
    # A vague date is a difference of precision, never a conflict.
    assert diff("In March, Yerevan signed", "Earlier this year, Yerevan signed") == [
        ("date_precision", "March", "Earlier this year")
    ]
    assert diff("the plane downed in February", "the plane downed in December") == [
        ("date", "February", "December")
    ]
    assert diff("said on June 28", "said on June 29") == [("date", "June 28", "June 29")]
    assert diff("announced on June 29", "announced on Sunday") == [
        ("date_precision", "June 29", "Sunday")
    ]
    assert diff("an unsolved 2001 murder", "homicides from the early 2000s") == [
        ("date_precision", "2001", "the early 2000s")
    ]
    assert diff("in 2023", "in 2024") == [("date", "2023", "2024")]
    assert diff("this year", "last year") == [("date", "this year", "last year")]
    assert diff("two weeks ago", "on March 3") == [("date_precision", "two weeks ago", "March 3")]
    # A year is a date, not a count to set against other numbers.
    assert diff("the 2001 murder of nine people", "the 2001 murder of nine people") == []


def test_name_spelling_variants_are_the_same_person() -> None:
    assert diff(
        "Deputy Prime Minister Alexey Overchuk", "Deputy Prime Minister Alexei Overchuk"
    ) == [("name_spelling", "Alexey", "Alexei")]
    assert diff("the Russian ministry", "the Russia ministry") == []
    assert diff("said Deputy Prime Minister Alexey Overchuk", "said Mikhail Overchuk") == [
        ("name", "Alexey", "Mikhail")
    ]
    assert diff("Culture Ministry", "Cultural Ministry") == []


# --- counterparts ---------------------------------------------------------------------------


def test_counterparts_follow_reordering_splits_and_changed_facts() -> None:
    comparison = Comparison(flood("a", "b", "c"), Cache())
    a = comparison.version("a").text
    at = a.index("Mayor Helena Strand")
    end = a.index("1987.") + len("1987.")
    b_found, c_found = comparison.counterparts("a", at, end)
    assert b_found.status == "same"
    # The sentence is split in two in b: the counterpart covers both halves.
    assert b_found.quote == (
        "Mayor Helena Strand said the water rose by two metres in six hours. "
        "It was the fastest rise recorded since 1987."
    )
    assert c_found.status == "same"
    assert [d.kind for d in c_found.differences] == ["name_spelling"]

    at = a.index("The government announced")
    moved, vague = comparison.counterparts("a", at, a.index("March 12.") + 9)
    assert moved.status == "differs"  # moved to another paragraph, and the date changed
    assert [(d.kind, d.here, d.there) for d in moved.differences] == [
        ("date", "March 12", "March 21")
    ]
    assert vague.status == "same"
    assert [d.kind for d in vague.differences] == ["date_precision"]


def test_a_claim_one_version_leaves_out_is_absent() -> None:
    comparison = Comparison(flood("a", "c"), Cache())
    a = comparison.version("a").text
    at = a.index("Forecasters expect")
    (found,) = comparison.counterparts("a", at, a.index("Thursday.") + 9)
    assert (found.status, found.start, found.end, found.quote) == ("absent", None, None, None)


def test_appended_unrelated_items_have_no_counterpart() -> None:
    comparison = Comparison(flood("a", "b", "c"), Cache())
    b = comparison.version("b").text
    for quote in (
        "In other news, the city council approved a new cycling lane along Harbour Street",
        "Tickets for the annual jazz festival go on sale on Monday.",
    ):
        at = b.index(quote)
        assert [c.status for c in comparison.counterparts("b", at, at + len(quote))] == [
            "absent",
            "absent",
        ]


def test_the_counterpart_is_as_tight_as_the_claim() -> None:
    comparison = Comparison(flood("a", "c"), Cache())
    a = comparison.version("a").text
    quote = "Schools in the town will remain closed until Friday."
    at = a.index(quote)
    (found,) = comparison.counterparts("a", at, at + len(quote))
    # c merged two sentences into one; only the clause about schools answers.
    assert found.quote == "schools will stay shut until Friday."


def test_bad_spans_are_refused() -> None:
    comparison = Comparison(flood("a", "b"), Cache())
    with pytest.raises(InvalidInput, match="empty"):
        comparison.counterparts("a", 5, 5)
    text = comparison.version("a").text
    blank = text.index("\n\n")
    with pytest.raises(InvalidInput, match="white space"):
        comparison.counterparts("a", blank, blank + 2)
    with pytest.raises(InvalidInput, match="outside the article"):
        comparison.counterparts("a", 0, len(text) + 1)
    with pytest.raises(NotFound):
        comparison.counterparts("zzz", 0, 3)
    with pytest.raises(InvalidInput, match="only one article"):
        Comparison(flood("a"), Cache()).counterparts("a", 0, 5)


# --- quality --------------------------------------------------------------------------------


@pytest.mark.parametrize("labelled", ["seed_claims.json", "flood_claims.json"])
def test_counterpart_quality_on_labelled_claims(labelled: str) -> None:
    score = evaluate(labelled)
    print(score.line(labelled))
    assert score.f1 >= 0.9, score.mistakes
    if labelled == "flood_claims.json":
        # Every planted number and date change is reported.
        assert score.facts_reported == score.facts_expected == 5, score.mistakes


# --- alignment, cache -----------------------------------------------------------------------


def test_align_groups_and_passages_only_one_version_carries(tmp_path: Path) -> None:
    comparison = Comparison(flood("a", "b", "c"), Cache())
    comparison.align()
    groups = comparison.groups()
    unique = {(u.article_id, u.quote) for u in comparison.unique()}
    assert ("b", "Tickets for the annual jazz festival go on sale on Monday.") in unique
    assert any(q.startswith("In other news") for aid, q in unique if aid == "b")
    assert not any(aid == "a" and "sandbags" in q for aid, q in unique)
    sandbags = next(g for g in groups if any("sandbags" in m.quote for m in g.members))
    assert {m.article_id for m in sandbags.members} == {"a", "b", "c"}
    assert [(d.there_article_id, d.difference.kind) for d in sandbags.differences] == [
        ("c", "number")
    ]


def test_alignment_is_cached_and_a_new_version_costs_only_its_pairs(tmp_path: Path) -> None:
    folder = tmp_path / "shared-cache"
    first = Comparison(flood("a", "b"), Cache(folder))
    first.align()
    assert (first.stats.articles_indexed, first.stats.pairs_aligned) == (2, 1)
    again = Comparison(flood("a", "b"), Cache(folder))
    again.align()
    assert (again.stats.articles_indexed, again.stats.pairs_aligned) == (0, 0)
    assert (again.stats.articles_cached, again.stats.pairs_cached) == (2, 1)
    assert again.groups() == first.groups()
    (extra,) = flood("c")
    again.add(extra)
    again.align()
    assert (again.stats.articles_indexed, again.stats.pairs_aligned) == (1, 2)


def test_an_unusable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    comparison = Comparison(flood("a", "b"), Cache(blocker))
    comparison.align()
    assert comparison.stats.pairs_aligned == 1
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / Cache(broken).path.name).write_bytes(b"not sqlite at all" * 100)
    comparison = Comparison(flood("a", "b"), Cache(broken))
    comparison.align()
    assert comparison.stats.pairs_aligned == 1


def test_nothing_of_comparing_loads_on_import() -> None:
    code = (
        "import sys\n"
        "import desktop.core, desktop.core.compare, desktop.core.compare.comparison\n"
        "import desktop.cli, desktop.cli_compare\n"
        "heavy = ('numpy', 'wordllama', 'rapidfuzz', 'syntok', 'tokenizers', 'text_to_num',"
        " 'snowballstemmer', 'safetensors')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from desktop.core.compare import model\n"
        "assert not model.loaded()\n"
        "model.vectors(['a claim'])\n"
        "print(model.loaded(), 'wordllama' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "True True"]
    # The model never reaches for the network: wordllama would log a download.
    assert "Downloading" not in done.stderr


# --- search ---------------------------------------------------------------------------------


def test_search_ignores_case_spacing_and_quote_style() -> None:
    articles = [
        ("1", "One", "Azerbaijan’s Foreign Ministry said.\nThe FOREIGN\n  ministry again."),
        ("2", "Two", "No match here."),
        ("3", "Three", "Azerbaijan's foreign ministry 🌊 too."),
    ]
    hits = search.search(articles, "azerbaijan's foreign ministry")
    assert [(h.article_id, h.quote) for h in hits] == [
        ("1", "Azerbaijan’s Foreign Ministry"),
        ("3", "Azerbaijan's foreign ministry"),
    ]
    hits = search.search(articles, "foreign ministry")
    assert [(h.article_id, h.start, h.end) for h in hits] == [
        ("1", 13, 29),
        ("1", 40, 58),
        ("3", 13, 29),
    ]
    text = articles[0][2]
    assert all(text[h.start : h.end] == h.quote for h in hits if h.article_id == "1")
    assert hits[1].before.endswith("said. The ") and hits[1].after.startswith(" again.")
    with pytest.raises(InvalidInput, match="empty"):
        search.search(articles, "  \n ")


def test_align_reports_progress_and_can_be_cancelled(tmp_path: Path) -> None:
    from desktop.core.compare.comparison import CompareCancelled

    seen: list[tuple[int, int]] = []
    comparison = Comparison(flood("a", "b", "c"), Cache(tmp_path / "c1"))
    comparison.align(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)
    stopped = Comparison(flood("a", "b", "c"), Cache(tmp_path / "c2"))
    with pytest.raises(CompareCancelled):
        stopped.align(cancelled=lambda: True)
    with pytest.raises(InvalidInput, match="not aligned yet"):
        stopped.groups() or stopped.unique()
