"""``crosscheck import`` of web pages, PDFs and standard input; ``edit-article``; ``pages``;
``annotate --save-copies``. Web pages come from a server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from desktop import cli
from tests.conftest import REVIEWER, make_project
from tests.support import pdf_samples
from tests.test_cli import run_usage

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "core" / "pages"
HTML = "text/html; charset=utf-8"


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project_file(new_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project, in a file and on a server in turn."""
    monkeypatch.setenv("CROSSCHECK_REVIEWER", REVIEWER)
    return make_project(new_target, with_demo=False, name="p")  # type: ignore[return-value]


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    for name in ("wordpress-news.html", "french-vague-date.html", "blog-comments.html"):
        httpserver.expect_request(f"/{name}").respond_with_data(
            (PAGES / name).read_bytes(), content_type=HTML
        )
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    httpserver.expect_request("/statement.pdf").respond_with_data(
        pdf_samples.encrypted("s3cret").data, content_type="application/pdf"
    )
    return httpserver


def articles(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, object]]:
    code, out, _ = run(capsys, "articles", path, "--json")
    assert code == 0
    listed: list[dict[str, object]] = json.loads(out)
    return listed


def test_import_web_pages(
    capsys: pytest.CaptureFixture[str], project_file: Path, site: HTTPServer
) -> None:
    code, out, err = run(
        capsys, "import", project_file, site.url_for("/wordpress-news.html"),
        site.url_for("/french-vague-date.html"),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert [line.split("  ", 1)[1] for line in out.splitlines()] == [
        "Council approves £4.2m flood defence budget after heated debate",
        "Le prix de l'eau augmentera de 12 % dans la métropole en 2025",
    ]
    by_outlet = {a["outlet"]: a for a in articles(capsys, project_file)}
    first, second = by_outlet["Riverside Gazette"], by_outlet["La Gazette du Rhône"]
    assert (first["outlet"], first["published"], first["author"]) == (
        "Riverside Gazette",
        "2024-03-12",
        "Priya Natarajan",
    )
    assert first["url"] == (
        "https://www.riversidegazette.example/news/2024/03/12/council-approves-flood-defence-budget/"
    )
    assert second["published"] == "2024-11"  # the page gives only the month
    code, out, _ = run(capsys, "pages", project_file)
    assert code == 0 and len(out.splitlines()) == 3  # header and two pages


def test_one_failed_url_imports_nothing_unless_asked(
    capsys: pytest.CaptureFixture[str], project_file: Path, site: HTTPServer
) -> None:
    good, gone = site.url_for("/blog-comments.html"), site.url_for("/gone")
    code, out, err = run(capsys, "import", project_file, good, gone)
    assert (code, out) == (1, "")
    assert err == f"crosscheck: error: {gone}: the server answered 404 Not Found\n"
    assert articles(capsys, project_file) == []
    code, out, err = run(capsys, "import", project_file, good, gone, "--keep-going")
    assert code == 1
    assert out.split("  ", 1)[1] == "What the new bus timetable actually means for Easthill\n"
    assert err.splitlines() == [
        f"crosscheck: error: {gone}: the server answered 404 Not Found",
        "crosscheck: imported 1 of 2; 1 failed (see above)",
    ]
    assert len(articles(capsys, project_file)) == 1


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            "file:///etc/passwd",
            "is a file: address; only http:// and https:// pages can be fetched",
        ),
        (
            "javascript:alert(1)",
            "is a javascript: address; only http:// and https:// pages can be fetched",
        ),
        ("http://127.0.0.1/" + "x" * 2100, "is longer than 2,048 characters"),
    ],
)
def test_addresses_refused(
    capsys: pytest.CaptureFixture[str], project_file: Path, source: str, reason: str
) -> None:
    code, out, err = run(capsys, "import", project_file, source)
    assert (code, out) == (1, "")
    assert err.startswith("crosscheck: error: ") and err.endswith(f": {reason}\n")
    assert err.count("\n") == 1


def test_encrypted_pdf_from_a_url(
    capsys: pytest.CaptureFixture[str], project_file: Path, site: HTTPServer
) -> None:
    url = site.url_for("/statement.pdf")
    code, _, err = run(capsys, "import", project_file, url)
    assert (code, err) == (
        1,
        f"crosscheck: error: {url}: is encrypted: give its password (--password)\n",
    )
    code, _, err = run(capsys, "import", project_file, url, "--password", "nope")
    assert (code, err) == (
        1,
        f"crosscheck: error: {url}: is encrypted and the password given is wrong\n",
    )
    code, out, err = run(capsys, "import", project_file, url, "--password", "s3cret")
    assert (code, err) == (0, "")
    assert out.split("  ", 1)[1] == "Statement on Ward 7\n"


def test_pdf_file_annotations_know_their_page(
    capsys: pytest.CaptureFixture[str], project_file: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(pdf_samples.statement().data)
    assert run(capsys, "import", project_file, pdf)[0] == 0
    code, out, err = run(
        capsys, "annotate", project_file, "Statement on Ward 7",
        "--quote", "patient advice service", "--verdict", "supported", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out)["page"] == 2
    code, out, _ = run(capsys, "export", project_file, "--format", "csv")
    header, row = out.splitlines()
    assert header.endswith(",updated_at,claim_id,page") and row.endswith(",2")


def test_standard_input(project_file: Path) -> None:
    """Piped text imports as an article, titled by its first line unless a title is given."""
    env = {**os.environ, "CROSSCHECK_REVIEWER": REVIEWER}

    def crosscheck(text: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop", "import", str(project_file), "-", *args],
            input=text, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
        )  # fmt: skip

    done = crosscheck("Council denies report\n\nThe council said the report was wrong.\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("  ", 1)[1] == "Council denies report\n"
    done = crosscheck("Some pasted words.", "--title", "From the radio", "--outlet", "Radio 4")
    assert done.returncode == 0 and done.stdout.split("  ", 1)[1] == "From the radio\n"
    done = crosscheck("   \n")
    assert (done.returncode, done.stderr) == (1, "crosscheck: error: standard input: is empty\n")


def test_edit_article(
    capsys: pytest.CaptureFixture[str], project_file: Path, tmp_path: Path
) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Story\n\nText.")
    assert run(capsys, "import", project_file, story)[0] == 0
    code, out, err = run(
        capsys, "edit-article", project_file, "Story", "--url", "https://news.example/a",
        "--published", "2024-03", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    edited = json.loads(out)
    assert (edited["url"], edited["published"]) == ("https://news.example/a", "2024-03")
    code, out, err = run(
        capsys, "edit-article", project_file, "Story", "--author", "Ana Ruiz", "--published", "2024"
    )
    assert (code, err) == (0, "")
    assert out.endswith("  Story  (changed: published, author)\n")
    code, out, err = run(capsys, "edit-article", project_file, "Story", "--published", "2024/03")
    assert code == 1 and "must be written YYYY-MM-DD" in err
    err = run_usage(capsys, "edit-article", project_file, "Story")
    assert err.endswith(
        "crosscheck: error: edit-article needs at least one of --title, --outlet, --url, "
        "--published, --author\n"
    )
    code, _, _ = run(capsys, "verify", project_file)
    assert code == 0


def test_pages_shows_a_saved_page(
    capsys: pytest.CaptureFixture[str], project_file: Path, site: HTTPServer
) -> None:
    assert run(capsys, "import", project_file, site.url_for("/blog-comments.html"))[0] == 0
    code, out, _ = run(capsys, "pages", project_file, "--json")
    (page,) = json.loads(out)
    assert page["final_url"] == site.url_for("/blog-comments.html")
    code, out, _ = run(capsys, "pages", project_file, page["id"][:8])
    assert code == 0 and "I asked Valley Buses why the 22 was cut" in out
    code = cli.main(["pages", str(project_file), page["id"], "--raw"])
    raw = capsys.readouterr().out  # text mode capture: compare as text
    assert code == 0 and raw == (PAGES / "blog-comments.html").read_text("utf-8")
    code, _, err = run(capsys, "pages", project_file, "zzzz")
    assert (code, err) == (
        1,
        "crosscheck: error: no saved page matches 'zzzz' (give its id or a unique prefix)\n",
    )


def test_annotate_saves_copies_of_evidence(
    capsys: pytest.CaptureFixture[str], project_file: Path, site: HTTPServer, tmp_path: Path
) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Claim\n\nThe council approved a flood budget.")
    assert run(capsys, "import", project_file, story)[0] == 0
    evidence = site.url_for("/wordpress-news.html")
    code, out, err = run(
        capsys, "annotate", project_file, "Claim", "--quote", "flood budget", "--verdict",
        "supported", "--source", evidence, "--save-copies", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    (source,) = json.loads(out)["sources"]
    assert source["url"] == evidence and source["copy"]
    code, out, _ = run(capsys, "pages", project_file, source["copy"])
    assert "Riverside District Council has approved" in out
    # A page that cannot be fetched stops the command before anything changes.
    code, out, err = run(
        capsys, "annotate", project_file, "Claim", "--quote", "council", "--verdict",
        "disputed", "--source", site.url_for("/gone"), "--save-copies",
    )  # fmt: skip
    assert code == 1 and err.endswith("the server answered 404 Not Found\n")
    code, out, _ = run(capsys, "annotations", project_file, "--json")
    assert len(json.loads(out)) == 1
