"""A project on a PostgreSQL server, as a newsroom's IT person and its reviewers meet it."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from desktop.cli import main as cli_main
from desktop.core import operations
from desktop.core.errors import CrosscheckError, ProjectOpenError
from desktop.core.store import Store, Watcher, create_store, open_store, reads
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER, make_project
from tests.pg import Server


@pytest.fixture
def server_project(pg_url: str) -> Store:
    make_project(pg_url)
    store = open_store(pg_url)
    yield store  # type: ignore[misc]
    store.close()


def test_new_then_open_annotate_and_verify(server_project: Store) -> None:
    assert server_project.kind == "postgresql"
    with server_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    operations.annotate(server_project, article, 0, 10, "disputed", reviewer=REVIEWER)
    report = verify_project(server_project)
    assert report.ok and report.chain.events == 8


def test_new_refuses_a_database_with_other_tables(pg_server: Server, pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (name text)")
    with pytest.raises(ProjectOpenError, match="already holds other tables"), create_store(pg_url):
        pass
    with psycopg.connect(pg_url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    assert tables == ["payroll"]


def test_new_refuses_a_database_that_holds_a_project(server_project: Store) -> None:
    url = server_project._url  # type: ignore[attr-defined]
    with (
        pytest.raises(ProjectOpenError, match="already holds a Crosscheck project"),
        create_store(url),
    ):
        pass


def test_a_failed_new_leaves_the_database_empty(pg_url: str) -> None:
    import psycopg

    with pytest.raises(RuntimeError), create_store(pg_url) as store:
        operations.record_project_created(store, name="x", reviewer=REVIEWER)
        raise RuntimeError("stop")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_the_server_refuses_changes_to_the_audit_log(server_project: Store) -> None:
    import psycopg

    url = server_project._url  # type: ignore[attr-defined]
    for sql in ("UPDATE audit_events SET reviewer = 'Mallory'", "DELETE FROM audit_events",
                "TRUNCATE audit_events"):  # fmt: skip
        with psycopg.connect(url) as conn, pytest.raises(psycopg.Error, match="append-only"):
            conn.execute(sql)
    assert verify_project(server_project).ok


def test_concurrent_writers_never_fork_the_chain(server_project: Store) -> None:
    url = server_project._url  # type: ignore[attr-defined]
    with server_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with open_store(url) as store:
                for i in range(25):
                    start = n * 200 + i * 4
                    operations.annotate(store, article, start, start + 2,
                                        "unverified", reviewer=f"Writer {n}")  # fmt: skip
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_project(server_project)
    assert report.ok, report.problems
    assert report.chain.events == 7 + 4 + 100  # created, imports; reviewers; tags


def test_a_listening_window_hears_another_reviewer_s_commit(server_project: Store) -> None:
    url = server_project._url  # type: ignore[attr-defined]
    watcher = server_project.watcher()
    try:
        assert watcher.poll() is False
        assert watcher.poll() is False
        with open_store(url) as other:
            with other.read() as conn:
                article = reads.article_summaries(conn)[0].id
            operations.annotate(other, article, 0, 4, "supported", reviewer="Sam Okafor")
        assert heard(watcher)
        assert watcher.poll() is False
    finally:
        watcher.close()


def heard(watcher: Watcher, within: float = 2.0) -> bool:
    """Notifications arrive just after the commit: poll as a window does, a while."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if watcher.poll():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda url: url.replace("/t_", "/missing_"), "no such database"),
        (lambda url: url.replace("host=", "host=/nonexistent"), "cannot reach the server"),
        (lambda url: url.replace("postgres@", "nobody:s3cret-pw@"), "s"),
        (lambda url: url + "&sslmode=bogus", "not a usable server address"),
    ],
    ids=["database", "server", "user", "option"],
)
def test_bad_server_addresses_give_one_line_without_the_password(
    pg_url: str, change: object, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = change(pg_url)  # type: ignore[operator]
    assert cli_main(["articles", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crosscheck: error: ") and err.count("\n") == 1
    assert expected in err
    assert "s3cret-pw" not in err


def test_a_database_without_a_project_is_refused(pg_url: str) -> None:
    with pytest.raises(ProjectOpenError, match="holds no Crosscheck project"):
        open_store(pg_url)


def test_a_newer_schema_is_refused(server_project: Store) -> None:
    import psycopg

    url = server_project._url  # type: ignore[attr-defined]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dcafe'")
    with pytest.raises(CrosscheckError, match="newer version of Crosscheck"):
        open_store(url)


def test_compare_and_carry_on_a_server_project(
    server_project: Store,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    url = server_project._url  # type: ignore[attr-defined]
    claim = "a total of nine individuals were detained"
    with server_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
        start = reads.article_text(conn, article).index(claim)
    tagged = operations.annotate(
        server_project, article, start, start + len(claim), "supported", reviewer=REVIEWER
    )
    source = tagged.annotation_ids[0]
    # The annotation is named by an id prefix, found with a portable query.
    assert cli_main(["carry", url, source[:8], "--reviewer", REVIEWER, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (made,) = report["created"]
    assert report["claim_id"] == source and made["verdict"] == "supported"
    with server_project.read() as conn:
        rows = reads.annotation_rows(conn)
    assert sorted(r.claim_id for r in rows) == [source, source]
    assert verify_project(server_project).ok
