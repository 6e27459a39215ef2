"""Editing, removing and restoring articles from the command line, as a user types it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REVIEWER
from tests.test_cli import annotations_json, articles_json, failed, run, run_usage, stored


@pytest.fixture
def project(new_target: Path | str, capsys: pytest.CaptureFixture[str], monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The demo, made by ``crosscheck new``, in a file and on a server in turn."""
    monkeypatch.setenv("CROSSCHECK_REVIEWER", REVIEWER)
    assert run(capsys, "new", new_target, "--demo")[0] == 0
    return new_target  # type: ignore[return-value]


def _first(capsys: pytest.CaptureFixture[str], project: Path) -> dict[str, object]:
    return articles_json(capsys, project)[0]


def test_edit_article_changes_and_reports_the_fields(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _first(capsys, project)
    article_id = str(first["id"])
    code, out, err = run(
        capsys,
        "edit-article",
        project,
        article_id[:8],
        "--title",
        "Short title",
        "--outlet",
        "",
        "--published",
        "2025-06-28",
        "--url",
        "https://example.org/a",
    )
    assert (code, err) == (0, "")
    assert out == f"{article_id}  Short title  (changed: title, outlet, url, published)\n"
    edited = _first(capsys, project)
    assert (edited["title"], edited["outlet"], edited["published"], edited["url"]) == (
        "Short title",
        "",
        "2025-06-28",
        "https://example.org/a",
    )
    # By its new title; the same values again change nothing.
    code, out, _ = run(capsys, "edit-article", project, "Short title", "--title", "Short title")
    assert (code, out) == (0, f"{article_id}  Short title  (nothing changed)\n")
    code, out, _ = run(capsys, "edit-article", project, "Short title", "--published", "")
    assert out.endswith("(changed: published)\n")
    assert _first(capsys, project)["published"] is None


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--published", "2025-13-01", "published date '2025-13-01' is not a real date"),
        (
            "--published",
            "yesterday",
            "published date 'yesterday' must be written YYYY-MM-DD "
            "(or YYYY-MM or YYYY when only that is known)",
        ),
        ("--title", "  ", "the title cannot be empty"),
        (
            "--url",
            "javascript:alert(1)",
            "article URL 'javascript:alert(1)' is not a web address "
            "(it must start with http:// or https://)",
        ),
        ("--outlet", "O" * 201, "outlet is longer than 200 characters"),
    ],
)
def test_edit_article_refuses_bad_values_and_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    before = stored(project)
    article_id = str(_first(capsys, project)["id"])
    assert failed(capsys, "edit-article", project, article_id, option, value) == message
    assert stored(project) == before


def test_edit_article_usage(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_usage(capsys, "edit-article", project, "anything")
    assert "edit-article needs at least one of --title, --outlet, --url, --published" in err
    assert failed(capsys, "edit-article", project, "zzzz-nothing", "--title", "X") == (
        "no article matches 'zzzz-nothing' (give an id, a unique id prefix or an exact title)"
    )


def test_remove_and_restore_article(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _first(capsys, project)
    article_id, title = str(first["id"]), str(first["title"])
    for quote in ("two Azerbaijani citizens", "Culture Ministry"):
        assert run(capsys, "annotate", project, article_id, "--quote", quote, "--verdict",
                   "disputed")[0] == 0  # fmt: skip
    code, out, err = run(capsys, "remove-article", project, article_id[:6])
    assert (code, err) == (0, "")
    assert out == (
        f"Removed {article_id}  {title}  (with 2 annotation(s); "
        "`crosscheck restore-article` brings it back)\n"
    )
    assert article_id not in [a["id"] for a in articles_json(capsys, project)]
    assert annotations_json(capsys, project) == []
    deleted = annotations_json(capsys, project, "--include-deleted")
    assert len(deleted) == 2
    code, out, _ = run(capsys, "articles", project, "--include-removed", "--json")
    listed = json.loads(out)
    assert [a["removed_at"] is not None for a in listed] == [True, False, False, False, False]
    code, out, _ = run(capsys, "articles", project, "--include-removed")
    assert "(removed)" in out.splitlines()[1]

    # A removed article is named clearly wherever it is asked for.
    removed = f"article {title!r} was removed (`crosscheck restore-article` brings it back)"
    assert failed(capsys, "annotate", project, article_id, "--quote", "Baku",
                  "--verdict", "supported") == removed  # fmt: skip
    assert failed(capsys, "remove-article", project, title) == removed
    assert failed(capsys, "edit-article", project, title, "--title", "New") == removed
    assert failed(capsys, "export", project, "--article", title) == removed

    code, out, err = run(capsys, "restore-article", project, title)
    assert (code, err) == (0, "")
    assert out == f"Restored {article_id}  {title}  (with 2 annotation(s))\n"
    assert len(annotations_json(capsys, project)) == 2
    assert articles_json(capsys, project)[0]["id"] == article_id
    code, out, _ = run(capsys, "restore-article", project, title)
    assert out == f"{article_id}  {title}  (not removed; nothing changed)\n"

    code, out, _ = run(capsys, "verify", project)
    assert code == 0 and "chain intact" in out
    code, out, _ = run(capsys, "export", project, "--format", "audit-jsonl")
    actions = [json.loads(line).get("action") for line in out.splitlines()]
    assert actions.count("article.removed") == actions.count("article.restored") == 1
    assert actions.count("annotation.deleted") == actions.count("annotation.restored") == 2


def test_writes_need_a_reviewer_and_a_writable_file(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    article_id = str(_first(capsys, project)["id"])
    monkeypatch.delenv("CROSSCHECK_REVIEWER")
    assert failed(capsys, "remove-article", project, article_id).startswith("no reviewer given")
    if not isinstance(project, Path):
        return  # a server's read-only roles: tests/core/test_postgres.py
    project.chmod(0o444)
    try:
        message = failed(capsys, "remove-article", project, article_id, "--reviewer", REVIEWER)
    finally:
        project.chmod(0o644)
    assert "read-only" in message
    assert len(articles_json(capsys, project)) == 5


def test_help_names_the_new_commands_and_explains_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop import cli

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    top = capsys.readouterr().out
    for command in ("edit-article", "remove-article", "restore-article", "demo"):
        assert command in top
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    assert "five versions of one news story" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["import", "--help"])
    assert "SOURCES              article files (.txt .md .html .docx .pdf)," in (
        capsys.readouterr().out
    )
    with pytest.raises(SystemExit):
        cli.main(["annotate", "--help"])
    assert "the verdict on the span" in capsys.readouterr().out
