"""``crosscheck export`` as a user types it: files and standard output, filters, bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from desktop import cli
from desktop.core import operations
from desktop.core.exports.audit_log import check_audit_export
from desktop.core.exports.csv_verdicts import HEADER
from desktop.core.store import open_store, reads
from tests.conftest import make_project


def _tag(target: Path | str) -> Path | str:
    """Three annotations: two by Ann (one with a formula-like note)."""
    with open_store(target) as p:
        with p.read() as session:
            first, second = [a.id for a in reads.article_summaries(session)][:2]
        operations.annotate(p, first, 0, 10, "disputed", reviewer="Ann", note='=1+1, "x"\ny')
        operations.annotate(p, first, 20, 30, "supported", reviewer="Bob")
        operations.annotate(p, second, 5, 15, "unverified", reviewer="Ann")
    return target


@pytest.fixture
def project(new_target: Path | str) -> Path | str:
    """The demo project with three annotations, in a file and on a server in turn."""
    return _tag(make_project(new_target))


@pytest.fixture
def file_project(demo_path: Path) -> Path:
    """The same in a file, for what only a file has (permissions, its own name)."""
    return _tag(demo_path)  # type: ignore[return-value]


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str | Path) -> tuple[int, bytes, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_to_standard_output(capsysbinary, project: Path) -> None:
    code, out, err = run(capsysbinary, "export", project)
    assert (code, err) == (0, "")
    assert out.startswith(",".join([*HEADER, "claim_id", "page"]).encode() + b"\r\n")
    rows = csv_rows(out)
    assert len(rows) == 3
    assert {r["note"] for r in rows} == {'\'=1+1, "x"\ny', ""}


def test_csv_to_a_file_with_filters(capsysbinary, project: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, out, err = run(
        capsysbinary, "export", project, "--format", "csv", "-o", target,
        "--reviewer", "Ann", "--verdict", "disputed", "--verdict", "unverified", "--raw",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.decode() == f"Exported 2 annotations to {target}\n"
    rows = csv_rows(target.read_bytes())
    assert sorted(r["verdict"] for r in rows) == ["disputed", "unverified"]
    assert '=1+1, "x"\ny' in {r["note"] for r in rows}


def test_article_filter_and_excel(capsysbinary, project: Path) -> None:
    with open_store(project, read_only=True) as p, p.read() as session:
        second = reads.article_summaries(session)[1]
    code, out, _ = run(capsysbinary, "export", project, "--article", second.title, "--excel")
    assert code == 0 and out.startswith(b"\xef\xbb\xbf")
    assert [r["article_id"] for r in csv_rows(out)] == [second.id]


def test_include_deleted(capsysbinary, project: Path) -> None:
    with open_store(project) as p:
        with p.read() as session:
            ann = reads.annotation_rows(session)[0].id
        operations.delete_annotation(p, ann, reviewer="Ann")
    _, out, _ = run(capsysbinary, "export", project)
    assert len(csv_rows(out)) == 2
    _, out, _ = run(capsysbinary, "export", project, "--include-deleted")
    rows = csv_rows(out)
    assert len(rows) == 3 and sum(1 for r in rows if r["deleted_at"]) == 1


def test_audit_csv_with_sidecar(capsysbinary, project: Path, tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    code, out, _ = run(capsysbinary, "export", project, "-f", "audit-csv", "-o", target)
    assert code == 0
    assert "audit.csv.sha256" in out.decode()
    assert (tmp_path / "audit.csv.sha256").is_file()
    report = check_audit_export(target)
    assert report.ok and report.events == len(csv_rows(target.read_bytes()))
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "-c", "audit.csv.sha256"], cwd=tmp_path)
        assert checked.returncode == 0


def test_audit_jsonl_to_standard_output(capsysbinary, project: Path) -> None:
    code, out, _ = run(capsysbinary, "export", project, "--format", "audit-jsonl")
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert code == 0 and "summary" in lines[-1]
    assert lines[-1]["summary"]["events"] == len(lines) - 1
    code, verified, _ = run(capsysbinary, "verify", project, "--json")
    assert json.loads(verified)["head_hash"] == lines[-1]["summary"]["head_hash"]


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("w3c", lambda d: json.loads(d)["total"] == 3),
        ("claimreview", lambda d: len(json.loads(d)["@graph"]) == 3),
        ("html", lambda d: d.startswith(b"<!DOCTYPE html>") and d.count(b'class="badge') == 3),
    ],
)
def test_other_formats(capsysbinary, project: Path, tmp_path: Path, fmt, check) -> None:
    target = tmp_path / f"out.{fmt}"
    code, _, err = run(capsysbinary, "export", project, "--format", fmt, "-o", target)
    assert (code, err) == (0, "")
    assert check(target.read_bytes())


def test_read_only_project_file(capsysbinary, file_project: Path, tmp_path: Path) -> None:
    project = file_project
    os.chmod(project, stat.S_IRUSR)
    try:
        code, out, err = run(capsysbinary, "export", project)
    finally:
        os.chmod(project, stat.S_IRUSR | stat.S_IWUSR)
    assert (code, err) == (0, "")
    assert len(csv_rows(out)) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}"], "is a folder"),
        (["-o", "{tmp}/missing/out.csv"], "does not exist"),
        (["-o", "{project}"], "project file itself"),
        (["-o", ""], "-o needs a file name"),
        (["--format", "w3c", "--excel"], "byte order mark"),
        (["--format", "html", "--raw"], "--raw applies only to CSV"),
        (["--format", "audit-csv", "--verdict", "disputed"], "filters do not apply"),
        (["--article", "no such article"], "no article matches"),
        (["--reviewer", "Zed"], "no reviewer named 'Zed'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    capsysbinary, project: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    if "{project}" in args and not isinstance(project, Path):
        pytest.skip("a server project has no file an export could overwrite")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    argv = [a.format(tmp=tmp_path, project=project) for a in args]
    code, out, err = run(capsysbinary, "export", project, *argv)
    assert code == 1 and out == b""
    assert err.startswith("crosscheck: error: ") and err.count("\n") == 1
    assert message in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_unknown_format_is_a_usage_error(capsysbinary, project: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["export", str(project), "--format", "xlsx"])
    assert caught.value.code == 2
    assert "invalid choice: 'xlsx'" in capsysbinary.readouterr().err.decode()


def test_missing_project(capsysbinary, tmp_path: Path) -> None:
    code, out, err = run(capsysbinary, "export", tmp_path / "nope.crosscheck")
    assert code == 1 and out == b"" and "no such file" in err


def test_command_line_lists_every_export_format() -> None:
    from desktop import cli_export
    from desktop.core import exports

    assert tuple(exports.FORMATS) == cli_export.FORMATS


def test_other_commands_do_not_load_the_exporters(demo_path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom desktop.cli import main\n"
        f"assert main(['articles', {str(demo_path)!r}]) == 0\n"
        "print('desktop.core.exports' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("fmt", ["audit-jsonl", "audit-csv"])
def test_verify_checks_an_exported_audit_log(capsysbinary, project: Path, tmp_path: Path, fmt):
    """A copy of the log handed to someone else is checked with the same command."""
    target = tmp_path / ("audit.jsonl" if fmt == "audit-jsonl" else "audit.csv")
    assert run(capsysbinary, "export", project, "-f", fmt, "-o", target)[0] == 0
    code, verified, _ = run(capsysbinary, "verify", project, "--json")
    head, seq = json.loads(verified)["head_hash"], json.loads(verified)["head_seq"]

    code, out, err = run(capsysbinary, "verify", target)
    assert code == 0 and err == ""
    assert f"chain intact (head {head} at event {seq})" in out.decode()

    # Someone edits one event's recorded state in the copy.
    data = target.read_text(encoding="utf-8")
    tampered = data.replace("unverified", "supported", 1)
    assert tampered != data
    target.write_text(tampered, encoding="utf-8")
    code, out, err = run(capsysbinary, "verify", target)
    assert code == 1 and out == b""
    assert err.startswith(f"crosscheck: error: {target}: ") and len(err.splitlines()) == 1


def test_verify_of_a_missing_export_is_one_line(capsysbinary, tmp_path: Path) -> None:
    code, _, err = run(capsysbinary, "verify", tmp_path / "gone.jsonl")
    assert code == 1 and err == f"crosscheck: error: {tmp_path / 'gone.jsonl'}: no such file\n"
