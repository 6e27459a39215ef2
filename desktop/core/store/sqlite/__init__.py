"""Projects kept in one SQLite file: everything that is particular to SQLite.

Store files live on laptops and shared drives, so: the rollback journal (WAL needs shared
memory on one host), a busy timeout instead of an instant "database is locked", and writes that
take the write lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock halfway.

Opening never changes a file it refuses: every check that can be made from the header is made
before SQLite touches it. Two things do write on open, because SQLite itself would: a write
left unfinished by a crash (a hot journal) is rolled back, and an older schema is upgraded in
one transaction after a checked backup.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from desktop.core.errors import (
    CrosscheckError,
    InvalidInput,
    ProjectBusy,
    ProjectOpenError,
    ReadOnlyProjectError,
    StoreUnavailable,
    shown,
)
from desktop.core.store.base import (
    DEFAULT_BUSY_TIMEOUT_MS,
    WAIT_OPTION,
    WRITE_OPTION,
    CsvSpec,
    Store,
    Watcher,
)
from desktop.core.store.version import HEAD_REVISION, SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from desktop.core.replay import ReplayReport
    from desktop.core.store.sqlite.first_paint import QuickReader

APPLICATION_ID = 0x5843484B  # "XCHK": marks a file as a Crosscheck project
SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIX = ".crosscheck"

AUDIT_TRIGGERS = {
    "audit_events_no_update": (
        "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
    ),
    "audit_events_no_delete": (
        "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
    ),
}


def canonical_json_text(value: object) -> str:
    import rfc8785

    return rfc8785.dumps(value).decode("utf-8")  # type: ignore[arg-type]


def connect_raw(path: Path, *, read_only: bool, busy_timeout_ms: int) -> sqlite3.Connection:
    """A DB-API connection with our pragmas; ``mode=ro`` never creates or changes the file."""
    mode = "ro" if read_only else "rw"
    # as_uri() percent-encodes the path (spaces, '?', '#') so SQLite reads it literally.
    uri = f"{path.absolute().as_uri()}?mode={mode}"
    conn = sqlite3.connect(
        uri,
        uri=True,
        timeout=busy_timeout_ms / 1000,
        check_same_thread=False,
        isolation_level=None,  # transactions are begun explicitly; see _make_engine
    )
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        conn.execute("PRAGMA synchronous = FULL")
    return conn


# --- the file's header, before SQLite opens it ---------------------------------------------


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
    any_write = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    if not os.access(path, os.W_OK) or not path.stat().st_mode & any_write:
        return "the file is read-only"
    folder = path.parent
    # The rollback journal is a file created beside the project.
    if not os.access(folder, os.W_OK) or not folder.stat().st_mode & any_write:
        return "its folder is read-only"
    return None


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


# --- errors ---------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """SQLite's reports can span lines and start with a banner; a message is one line."""
    text = text.replace("*** in database main ***", "")
    return " ".join(text.split())


def database_error(path: Path, exc: BaseException | None, busy_timeout_ms: int) -> CrosscheckError:
    text = _one_line(str(exc))
    if "locked" in text or "busy" in text:
        seconds = busy_timeout_ms / 1000
        return ProjectBusy(
            f"{shown(path)}: is locked by another program (waited {seconds:g} s); try again"
        )
    if "readonly" in text or "read-only" in text:
        if not path.exists():
            return StoreUnavailable(f"{shown(path)}: the project file is no longer there")
        return ReadOnlyProjectError(
            f"{shown(path)}: cannot be written ({text}); nothing was changed"
        )
    if (
        "malformed" in text
        or "not a database" in text
        or "corrupt" in text
        or "Could not decode" in text  # bytes of a text column were damaged
    ):
        return ProjectOpenError(path, f"is damaged ({text})")
    if "disk I/O" in text or "unable to open" in text:
        if not path.exists():
            return StoreUnavailable(f"{shown(path)}: the project file is no longer there")
        return StoreUnavailable(
            f"{shown(path)}: cannot be accessed ({text}: is the disk full, or the drive "
            "disconnected?); nothing was changed"
        )
    if "database or disk is full" in text:
        return CrosscheckError(f"{shown(path)}: the disk is full; nothing was changed")
    return CrosscheckError(f"{shown(path)}: database error: {text}")


# --- the store ------------------------------------------------------------------------------


class SqliteStore(Store):
    """A project file. The engine is made on first use: showing a project never needs
    SQLAlchemy, whose import is a large part of a cold start (see ``quick_reader``)."""

    kind = "sqlite"
    database_checks = "integrity and foreign keys checked"

    def __init__(
        self,
        path: Path,
        *,
        read_only_reason: str | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        super().__init__(
            str(path), read_only_reason=read_only_reason, busy_timeout_ms=busy_timeout_ms
        )
        self._path = path
        self.busy_on_open = False  # another program was writing when the file was opened

    @property
    def path(self) -> Path:
        return self._path

    @property
    def display_name(self) -> str:
        return self._path.stem

    def raw_connection(self, *, write: bool = False) -> sqlite3.Connection:
        """A separate DB-API connection, read-only unless asked; for this backend's own use."""
        if write:
            self.refuse_if_read_only()
        return connect_raw(self._path, read_only=not write, busy_timeout_ms=self.busy_timeout_ms)

    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import QueuePool

        read_only = self.read_only_reason is not None
        path, timeout = self._path, self.busy_timeout_ms
        engine = create_engine(
            "sqlite://",
            creator=lambda: connect_raw(path, read_only=read_only, busy_timeout_ms=timeout),
            # JSON columns hold canonical JSON (RFC 8785), the form the audit log records, so
            # verifying can compare a row with its logged state as text (``replay``).
            json_serializer=canonical_json_text,
            poolclass=QueuePool,
            pool_size=2,
            max_overflow=6,
        )

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            options = conn.get_execution_options()
            if not options.get(WRITE_OPTION):
                conn.exec_driver_sql("BEGIN")
                return
            wait = options.get(WAIT_OPTION)
            # Pooled connections keep their pragmas: set the wait for every write.
            conn.exec_driver_sql(
                f"PRAGMA busy_timeout = {int(wait if wait is not None else timeout)}"
            )
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def translate(self, exc: BaseException) -> CrosscheckError | None:
        if isinstance(exc, sqlite3.Error):
            return database_error(self._path, exc, self._wait_of(exc))
        orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
        if isinstance(orig, sqlite3.Error):
            return database_error(self._path, orig, self._wait_of(orig))
        return None

    def _wait_of(self, exc: BaseException) -> int:
        return self.busy_timeout_ms

    def watcher(self) -> Watcher:
        return DataVersionWatcher(self)

    def check_database(self) -> list[str]:
        with closing(self.raw_connection()) as conn:
            try:
                return check_database(conn)
            except sqlite3.Error as exc:
                raise database_error(self._path, exc, self.busy_timeout_ms) from None

    def write_verdicts_csv(self, out: BinaryIO, spec: CsvSpec, progress: Any) -> int | None:
        from desktop.core.store.sqlite import fast

        if not fast.can_write(spec.header):
            return None
        with self.translate_errors():
            return fast.write_verdicts_csv(self, out, spec, progress)

    def chain_payload_chunks(self, size: int) -> Iterator[Any]:
        from desktop.core.store.sqlite import fast

        return fast.chain_chunks(self, size)

    def replay_log(self, carried: Mapping[str, int]) -> ReplayReport:
        from desktop.core.store.sqlite.replay import replay_file

        try:
            with closing(self.raw_connection()) as conn:
                return replay_file(conn, carried)
        except sqlite3.Error as exc:
            raise database_error(self._path, exc, self.busy_timeout_ms) from None

    def quick_reader(self) -> QuickReader:
        """Reads for a window's first paint on a bare connection, without SQLAlchemy."""
        from desktop.core.store.sqlite.first_paint import QuickReader

        return QuickReader(self)

    def backup_to(self, target: Path) -> None:
        """A consistent copy through SQLite's backup API, safe while others write."""
        with closing(self.raw_connection()) as source:
            copy_database(source, target)


class DataVersionWatcher(Watcher):
    """``PRAGMA data_version`` on a connection of its own changes whenever any other connection
    commits (this process's writes included). A poll costs microseconds and works on network
    shares, where file-change notifications do not."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None

    def poll(self) -> bool:
        path = self._store.path
        try:
            if self._conn is None:
                if not path.exists():
                    raise StoreUnavailable(f"{shown(path)}: the project file is no longer there")
                self._conn = connect_raw(path, read_only=True, busy_timeout_ms=50)
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            # A file replaced or removed under an open connection goes unnoticed by SQLite.
            if not path.exists():
                raise StoreUnavailable(f"{shown(path)}: the project file is no longer there")
        except sqlite3.Error as exc:
            self.close()
            raise database_error(path, exc, 50) from None
        changed = self._version is not None and version != self._version
        self._version = version
        return changed

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._version = None


def ensure_audit_triggers(conn: Any) -> None:
    """Create the triggers that refuse UPDATE and DELETE on the audit table (on a SQLAlchemy
    connection). Batch migrations drop and recreate tables, and their triggers with them."""
    for sql in AUDIT_TRIGGERS.values():
        conn.exec_driver_sql(sql)


def missing_triggers(conn: sqlite3.Connection) -> list[str]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [name for name in AUDIT_TRIGGERS if name not in present]


def check_database(conn: sqlite3.Connection) -> list[str]:
    """``integrity_check``, ``foreign_key_check`` and the audit triggers."""
    problems: list[str] = []
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    if rows != ["ok"]:
        problems.append("integrity check failed: " + "; ".join(str(r) for r in rows))
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        table, rowid, parent, _ = fk[0]
        problems.append(
            f"foreign key check failed: {len(fk)} row(s), first {table} row {rowid} -> {parent}"
        )
    missing = missing_triggers(conn)
    if missing:
        problems.append("audit triggers missing: " + ", ".join(missing))
    return problems


def copy_database(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()


# --- opening --------------------------------------------------------------------------------


def open_sqlite(
    path: str | os.PathLike[str],
    *,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> SqliteStore:
    """Open a project file, upgrading an older schema (after a backup).

    Raises ProjectOpenError (or ProjectBusy) with a one-line reason; the file is then unchanged
    (but for a crash's unfinished write, which is rolled back as SQLite itself would).
    """
    p = Path(path).expanduser().absolute()
    _check_header(p, read_header(p), skip_size=journal_path(p).exists())
    reason = "opened read-only on request" if read_only else read_only_reason(p)
    recovered = _recover(p, reason, busy_timeout_ms)
    if recovered:
        _check_header(p, read_header(p), skip_size=False)
    revision = _probe(p, busy_timeout_ms)
    # Only an older file needs Alembic, which is slow to import.
    if revision == HEAD_REVISION:
        revisions = [HEAD_REVISION]
    else:
        from desktop.core.store import migrate

        revisions = migrate.known_revisions()
    head = revisions[-1]
    if revision not in revisions:
        raise ProjectOpenError(
            p, f"was written by a newer version of Crosscheck (schema {revision!r} is unknown)"
        )
    store = SqliteStore(p, read_only_reason=reason, busy_timeout_ms=busy_timeout_ms)
    if recovered:
        store.messages.append(
            "A write left unfinished by a crash was rolled back; the project is as it was "
            "after its last complete change."
        )
    try:
        if revision != head:
            if reason is not None:
                raise ProjectOpenError(
                    p, f"uses an older file format and must be upgraded, but {reason}"
                )
            _upgrade(store, revision, head)
        elif reason is None:
            _set_rollback_journal(store)
        if reason is not None:
            store.messages.append(f"Opened read-only: {reason}.")
        elif store.busy_on_open:
            store.messages.append(
                "Another program is writing to this project: reading works, and your changes "
                "wait for it to finish."
            )
    except BaseException:
        store.close()
        raise
    return store


def _check_header(p: Path, header: Header, *, skip_size: bool) -> None:
    if header.application_id != APPLICATION_ID:
        raise ProjectOpenError(p, "is an SQLite database but not a Crosscheck project")
    # A crash mid-commit can leave the file's size and header out of step until its journal
    # is rolled back; the size is checked once that is done.
    if header.page_count is not None and not skip_size:
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


def _recover(path: Path, reason: str | None, busy_timeout_ms: int) -> bool:
    """Roll back a write left unfinished by a crash (a "hot" journal beside the file).

    Only a connection that may write can do that, so read-only commands need it too: without
    it every reader is refused ("attempt to write a readonly database"). True if it was done.
    """
    journal = journal_path(path)
    try:
        if journal.stat().st_size == 0:
            return False
    except OSError:
        return False
    if not _hot_journal(path):
        # Another program's write under way, or finished since: its journal, not a crash's.
        return False
    if reason is not None and reason != "opened read-only on request":
        raise ProjectOpenError(
            path,
            f"holds a write left unfinished by a crash ({journal.name} beside it), and {reason}, "
            "so it cannot be rolled back: make the file and its folder writable and open it "
            "again, or copy both files to a writable folder and open the copy",
        )
    try:
        with closing(connect_raw(path, read_only=False, busy_timeout_ms=0)) as conn:
            # Taking the locks rolls a hot journal back first, as SQLite always does.
            conn.execute("BEGIN IMMEDIATE")
            # With the write lock held nobody else can remove the journal now: if it is gone,
            # it was the crash's, rolled back by taking the lock.
            recovered = not journal.exists()
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            # Another program is in the middle of a write: the journal is its own, and what
            # follows waits for it as any read does.
            return False
        raise database_error(path, exc, busy_timeout_ms) from None
    except sqlite3.Error as exc:
        raise database_error(path, exc, busy_timeout_ms) from None
    return recovered


def _hot_journal(path: Path) -> bool:
    """Whether SQLite itself takes the journal beside the file for a crash's ("hot"): a
    read-only connection is refused exactly then (SQLITE_READONLY_ROLLBACK), while the journal
    of a write still under way leaves it reading (or busy, while that write commits)."""
    try:
        with closing(connect_raw(path, read_only=True, busy_timeout_ms=0)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY_ROLLBACK
    return False


def _probe(path: Path, busy_timeout_ms: int) -> str | None:
    """Read the schema revision and run a quick check, read-only."""
    try:
        conn = connect_raw(path, read_only=True, busy_timeout_ms=busy_timeout_ms)
    except sqlite3.Error as exc:
        raise database_error(path, exc, busy_timeout_ms) from None
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
        raise database_error(path, exc, busy_timeout_ms) from None
    finally:
        conn.close()


def _set_rollback_journal(store: SqliteStore) -> None:
    """Switch a writable file to the rollback journal (WAL is persistent in the file), and
    note whether another program holds the write lock right now."""
    try:
        with closing(store.raw_connection(write=True)) as conn:
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                store.busy_on_open = True
                return
            conn.execute(f"PRAGMA busy_timeout = {store.busy_timeout_ms}")
            conn.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        raise database_error(store.path, exc, store.busy_timeout_ms) from None


def backup_path_for(path: Path, moment: Any = None) -> Path:
    from datetime import UTC, datetime

    stamp = (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    n = 2
    while os.path.lexists(candidate):  # a dangling link counts as taken
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def write_checked_backup(path: Path, busy_timeout_ms: int) -> Path:
    """Copy the file beside itself under a temporary name, check the copy, then give it its
    name: a crash at any point leaves either no backup or a complete one."""
    from desktop.core.outputs import create_new_file, place_new, temp_name

    backup = backup_path_for(path)
    temp = temp_name(backup)
    try:
        # Made here, exclusively, so the copy never goes through a link planted at its name.
        create_new_file(temp, b"")
    except InvalidInput as exc:
        raise ProjectOpenError(path, f"cannot make a backup before upgrading ({exc})") from None
    try:
        with closing(connect_raw(path, read_only=True, busy_timeout_ms=busy_timeout_ms)) as src:
            copy_database(src, temp)
        with closing(sqlite3.connect(f"{temp.as_uri()}?mode=ro", uri=True)) as check:
            result = check.execute("PRAGMA integrity_check(1)").fetchone()[0]
        if result != "ok":
            raise ProjectOpenError(path, f"cannot be backed up before upgrading ({result})")
        with open(temp, "rb") as fh:
            os.fsync(fh.fileno())
        try:
            place_new(temp, backup)
        except InvalidInput as exc:
            raise ProjectOpenError(path, f"cannot make a backup before upgrading ({exc})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return backup


def _upgrade(store: SqliteStore, revision: str | None, head: str) -> None:
    path = store.path
    try:
        backup = write_checked_backup(path, store.busy_timeout_ms)
    except sqlite3.Error as exc:
        raise database_error(path, exc, store.busy_timeout_ms) from None
    try:
        with store.translate_errors(), store.engine.connect() as conn:
            _outside_transaction(conn, "PRAGMA journal_mode = DELETE")
        upgrade_schema(store)
    except Exception as exc:
        # The migration ran in one transaction and was rolled back: the file is as it was,
        # and the backup of it is not needed.
        backup.unlink(missing_ok=True)
        if isinstance(exc, ProjectBusy | ReadOnlyProjectError):
            raise
        orig = getattr(exc, "orig", None) or getattr(exc, "__cause__", None) or exc
        error = database_error(path, orig, store.busy_timeout_ms)
        if isinstance(error, ProjectBusy | ReadOnlyProjectError):
            raise error from exc
        raise ProjectOpenError(
            path,
            f"upgrade from schema {revision} failed ({_one_line(str(orig))}); "
            "the file is unchanged",
        ) from exc
    with closing(store.raw_connection()) as check_conn:
        problems = check_database(check_conn)
    if problems:
        store.close()
        with closing(connect_raw(backup, read_only=True, busy_timeout_ms=5000)) as source:
            copy_database(source, path)
        raise ProjectOpenError(
            path,
            "upgrade failed its checks (" + "; ".join(problems) + "); "
            f"the file was restored from the backup {backup.name}",
        )
    store.backup_path = backup
    store.messages.append(
        f"Upgraded from schema {revision} to {head}; integrity and foreign keys checked; "
        f"the original was saved as {backup.name}."
    )


def upgrade_schema(store: SqliteStore, target: str = "head") -> None:
    """Migrate in one transaction: SQLite DDL is transactional, so a failure leaves no trace."""
    from desktop.core.store import migrate

    with store.engine.connect() as conn:
        # Foreign keys must be off while batch mode recreates tables, and can only be
        # switched outside a transaction.
        _outside_transaction(conn, "PRAGMA foreign_keys = OFF")
        try:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                migrate.run_migrations(conn, target)
                ensure_audit_triggers(conn)
        finally:
            _outside_transaction(conn, "PRAGMA foreign_keys = ON")


def _outside_transaction(conn: Connection, sql: str) -> None:
    """Run a pragma that SQLite ignores inside a transaction, on the driver connection itself
    (SQLAlchemy would begin a transaction first)."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection) and not driver.in_transaction
    driver.execute(sql)


# --- creating -------------------------------------------------------------------------------


def _new_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path).expanduser().absolute()
    if p.is_symlink():
        # Even a dangling link or a loop: a new project never replaces anything.
        raise ProjectOpenError(p, "is a symbolic link; choose another name")
    if os.path.lexists(p):
        raise ProjectOpenError(p, "already exists; choose another name")
    if not p.parent.is_dir():
        raise ProjectOpenError(p, f"cannot be created: the folder {shown(p.parent)} does not exist")
    return p


def _move_into_place(temp: Path, final: Path) -> None:
    """Give the finished file its name without ever replacing something that took the name
    meanwhile (a hard link fails if the name exists; a rename would overwrite it)."""
    try:
        os.link(temp, final)
    except FileExistsError:
        raise ProjectOpenError(final, "already exists; choose another name") from None
    except OSError:
        # Some shared drives have no hard links: check, then rename.
        if os.path.lexists(final):
            raise ProjectOpenError(final, "already exists; choose another name") from None
        os.replace(temp, final)
        return
    temp.unlink()


@contextmanager
def create_sqlite(
    path: str | os.PathLike[str], *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Iterator[SqliteStore]:
    """Yield a fresh project at a temporary name; on success it is moved to ``path``.

    Built aside and renamed into place, so a failed ``new`` leaves nothing behind and never
    overwrites anything.
    """
    from desktop.core.outputs import create_new_file, temp_name

    final = _new_path(path)
    temp = temp_name(final)
    try:
        # Created here, exclusively: SQLite would follow a link planted at this name.
        create_new_file(temp, b"")
    except InvalidInput as exc:
        raise ProjectOpenError(final, f"cannot be created ({exc})") from None
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
    store = SqliteStore(temp, busy_timeout_ms=busy_timeout_ms)
    try:
        upgrade_schema(store)
        yield store
        store.close()
        _move_into_place(temp, final)
        store._path = final
        store.location = str(final)
    except BaseException:
        store.close()
        temp.unlink(missing_ok=True)
        journal_path(temp).unlink(missing_ok=True)
        raise
