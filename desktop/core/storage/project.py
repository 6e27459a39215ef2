"""Opening and creating project files.

A failed open never modifies the file: every check that can be made from the header is made
before SQLite touches it, and an upgrade runs in one transaction after a backup.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.errors import CrosscheckError, ProjectOpenError, ReadOnlyProjectError
from desktop.core.storage.engine import (
    APPLICATION_ID,
    BEGIN_OPTION,
    DEFAULT_BUSY_TIMEOUT_MS,
    connect_raw,
    make_engine,
    set_journal_mode,
)
from desktop.core.storage.version import HEAD_REVISION, SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIX = ".crosscheck"


class ProjectBusy(CrosscheckError):
    """Another program held the file's lock for longer than the busy timeout."""


@dataclass(frozen=True)
class Header:
    application_id: int
    user_version: int
    page_size: int
    page_count: int | None  # None when the header's count is not trustworthy


def read_header(path: Path) -> Header:
    """Classify a file from its first 100 bytes without opening it with SQLite."""
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        raise ProjectOpenError(path, "no such file") from None
    except IsADirectoryError:
        raise ProjectOpenError(path, "is a directory, not a project file") from None
    except PermissionError:
        raise ProjectOpenError(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise ProjectOpenError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not head:
        raise ProjectOpenError(path, "is empty, not a Crosscheck project")
    if not head.startswith(SQLITE_MAGIC):
        raise ProjectOpenError(path, "is not a Crosscheck project (not an SQLite database)")
    if len(head) < 100:
        raise ProjectOpenError(path, "is truncated (shorter than an SQLite header)")
    raw_page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if raw_page_size == 1 else raw_page_size
    change_counter, page_count = struct.unpack(">II", head[24:32])
    valid_for = struct.unpack(">I", head[92:96])[0]
    user_version = struct.unpack(">i", head[60:64])[0]
    application_id = struct.unpack(">I", head[68:72])[0]
    return Header(
        application_id=application_id,
        user_version=user_version,
        page_size=page_size,
        page_count=page_count if valid_for == change_counter and page_count else None,
    )


def read_only_reason(path: Path) -> str | None:
    """Why writing is impossible, or None. Permission bits count even for an administrator."""
    mode = path.stat().st_mode
    if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "the file is read-only"
    folder = path.parent
    fmode = folder.stat().st_mode
    # The rollback journal is a file created beside the project.
    if not os.access(folder, os.W_OK) or not fmode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "its folder is read-only"
    return None


@dataclass
class Project:
    """An open project file.

    ``snapshot()`` reads on a bare sqlite3 connection; ``read()`` and ``write()`` give
    SQLAlchemy sessions. The engine is made on first use, so opening a file and showing it
    never loads SQLAlchemy.
    """

    path: Path
    read_only_reason: str | None = None
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    messages: list[str] = field(default_factory=list)  # what opening did, for the user
    backup_path: Path | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(
                self.path,
                read_only=self.read_only_reason is not None,
                busy_timeout_ms=self.busy_timeout_ms,
            )
        return self._engine

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A consistent read-only view of the file on a bare sqlite3 connection."""
        conn = self.raw_connection()
        try:
            with translate_errors(self):
                conn.execute("BEGIN")
                yield conn
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        from sqlalchemy.orm import Session

        with translate_errors(self), Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, begun with the write lock held; committed on success."""
        from sqlalchemy.orm import Session

        self._refuse_if_read_only()
        with translate_errors(self), self.engine.connect() as conn:
            conn = conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            with Session(conn) as session, session.begin():
                yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """The same transaction as ``write()`` on a bare connection, without an ORM session,
        for the writes made most often."""
        self._refuse_if_read_only()
        with translate_errors(self), self.engine.connect() as conn:
            conn = conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def refuse_if_read_only(self) -> None:
        """ReadOnlyProjectError now, before slow work whose result could not be written."""
        self._refuse_if_read_only()

    def _refuse_if_read_only(self) -> None:
        if self.read_only_reason:
            raise ReadOnlyProjectError(
                f"{self.path} is open read-only ({self.read_only_reason}); nothing was changed"
            )

    def raw_connection(self, *, write: bool = False) -> sqlite3.Connection:
        """A separate DB-API connection, read-only unless asked, for bulk reads (exports,
        verify) and pragmas."""
        if write:
            self._refuse_if_read_only()
        return connect_raw(self.path, read_only=not write, busy_timeout_ms=self.busy_timeout_ms)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def translate_errors(project: Project) -> Iterator[None]:
    """Turn database errors raised inside the block into one-line CrosscheckErrors."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _database_error(project.path, exc, project.busy_timeout_ms) from exc
    except Exception as exc:
        # SQLAlchemy wraps the driver's error; its ``orig`` is the sqlite3 one.
        orig = getattr(exc, "orig", None)
        if isinstance(orig, sqlite3.Error):
            raise _database_error(project.path, orig, project.busy_timeout_ms) from exc
        raise


def _one_line(text: str) -> str:
    """SQLite's reports can span lines and start with a banner; a message is one line."""
    text = text.replace("*** in database main ***", "")
    return " ".join(text.split())


def _database_error(path: Path, exc: BaseException | None, busy_timeout_ms: int) -> CrosscheckError:
    text = _one_line(str(exc))
    if "locked" in text or "busy" in text:
        seconds = busy_timeout_ms / 1000
        return ProjectBusy(
            f"{path}: is locked by another program (waited {seconds:g} s); try again"
        )
    if "readonly" in text or "read-only" in text:
        return ReadOnlyProjectError(f"{path}: cannot be written ({text}); nothing was changed")
    if (
        "malformed" in text
        or "not a database" in text
        or "corrupt" in text
        or "Could not decode" in text  # bytes of a text column were damaged
    ):
        return ProjectOpenError(path, f"is damaged ({text})")
    if "disk I/O" in text or "unable to open" in text:
        return ProjectOpenError(path, f"cannot be accessed ({text})")
    return CrosscheckError(f"{path}: database error: {text}")


def open_project(
    path: str | os.PathLike[str],
    *,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> Project:
    """Open a project file, upgrading an older schema (after a backup).

    Raises ProjectOpenError (or ProjectBusy) with a one-line reason; the file is then unchanged.
    """
    p = Path(path).expanduser().absolute()
    header = read_header(p)
    if header.application_id != APPLICATION_ID:
        raise ProjectOpenError(p, "is an SQLite database but not a Crosscheck project")
    if header.page_count is not None:
        expected = header.page_count * header.page_size
        size = p.stat().st_size
        if size < expected:
            raise ProjectOpenError(p, f"is truncated ({size:,} of {expected:,} bytes)")
    if header.user_version > SCHEMA_VERSION:
        raise ProjectOpenError(
            p,
            f"was written by a newer version of Crosscheck (file format {header.user_version}; "
            f"this version reads up to {SCHEMA_VERSION})",
        )
    reason = "opened read-only on request" if read_only else read_only_reason(p)
    revision = _probe(p, busy_timeout_ms)
    # Only an older file needs Alembic, which is slow to import.
    if revision == HEAD_REVISION:
        revisions = [HEAD_REVISION]
    else:
        from desktop.core.storage import migrate

        revisions = migrate.known_revisions()
    head = revisions[-1]
    if revision not in revisions:
        raise ProjectOpenError(
            p, f"was written by a newer version of Crosscheck (schema {revision!r} is unknown)"
        )
    project = Project(
        path=p,
        read_only_reason=reason,
        busy_timeout_ms=busy_timeout_ms,
    )
    try:
        if revision != head:
            if reason is not None:
                raise ProjectOpenError(
                    p, f"uses an older file format and must be upgraded, but {reason}"
                )
            _upgrade(project, revision, head)
        elif reason is None:
            # On a bare connection: showing a project must not wait for SQLAlchemy to load.
            with translate_errors(project), closing(project.raw_connection(write=True)) as conn:
                conn.execute("PRAGMA journal_mode = DELETE")
        if reason is not None:
            project.messages.append(f"Opened read-only: {reason}.")
    except BaseException:
        project.close()
        raise
    return project


def _probe(path: Path, busy_timeout_ms: int) -> str | None:
    """Read the schema revision and run a quick check, read-only."""
    try:
        conn = connect_raw(path, read_only=True, busy_timeout_ms=busy_timeout_ms)
    except sqlite3.Error as exc:
        raise _database_error(path, exc, busy_timeout_ms) from None
    try:
        check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if check != "ok":
            raise ProjectOpenError(path, f"is damaged ({_one_line(check)})")
        has_version = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_version:
            raise ProjectOpenError(path, "is damaged (its schema version is missing)")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None:
            raise ProjectOpenError(path, "is damaged (its schema version is missing)")
        return str(row[0])
    except sqlite3.Error as exc:
        raise _database_error(path, exc, busy_timeout_ms) from None
    finally:
        conn.close()


def _upgrade(project: Project, revision: str, head: str) -> None:
    from desktop.core.storage import migrate

    path = project.path
    backup = migrate.backup_path_for(path)
    with translate_errors(project):
        source = connect_raw(path, read_only=True, busy_timeout_ms=project.busy_timeout_ms)
        try:
            migrate.copy_database(source, backup)
        except BaseException:
            backup.unlink(missing_ok=True)
            raise
        finally:
            source.close()
        try:
            with project.engine.connect() as conn:
                set_journal_mode(conn)
            migrate.upgrade(project.engine)
        except Exception as exc:
            # The migration ran in one transaction and was rolled back: the file is as it was,
            # and the backup of it is not needed.
            backup.unlink(missing_ok=True)
            orig = getattr(exc, "orig", None)  # SQLAlchemy's wrapper of the driver's error
            cause = orig if isinstance(orig, sqlite3.Error) else exc
            error = _database_error(path, cause, project.busy_timeout_ms)
            if isinstance(error, ProjectBusy | ReadOnlyProjectError):
                raise error from exc
            raise ProjectOpenError(
                path,
                f"upgrade from schema {revision} failed ({_one_line(str(cause))}); "
                "the file is unchanged",
            ) from exc
        check_conn = project.raw_connection()
        try:
            result = migrate.check_database(check_conn)
        finally:
            check_conn.close()
        if not result.ok:
            project.engine.dispose()
            _restore(backup, path, project.busy_timeout_ms)
            raise ProjectOpenError(
                path,
                "upgrade failed its checks (" + "; ".join(result.problems) + "); "
                f"the file was restored from the backup {backup.name}",
            )
    project.backup_path = backup
    project.messages.append(
        f"Upgraded from schema {revision} to {head}; integrity and foreign keys checked; "
        f"the original was saved as {backup.name}."
    )


def _restore(backup: Path, path: Path, busy_timeout_ms: int) -> None:
    from desktop.core.storage import migrate

    source = connect_raw(backup, read_only=True, busy_timeout_ms=busy_timeout_ms)
    try:
        migrate.copy_database(source, path)
    finally:
        source.close()


def _new_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path).expanduser().absolute()
    if p.exists():
        raise ProjectOpenError(p, "already exists; choose another name")
    if not p.parent.is_dir():
        raise ProjectOpenError(p, f"cannot be created: the folder {p.parent} does not exist")
    return p


@contextmanager
def new_project_file(
    path: str | os.PathLike[str], *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Iterator[Project]:
    """Yield a fresh project at a temporary name; on success it is moved to ``path``.

    Built aside and renamed into place, so a failed ``new`` leaves nothing behind and never
    overwrites anything.
    """
    final = _new_path(path)
    temp = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        conn = sqlite3.connect(temp)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        temp.unlink(missing_ok=True)
        raise ProjectOpenError(final, f"cannot be created ({exc})") from None
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ProjectOpenError(final, f"cannot be created ({exc.strerror or exc})") from None
    project = Project(
        path=temp,
        busy_timeout_ms=busy_timeout_ms,
    )
    try:
        from desktop.core.storage import migrate

        migrate.upgrade(project.engine)
        yield project
        project.close()
        if final.exists():
            raise ProjectOpenError(final, "already exists; choose another name")
        os.replace(temp, final)
    except BaseException:
        project.close()
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
        raise
