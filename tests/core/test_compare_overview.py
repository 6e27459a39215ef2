"""What the window marks over a version (overview), short version labels, and tagging one
claim in several versions at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.compare.cache import Cache
from desktop.core.compare.comparison import Comparison, Version
from desktop.core.compare.labels import letter, short_date, short_outlet, version_labels
from desktop.core.compare.overview import overview
from desktop.core.errors import InvalidInput
from desktop.core.importers import ImportedArticle
from desktop.core.model import PartialDate, Verdict
from desktop.core.store import Store, create_store, open_store, reads
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER
from tests.core.compare_eval import DATA

FLOOD = DATA / "flood"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))


def flood(*names: str) -> list[Version]:
    return [Version(n, n.upper(), (FLOOD / f"{n}.txt").read_text(encoding="utf-8")) for n in names]


@pytest.fixture(scope="module")
def aligned(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    comparison = Comparison(flood("a", "b", "c"), Cache(tmp_path_factory.mktemp("cache")))
    comparison.align()
    return comparison


# --- labels ---------------------------------------------------------------------------------


def test_letters_run_like_spreadsheet_columns() -> None:
    assert [letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        letter(-1)


def test_outlets_lose_their_expansion_and_stay_short() -> None:
    assert short_outlet("ILKHA (İlke Haber Ajansı)") == "ILKHA"
    assert short_outlet("  Kyiv   Independent ") == "Kyiv Independent"
    assert short_outlet("The Daily Telegraph and Evening Courier") == "The Daily…"
    assert len(short_outlet("Supercalifragilisticexpialidocious News")) <= 18
    assert short_outlet("(only a parenthesis)") == "(only a…"


def test_dates_say_only_what_is_known() -> None:
    assert short_date(date(2025, 6, 29)) == "29 Jun 2025"
    assert short_date(PartialDate(2024, 3)) == "Mar 2024"
    assert short_date(PartialDate(2024)) == "2024"
    assert short_date(None) == ""


def test_version_labels_letter_outlet_and_date_with_the_title_in_full() -> None:
    labels = version_labels(
        [
            ("a1", "Azerbaijan cancels cultural events", "Kyiv Independent", date(2025, 6, 29)),
            ("b2", "Azerbaijan halts cultural ties", "ILKHA (İlke Haber Ajansı)", None),
            ("c3", "Azerbaijan suspends all events", "", None),
            ("d4", "Azerbaijan cancels Russian events", "", PartialDate(2025, 6)),
        ]
    )
    assert [labels[i].short for i in ("a1", "b2", "c3", "d4")] == [
        "A · Kyiv Independent, 29 Jun 2025",
        "B · ILKHA",
        "C",
        "D · Jun 2025",
    ]
    assert labels["b2"].full == ("B: Azerbaijan halts cultural ties\nILKHA (İlke Haber Ajansı)")
    assert labels["c3"].full == "C: Azerbaijan suspends all events"
    assert labels["a1"].letter == "A"


# --- overview -------------------------------------------------------------------------------


def test_overview_marks_the_facts_other_versions_state_differently(aligned) -> None:
    seen = overview(aligned, "a", aligned.unique())
    text = aligned.version("a").text
    found = {f.text: sorted((n.article_id, n.kind, n.there) for n in f.notes) for f in seen.facts}
    # The planted changes: 1,200 became 1,800 in B, March 12 became March 21, 4,000 sandbags
    # became some 3,000 in C; C hedges 1,200, spells Helene and says "earlier this month".
    assert found == {
        "1,200": [("b", "number", "1,800"), ("c", "number_precision", "Roughly 1,200")],
        "Helena": [("c", "name_spelling", "Helene")],
        "4,000": [("c", "number", "some 3,000")],
        "March 12": [("b", "date", "March 21"), ("c", "date_precision", "Earlier this month")],
    }
    for mark in seen.facts:
        assert text[mark.start : mark.end] == mark.text
        for note in mark.notes:
            there = aligned.version(note.article_id).text
            assert there[note.there_start : note.there_end] == note.there
    conflicts = {f.text: f.conflict for f in seen.facts}
    assert conflicts == {"1,200": True, "Helena": False, "4,000": True, "March 12": True}
    evacuated = next(f for f in seen.facts if f.text == "1,200")
    assert seen.facts_at(evacuated.start) == [evacuated]
    assert seen.facts_at(evacuated.end) == []


def test_overview_links_each_sentence_to_its_counterparts(aligned) -> None:
    seen = overview(aligned, "a", aligned.unique())
    text = aligned.version("a").text
    b_text = aligned.version("b").text
    rail = text.index("The regional rail operator")
    sentence = seen.sentence_at(rail + 5)
    assert sentence is not None and text[sentence[0] : sentence[1]].startswith("The regional")
    links = next(s for s in seen.sentences if s.start == sentence[0])
    b_start, b_end, status = links.there["b"]
    assert b_text[b_start:b_end].startswith("The regional rail operator")
    assert status == "same"
    # Reading on from the rail paragraph of A lands on B's rail paragraph, although B moved
    # it to the end.
    here, there = seen.follow(rail, "b") or (None, None)
    assert here == rail and there == b_start
    # Past the last linked sentence, following stays at the last one.
    assert seen.follow(len(text), "b") is not None
    assert seen.follow(0, "nobody") is None


def test_overview_lists_only_its_own_unique_passages(aligned) -> None:
    unique = aligned.unique()
    seen_b = overview(aligned, "b", unique)
    b_text = aligned.version("b").text
    quotes = [b_text[a:z] for a, z in seen_b.unique]
    assert any("cycling lane" in q for q in quotes)
    assert any("jazz festival" in q for q in quotes)
    at = b_text.index("jazz festival")
    assert seen_b.unique_at(at) is not None
    assert seen_b.unique_at(0) is None
    assert overview(aligned, "a", unique).unique == ()


def test_overview_can_be_cancelled(aligned) -> None:
    from desktop.core.compare.comparison import CompareCancelled

    with pytest.raises(CompareCancelled):
        overview(aligned, "a", (), cancelled=lambda: True)


# --- tagging one claim in several versions --------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Store]:
    with create_store(tmp_path / "flood.crosscheck") as p:
        operations.record_project_created(p, name="Flood", reviewer=REVIEWER)
        operations.import_articles(
            p,
            [
                ImportedArticle(
                    (FLOOD / f"{n}.txt").read_text(encoding="utf-8"), n.upper(), f"{n}.txt", "txt"
                )
                for n in "abc"
            ],
            reviewer=REVIEWER,
        )
    opened = open_store(tmp_path / "flood.crosscheck")
    yield opened
    opened.close()


def spans(project: Store, quotes: dict[str, str]) -> list[tuple[str, int, int]]:
    with project.read() as db:
        ids = {s.title.lower(): s.id for s in reads.article_summaries(db)}
        out = []
        for name, quote in quotes.items():
            at = reads.article_text(db, ids[name]).index(quote)
            out.append((ids[name], at, at + len(quote)))
    return out


def live(project: Store) -> list[tuple[str, str, str]]:
    with project.read() as db:
        return [(r.quote, r.verdict.value, r.claim) for r in reads.annotation_rows(db)]


RAIL_A = "The regional rail operator suspended all trains between Lakeside and Northgate"
RAIL_C = "The rail operator halted trains between Lakeside and Northgate"


def test_tag_passages_tags_every_version_as_one_claim_and_undoes_in_one_step(project) -> None:
    passages = spans(project, {"a": RAIL_A, "c": RAIL_C})
    result = operations.tag_passages(project, passages, Verdict.DISPUTED, reviewer=REVIEWER)
    rows = live(project)
    assert sorted(q for q, _v, _c in rows) == sorted([RAIL_A, RAIL_C])
    assert {v for _q, v, _c in rows} == {"disputed"}
    assert len({c for _q, _v, c in rows}) == 1 and result.claim_id == result.created[0]
    assert result.changes.label == "Tag 'Disputed' in 2 versions"
    assert [c.action for c in result.changes.changes] == ["annotation.created"] * 2
    undo = result.changes.inverse
    assert undo is not None
    back = undo.run(project, reviewer=REVIEWER)
    assert live(project) == []
    assert back.inverse is not None
    back.inverse.run(project, reviewer=REVIEWER)
    assert len(live(project)) == 2
    assert verify_project(project).ok


def test_tag_passages_joins_a_given_claim_and_skips_what_is_tagged(project) -> None:
    (first,) = spans(project, {"a": RAIL_A})
    made = operations.annotate(project, *first, "supported", reviewer=REVIEWER)
    source = made.annotation_ids[0]
    passages = spans(project, {"a": RAIL_A, "c": RAIL_C})
    result = operations.tag_passages(
        project, passages, "unverified", reviewer=REVIEWER, claim_id=source
    )
    assert len(result.created) == 1
    (skip,) = result.skipped
    assert skip.reason == "existing" and skip.existing_id == source
    assert "already tagged supported" in skip.message
    claims = {q: c for q, _v, c in live(project)}
    assert claims[RAIL_C] == claims[RAIL_A] == source
    # Nothing left to tag: nothing is written.
    again = operations.tag_passages(project, passages, "unverified", reviewer=REVIEWER)
    assert not again.changes and again.created == () and len(again.skipped) == 2


def test_tag_passages_refuses_bad_input_and_writes_nothing(project) -> None:
    passages = spans(project, {"a": RAIL_A})
    aid = passages[0][0]
    with pytest.raises(InvalidInput):
        operations.tag_passages(project, [], "supported", reviewer=REVIEWER)
    with pytest.raises(InvalidInput):
        operations.tag_passages(project, [(aid, 5, 10**9)], "supported", reviewer=REVIEWER)
    with pytest.raises(InvalidInput):
        operations.tag_passages(project, passages, "maybe", reviewer=REVIEWER)
    with pytest.raises(InvalidInput):
        operations.tag_passages(project, [(aid, 10, 5)], "supported", reviewer=REVIEWER)
    assert live(project) == []
    operations.remove_article(project, aid, reviewer=REVIEWER)
    with pytest.raises(InvalidInput, match="removed"):
        operations.tag_passages(project, passages, "supported", reviewer=REVIEWER)
