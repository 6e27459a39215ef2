"""``crosscheck compare | align | carry | search``, as a user types them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from desktop import cli
from desktop.core.store import open_store, reads
from tests.conftest import REVIEWER

CLAIM = "a total of nine individuals were detained"
COUNTERPART_KEYS = [
    "article_id", "article_title", "status", "score", "start", "end", "quote", "differences",
]  # fmt: skip
DIFFERENCE_KEYS = [
    "kind", "here", "there", "here_start", "here_end", "there_start", "there_end",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CROSSCHECK_REVIEWER", REVIEWER)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> object:
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def events(path: Path) -> int:
    with open_store(path) as project, project.read() as conn:
        return reads.count_events(conn)


@pytest.fixture
def demo(new_target: Path | str, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo, made by ``crosscheck new``, in a file and on a server in turn."""
    assert run(capsys, "new", new_target, "--demo")[0] == 0
    return new_target  # type: ignore[return-value]


def text_of(path: Path, article_id: str) -> str:
    with open_store(path) as project, project.read() as conn:
        return reads.article_text(conn, article_id)


def first_article(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    articles = run_json(capsys, "articles", path)
    assert isinstance(articles, list)
    return str(articles[0]["id"])


def test_compare_prints_each_other_version_with_the_fixed_shape(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    article = first_article(capsys, demo)
    result = run_json(capsys, "compare", demo, article[:8], "--quote", CLAIM)
    assert isinstance(result, dict) and list(result) == ["source", "counterparts"]
    source = result["source"]
    assert list(source) == ["article_id", "start", "end", "quote"]
    assert (source["article_id"], source["quote"]) == (article, CLAIM)
    found = result["counterparts"]
    assert len(found) == 4 and all(list(c) == COUNTERPART_KEYS for c in found)
    by_status = {c["status"] for c in found}
    assert by_status <= {"same", "differs", "absent"}
    absent = [c for c in found if c["status"] == "absent"]
    assert absent and all(c["start"] is c["end"] is c["quote"] is None for c in absent)
    differing = next(c for c in found if c["status"] == "differs")
    assert differing["quote"].startswith("Approximately 50 individuals")
    (difference,) = differing["differences"]
    assert list(difference) == DIFFERENCE_KEYS
    assert (difference["kind"], difference["here"], difference["there"]) == (
        "number", "nine", "Approximately 50",
    )  # fmt: skip
    assert source["quote"][difference["here_start"] - source["start"] :].startswith("nine")

    code, out, err = run(capsys, "compare", demo, article, "--quote", CLAIM)
    assert code == 0 and err == ""
    assert "differs" in out and "number: “nine” → “Approximately 50”" in out


def test_bad_comparisons_are_one_line_errors_and_write_nothing(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    article = first_article(capsys, demo)
    before = events(demo)
    text = "Azerbaijan has cancelled all planned cultural events"
    blank = text_of(demo, article).index("\n\n")
    for argv, message in [
        (("--quote", ""), "the quote to find is empty"),
        (("--start", str(blank), "--end", str(blank + 2)), "white space"),
        (("--start", "5", "--end", "5"), "is empty"),
        (("--quote", "not in the article at all"), "does not occur"),
    ]:
        code, out, err = run(capsys, "compare", demo, article, *argv)
        assert (code, out) == (1, ""), argv
        assert err.startswith("crosscheck: error: ") and message in err and err.count("\n") == 1
    assert events(demo) == before

    single = tmp_path / "single.crosscheck"
    story = tmp_path / "story.txt"
    story.write_text(f"{text}. Nothing else.", encoding="utf-8")
    assert run(capsys, "new", single, story)[0] == 0
    only = first_article(capsys, single)
    code, out, err = run(capsys, "compare", single, only, "--quote", text)
    assert code == 1 and "only one article" in err and err.count("\n") == 1
    code, out, err = run(capsys, "align", single)
    assert code == 1 and "only one article" in err


def test_usage_mistakes_exit_2(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    for argv in [
        ("compare", demo, "x", "--start", "3"),
        ("compare", demo, "x", "--quote", "a", "--start", "1"),
        ("compare", demo, "--annotation", "abcd", "--occurrence", "2"),
        ("carry", demo, "abcd", "--differs-verdict", "supported"),
    ]:
        with pytest.raises(SystemExit) as caught:
            cli.main([str(a) for a in argv])
        assert caught.value.code == 2
    capsys.readouterr()


def test_carry_and_claims_in_listings_and_exports(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    article = first_article(capsys, demo)
    created = run_json(
        capsys, "annotate", demo, article, "--quote", CLAIM, "--verdict", "supported"
    )
    assert isinstance(created, dict)
    source = str(created["id"])
    before = events(demo)
    report = run_json(capsys, "carry", demo, source[:8])
    assert isinstance(report, dict)
    assert list(report) == ["claim_id", "source", "created", "skipped"]
    assert report["claim_id"] == source
    (made,) = report["created"]
    assert (made["status"], made["verdict"]) == ("same", "supported")
    reasons = sorted(s["reason"] for s in report["skipped"])
    assert reasons == ["absent", "absent", "differs"]
    assert events(demo) == before + 1  # one audit event per created annotation

    # The differing version only with confirmation, and then not as "supported".
    report = run_json(capsys, "carry", demo, source, "--confirm-differs")
    assert isinstance(report, dict)
    (made,) = report["created"]
    assert (made["status"], made["verdict"]) == ("differs", "unverified")
    assert "existing" in [s["reason"] for s in report["skipped"]]

    rows = run_json(capsys, "annotations", demo)
    assert isinstance(rows, list)
    assert [r["claim_id"] for r in rows] == [source] * 3
    code, out, err = run(capsys, "export", demo)
    exported = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0].endswith(",updated_at,claim_id,page")
    assert {r["claim_id"] for r in exported} == {source}

    # Nothing left to carry to: every other version is tagged or lacks the claim.
    code, out, err = run(capsys, "carry", demo, source)
    assert code == 1 and err.startswith("crosscheck: error: nothing carried: ")


def test_carry_refuses_a_deleted_annotation(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    article = first_article(capsys, demo)
    created = run_json(capsys, "annotate", demo, article, "--quote", CLAIM, "--verdict", "disputed")
    assert isinstance(created, dict)
    from desktop.core import operations

    with open_store(demo) as project:
        operations.delete_annotation(project, str(created["id"]), reviewer=REVIEWER)
    before = events(demo)
    for argv in (
        ("carry", demo, str(created["id"])),
        ("compare", demo, "--annotation", str(created["id"])),
    ):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, "")
        assert "is deleted; restore it" in err and err.count("\n") == 1
    assert events(demo) == before


def test_align_lists_groups_and_passages_only_one_version_carries(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    result = run_json(capsys, "align", demo)
    assert isinstance(result, dict) and list(result) == ["groups", "unique"]
    assert result["groups"] and result["unique"]
    for group in result["groups"]:
        assert list(group) == ["members", "differences"]
        assert len({m["article_id"] for m in group["members"]}) >= 2
        for m in group["members"]:
            assert list(m) == ["article_id", "start", "end", "quote"]
    unique = [u["quote"] for u in result["unique"]]
    # The four unrelated items appended to one version.
    for item in (
        "At least 49 Palestinians",
        "The Hamas Movement",
        "The Gaza Media Office",
        "At least 14 civilians",
    ):
        assert sum(q.startswith(item) for q in unique) == 1, item
    code, _out, err = run(capsys, "align", demo, "--article", first_article(capsys, demo))
    assert code == 1 and "at least two" in err


def test_search_finds_text_in_every_version(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    hits = run_json(capsys, "search", demo, "CAUSE of  death")
    assert isinstance(hits, list) and len(hits) == 3
    assert all(h["quote"].lower() == "cause of death" for h in hits)
    assert list(hits[0]) == [
        "article_id",
        "article_title",
        "start",
        "end",
        "quote",
        "before",
        "after",
    ]
    code, _out, err = run(capsys, "search", demo, "   ")
    assert code == 1 and "empty" in err


def test_a_removed_article_is_not_compared_nor_carried_to(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    articles = run_json(capsys, "articles", demo)
    assert isinstance(articles, list)
    first, removed = str(articles[0]["id"]), str(articles[1]["id"])
    assert run(capsys, "remove-article", demo, removed)[0] == 0
    result = run_json(capsys, "compare", demo, first, "--quote", CLAIM)
    assert isinstance(result, dict)
    assert removed not in [c["article_id"] for c in result["counterparts"]]
    assert len(result["counterparts"]) == 3
    created = run_json(capsys, "annotate", demo, first, "--quote", CLAIM, "--verdict", "disputed")
    assert isinstance(created, dict)
    before = events(demo)
    code, out, err = run(capsys, "carry", demo, str(created["id"]), "--to", removed)
    assert (code, out) == (1, "") and "was removed" in err and err.count("\n") == 1
    assert events(demo) == before
