"""Double-checking from the command line: agreement, blind review, done marks, adjudication."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from desktop import cli
from tests.conftest import make_project

ANN, BOB, EDITOR = "Ann Example", "Bob Checker", "Eda Editor"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, (out, err)
    return out


def failed(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 1, (out, err)
    assert out == ""
    assert err.startswith("crosscheck: error: ") and err.count("\n") == 1
    return err[len("crosscheck: error: ") : -1]


def tag(capsys: pytest.CaptureFixture[str], project: Path, article: str, *spec: object) -> str:
    """``spec``: start, end, verdict, reviewer. Returns the annotation id."""
    start, end, verdict, who = spec
    out = ok(
        capsys, "annotate", project, article, "--start", start, "--end", end,
        "--verdict", verdict, "--reviewer", who, "--json",
    )  # fmt: skip
    return str(json.loads(out)["id"])


@pytest.fixture
def demo_path(new_target: Path | str) -> Path:
    """The demo project, in a file and on a server in turn (every command takes either)."""
    return make_project(new_target, name="demo")  # type: ignore[return-value]


@pytest.fixture
def first_article(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    return str(json.loads(ok(capsys, "articles", demo_path, "--json"))[0]["id"])


def double_checked(capsys: pytest.CaptureFixture[str], project: Path, article: str) -> None:
    """Ann and Bob tag the article: one span alike, one with other verdicts, one that only
    Bob tagged, and one with other boundaries."""
    for who, verdict in ((ANN, "supported"), (BOB, "supported")):
        tag(capsys, project, article, 200, 230, verdict, who)
    tag(capsys, project, article, 0, 20, "supported", ANN)
    tag(capsys, project, article, 0, 20, "disputed", BOB)
    tag(capsys, project, article, 40, 60, "unverified", BOB)
    tag(capsys, project, article, 100, 130, "supported", ANN)
    tag(capsys, project, article, 102, 130, "supported", BOB)


def listing(capsys: pytest.CaptureFixture[str], project: Path, *extra: object) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(ok(capsys, "annotations", project, "--json", *extra))  # type: ignore[no-any-return]


# --- each reviewer's annotations are their own ----------------------------------------------


def test_another_reviewer_tagging_the_same_span_adds_their_own(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tag(capsys, demo_path, first_article, 5, 15, "supported", ANN)
    second = tag(capsys, demo_path, first_article, 5, 15, "disputed", BOB)
    assert first != second
    rows = {r["id"]: r for r in listing(capsys, demo_path)}
    assert (rows[first]["verdict"], rows[first]["reviewer"]) == ("supported", ANN)
    assert (rows[second]["verdict"], rows[second]["reviewer"]) == ("disputed", BOB)
    # Ann re-tagging her own span still changes hers.
    assert tag(capsys, demo_path, first_article, 5, 15, "unverified", ANN) == first


# --- agreement --------------------------------------------------------------------------------


def test_agreement_report_per_article(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    double_checked(capsys, demo_path, first_article)
    report = json.loads(ok(capsys, "agreement", demo_path, "--json"))
    assert len(report) == 5
    first, rest = report[0], report[1:]
    assert first["status"] == "ok"
    assert first["reviewers"] == [ANN, BOB]
    assert first["annotations"] == 7
    assert 0 < first["alpha_u"] < 1 and 0 < first["kappa"] < 1
    assert 0 < first["percent_agreement"] < 1
    assert (first["disagreements"], first["open_disagreements"]) == (3, 3)
    assert first["pairs"][0]["reviewers"] == [ANN, BOB]
    for article in rest:  # nobody tagged these: no figures, and no zero or NaN either
        assert article["status"] == "needs two reviewers"
        assert article["alpha_u"] is None and article["kappa"] is None
    table = ok(capsys, "agreement", demo_path, "--article", first_article[:8])
    header, line = table.splitlines()
    assert header.split() == ["ID", "TITLE", "REVIEWERS", "ALPHA_U", "KAPPA", "AGREE", "OPEN"]
    assert line.startswith(first_article[:8]) and f"{ANN}, {BOB}" in line
    assert f"{first['alpha_u']:.3f}" in line and line.endswith("3")
    assert "nan" not in ok(capsys, "agreement", demo_path).lower()
    # The HTML report has the same table.
    html = ok(capsys, "export", demo_path, "-f", "html")
    section = html.split("<h2>Agreement between reviewers</h2>")[1].split("</section>")[0]
    cells = section.split("<tbody>")[1].split("</tbody>")[0]
    assert cells.count("<tr>") == 1  # only the tagged article is in the report
    assert f"<td>{ANN}, {BOB}</td>" in cells
    assert f"{first['alpha_u']:.3f}" in cells and f"{first['kappa']:.3f}" in cells
    assert f"{first['percent_agreement'] * 100:.1f}%" in cells and cells.endswith("3</td></tr>")


def test_one_reviewer_needs_two(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tag(capsys, demo_path, first_article, 0, 20, "supported", ANN)
    line = ok(capsys, "agreement", demo_path, "--article", first_article).splitlines()[1]
    assert "needs two reviewers" in line and ANN in line
    message = failed(
        capsys, "adjudicate", demo_path, first_article, "d00000000", "--untagged",
        "--reviewer", EDITOR,
    )  # fmt: skip
    assert "needs two reviewers" in message


def test_identical_tagging_agrees_fully(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for who in (ANN, BOB, EDITOR):
        tag(capsys, demo_path, first_article, 10, 40, "disputed", who)
        tag(capsys, demo_path, first_article, 80, 95, "supported", who)
    (first,) = json.loads(ok(capsys, "agreement", demo_path, "--json", "--article", first_article))
    assert first["reviewers"] == sorted([ANN, BOB, EDITOR])
    assert (first["alpha_u"], first["kappa"], first["percent_agreement"]) == (1.0, 1.0, 1.0)
    assert len(first["pairs"]) == 3 and first["open_disagreements"] == 0


def test_deleted_annotations_are_not_counted(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.core import operations
    from desktop.core.store import open_store

    tag(capsys, demo_path, first_article, 10, 40, "disputed", ANN)
    wrong = tag(capsys, demo_path, first_article, 10, 40, "supported", BOB)
    with open_store(demo_path) as project:
        operations.delete_annotation(project, wrong, reviewer=BOB)
    (first,) = json.loads(ok(capsys, "agreement", demo_path, "--json", "--article", first_article))
    assert first["status"] == "needs two reviewers" and first["reviewers"] == [ANN]


# --- blind review -----------------------------------------------------------------------------


def test_blind_review_shows_each_reviewer_only_their_own_until_done(
    demo_path: Path,
    first_article: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    out = ok(capsys, "blind", demo_path, "on", "--reviewer", EDITOR)
    assert "Blind review is on for the whole project." in out
    double_checked(capsys, demo_path, first_article)

    # Listing, counts and exports from Ann's side hold only her annotations.
    code, out, err = run(capsys, "annotations", demo_path, "--json", "--reviewer", ANN)
    assert code == 0 and {r["reviewer"] for r in json.loads(out)} == {ANN}
    assert "blind review hides 4 annotation(s) of other reviewers from Ann Example" in err
    counts = json.loads(ok(capsys, "articles", demo_path, "--json", "--reviewer", ANN))[0]
    assert counts["counts"] == {"supported": 3, "disputed": 0, "unverified": 0}
    monkeypatch.setenv("CROSSCHECK_REVIEWER", BOB)
    assert {r["reviewer"] for r in listing(capsys, demo_path)} == {BOB}
    rows = list(csv.DictReader(io.StringIO(ok(capsys, "export", demo_path))))
    assert len(rows) == 4 and {r["reviewer"] for r in rows} == {BOB}
    html = ok(capsys, "export", demo_path, "-f", "html", "--as", ANN)
    assert "Ann Example" in html and "Bob Checker" not in html
    # The audit log holds everyone's annotations: not from a blinded side.
    message = failed(capsys, "export", demo_path, "-f", "audit-jsonl", "-o", tmp_path / "a.jsonl")
    assert "not exported while blind review hides the others' from Bob Checker" in message
    assert not (tmp_path / "a.jsonl").exists()
    # Without anyone named, nothing on a blinded article is shown.
    monkeypatch.delenv("CROSSCHECK_REVIEWER")
    code, out, err = run(capsys, "annotations", demo_path, "--json")
    assert json.loads(out) == [] and "give --reviewer NAME" in err

    # Done: Ann now sees everyone's annotations on that article.
    out = ok(capsys, "done", demo_path, first_article[:8], "--reviewer", ANN)
    assert "marked done by Ann Example" in out
    assert {r["reviewer"] for r in listing(capsys, demo_path, "--reviewer", ANN)} == {ANN, BOB}
    assert {r["reviewer"] for r in listing(capsys, demo_path, "--reviewer", BOB)} == {BOB}
    state = json.loads(ok(capsys, "blind", demo_path, "--json"))
    assert state["project_blind"] is True and state["articles"][0]["done"] == [ANN]

    # Ending blind review shows everything to everyone; the trail says who did what.
    ok(capsys, "blind", demo_path, "off", "--reviewer", EDITOR)
    assert len(listing(capsys, demo_path)) == 7
    events = [
        json.loads(line)
        for line in ok(capsys, "export", demo_path, "-f", "audit-jsonl").splitlines()[:-1]
    ]
    review = [(e["action"], e["reviewer"]) for e in events if "annotation" not in e["action"]]
    assert ("blinding.started", EDITOR) in review
    assert ("review.done", ANN) in review
    assert ("blinding.ended", EDITOR) in review
    done = next(e for e in events if e["action"] == "review.done")
    assert json.loads(done["after"])["article_id"] == first_article
    assert "OK" in ok(capsys, "verify", demo_path)


def test_blind_review_of_one_article(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    articles = [a["id"] for a in json.loads(ok(capsys, "articles", demo_path, "--json"))]
    ok(capsys, "blind", demo_path, "on", "--article", articles[1], "--reviewer", EDITOR)
    for article in articles[:2]:
        tag(capsys, demo_path, article, 0, 10, "supported", ANN)
        tag(capsys, demo_path, article, 0, 10, "disputed", BOB)
    seen = listing(capsys, demo_path, "--reviewer", ANN)
    assert sorted((r["article_id"] == articles[1], r["reviewer"]) for r in seen) == [
        (False, ANN), (False, BOB), (True, ANN),
    ]  # fmt: skip
    assert "already under blind review" in failed(
        capsys, "blind", demo_path, "on", "--article", articles[1], "--reviewer", EDITOR
    )
    assert "is not under blind review" in failed(
        capsys, "blind", demo_path, "off", "--article", articles[0], "--reviewer", EDITOR
    )
    # Several articles at once: all or nothing.
    message = failed(
        capsys, "blind", demo_path, "off", "--article", articles[1], "--article", articles[2],
        "--reviewer", EDITOR,
    )  # fmt: skip
    assert "is not under blind review" in message
    assert json.loads(ok(capsys, "blind", demo_path, "--json"))["articles"][0]["id"] == articles[1]
    ok(capsys, "blind", demo_path, "on", "--article", articles[2], "--article", articles[3],
       "--reviewer", EDITOR)  # fmt: skip
    ok(
        capsys, "blind", demo_path, "off", *("--article", articles[1], "--article", articles[2]),
        "--reviewer", EDITOR,
    )  # fmt: skip
    assert [a["id"] for a in json.loads(ok(capsys, "blind", demo_path, "--json"))["articles"]] == [
        articles[3]
    ]
    ok(capsys, "blind", demo_path, "off", "--reviewer", EDITOR)  # ends it everywhere
    assert "Blind review is off." in ok(capsys, "blind", demo_path)


def test_done_twice_and_undo(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "done", demo_path, first_article, "--reviewer", ANN)
    assert "already marked done" in ok(capsys, "done", demo_path, first_article, "--reviewer", ANN)
    ok(capsys, "done", demo_path, first_article, "--undo", "--reviewer", ANN)
    assert "has not marked" in failed(
        capsys, "done", demo_path, first_article, "--undo", "--reviewer", ANN
    )
    assert "no reviewer given" in failed(capsys, "done", demo_path, first_article)


# --- roles and adjudication -------------------------------------------------------------------


def _disagreements(capsys: pytest.CaptureFixture[str], project: Path, *extra: object) -> list:  # type: ignore[type-arg]
    return json.loads(ok(capsys, "disagreements", project, "--json", *extra))  # type: ignore[no-any-return]


def test_adjudication_settles_every_kind_of_disagreement(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    double_checked(capsys, demo_path, first_article)
    found = {d["kind"]: d for d in _disagreements(capsys, demo_path, "--reviewer", EDITOR)}
    assert sorted(found) == ["boundaries", "missing", "verdicts"]
    assert found["missing"]["missing"] == [ANN]
    assert {a["reviewer"] for a in found["verdicts"]["annotations"]} == {ANN, BOB}
    listed = ok(capsys, "disagreements", demo_path, "--reviewer", EDITOR)
    assert "same span, different verdicts" in listed and "Ann Example: untagged" in listed

    article = first_article[:8]
    out = ok(
        capsys, "adjudicate", demo_path, article, found["verdicts"]["id"], "--accept", BOB,
        "--reviewer", EDITOR,
    )  # fmt: skip
    assert "final disputed  0-20" in out
    out = ok(
        capsys, "adjudicate", demo_path, article, found["missing"]["id"], "--untagged",
        "--note", "not a claim", "--reviewer", EDITOR,
    )  # fmt: skip
    assert "the text stays untagged" in out
    out = ok(
        capsys, "adjudicate", demo_path, article, found["boundaries"]["id"], "--verdict",
        "unverified", "--start", "101", "--end", "130", "--note", "half true",
        "--reviewer", EDITOR,
    )  # fmt: skip
    assert "final unverified  101-130" in out
    assert "Finalised 1 agreed span(s)." in ok(
        capsys, "adjudicate", demo_path, article, "--agreed", "--reviewer", EDITOR
    )
    assert _disagreements(capsys, demo_path) == []
    (report,) = json.loads(ok(capsys, "agreement", demo_path, "--json", "--article", article))
    # Final verdicts count for nobody's agreement.
    assert report["reviewers"] == [ANN, BOB] and report["open_disagreements"] == 0

    # The final verdicts alone, each with the annotations it settles.
    target = tmp_path / "final.csv"
    assert "Exported 3 annotations" in ok(capsys, "export", demo_path, "--final", "-o", target)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["start"], r["verdict"], r["reviewer"]) for r in rows] == [
        ("0", "disputed", EDITOR), ("101", "unverified", EDITOR), ("200", "supported", EDITOR),
    ]  # fmt: skip
    assert rows[1]["note"] == "half true"
    assert set(rows[0]["settles"].split()) == {a["id"] for a in found["verdicts"]["annotations"]}
    assert "(final)" in ok(capsys, "annotations", demo_path)

    # Withdrawn: the final verdict is deleted and the disagreement open again.
    ok(
        capsys, "adjudicate", demo_path, article, found["boundaries"]["id"], "--withdraw",
        "--reviewer", EDITOR,
    )  # fmt: skip
    assert [d["kind"] for d in _disagreements(capsys, demo_path)] == ["boundaries"]
    assert len(list(csv.DictReader(io.StringIO(ok(capsys, "export", demo_path, "--final"))))) == 2
    assert "OK" in ok(capsys, "verify", demo_path)


def test_adjudicators_are_the_only_ones_who_may_adjudicate(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    double_checked(capsys, demo_path, first_article)
    (first, *_) = _disagreements(capsys, demo_path)
    # No adjudicators named: anyone may, here Ann, several at once (all or nothing).
    assert "Nobody is not an adjudicator" in failed(
        capsys, "adjudicators", demo_path, "--add", EDITOR, "--remove", "Nobody",
        "--reviewer", ANN,
    )  # fmt: skip
    assert "No adjudicators named" in ok(capsys, "adjudicators", demo_path)
    ok(capsys, "adjudicators", demo_path, "--add", EDITOR, "--add", "Sam Desk", "--reviewer", ANN)
    assert ok(capsys, "adjudicators", demo_path) == f"{EDITOR}\nSam Desk\n"
    ok(capsys, "adjudicators", demo_path, "--remove", "Sam Desk", "--reviewer", EDITOR)
    assert ok(capsys, "adjudicators", demo_path) == f"{EDITOR}\n"
    message = failed(
        capsys, "adjudicate", demo_path, first_article, first["id"], "--accept", ANN,
        "--reviewer", ANN,
    )  # fmt: skip
    assert message == (
        "only the project's adjudicators (Eda Editor) may adjudicate; Ann Example is not one"
    )
    assert "may change the adjudicators" in failed(
        capsys, "adjudicators", demo_path, "--add", ANN, "--reviewer", ANN
    )
    assert "may start blind review" in failed(capsys, "blind", demo_path, "on", "--reviewer", BOB)
    ok(capsys, "adjudicate", demo_path, first_article, first["id"], "--accept", ANN,
       "--reviewer", EDITOR)  # fmt: skip
    assert "already settled" in failed(
        capsys, "adjudicate", demo_path, first_article, first["id"], "--accept", BOB,
        "--reviewer", EDITOR,
    )  # fmt: skip
    ok(capsys, "adjudicators", demo_path, "--remove", EDITOR, "--reviewer", EDITOR)
    assert "anyone may adjudicate" in ok(capsys, "adjudicators", demo_path)


def test_blind_review_hides_the_agreement_until_done(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Figures tell how the others tagged: a blinded reviewer sees them once done."""
    articles = [a["id"] for a in json.loads(ok(capsys, "articles", demo_path, "--json"))]
    ok(capsys, "blind", demo_path, "on", "--article", first_article, "--reviewer", EDITOR)
    double_checked(capsys, demo_path, first_article)
    code, out, err = run(capsys, "agreement", demo_path, "--json", "--reviewer", ANN)
    assert code == 0
    assert [r["article_id"] for r in json.loads(out)] == articles[1:]
    assert "1 article(s) under blind review for Ann Example left out" in err
    code, out, err = run(capsys, "agreement", demo_path, "--reviewer", ANN)
    assert first_article[:8] not in out and "left out" in err
    assert "mark it done first" in failed(
        capsys, "agreement", demo_path, "--article", first_article, "--reviewer", ANN
    )
    # Nobody named: nothing of the blinded article either.
    code, out, err = run(capsys, "agreement", demo_path, "--article", first_article)
    assert code == 1 and "give --reviewer NAME" in err
    # Done, or an adjudicator: the figures.
    ok(capsys, "done", demo_path, first_article, "--reviewer", ANN)
    (report,) = json.loads(
        ok(capsys, "agreement", demo_path, "--article", first_article, "--json", "--reviewer", ANN)
    )
    assert report["status"] == "ok" and report["open_disagreements"] == 3
    assert "mark it done first" in failed(
        capsys, "agreement", demo_path, "--article", first_article, "--reviewer", BOB
    )
    ok(capsys, "adjudicators", demo_path, "--add", EDITOR, "--reviewer", EDITOR)
    out = ok(capsys, "agreement", demo_path, "--article", first_article, "--reviewer", EDITOR)
    assert f"{ANN}, {BOB}" in out


def test_a_blinded_reviewer_cannot_adjudicate_or_list_disagreements(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "blind", demo_path, "on", "--reviewer", ANN)
    double_checked(capsys, demo_path, first_article)
    code, out, err = run(capsys, "disagreements", demo_path, "--reviewer", ANN)
    assert code == 0 and "left out" in err and "0-20" not in out
    assert "mark it done first" in failed(
        capsys, "disagreements", demo_path, "--article", first_article, "--reviewer", ANN
    )
    ok(capsys, "done", demo_path, first_article, "--reviewer", EDITOR)
    (first, *_) = _disagreements(capsys, demo_path, "--reviewer", EDITOR)
    assert "mark it done first, or ask to be named an adjudicator" in failed(
        capsys, "adjudicate", demo_path, first_article, first["id"], "--accept", ANN,
        "--reviewer", ANN,
    )  # fmt: skip


def test_adjudication_input_mistakes(
    demo_path: Path, first_article: str, capsys: pytest.CaptureFixture[str]
) -> None:
    double_checked(capsys, demo_path, first_article)
    found = {d["kind"]: d for d in _disagreements(capsys, demo_path)}
    base = ("adjudicate", demo_path, first_article)
    assert "no disagreement 'dffffffff'" in failed(
        capsys, *base, "dffffffff", "--untagged", "--reviewer", EDITOR
    )
    assert "Nobody has no side" in failed(
        capsys, *base, found["verdicts"]["id"], "--accept", "Nobody", "--reviewer", EDITOR
    )
    assert "lies outside the article" in failed(
        capsys, *base, found["verdicts"]["id"], "--verdict", "disputed", "--start", "0",
        "--end", "99999999", "--reviewer", EDITOR,
    )  # fmt: skip
    for argv, expected in (
        ((*base, "--untagged"), "give the disagreement's ID"),
        ((*base, "d1", "--agreed"), "--agreed finalises the whole article"),
        ((*base, "d1", "--accept", ANN, "--start", "1", "--end", "2"), "go with --verdict"),
        ((*base, "d1", "--verdict", "disputed", "--start", "1"), "go together"),
        ((*base, "d1", "--accept", ANN, "--untagged"), "not allowed with argument"),
    ):
        with pytest.raises(SystemExit) as caught:
            cli.main([str(a) for a in argv])
        assert caught.value.code == 2
        assert expected in capsys.readouterr().err


def test_an_older_file_opens_with_blind_review_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.core.first_revision import make_first_revision_project

    old = make_first_revision_project(tmp_path / "old.crosscheck")
    code, out, err = run(capsys, "agreement", old.path, "--json")
    assert code == 0 and "Upgraded from schema 0001" in err
    assert json.loads(out)[0]["status"] == "needs two reviewers"
    assert "Blind review is off." in ok(capsys, "blind", old.path)
    conn = sqlite3.connect(old.path)
    try:
        assert conn.execute("SELECT final FROM annotations").fetchall() == [(0,)]
    finally:
        conn.close()
