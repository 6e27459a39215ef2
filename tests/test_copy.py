"""``crosscheck copy``: a project moved between a file and a server keeps every id and its chain."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import cli
from desktop.core import operations, transfer
from desktop.core.errors import CrosscheckError
from desktop.core.store import Store, open_store, reads
from desktop.core.store.postgres import redact
from desktop.core.store.schema import Base
from desktop.core.verify import verify_project
from tests.backends import count, full_events, record, target_of
from tests.conftest import REVIEWER, make_project
from tests.pg import Server
from tests.support.every_kind import before_the_copy, work_on_everything


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def content(target: Path | str) -> dict[str, object]:
    """Everything a project holds, read through the store: equal means the same project."""
    with open_store(target, read_only=True) as project, project.read() as conn:
        summaries = reads.article_summaries(conn)
        return {
            "project": reads.project_info(conn),
            "reviewers": reads.reviewer_names(conn),
            "articles": summaries,
            "texts": [reads.article_text(conn, s.id) for s in summaries],
            "annotations": reads.annotation_rows(
                conn, reads.AnnotationFilter(include_deleted=True)
            ),
            "events": full_events(project),
        }


def head(target: Path | str) -> str:
    with open_store(target, read_only=True) as project:
        report = verify_project(project)
    assert report.ok, report.problems
    return report.chain.head_hash


@pytest.fixture
def worked(demo_project: Store) -> Store:
    """The demo project with annotations of every kind: changed, deleted, by two reviewers."""
    with demo_project.read() as conn:
        first, second = [s.id for s in reads.article_summaries(conn)][:2]
    a = operations.annotate(demo_project, first, 0, 9, "disputed", reviewer=REVIEWER,
                            note="Ministry denies", sources=["https://example.org/a"])  # fmt: skip
    b = operations.annotate(demo_project, second, 5, 20, "supported", reviewer="Sam Okafor")
    operations.update_annotation(demo_project, a.annotation_ids[0], reviewer="Sam Okafor",
                                 verdict="unverified")  # fmt: skip
    operations.delete_annotation(demo_project, b.annotation_ids[0], reviewer=REVIEWER)
    return demo_project


@pytest.fixture
def server_url(pg_server: Server) -> Iterator[str]:
    """An empty database of its own (``pg_url`` may hold the project being copied)."""
    with pg_server.database() as url:
        yield url


def test_file_to_server_to_file_keeps_everything(
    tmp_path: Path, server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_project(tmp_path / "desk.crosscheck")
    with open_store(source) as project, project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    with open_store(source) as project:
        operations.annotate(project, article, 0, 9, "disputed", reviewer=REVIEWER, note="n")
    code, out, err = run(capsys, "copy", source, server_url)
    assert (code, err) == (0, "")
    assert out == (
        f"Copied {source} to {redact(server_url)}: 8 audit events, head {head(source)}\n"
    )
    back = tmp_path / "back.crosscheck"
    assert run(capsys, "copy", server_url, back)[0] == 0
    assert head(source) == head(server_url) == head(back)
    assert content(source) == content(server_url) == content(back)
    # The copy is a project like any other: the chain goes on from the same head.
    with open_store(back) as project:
        changes = operations.annotate(project, article, 20, 29, "supported", reviewer=REVIEWER)
    assert changes.changes[-1].seq == 9 and head(back) != head(source)


def test_copy_on_each_backend_keeps_every_id_and_the_chain(
    worked: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "laptop.crosscheck"
    source = target_of(worked)
    assert run(capsys, "copy", source, target)[0] == 0
    assert content(source) == content(target)
    assert head(source) == head(target)
    # file to file as well
    again = tmp_path / "again.crosscheck"
    assert run(capsys, "copy", target, again)[0] == 0
    assert content(again) == content(source)


def test_a_destination_that_holds_a_project_is_refused(
    worked: Store, tmp_path: Path, server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other_file = make_project(tmp_path / "other.crosscheck")
    before = other_file.read_bytes()  # type: ignore[union-attr]
    make_project(server_url)
    server_before = content(server_url)
    for destination in (other_file, server_url):
        code, out, err = run(capsys, "copy", target_of(worked), destination)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "already holds a project" in err and "--update" in err
    assert other_file.read_bytes() == before  # type: ignore[union-attr]
    assert content(server_url) == server_before
    # Not even with --update: it is another project.
    code, _, err = run(capsys, "copy", target_of(worked), other_file, "--update")
    assert code == 1 and "holds another project" in err
    assert other_file.read_bytes() == before  # type: ignore[union-attr]


def test_update_brings_an_older_copy_up_to_date(
    worked: Store, server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = tmp_path / "laptop.crosscheck"
    assert run(capsys, "copy", target_of(worked), laptop)[0] == 0
    with open_store(laptop) as project, project.read() as conn:
        article = reads.article_summaries(conn)[2].id
    with open_store(laptop) as project:
        tagged = operations.annotate(project, article, 3, 9, "disputed", reviewer="Olena")
        operations.update_annotation(project, tagged.annotation_ids[0], reviewer="Olena",
                                     note="from the road")  # fmt: skip
    # The shared project is behind the laptop and changed nothing since: update it.
    code, out, err = run(capsys, "copy", laptop, target_of(worked), "--update")
    assert (code, err) == (0, "")
    assert "up to date: 3 new audit event(s)" in out
    assert content(laptop) == content(target_of(worked))
    assert head(laptop) == head(target_of(worked))
    code, out, _ = run(capsys, "copy", laptop, target_of(worked), "--update")
    assert code == 0 and "already up to date" in out
    # And to a server that holds an older copy.
    assert run(capsys, "copy", target_of(worked), server_url)[0] == 0
    with open_store(laptop) as project:
        operations.delete_annotation(project, tagged.annotation_ids[0], reviewer="Olena")
    assert run(capsys, "copy", laptop, server_url, "--update")[0] == 0
    assert content(laptop) == content(server_url)


# --- every table ------------------------------------------------------------------------------


def test_a_copy_takes_every_table_of_the_schema(
    demo_project: Store, server_url: str, tmp_path: Path
) -> None:
    """Row for row, on each backend to a file and to a server. Only who has the project open
    (``presence``) stays behind."""
    before_the_copy(demo_project)
    work_on_everything(demo_project)
    source = record(demo_project)
    # A table added to the schema fails here until the project above holds rows of it (add
    # them to tests/support/every_kind.py): then the copies below must carry them.
    assert {name for name, rows in source.items() if rows} == set(Base.metadata.tables) - {
        "presence"
    }
    assert {t.name for t in transfer.record_tables()} == set(source)
    for target in (tmp_path / "copy.crosscheck", server_url):
        transfer.copy_project(demo_project, target)
        with open_store(target) as copy:
            assert record(copy) == source
            assert verify_project(copy).ok


def test_update_brings_every_kind_of_change_over(
    demo_project: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows added, changed and removed since (blind review ended, a done mark taken back, an
    adjudicator removed), with the pages of new PDFs and the links of new adjudications."""
    before_the_copy(demo_project)
    archive = tmp_path / "archive.crosscheck"
    assert run(capsys, "copy", target_of(demo_project), archive)[0] == 0
    work_on_everything(demo_project)
    code, out, err = run(capsys, "copy", target_of(demo_project), archive, "--update")
    assert (code, err) == (0, "") and "up to date" in out
    with open_store(archive) as copy:
        assert record(copy) == record(demo_project)
        assert verify_project(copy).ok


def test_update_refuses_a_copy_with_changes_of_its_own(
    worked: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = tmp_path / "laptop.crosscheck"
    assert run(capsys, "copy", target_of(worked), laptop)[0] == 0
    with worked.read() as conn:
        article = reads.article_summaries(conn)[0].id
    operations.annotate(worked, article, 40, 45, "supported", reviewer=REVIEWER)
    with open_store(laptop) as project:
        operations.annotate(project, article, 50, 55, "disputed", reviewer="Olena")
    before = laptop.read_bytes()
    code, out, err = run(capsys, "copy", target_of(worked), laptop, "--update")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "has changes that" in err and "part at event 13" in err and "crosscheck merge" in err
    assert laptop.read_bytes() == before


def test_a_project_is_not_copied_onto_itself(
    worked: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    target = target_of(worked)
    before = count(worked, "audit_events")
    code, _, err = run(capsys, "copy", target, target, "--update")
    assert code == 1 and "cannot be copied onto itself" in err
    assert count(worked, "audit_events") == before


def test_a_failed_copy_to_a_file_leaves_nothing(
    worked: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    real = transfer._check_same_head

    def fail(src, dst, location):  # type: ignore[no-untyped-def]
        real(src, dst, location)
        raise CrosscheckError("disk full")

    monkeypatch.setattr(transfer, "_check_same_head", fail)
    with pytest.raises(CrosscheckError, match="disk full"):
        transfer.copy_project(worked, folder / "copy.crosscheck")
    assert os.listdir(folder) == []


def test_a_server_that_goes_away_mid_copy_is_left_empty(
    tmp_path: Path, pg_server: Server, server_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import psycopg

    source = make_project(tmp_path / "desk.crosscheck")
    real = transfer._copy_everything

    def cut_off(src, dst):  # type: ignore[no-untyped-def]
        count = real(src, dst)
        pid = dst.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return count

    monkeypatch.setattr(transfer, "_copy_everything", cut_off)
    code, out, err = run(capsys, "copy", source, server_url)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "cannot reach the server" in err
    with psycopg.connect(server_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)
    monkeypatch.undo()
    assert run(capsys, "copy", source, server_url)[0] == 0  # the same database, once it works
    assert head(source) == head(server_url)


def test_a_database_with_other_tables_is_refused(
    tmp_path: Path, server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (name text)")
    source = make_project(tmp_path / "desk.crosscheck")
    code, _, err = run(capsys, "copy", source, server_url)
    assert code == 1 and "already holds other tables" in err


def test_bad_sources_and_destinations_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_project(tmp_path / "desk.crosscheck")
    cases = [
        (tmp_path / "nope.crosscheck", tmp_path / "x.crosscheck", "no such file"),
        (source, tmp_path / "missing" / "x.crosscheck", "does not exist"),
        (source, "postgresql://nobody@/db?host=/nonexistent", "cannot reach the server"),
    ]
    for src, dst, message in cases:
        code, out, err = run(capsys, "copy", src, dst)
        assert code == 1 and out == "" and err.count("\n") == 1, err
        assert err.startswith("crosscheck: error: ") and message in err
    assert sorted(os.listdir(tmp_path)) == ["desk.crosscheck"]


def test_copy_names_the_destination_and_the_head_verify_gives(
    worked: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "c.crosscheck"
    code, out, _ = run(capsys, "copy", target_of(worked), target)
    assert code == 0
    _, verified, _ = run(capsys, "verify", target, "--json")
    assert json.loads(verified)["head_hash"] in out and str(target) in out
