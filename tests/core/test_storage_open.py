"""Opening project files as a user meets them: good files, bad files, locked and read-only ones."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.core import operations
from desktop.core.errors import CrosscheckError, ProjectBusy, ProjectOpenError, ReadOnlyProjectError
from desktop.core.importers import ImportedArticle
from desktop.core.store import Store, create_store, open_store, reads
from desktop.core.store.schema import SCHEMA_VERSION
from desktop.core.store.sqlite import APPLICATION_ID
from desktop.core.verify import verify_project
from tests.conftest import REVIEWER, make_project


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def folder_names(path: Path) -> set[str]:
    return set(os.listdir(path.parent))


def one_line_naming(exc: BaseException, path: Path) -> str:
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    assert str(path) in message
    return message


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def first_article(project: Store) -> str:
    with project.read() as session:
        return reads.article_summaries(session)[0].id


# --- a good file ---------------------------------------------------------------------------


def test_current_file_opens_quietly(demo_path: Path) -> None:
    with open_store(demo_path) as project:
        assert project.path == demo_path
        assert not project.read_only
        assert project.read_only_reason is None
        assert project.messages == []
        assert project.backup_path is None
        with project.read() as session:
            titles = [s.title for s in reads.article_summaries(session)]
    assert len(titles) == 5
    assert titles[0].startswith("Azerbaijan cancels cultural events")
    assert folder_names(demo_path) == {demo_path.name}


def test_new_file_is_marked_as_ours(demo_path: Path) -> None:
    assert pragma(demo_path, "application_id") == APPLICATION_ID
    assert pragma(demo_path, "user_version") == SCHEMA_VERSION
    assert pragma(demo_path, "journal_mode") == "delete"


def test_relative_path_and_odd_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "shared drive #2 ?%20 ü"
    folder.mkdir()
    path = make_project(folder / "story 100% #1.crosscheck", with_demo=False)
    monkeypatch.chdir(folder)
    with open_store(path.name) as project:
        assert project.path == path
        assert verify_project(project).ok


def test_new_project_file_refuses_an_existing_path(demo_path: Path) -> None:
    before = snapshot(demo_path)
    with pytest.raises(ProjectOpenError) as caught, create_store(demo_path):
        pass
    assert one_line_naming(caught.value, demo_path).endswith("already exists; choose another name")
    assert snapshot(demo_path) == before


def test_new_project_file_in_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "p.crosscheck"
    with pytest.raises(ProjectOpenError) as caught, create_store(path):
        pass
    assert "does not exist" in one_line_naming(caught.value, path)
    assert not (tmp_path / "nowhere").exists()


def test_failed_new_project_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.crosscheck"
    with pytest.raises(RuntimeError), create_store(path) as project:
        operations.record_project_created(project, name="p", reviewer=REVIEWER)
        raise RuntimeError("stop")
    assert os.listdir(tmp_path) == []


# --- files that are not (good) projects ----------------------------------------------------


def _missing(tmp_path: Path, demo: Path) -> Path:
    return tmp_path / "missing.crosscheck"


def _directory(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "folder.crosscheck"
    path.mkdir()
    return path


def _empty(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "empty.crosscheck"
    path.write_bytes(b"")
    return path


def _text(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "notes.crosscheck"
    path.write_text("Reporter's notes, not a project.\n", encoding="utf-8")
    return path


def _png(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "picture.crosscheck"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return path


def _foreign_sqlite(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "other.crosscheck"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('x')")
    conn.commit()
    conn.close()
    return path


def _header_only(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "header.crosscheck"
    path.write_bytes(demo.read_bytes()[:60])
    return path


def _truncated(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "half.crosscheck"
    data = demo.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt(tmp_path: Path, demo: Path) -> Path:
    """Garbage over one page inside the file: the root page of the articles table."""
    path = tmp_path / "corrupt.crosscheck"
    conn = sqlite3.connect(f"file:{demo}?mode=ro", uri=True)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()
    page_size, pages = (
        conn.execute("PRAGMA page_size").fetchone()[0],
        conn.execute("PRAGMA page_count").fetchone()[0],
    )
    conn.close()
    assert 1 < root < pages
    data = bytearray(demo.read_bytes())
    at = (root - 1) * page_size
    data[at : at + 512] = bytes((i * 37 + 11) % 256 for i in range(512))
    path.write_bytes(bytes(data))
    return path


def _newer_user_version(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "newer.crosscheck"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    return path


def _unknown_revision(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "future.crosscheck"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'f00dcafe'")
    conn.commit()
    conn.close()
    return path


def _no_version_table(tmp_path: Path, demo: Path) -> Path:
    path = tmp_path / "unversioned.crosscheck"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()
    return path


BAD_FILES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "missing": (_missing, "no such file"),
    "directory": (_directory, "is a directory, not a project file"),
    "empty": (_empty, "is empty, not a Crosscheck project"),
    "text": (_text, "is not a Crosscheck project (not an SQLite database)"),
    "png": (_png, "is not a Crosscheck project (not an SQLite database)"),
    "foreign sqlite": (_foreign_sqlite, "is an SQLite database but not a Crosscheck project"),
    "header only": (_header_only, "is truncated (shorter than an SQLite header)"),
    "truncated": (_truncated, "is truncated ("),
    "corrupt": (_corrupt, "is damaged ("),
    "newer user_version": (
        _newer_user_version,
        f"was written by a newer version of Crosscheck (file format 99; this version reads up "
        f"to {SCHEMA_VERSION})",
    ),
    "unknown revision": (
        _unknown_revision,
        "was written by a newer version of Crosscheck (schema 'f00dcafe' is unknown)",
    ),
    "no version table": (_no_version_table, "is damaged (its schema version is missing)"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("read_only", [False, True], ids=["rw", "ro"])
def test_bad_file_gives_one_line_and_changes_nothing(
    tmp_path: Path, demo_path: Path, case: str, read_only: bool
) -> None:
    build, reason = BAD_FILES[case]
    work = tmp_path / "work"
    work.mkdir()
    path = build(work, demo_path)
    before = snapshot(path) if path.is_file() else None
    names = set(os.listdir(work))
    with pytest.raises(ProjectOpenError) as caught:
        open_store(path, read_only=read_only)
    message = one_line_naming(caught.value, path)
    assert message.startswith(f"{path}: ")
    assert caught.value.reason.startswith(reason)
    if before is not None:
        assert snapshot(path) == before
    assert set(os.listdir(work)) == names  # no journal, no backup


def test_truncated_message_gives_sizes(tmp_path: Path, demo_path: Path) -> None:
    path = _truncated(tmp_path, demo_path)
    size = path.stat().st_size
    with pytest.raises(ProjectOpenError) as caught:
        open_store(path)
    assert caught.value.reason == f"is truncated ({size:,} of {2 * size:,} bytes)"


def test_damaged_text_fails_cleanly_later(tmp_path: Path, demo_path: Path) -> None:
    """Bytes changed inside an article's text pass SQLite's structural check; everything that
    reads them afterwards reports the damage as a CrosscheckError, never a raw database error."""
    path = tmp_path / "bitrot.crosscheck"
    data = bytearray(demo_path.read_bytes())
    phrase = b"Azerbaijan has cancelled all planned cultural events"  # article 000's text
    at = data.find(phrase)
    assert at > 0
    while at != -1:
        data[at : at + 4] = b"\xff\xfe\xff\xfe"
        at = data.find(phrase, at)
    path.write_bytes(bytes(data))
    with open_store(path) as project:
        with project.read() as session:
            first = reads.article_summaries(session)[0]  # listing does not read texts
        with pytest.raises(CrosscheckError) as caught, project.read() as session:
            reads.article_text(session, first.id)
        assert "is damaged" in one_line_naming(caught.value, path)
        with pytest.raises(CrosscheckError) as caught:
            verify_project(project)
        assert "is damaged" in one_line_naming(caught.value, path)


# --- locks ---------------------------------------------------------------------------------


@pytest.fixture
def writer_holding_lock(demo_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program in the middle of a write, holding the file exclusively."""
    other = sqlite3.connect(demo_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE project SET name = 'being edited elsewhere'")
    yield other
    other.execute("ROLLBACK")
    other.close()


def test_locked_file_refused_after_busy_timeout(
    demo_path: Path, writer_holding_lock: sqlite3.Connection
) -> None:
    before = demo_path.read_bytes()
    started = time.monotonic()
    with pytest.raises(ProjectBusy) as caught:
        open_store(demo_path, busy_timeout_ms=200)
    assert time.monotonic() - started >= 0.1  # it did wait for the other program
    message = one_line_naming(caught.value, demo_path)
    assert "locked" in message
    assert "0.2 s" in message
    writer_holding_lock.execute("ROLLBACK")
    writer_holding_lock.execute("BEGIN")  # the fixture's teardown rolls this back
    assert demo_path.read_bytes() == before


def test_write_waits_for_a_writer_then_gives_up(demo_path: Path) -> None:
    project = open_store(demo_path, busy_timeout_ms=200)
    article = first_article(project)
    other = sqlite3.connect(demo_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(ProjectBusy) as caught:
            operations.annotate(project, article, 0, 10, "supported", reviewer=REVIEWER)
        assert "locked" in one_line_naming(caught.value, demo_path)
        other.execute("ROLLBACK")
        # Once the other program is done, the same project object writes normally.
        assert operations.annotate(project, article, 0, 10, "supported", reviewer=REVIEWER)
    finally:
        other.close()
        project.close()


# --- pragmas and transactions --------------------------------------------------------------


def test_wal_file_is_switched_back_to_rollback_journal(demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.close()
    with open_store(demo_path) as project:
        with project.read() as session:
            mode = session.exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "delete"
        operations.annotate(project, first_article(project), 0, 5, "disputed", reviewer=REVIEWER)
    assert pragma(demo_path, "journal_mode") == "delete"
    assert folder_names(demo_path) == {demo_path.name}


def test_sessions_enforce_foreign_keys(demo_file_project: Store) -> None:
    with demo_file_project.read() as session:
        assert session.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with demo_file_project.write() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_a_row_pointing_nowhere_is_refused(demo_project: Store) -> None:
    from sqlalchemy import update

    from desktop.core.store.schema import Article

    with pytest.raises(CrosscheckError) as caught, demo_project.write() as conn:
        conn.execute(update(Article).values(imported_by="nobody"))
    assert "\n" not in str(caught.value)
    with demo_project.read() as session:
        assert len(reads.article_summaries(session)) == 5


def test_writes_hold_the_write_lock_from_the_start(demo_path: Path) -> None:
    project = open_store(demo_path)
    other = sqlite3.connect(demo_path, isolation_level=None, timeout=0.05)
    try:
        with project.write() as session:
            # Only read so far, but the write lock is taken: another writer cannot begin.
            assert session.exec_driver_sql("SELECT count(*) FROM articles").scalar()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        # Reading sessions take no write lock.
        with project.read() as session:
            session.exec_driver_sql("SELECT count(*) FROM articles").scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        project.close()


def test_failed_write_rolls_back(demo_project: Store) -> None:
    with pytest.raises(RuntimeError), demo_project.write() as session:
        session.exec_driver_sql("UPDATE project SET name = 'changed'")
        raise RuntimeError("stop")
    with demo_project.read() as session:
        assert reads.project_info(session).name == "demo"


def test_database_errors_in_a_write_become_one_line(demo_project: Store) -> None:
    with pytest.raises(CrosscheckError) as caught, demo_project.write() as session:
        session.exec_driver_sql("DELETE FROM audit_events")
    message = str(caught.value)
    assert "\n" not in message and message.startswith(demo_project.location)
    assert "audit events are append-only" in message


# --- read-only files -----------------------------------------------------------------------


def _chmod_file(path: Path) -> str:
    path.chmod(0o444)
    return "the file is read-only"


def _chmod_folder(path: Path) -> str:
    path.parent.chmod(0o555)
    return "its folder is read-only"


@pytest.fixture(params=["file", "folder", "requested"])
def read_only_case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "share"
    folder.mkdir()
    path = make_project(folder / "ro.crosscheck")
    with open_store(path) as project:
        article = first_article(project)
        operations.annotate(project, article, 0, 10, "supported", reviewer=REVIEWER)
    if request.param == "file":
        reason = _chmod_file(path)
    elif request.param == "folder":
        reason = _chmod_folder(path)
    else:
        reason = "opened read-only on request"
    yield path, reason
    folder.chmod(0o755)
    path.chmod(0o644)


def test_read_only_file_opens_for_reading(read_only_case: tuple[Path, str]) -> None:
    path, reason = read_only_case
    before = snapshot(path)
    read_only = reason == "opened read-only on request"
    with open_store(path, read_only=read_only) as project:
        assert project.read_only
        assert project.read_only_reason == reason
        assert project.messages == [f"Opened read-only: {reason}."]
        with project.read() as session:
            summaries = reads.article_summaries(session)
            rows = reads.annotation_rows(session)
        assert len(summaries) == 5
        assert [r.verdict.value for r in rows] == ["supported"]
        report = verify_project(project)
        assert report.ok, report.summary()
        assert report.chain.events == 8
        article, annotation = summaries[0].id, rows[0].id
        refused = {
            "annotate": lambda: operations.annotate(
                project, article, 20, 30, "disputed", reviewer=REVIEWER
            ),
            "update": lambda: operations.update_annotation(
                project, annotation, reviewer=REVIEWER, note="x"
            ),
            "delete": lambda: operations.delete_annotation(project, annotation, reviewer=REVIEWER),
            "restore": lambda: operations.restore_annotation(
                project, annotation, reviewer=REVIEWER
            ),
            "import": lambda: operations.import_articles(
                project, [_article("Extra")], reviewer=REVIEWER
            ),
            "created": lambda: operations.record_project_created(
                project, name="x", reviewer=REVIEWER
            ),
        }
        for name, attempt in refused.items():
            with pytest.raises(ReadOnlyProjectError) as caught:
                attempt()
            message = one_line_naming(caught.value, path)
            assert message == (f"{path} is open read-only ({reason}); nothing was changed"), name
    assert snapshot(path) == before
    assert folder_names(path) == {path.name}


def test_read_only_detection_ignores_administrator_rights(tmp_path: Path) -> None:
    # Tests run as root, who could write anyway; the permission bits still mean "read-only".
    path = make_project(tmp_path / "p.crosscheck", with_demo=False)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        with open_store(path) as project:
            assert project.read_only_reason == "the file is read-only"
    finally:
        path.chmod(0o644)


def _article(title: str, text: str = "Body text.\n") -> ImportedArticle:
    return ImportedArticle(
        text=text, title=title, original_name=f"{title}.txt", source_format="txt"
    )
