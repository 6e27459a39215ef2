"""A project on a PostgreSQL server, as a newsroom's IT person and its reviewers meet it."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from desktop.cli import main as cli_main
from desktop.core import operations, review_ops
from desktop.core.errors import CrosscheckError, ProjectOpenError
from desktop.core.store import Store, Watcher, create_store, open_store, reads
from desktop.core.transfer import copy_project
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER, make_project
from tests.pg import Server, app_role
from tests.support.every_kind import JUDGE, before_the_copy, work_on_everything


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


# --- faults ------------------------------------------------------------------------------


def _terminate(url: str, pid: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_server_that_goes_away_mid_write_changes_nothing(
    server_project: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import audit
    from desktop.core.errors import StoreUnavailable
    from tests.backends import snapshot, target_of

    url = str(target_of(server_project))
    with server_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
    before = snapshot(server_project)
    real = audit.append_event

    def cut_off_then_append(conn, **kwargs):  # type: ignore[no-untyped-def]
        # The annotation row is written; the server goes away before the event is.
        _terminate(url, conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())
        return real(conn, **kwargs)

    monkeypatch.setattr(audit, "append_event", cut_off_then_append)
    with pytest.raises(StoreUnavailable) as caught:
        operations.annotate(server_project, article, 0, 5, "supported", reviewer=REVIEWER)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(server_project.location)
    assert "cannot reach the server" in message and "nothing was changed" in message
    monkeypatch.undo()
    assert snapshot(server_project) == before
    # The next edit simply works: the pool replaces the dead connection.
    operations.annotate(server_project, article, 0, 5, "supported", reviewer=REVIEWER)
    assert verify_project(server_project).ok


def test_the_watcher_reports_a_dropped_connection_and_reconnects(server_project: Store) -> None:
    from desktop.core.errors import StoreUnavailable
    from tests.backends import target_of

    url = str(target_of(server_project))
    watcher = server_project.watcher()
    try:
        assert watcher.poll() is False
        _terminate(url, watcher._conn.info.backend_pid)  # type: ignore[attr-defined]
        with pytest.raises(StoreUnavailable) as caught:
            for _ in range(200):  # the drop arrives on the socket a moment later
                watcher.poll()
                time.sleep(0.01)
        assert "cannot reach the server" in str(caught.value) and "\n" not in str(caught.value)
        # Back: what was committed meanwhile was not heard, so the first poll says "look".
        assert watcher.poll() is True
        with server_project.read() as conn:
            article = reads.article_summaries(conn)[0].id
        operations.annotate(server_project, article, 0, 4, "disputed", reviewer="Sam Okafor")
        assert heard(watcher)
    finally:
        watcher.close()


def test_the_watcher_hears_a_commit_within_a_second(server_project: Store) -> None:
    """Commit to notification, waiting as a window's refresh thread does."""
    watcher = server_project.watcher()
    try:
        watcher.poll()
        with server_project.read() as conn:
            article = reads.article_summaries(conn)[0].id
        operations.annotate(server_project, article, 0, 4, "disputed", reviewer="Sam Okafor")
        committed = time.monotonic()
        assert watcher.wait(5.0)
        assert time.monotonic() - committed < 1.0
    finally:
        watcher.close()


def test_an_old_server_is_refused(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.core.store import postgres

    make_project(pg_url)
    monkeypatch.setattr(postgres, "OLDEST_SERVER", 990000)
    with pytest.raises(ProjectOpenError) as caught:
        open_store(pg_url)
    assert "runs PostgreSQL" in str(caught.value) and "needs 99 or newer" in str(caught.value)


def test_verify_reports_disabled_guards(server_project: Store) -> None:
    import psycopg

    from tests.backends import target_of

    with psycopg.connect(str(target_of(server_project)), autocommit=True) as conn:
        conn.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
    report = verify_project(server_project)
    assert report.problems == ["audit triggers disabled: audit_events_no_update"]


def test_a_database_without_a_project_is_one_line_on_the_command_line(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["verify", pg_url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds no Crosscheck project" in err


# --- roles and passwords -------------------------------------------------------------------


def test_an_application_role_can_work_but_cannot_tamper(
    pg_server: Server, server_project: Store, tmp_path: object
) -> None:
    import psycopg

    from tests.backends import target_of

    app_url = app_role(pg_server, str(target_of(server_project)), "crosscheck_app")
    with open_store(app_url) as app:
        assert not app.read_only
        with app.read() as conn:
            article = reads.article_summaries(conn)[0].id
        tagged = operations.annotate(app, article, 0, 9, "disputed", reviewer="Sam Okafor")
        annotation = tagged.annotation_ids[0]
        operations.update_annotation(app, annotation, reviewer="Sam Okafor", note="Checked")
        operations.delete_annotation(app, annotation, reviewer="Sam Okafor")
        operations.restore_annotation(app, annotation, reviewer="Sam Okafor")
        from desktop.core.importers import ImportedArticle

        operations.import_articles(
            app, [ImportedArticle("Text.\n", "T", "t.txt", "txt")], reviewer="Sam Okafor"
        )
        # Everything else the program writes: pages, articles, review state, adjudication.
        before_the_copy(app)
        worked = work_on_everything(app)
        # And a merge of a copy that changed, ended and withdrew some of it.
        laptop = Path(str(tmp_path)) / "laptop.crosscheck"
        copy_project(app, laptop)
        with open_store(laptop) as road:
            operations.edit_article(road, worked.web, reviewer="Olena", title="Road title")
            operations.restore_article(road, worked.removed, reviewer="Olena")
            review_ops.unmark_done(road, worked.blinded, reviewer="Ann Example")
            review_ops.end_blinding(road, reviewer=JUDGE, article_id=worked.blinded)
            review_ops.withdraw_settlements(road, [worked.settlement], reviewer=JUDGE)
            review_ops.add_adjudicator(road, "Olena", reviewer=JUDGE)
        with open_store(laptop, read_only=True) as road:
            result = operations.merge_copy(app, road, reviewer="Desk Editor")
        assert result.changes and not result.plan.conflicts
        assert verify_project(app).ok
    for statement in (
        "UPDATE audit_events SET reviewer = 'Mallory'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "DROP TRIGGER audit_events_no_update ON audit_events",
        "DELETE FROM annotations",
        "DELETE FROM articles",
        "UPDATE articles SET text = 'changed'",
        "DELETE FROM fetched_pages",
        "UPDATE fetched_pages SET body = 'changed'",
        "UPDATE settlements SET outcome = 'agreed'",
        "DELETE FROM settlement_links",
    ):
        with psycopg.connect(app_url) as conn, pytest.raises(psycopg.Error) as caught:
            conn.execute(statement)
        assert "permission denied" in str(caught.value) or "must be owner" in str(caught.value)
    assert verify_project(server_project).ok


def test_a_role_that_may_only_read_opens_read_only(
    pg_server: Server, server_project: Store
) -> None:
    import psycopg
    from psycopg import sql

    from tests.backends import target_of

    url = str(target_of(server_project))
    reader_url = app_role(pg_server, url, "crosscheck_reader")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("REVOKE INSERT, UPDATE ON ALL TABLES IN SCHEMA public FROM {}").format(
                sql.Identifier("crosscheck_reader")
            )
        )
    with open_store(reader_url) as project:
        assert project.read_only_reason == "your database role may only read it"
        assert verify_project(project).ok


def test_a_missing_password_is_asked_for_and_never_shown(
    password_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    assert cli_main(["articles", password_url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a password" in err
    # On a terminal the command asks, and the typed password is used for this run only.
    import getpass

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "s3cret-pw")
    assert cli_main(["articles", password_url, "--json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 5 and asked and "s3cret-pw" not in asked[0] + err


def test_a_wrong_password_is_one_line_without_the_password(
    password_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = password_url.replace("crosscheck_pw@", "crosscheck_pw:Wr0ng-pw@", 1)
    assert cli_main(["verify", wrong]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused the password or the user name" in err
    assert "Wr0ng-pw" not in err


def test_passwords_come_from_libpq_s_usual_places(
    password_url: str,
    tmp_path: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    monkeypatch.setenv("PGPASSWORD", "s3cret-pw")
    assert cli_main(["verify", password_url]) == 0
    monkeypatch.delenv("PGPASSWORD")
    passfile = Path(str(tmp_path)) / "pgpass"
    passfile.write_text("*:*:*:crosscheck_pw:s3cret-pw\n", encoding="utf-8")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert cli_main(["verify", password_url]) == 0
    out = capsys.readouterr().out
    assert "s3cret-pw" not in out
    with open_store(password_url, password="s3cret-pw") as project:
        assert "s3cret-pw" not in project.location + str(project)


def test_a_write_waits_for_another_writer_then_gives_up(pg_url: str) -> None:
    import psycopg

    from desktop.core.errors import ProjectBusy
    from desktop.core.store.postgres import CHAIN_LOCK
    from tests.backends import count

    make_project(pg_url)
    with open_store(pg_url, busy_timeout_ms=300) as project:
        with project.read() as conn:
            article = reads.article_summaries(conn)[0].id
        events = count(project, "audit_events")
        with psycopg.connect(pg_url) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))  # held till commit
            started = time.monotonic()
            with pytest.raises(ProjectBusy) as caught:
                operations.annotate(project, article, 0, 5, "supported", reviewer=REVIEWER)
            assert 0.25 < time.monotonic() - started < 3
            assert str(caught.value) == (
                f"{project.location}: another reviewer's write held the project (waited 0.3 s); "
                "try again"
            )
            with pytest.raises(ProjectBusy), project.write(wait_ms=50) as conn:
                conn.exec_driver_sql("SELECT 1")
            other.rollback()
        assert count(project, "audit_events") == events
        operations.annotate(project, article, 0, 5, "supported", reviewer=REVIEWER)


def test_a_read_is_one_snapshot_while_others_write(server_project: Store) -> None:
    from tests.backends import target_of

    with server_project.read() as conn:
        article = reads.article_summaries(conn)[0].id
        before = reads.count_events(conn)
        with open_store(target_of(server_project)) as other:
            operations.annotate(other, article, 0, 5, "supported", reviewer="Sam Okafor")
        assert reads.count_events(conn) == before  # still the snapshot it began with
    with server_project.read() as conn:
        assert reads.count_events(conn) == before + 2


def test_the_readme_gives_the_grants_the_tests_check() -> None:
    from pathlib import Path

    from tests.pg import APP_ROLE_GRANTS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for line in APP_ROLE_GRANTS.format(db="crosscheck", role="newsroom").strip().splitlines():
        assert line in readme
