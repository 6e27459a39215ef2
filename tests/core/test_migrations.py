"""The schema is made and changed only by the migrations, and older files upgrade safely."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

import desktop.core.store.sqlite as sqlite_store
from desktop import cli
from desktop.core import operations
from desktop.core.errors import ProjectOpenError
from desktop.core.model import Verdict
from desktop.core.store import Store, migrate, open_store, reads
from desktop.core.store.schema import HEAD_REVISION, SCHEMA_VERSION, Base
from desktop.core.store.sqlite import AUDIT_TRIGGERS, SqliteStore, upgrade_schema
from desktop.core.verify import verify_project
from tests.backends import Attacker, target_of
from tests.conftest import REVIEWER
from tests.core.first_revision import TEXT, dump, make_first_revision_project


def _empty_file(path: Path) -> Path:
    sqlite3.connect(path).close()
    return path


def _structure(path: Path) -> dict[str, object]:
    """Tables, columns, keys, indexes and check constraints, independent of column order."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, object] = {}
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        for table in sorted(tables):
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()[0]
            out[table] = {
                "columns": sorted(
                    (r[1], r[2].upper(), r[3], r[5])
                    for r in conn.execute(f"PRAGMA table_info('{table}')")
                ),
                "foreign_keys": sorted(
                    (r[2], r[3], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list('{table}')")
                ),
                "indexes": sorted(
                    (r[1], r[2], tuple(c[2] for c in conn.execute(f"PRAGMA index_info('{r[1]}')")))
                    for r in conn.execute(f"PRAGMA index_list('{table}')")
                    if r[3] != "pk"
                ),
                "checks": sorted(re.findall(r"CONSTRAINT (\w+) CHECK", sql)),
            }
        return out
    finally:
        conn.close()


# --- models and migrations agree -----------------------------------------------------------


def test_autogenerate_finds_no_difference(tmp_path: Path) -> None:
    path = _empty_file(tmp_path / "migrated.db")
    store = SqliteStore(path)
    engine = store.engine
    try:
        upgrade_schema(store)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrated_schema_equals_the_models_schema(tmp_path: Path) -> None:
    """What autogenerate does not compare (check constraints, uniques) must agree too."""
    migrated = _empty_file(tmp_path / "migrated.db")
    store = SqliteStore(migrated)
    engine = store.engine
    upgrade_schema(store)
    engine.dispose()
    created = tmp_path / "created.db"
    engine = create_engine(f"sqlite:///{created}")
    Base.metadata.create_all(engine)
    engine.dispose()
    assert _structure(migrated) == _structure(created)
    assert _structure(migrated)["annotations"]["checks"] == [  # type: ignore[index]
        "ck_annotations_span",
        "ck_annotations_verdict",
    ]


def test_head_revision_and_schema_version_match_the_migrations(tmp_path: Path) -> None:
    revisions = migrate.known_revisions()
    assert revisions[0] == "0001"
    assert migrate.head_revision() == HEAD_REVISION == revisions[-1]
    # A revision's number is the user_version it writes.
    assert int(revisions[-1]) == SCHEMA_VERSION
    path = _empty_file(tmp_path / "stepwise.db")
    store = SqliteStore(path)
    engine = store.engine
    try:
        for revision in revisions:
            upgrade_schema(store, revision)
            with engine.connect() as conn:
                assert migrate.current_revision(conn) == revision
                assert conn.exec_driver_sql("PRAGMA user_version").scalar() == int(revision)
    finally:
        engine.dispose()


def test_migrations_run_only_through_the_program() -> None:
    from alembic import command

    with pytest.raises(RuntimeError, match="crosscheck upgrade PROJECT"):
        command.upgrade(migrate.alembic_config(None), "head")


def test_new_project_is_at_head_with_triggers(demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (HEAD_REVISION,)
        ]
        assert sqlite_store.missing_triggers(conn) == []
    finally:
        conn.close()


# --- upgrading a file made at the first revision -------------------------------------------


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.backup-*{path.suffix}"))


def test_first_revision_file_upgrades_on_open(tmp_path: Path) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    before = dump(old.path)
    (reviewers_table,) = [s for s in before if s.startswith("CREATE TABLE reviewers")]
    assert "email" not in reviewers_table
    with open_store(old.path) as project:
        backups = _backups(old.path)
        assert len(backups) == 1
        backup = backups[0]
        assert re.fullmatch(r"old\.backup-\d{8}T\d{6}Z\.crosscheck", backup.name)
        assert project.backup_path == backup
        assert project.messages == [
            f"Upgraded from schema 0001 to {HEAD_REVISION}; integrity and foreign keys checked; "
            f"the original was saved as {backup.name}."
        ]
        # The backup is the file as it was, the upgraded file is at head.
        assert dump(backup) == before
        conn = project.raw_connection()
        try:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
                HEAD_REVISION,
            )
            assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
            assert conn.execute("SELECT name, email FROM reviewers").fetchall() == [
                (old.reviewer, None)
            ]
            assert sqlite_store.missing_triggers(conn) == []
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        finally:
            conn.close()
        # The data is intact and readable through the current code.
        with project.read() as session:
            (summary,) = reads.article_summaries(session)
            (row,) = reads.annotation_rows(session)
            assert reads.article_text(session, old.article_id) == TEXT
        assert (summary.id, summary.title, summary.outlet) == (old.article_id, old.title, "Wire")
        assert summary.published is not None and summary.published.isoformat() == "2025-06-29"
        assert summary.counts == {Verdict.SUPPORTED: 0, Verdict.DISPUTED: 1, Verdict.UNVERIFIED: 0}
        assert (row.id, row.quote, row.verdict, row.reviewer) == (
            old.annotation_id,
            "two citizens died ",
            Verdict.DISPUTED,
            old.reviewer,
        )
        assert row.created_at == datetime(2025, 6, 30, 9, 15, tzinfo=UTC)
        report = verify_project(project)
        assert report.ok, report.summary()
        assert report.chain.events == old.events
        # The chain continues after the upgrade.
        changes = operations.update_annotation(
            project, old.annotation_id, reviewer=old.reviewer, verdict="supported"
        )
        assert [c.seq for c in changes.changes] == [old.events + 1]
        assert verify_project(project).ok
    # Opening again does nothing more.
    with open_store(old.path) as project:
        assert project.messages == []
    assert len(_backups(old.path)) == 1


def test_upgrade_restores_dropped_audit_triggers(tmp_path: Path) -> None:
    """Batch migrations recreate tables and lose their triggers; the upgrade puts them back."""
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    conn = sqlite3.connect(old.path)
    for name in AUDIT_TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    conn.close()
    with open_store(old.path) as project:
        conn = project.raw_connection()
        try:
            assert sqlite_store.missing_triggers(conn) == []
        finally:
            conn.close()
        with pytest.raises(Exception, match="append-only"), project.write() as session:
            session.exec_driver_sql("UPDATE audit_events SET reviewer = 'x'")


def test_read_only_old_file_is_not_upgraded(tmp_path: Path) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    before = old.path.read_bytes()
    old.path.chmod(0o444)
    try:
        with pytest.raises(ProjectOpenError) as caught:
            open_store(old.path)
        assert caught.value.reason == (
            "uses an older file format and must be upgraded, but the file is read-only"
        )
        with pytest.raises(ProjectOpenError):
            open_store(old.path, read_only=True)
    finally:
        old.path.chmod(0o644)
    assert old.path.read_bytes() == before
    assert os.listdir(tmp_path) == ["old.crosscheck"]


def test_failed_migration_leaves_the_file_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    before_bytes = old.path.read_bytes()
    before = dump(old.path)
    applied: list[str] = []

    def fail_after_migrating(conn: object) -> None:
        # Alembic has altered the tables by now, inside the upgrade's transaction.
        applied.append(migrate.current_revision(conn))  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(sqlite_store, "ensure_audit_triggers", fail_after_migrating)
    with pytest.raises(ProjectOpenError) as caught:
        open_store(old.path)
    assert applied == [HEAD_REVISION]
    assert str(caught.value) == (
        f"{old.path}: upgrade from schema 0001 failed (disk full); the file is unchanged"
    )
    assert dump(old.path) == before
    assert old.path.read_bytes() == before_bytes
    assert os.listdir(tmp_path) == ["old.crosscheck"]  # no journal, no stray backup


def test_upgrade_that_fails_its_checks_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    before = dump(old.path)
    monkeypatch.setattr(sqlite_store, "check_database", lambda conn: ["foreign key check failed"])
    with pytest.raises(ProjectOpenError) as caught:
        open_store(old.path)
    (backup,) = _backups(old.path)
    assert str(caught.value) == (
        f"{old.path}: upgrade failed its checks (foreign key check failed); "
        f"the file was restored from the backup {backup.name}"
    )
    assert dump(old.path) == before
    assert dump(backup) == before
    monkeypatch.undo()
    with open_store(old.path) as project:  # still upgradable afterwards
        assert verify_project(project).ok


def test_backup_names_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "p.crosscheck"
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = sqlite_store.backup_path_for(path, moment)
    assert first.name == "p.backup-20260102T030405Z.crosscheck"
    first.write_bytes(b"")
    second = sqlite_store.backup_path_for(path, moment)
    assert second.name == "p.backup-20260102T030405Z-2.crosscheck"


def test_check_database_names_problems(demo_path: Path) -> None:
    copy = demo_path.with_name("copy.crosscheck")
    shutil.copy(demo_path, copy)
    conn = sqlite3.connect(copy)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("UPDATE articles SET imported_by = 'nobody'")
    conn.commit()
    result = sqlite_store.check_database(conn)
    conn.close()
    assert result == [
        "foreign key check failed: 5 row(s), first articles row 1 -> reviewers",
        "audit triggers missing: audit_events_no_delete",
    ]


# --- the upgrade command -------------------------------------------------------------------


def test_upgrade_command_on_an_old_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    assert cli.main(["upgrade", str(old.path)]) == 0
    out, err = capsys.readouterr()
    (backup,) = _backups(old.path)
    assert out == (
        f"{old.path}: Upgraded from schema 0001 to {HEAD_REVISION}; integrity and foreign keys "
        f"checked; the original was saved as {backup.name}.\n"
    )
    assert err == ""
    assert cli.main(["upgrade", str(old.path)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{old.path}: already at the current schema ({HEAD_REVISION})\n"
    assert len(_backups(old.path)) == 1


def test_other_commands_say_they_upgraded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    assert cli.main(["articles", str(old.path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [a["id"] for a in __import__("json").loads(out)] == [old.article_id]
    assert err.startswith("crosscheck: old.crosscheck: Upgraded from schema 0001")
    assert err.count("\n") == 1


def test_reviewer_added_after_upgrade_has_email_column(tmp_path: Path) -> None:
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    with open_store(old.path) as project:
        changes = operations.annotate(project, old.article_id, 0, 4, "supported", reviewer=REVIEWER)
    assert [c.action for c in changes.changes] == ["reviewer.added", "annotation.created"]
    assert changes.changes[0].after is not None and changes.changes[0].after["email"] is None


# --- the same revisions on every backend ---------------------------------------------------


def test_a_first_revision_project_upgrades_on_every_backend(new_target: Path | str) -> None:
    old = make_first_revision_project(new_target)
    with open_store(new_target) as project:
        assert any(f"to {HEAD_REVISION}" in m for m in project.messages)
        with project.read() as session:
            assert migrate.current_revision(session) == HEAD_REVISION
            (summary,) = reads.article_summaries(session)
            (row,) = reads.annotation_rows(session)
            assert reads.article_text(session, old.article_id) == TEXT
            assert reads.annotation_versions(session, [old.annotation_id]) == {old.annotation_id: 1}
        assert (summary.id, summary.outlet, summary.published.isoformat()) == (  # type: ignore[union-attr]
            old.article_id,
            "Wire",
            "2025-06-29",
        )
        assert (row.id, row.verdict, row.reviewer) == (
            old.annotation_id,
            Verdict.DISPUTED,
            old.reviewer,
        )
        assert row.created_at == datetime(2025, 6, 30, 9, 15, tzinfo=UTC)
        report = verify_project(project)
        assert report.ok, report.summary()
        assert report.chain.events == old.events
        changes = operations.update_annotation(
            project, old.annotation_id, reviewer="Sam", verdict="supported", expected_version=1
        )
        assert [c.action for c in changes.changes] == ["reviewer.added", "annotation.changed"]
        assert verify_project(project).ok
    with open_store(new_target) as project:
        assert project.messages == []  # once is enough


def test_a_newer_schema_is_refused_on_every_backend(
    demo_project: Store, attacker: Attacker
) -> None:
    target = target_of(demo_project)
    demo_project.close()
    attacker.run(target, "UPDATE alembic_version SET version_num = 'f00dcafe'")
    with pytest.raises(ProjectOpenError, match="newer version of Crosscheck") as caught:
        open_store(target)
    assert "'f00dcafe' is unknown" in str(caught.value)
    with pytest.raises(ProjectOpenError, match="newer version of Crosscheck"):
        open_store(target, read_only=True)


def test_a_file_from_before_article_removal_upgrades(tmp_path: Path) -> None:
    """A file written at revision 0003 (no removal columns) opens, upgrades, and its
    articles can then be edited, removed and restored with an intact chain."""
    old = make_first_revision_project(tmp_path / "old.crosscheck")
    store = SqliteStore(old.path)
    try:
        upgrade_schema(store, "0003")
    finally:
        store.close()
    (articles_table,) = [s for s in dump(old.path) if s.startswith("CREATE TABLE articles")]
    assert "deleted_at" not in articles_table
    with open_store(old.path) as project:
        (backup,) = _backups(old.path)
        assert project.messages == [
            f"Upgraded from schema 0003 to {HEAD_REVISION}; integrity and foreign keys "
            f"checked; the original was saved as {backup.name}."
        ]
        conn = project.raw_connection()
        try:
            assert conn.execute("SELECT deleted_at, deleted_by FROM articles").fetchall() == [
                (None, None)
            ]
            assert conn.execute("PRAGMA foreign_key_list('articles')").fetchall()
            assert sqlite_store.missing_triggers(conn) == []
        finally:
            conn.close()
        with project.read() as db:
            assert [s.id for s in reads.article_summaries(db)] == [old.article_id]
        changes = operations.remove_article(project, old.article_id, reviewer=old.reviewer)
        assert [c.action for c in changes.changes] == ["article.removed", "annotation.deleted"]
        with project.read() as db:
            assert reads.article_summaries(db) == []
        operations.restore_article(project, old.article_id, reviewer=old.reviewer)
        with project.read() as db:
            (row,) = reads.annotation_rows(db)
        assert row.id == old.annotation_id
        report = verify_project(project)
        assert report.ok, report.summary()
        assert report.chain.events == old.events + 4
