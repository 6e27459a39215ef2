"""The ``crosscheck`` command line, as a user types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.core import demo
from desktop.core.store import open_store, reads
from desktop.core.store.postgres import redact
from desktop.paths import data_dir
from tests.backends import Attacker, snapshot
from tests.conftest import REVIEWER

ROOT = Path(__file__).resolve().parents[1]
NOT_WEB = "is not a web address (it must start with http:// or https://)"
ANNOTATION_KEYS = [
    "id",
    "article_id",
    "article_title",
    "start",
    "end",
    "quote",
    "verdict",
    "note",
    "sources",
    "reviewer",
    "created_at",
    "updated_at",
    "claim_id",
    "page",
]
ARTICLE_KEYS = [
    "id",
    "title",
    "outlet",
    "url",
    "published",
    "imported_at",
    "original_name",
    "characters",
    "counts",
    "author",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_usage(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    with pytest.raises(SystemExit) as caught:
        cli.main([str(a) for a in argv])
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def failed(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """Run a command that must fail with exit 1 and one error line; return the line."""
    code, out, err = run(capsys, *argv)
    assert code == 1, (out, err)
    assert out == ""
    assert err.startswith("crosscheck: error: ") and err.endswith("\n") and err.count("\n") == 1
    return err[len("crosscheck: error: ") : -1]


def articles_json(capsys: pytest.CaptureFixture[str], project: Path) -> list[dict[str, object]]:
    code, out, err = run(capsys, "articles", project, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def annotations_json(
    capsys: pytest.CaptureFixture[str], project: Path, *extra: str
) -> list[dict[str, object]]:
    code, out, err = run(capsys, "annotations", project, "--json", *extra)
    assert (code, err) == (0, "")
    return json.loads(out)


def text_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def demo_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "demo.crosscheck"
    assert run(capsys, "new", path, "--demo", "--reviewer", REVIEWER)[0] == 0
    return path


@pytest.fixture
def demo_any(new_target: Path | str, capsys: pytest.CaptureFixture[str]) -> Path | str:
    """The demo project made by ``crosscheck new``, in a file and on a server in turn."""
    assert run(capsys, "new", new_target, "--demo", "--reviewer", REVIEWER)[0] == 0
    return new_target


def stored(target: Path | str) -> dict[str, list[tuple[object, ...]]]:
    with open_store(target, read_only=True) as project:
        return snapshot(project)


# --- new -----------------------------------------------------------------------------------


def test_new_demo_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.crosscheck"
    code, out, err = run(capsys, "new", path, "--demo", "--reviewer", REVIEWER)
    assert (code, out, err) == (0, f"Created {path} with 5 article(s).\n", "")
    listed = articles_json(capsys, path)
    manifest = json.loads((data_dir("seeds") / "manifest.json").read_text(encoding="utf-8"))
    assert [a["title"] for a in listed] == [e["title"] for e in manifest["articles"]]
    assert [a["original_name"] for a in listed] == [e["file"] for e in manifest["articles"]]
    assert all(list(a) == ARTICLE_KEYS for a in listed)
    first = listed[0]
    assert (first["outlet"], first["published"]) == ("Kyiv Independent", "2025-06-29")
    assert first["counts"] == {"supported": 0, "disputed": 0, "unverified": 0}
    with open_store(path) as project, project.read() as session:
        assert reads.project_info(session).name == demo.demo_name()  # type: ignore[union-attr]
        texts = [reads.article_text(session, str(a["id"])) for a in listed]
    seeds = [
        (data_dir("seeds") / e["file"]).read_text(encoding="utf-8") for e in manifest["articles"]
    ]
    assert texts == [s.replace("\r\n", "\n") for s in seeds]
    assert "Gaza Media Office (GMO) reported on Monday" in texts[1]
    assert texts[1].rstrip().endswith("in the Gaza Strip, according to local sources.")
    code, out, _ = run(capsys, "verify", path)
    assert code == 0 and out.startswith(f"{path}: OK: 7 audit events, chain intact")


def test_new_empty_and_with_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.crosscheck"
    assert run(capsys, "new", empty, "--reviewer", REVIEWER) == (
        0,
        f"Created {empty} with 0 article(s).\n",
        "",
    )
    assert articles_json(capsys, empty) == []
    one = text_file(tmp_path, "one.txt", "First story\n\nBody one.\n")
    two = text_file(tmp_path, "two.md", "# Second story\n\nBody two.\n")
    path = tmp_path / "two.crosscheck"
    code, out, _ = run(capsys, "new", path, one, two, "--reviewer", REVIEWER, "--name", "Mine")
    assert (code, out) == (0, f"Created {path} with 2 article(s).\n")
    assert [a["title"] for a in articles_json(capsys, path)] == ["First story", "Second story"]
    with open_store(path) as project, project.read() as session:
        assert reads.project_info(session).name == "Mine"  # type: ignore[union-attr]


def test_new_refuses_an_existing_file(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = demo_file.read_bytes()
    assert failed(capsys, "new", demo_file, "--demo", "--reviewer", REVIEWER) == (
        f"{demo_file}: already exists; choose another name"
    )
    # Without its extension the name means the same file.
    assert failed(capsys, "new", demo_file.with_suffix(""), "--reviewer", REVIEWER) == (
        f"{demo_file}: already exists; choose another name"
    )
    # Another extension is kept and .crosscheck added: the other file is never touched.
    other = demo_file.with_name("notes.txt")
    other.write_text("keep me")
    code, out, err = run(capsys, "new", other, "--reviewer", REVIEWER)
    created = demo_file.with_name("notes.txt.crosscheck")
    assert (code, out, err) == (0, f"Created {created} with 0 article(s).\n", "")
    assert demo_file.read_bytes() == before and other.read_text() == "keep me"


def test_new_with_a_bad_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = text_file(tmp_path, "good.txt", "A story\n")
    bad = tmp_path / "picture.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "p.crosscheck"
    message = failed(capsys, "new", path, good, bad, "--reviewer", REVIEWER)
    assert message.startswith(f"{bad}: ")
    message = failed(capsys, "new", path, good, tmp_path / "missing.txt", "--reviewer", REVIEWER)
    assert message.startswith(f"{tmp_path / 'missing.txt'}: ")
    assert sorted(os.listdir(tmp_path)) == ["good.txt", "picture.png"]


def test_new_in_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope" / "p.crosscheck"
    assert failed(capsys, "new", path, "--reviewer", REVIEWER) == (
        f"{path}: cannot be created: the folder {path.parent} does not exist"
    )


# --- the reviewer --------------------------------------------------------------------------


def test_reviewer_from_flag_environment_or_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.crosscheck"
    assert failed(capsys, "new", path, "--demo") == (
        "no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER"
    )
    assert not path.exists()
    monkeypatch.setenv(cli.REVIEWER_ENV, "Env Reviewer")
    assert run(capsys, "new", path, "--demo")[0] == 0
    first = str(articles_json(capsys, path)[0]["id"])
    assert (
        run(
            capsys, "annotate", path, first, "--start", "0", "--end", "4", "--verdict", "supported"
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "annotate",
            path,
            first,
            "--start",
            "5",
            "--end",
            "9",
            "--verdict",
            "supported",
            "--reviewer",
            "Flag Reviewer",
        )[0]
        == 0
    )
    assert [a["reviewer"] for a in annotations_json(capsys, path)] == [
        "Env Reviewer",
        "Flag Reviewer",
    ]
    monkeypatch.delenv(cli.REVIEWER_ENV)
    before = path.read_bytes()
    assert failed(
        capsys, "annotate", path, first, "--start", "10", "--end", "12", "--verdict", "disputed"
    ) == ("no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER")
    assert (
        failed(
            capsys,
            "annotate",
            path,
            first,
            "--start",
            "10",
            "--end",
            "12",
            "--verdict",
            "disputed",
            "--reviewer",
            "Bad\x07Name",
        )
        == "reviewer name contains control characters"
    )
    assert path.read_bytes() == before


# --- import --------------------------------------------------------------------------------


def test_import_with_details(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = text_file(tmp_path, "story.txt", "Original headline\r\n\r\nBody with\u00a0NBSP.\r\n")
    code, out, err = run(
        capsys,
        "import",
        demo_file,
        story,
        "--title",
        "Given title",
        "--outlet",
        "Wire",
        "--url",
        "https://example.org/story",
        "--published",
        "2025-06-30",
        "--reviewer",
        REVIEWER,
    )
    assert (code, err) == (0, "")
    article_id, title = out.rstrip("\n").split("  ")
    assert title == "Given title"
    listed = articles_json(capsys, demo_file)
    assert len(listed) == 6
    assert {
        k: listed[-1][k] for k in ("id", "title", "outlet", "url", "published", "original_name")
    } == {
        "id": article_id,
        "title": "Given title",
        "outlet": "Wire",
        "url": "https://example.org/story",
        "published": "2025-06-30",
        "original_name": "story.txt",
    }
    with open_store(demo_file) as project, project.read() as session:
        assert (
            reads.article_text(session, article_id) == "Original headline\n\nBody with\u00a0NBSP.\n"
        )


def test_import_several_files(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = text_file(tmp_path, "a.txt", "Story A\n")
    b = text_file(tmp_path, "b.txt", "Story B\n")
    code, out, _ = run(
        capsys, "import", demo_file, a, b, "--outlet", "Wire", "--reviewer", REVIEWER
    )
    assert code == 0
    assert [line.split("  ")[1] for line in out.splitlines()] == ["Story A", "Story B"]
    assert [x["outlet"] for x in articles_json(capsys, demo_file)[-2:]] == ["Wire", "Wire"]


def test_import_errors_change_nothing(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = text_file(tmp_path, "good.txt", "Story\n")
    other = text_file(tmp_path, "other.txt", "Other\n")
    empty = text_file(tmp_path, "empty.txt", "   \n")
    before = demo_file.read_bytes()
    cases = [
        (["--published", "2025-13-01"], "published date '2025-13-01' is not a real date"),
        (
            ["--published", "2025/06/29"],
            "published date '2025/06/29' must be written YYYY-MM-DD "
            "(or YYYY-MM or YYYY when only that is known)",
        ),
        (["--published", "2999-01-01"], "published date 2999-01-01 is in the future"),
        (
            ["--url", "javascript:alert(1)"],
            f"article URL 'javascript:alert(1)' {NOT_WEB}",
        ),
        (
            ["--url", "http://"],
            f"article URL 'http://' {NOT_WEB}",
        ),
    ]
    for extra, message in cases:
        assert failed(capsys, "import", demo_file, good, *extra, "--reviewer", REVIEWER) == message
    assert failed(
        capsys, "import", demo_file, good, other, "--title", "T", "--reviewer", REVIEWER
    ) == ("a title or URL names one article: import the files one at a time")
    assert (
        failed(capsys, "import", demo_file, good, empty, "--reviewer", REVIEWER)
        == f"{empty}: is empty"
    )
    assert failed(capsys, "import", demo_file, good, good, "--reviewer", REVIEWER) == (
        f"{good}: given more than once"
    )
    assert failed(capsys, "import", demo_file, good).startswith("no reviewer given")
    assert demo_file.read_bytes() == before
    missing = tmp_path / "missing.crosscheck"
    assert (
        failed(capsys, "import", missing, good, "--reviewer", REVIEWER)
        == f"{missing}: no such file"
    )


# --- articles ------------------------------------------------------------------------------


def test_articles_table(demo_any: Path | str, capsys: pytest.CaptureFixture[str]) -> None:
    first = str(articles_json(capsys, demo_any)[0]["id"])
    for start, verdict in ((0, "supported"), (10, "supported"), (20, "disputed")):
        run(
            capsys,
            "annotate",
            demo_any,
            first,
            "--start",
            start,
            "--end",
            start + 5,
            "--verdict",
            verdict,
            "--reviewer",
            REVIEWER,
        )
    code, out, err = run(capsys, "articles", demo_any)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "OUTLET", "PUBLISHED", "SUPP", "DISP", "UNVER"]
    assert len(lines) == 6
    assert lines[1].startswith(first[:8] + "  Azerbaijan cancels cultural events with Russia af…")
    assert lines[1].split()[-5:] == ["Independent", "2025-06-29", "2", "1", "0"]
    assert articles_json(capsys, demo_any)[0]["counts"] == {
        "supported": 2,
        "disputed": 1,
        "unverified": 0,
    }


# --- annotate ------------------------------------------------------------------------------


def test_annotate_by_quote_id_prefix_and_title(
    demo_any: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = articles_json(capsys, demo_any)
    first_id, first_title = str(listed[0]["id"]), str(listed[0]["title"])
    code, out, err = run(
        capsys,
        "annotate",
        demo_any,
        first_title,
        "--quote",
        "Azerbaijan",
        "--occurrence",
        "2",
        "--verdict",
        "disputed",
        "--note",
        "Second mention",
        "--source",
        "https://example.org/a",
        "--source",
        "https://example.org/b",
        "--reviewer",
        REVIEWER,
    )
    assert (code, err) == (0, "")
    with open_store(demo_any) as project, project.read() as session:
        text = reads.article_text(session, first_id)
    first_at = text.index("Azerbaijan")
    second_at = text.index("Azerbaijan", first_at + 1)
    annotation_id, verdict, span, quote = out.rstrip("\n").split("  ")
    assert (verdict, span, quote) == ("disputed", f"{second_at}-{second_at + 10}", "Azerbaijan")
    (row,) = annotations_json(capsys, demo_any)
    assert list(row) == ANNOTATION_KEYS
    assert row == {
        "id": annotation_id,
        "article_id": first_id,
        "article_title": first_title,
        "start": second_at,
        "end": second_at + 10,
        "quote": "Azerbaijan",
        "verdict": "disputed",
        "note": "Second mention",
        "sources": [
            {"url": "https://example.org/a", "title": ""},
            {"url": "https://example.org/b", "title": ""},
        ],
        "reviewer": REVIEWER,
        "created_at": row["created_at"],
        "updated_at": row["created_at"],
        "claim_id": annotation_id,
        "page": None,  # not a PDF
    }
    # By id prefix and by full id, with --start/--end, and --json output.
    code, out, _ = run(
        capsys,
        "annotate",
        demo_any,
        first_id[:8],
        "--start",
        "1",
        "--end",
        "5",
        "--verdict",
        "unverified",
        "--reviewer",
        REVIEWER,
        "--json",
    )
    assert code == 0
    printed = json.loads(out)
    assert list(printed) == ANNOTATION_KEYS
    assert (printed["start"], printed["end"], printed["quote"]) == (1, 5, text[1:5])
    # Tagging the same span again changes its verdict.
    code, out, _ = run(
        capsys,
        "annotate",
        demo_any,
        first_id,
        "--start",
        "1",
        "--end",
        "5",
        "--verdict",
        "supported",
        "--reviewer",
        REVIEWER,
    )
    assert code == 0 and out.split("  ")[:2] == [printed["id"], "supported"]
    assert len(annotations_json(capsys, demo_any)) == 2


def test_annotate_errors(demo_any: Path | str, capsys: pytest.CaptureFixture[str]) -> None:
    listed = articles_json(capsys, demo_any)
    first = str(listed[0]["id"])
    length = int(listed[0]["characters"])  # type: ignore[call-overload]
    before = stored(demo_any)
    r = ["--reviewer", REVIEWER]
    cases = [
        (
            ["--start", "0", "--end", str(length + 1)],
            f"span 0-{length + 1} lies outside the article (its text has {length} characters)",
        ),
        (["--start", "7", "--end", "7"], "span 7-7 is empty (the end must be after the start)"),
        (["--start", "9", "--end", "3"], "span 9-3 is empty (the end must be after the start)"),
        (
            ["--start", "0", "--end", "99999999999999999999999"],
            f"span 0-{'9' * 23} lies outside the article (its text has {length} characters)",
        ),
        (
            ["--quote", "not in this article at all"],
            "quote 'not in this article at all' does not occur in the article",
        ),
        (["--quote", "Azerbaijan", "--occurrence", "999"], "quote 'Azerbaijan' occurs"),
        (["--quote", "Azerbaijan", "--occurrence", "0"], "--occurrence counts from 1"),
        (["--quote", ""], "the quote to find is empty"),
        (
            ["--start", "0", "--end", "3", "--source", "ftp://x.org"],
            f"evidence link 'ftp://x.org' {NOT_WEB}",
        ),
        (
            ["--start", "0", "--end", "3", "--source", "https://x.org/a b"],
            "evidence link 'https://x.org/a b' contains spaces or control characters",
        ),
        (
            ["--start", "0", "--end", "3", "--note", "x" * 100_001],
            "note is longer than 100,000 characters",
        ),
    ]
    for extra, message in cases:
        line = failed(capsys, "annotate", demo_any, first, *extra, "--verdict", "supported", *r)
        assert line.startswith(message), (extra, line)
    assert failed(
        capsys,
        "annotate",
        demo_any,
        "no such article",
        "--start",
        "0",
        "--end",
        "3",
        "--verdict",
        "supported",
        *r,
    ) == ("no article matches 'no such article' (give an id, a unique id prefix or an exact title)")
    assert stored(demo_any) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--start", "3", "--verdict", "supported"], "--start needs --end"),
        (["--quote", "x", "--end", "3", "--verdict", "supported"], "--end goes with --start"),
        (
            ["--start", "0", "--end", "3", "--occurrence", "2", "--verdict", "supported"],
            "--occurrence goes with --quote",
        ),
        (["--start", "-1", "--end", "3", "--verdict", "supported"], "-1 is negative"),
        (["--start", "x", "--end", "3", "--verdict", "supported"], "'x' is not a whole number"),
        (
            ["--quote", "x", "--start", "0", "--end", "3", "--verdict", "supported"],
            "not allowed with argument",
        ),
        (["--quote", "x", "--verdict", "true"], "invalid choice: 'true'"),
        (["--quote", "x"], "the following arguments are required: --verdict"),
        (["--verdict", "supported"], "one of the arguments --quote --start is required"),
    ],
)
def test_annotate_usage_errors(
    demo_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    err = run_usage(capsys, "annotate", demo_file, "Some title", *argv, "--reviewer", REVIEWER)
    assert message in err.splitlines()[-1]


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["articles"],
        ["import", "x.crosscheck"],
        ["new"],
        ["verify", "a", "b"],
        ["articles", "x", "--bogus"],
        ["annotate", "x.crosscheck", "A", "--start", "1"],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    err = run_usage(capsys, *argv)
    assert err.splitlines()[-1].startswith("crosscheck")


# --- annotations ---------------------------------------------------------------------------


def test_annotations_list_and_filters(
    demo_any: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = articles_json(capsys, demo_any)
    first, second = str(listed[0]["id"]), str(listed[1]["id"])
    r = ["--reviewer", REVIEWER]
    run(
        capsys,
        "annotate",
        demo_any,
        first,
        "--start",
        "0",
        "--end",
        "5",
        "--verdict",
        "supported",
        *r,
    )
    run(
        capsys,
        "annotate",
        demo_any,
        second,
        "--start",
        "3",
        "--end",
        "9",
        "--verdict",
        "disputed",
        *r,
    )
    rows = annotations_json(capsys, demo_any)
    assert [(a["article_id"], a["verdict"]) for a in rows] == [
        (first, "supported"),
        (second, "disputed"),
    ]
    assert all(list(a) == ANNOTATION_KEYS for a in rows)
    assert [a["verdict"] for a in annotations_json(capsys, demo_any, "--verdict", "disputed")] == [
        "disputed"
    ]
    assert [
        a["article_id"] for a in annotations_json(capsys, demo_any, "--article", second[:8])
    ] == [second]
    code, out, _ = run(capsys, "annotations", demo_any)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "ID",
        "ARTICLE",
        "SPAN",
        "VERDICT",
        "QUOTE",
        "REVIEWER",
    ]
    assert len(lines) == 3 and lines[1].split()[-2:] == ["Test", "Reviewer"]
    assert "0-5" in lines[1] and "supported" in lines[1]
    assert failed(capsys, "annotations", demo_any, "--article", "Nothing").startswith(
        "no article matches"
    )


def test_empty_annotations(demo_any: Path | str, capsys: pytest.CaptureFixture[str]) -> None:
    assert annotations_json(capsys, demo_any) == []
    code, out, _ = run(capsys, "annotations", demo_any)
    assert code == 0 and out.split() == ["ID", "ARTICLE", "SPAN", "VERDICT", "QUOTE", "REVIEWER"]


# --- verify and bad files ------------------------------------------------------------------


def test_verify_names_the_problem_on_a_tampered_copy(
    demo_any: Path | str, capsys: pytest.CaptureFixture[str], attacker: Attacker
) -> None:
    code, out, err = run(capsys, "verify", demo_any, "--json")
    report = json.loads(out)
    assert (code, err, report["ok"], report["events"], report["problems"]) == (0, "", True, 7, [])
    copy = attacker.tampered(demo_any, "UPDATE audit_events SET reviewer = 'Mallory' WHERE seq = 4")
    line = failed(capsys, "verify", copy)
    shown = copy if isinstance(copy, Path) else redact(copy)
    assert line.startswith(f"{shown}: audit chain broken at event 4 (article.imported article ")
    assert line.endswith("): hash does not match its content")
    code, out, err = run(capsys, "verify", copy, "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["first_bad_event"] == 4
    assert err.startswith("crosscheck: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("command", ["articles", "annotations", "verify", "upgrade"])
def test_bad_project_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    notes = text_file(tmp_path, "notes.crosscheck", "not a project")
    assert failed(capsys, command, notes) == (
        f"{notes}: is not a Crosscheck project (not an SQLite database)"
    )
    assert failed(capsys, command, tmp_path) == f"{tmp_path}: is a directory, not a project file"
    missing = tmp_path / "missing.crosscheck"
    assert failed(capsys, command, missing) == f"{missing}: no such file"
    assert notes.read_text() == "not a project"


def test_read_only_project_lists_but_refuses_writes(
    demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = str(articles_json(capsys, demo_file)[0]["id"])
    demo_file.chmod(0o444)
    try:
        code, out, err = run(capsys, "articles", demo_file, "--json")
        assert code == 0 and len(json.loads(out)) == 5
        assert err == "crosscheck: demo.crosscheck: Opened read-only: the file is read-only.\n"
        assert run(capsys, "verify", demo_file)[0] == 0
        line = failed(
            capsys,
            "annotate",
            demo_file,
            first,
            "--start",
            "0",
            "--end",
            "3",
            "--verdict",
            "supported",
            "--reviewer",
            REVIEWER,
        )
        assert line == f"{demo_file} is open read-only (the file is read-only); nothing was changed"
    finally:
        demo_file.chmod(0o644)


# --- the real entry point ------------------------------------------------------------------


def _python_m_desktop(
    *argv: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != cli.REVIEWER_ENV}
    environment.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, argv)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_python_m_desktop(tmp_path: Path) -> None:
    path = tmp_path / "real.crosscheck"
    made = _python_m_desktop("new", path, "--demo", env={cli.REVIEWER_ENV: "Shell User"})
    assert (made.returncode, made.stdout, made.stderr) == (
        0,
        f"Created {path} with 5 article(s).\n",
        "",
    )
    listed = _python_m_desktop("articles", path, "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout)[0]["outlet"] == "Kyiv Independent"
    refused = _python_m_desktop(
        "annotate", path, "Nothing", "--quote", "x", "--verdict", "supported"
    )
    assert refused.returncode == 1
    assert (
        refused.stderr
        == "crosscheck: error: no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER\n"
    )
    usage = _python_m_desktop("annotate", path)
    assert usage.returncode == 2 and "usage: crosscheck annotate" in usage.stderr
