"""Projects on a PostgreSQL server: everything that is particular to PostgreSQL.

A project is one database, named by a libpq URL (``postgresql:///crosscheck?host=/run/postgresql``,
``postgresql://user@host:5432/db?sslmode=require``). The password comes from libpq's usual
places (the password file, ``PGPASSWORD``) or from a prompt, and is never part of a message:
``location`` is the URL without it.

Every write transaction first takes a transaction-scoped advisory lock, so that concurrent
writers append to the audit chain one after another and never fork it. Triggers refuse UPDATE,
DELETE and TRUNCATE on the audit table, and announce each new event with NOTIFY (payload: its
sequence number), which is how open windows learn of other reviewers' changes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from desktop.core.errors import (
    CrosscheckError,
    ProjectBusy,
    ProjectOpenError,
    ReadOnlyProjectError,
    StoreUnavailable,
)
from desktop.core.store.base import DEFAULT_BUSY_TIMEOUT_MS, WAIT_OPTION, Store, Watcher
from desktop.core.store.version import HEAD_REVISION

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy import Connection, Engine

# The key of the advisory lock that orders writers of one project ("XCHK").
CHAIN_LOCK = 0x5843484B
CHANNEL = "crosscheck_events"
OLDEST_SERVER = 120000  # PostgreSQL 12
CONNECT_TIMEOUT_S = 10

AUDIT_GUARDS = (
    "CREATE OR REPLACE FUNCTION crosscheck_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
    "CREATE OR REPLACE FUNCTION crosscheck_announce() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', NEW.seq::text); RETURN NEW; END $$",
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION crosscheck_refuse_change()",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION crosscheck_refuse_change()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION crosscheck_refuse_change()",
    "CREATE TRIGGER audit_events_announce AFTER INSERT ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION crosscheck_announce()",
)
GUARD_TRIGGERS = (
    "audit_events_no_update",
    "audit_events_no_delete",
    "audit_events_no_truncate",
    "audit_events_announce",
)


def redact(url: str) -> str:
    """The URL without its password (in the user part or as a parameter)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    pairs = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "password"]
    query = urlencode(pairs, safe="/:")  # socket folders stay readable
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _conninfo_dict(url: str) -> dict[str, Any]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return dict(conninfo_to_dict(url))
    except Exception as exc:  # psycopg.ProgrammingError, with the URL's parse error
        raise ProjectOpenError(
            redact(url), f"is not a usable server address ({_clean(str(exc), url)})"
        ) from None


def _clean(text: str, url: str, password: str | None = None) -> str:
    """One line, without any password."""
    secrets = [p for p in (password, _password_in(url)) if p]
    for secret in secrets:
        text = text.replace(secret, "***")
    text = re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)
    text = text.replace("connection failed:", "")
    # libpq's guess that follows a dropped connection is a second sentence, not the cause.
    text = re.sub(
        r"\s*This probably means the server terminated abnormally.*", "", text, flags=re.S
    )
    return " ".join(text.split())


def _password_in(url: str) -> str | None:
    parts = urlsplit(url)
    if "@" in parts.netloc and ":" in parts.netloc.rsplit("@", 1)[0]:
        return parts.netloc.rsplit("@", 1)[0].split(":", 1)[1] or None
    return dict(parse_qsl(parts.query)).get("password")


class PasswordNeeded(ProjectOpenError):
    """The server asks for a password that none of libpq's usual places gave."""


class PostgresStore(Store):
    kind = "postgresql"
    # The server keeps integrity and foreign keys itself; verify checks its audit guards.
    database_checks = "the server's audit guards checked"

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        read_only_reason: str | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        super().__init__(
            redact(url), read_only_reason=read_only_reason, busy_timeout_ms=busy_timeout_ms
        )
        self._url = url
        self._password = password
        info = _conninfo_dict(url)
        self._dbname = str(info.get("dbname") or info.get("user") or "postgres")

    @property
    def display_name(self) -> str:
        return self._dbname

    def connect(
        self, *, autocommit: bool = False, keepalives: bool = False
    ) -> psycopg.Connection[Any]:
        """A new driver connection (the password, if one was typed, goes straight to libpq).
        ``keepalives`` for a connection that waits long without a query (the watcher's)."""
        import psycopg

        kwargs: dict[str, Any] = {"autocommit": autocommit}
        if keepalives and "keepalives" not in self._url:
            kwargs.update(keepalives=1, keepalives_idle=10, keepalives_interval=5,
                          keepalives_count=3)  # fmt: skip
        if self._password is not None:
            kwargs["password"] = self._password
        if "connect_timeout" not in self._url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
        try:
            return psycopg.connect(self._url, **kwargs)
        except psycopg.Error as exc:
            raise self.translate(exc) or exc from None

    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import QueuePool

        # Transactions are begun here, not by the driver: a write's BEGIN then goes to the
        # server in one round trip with the lock it takes (see _after_write_begin). The
        # driver still ends them: commit() and rollback() send COMMIT and ROLLBACK whenever
        # a transaction is open.
        engine = create_engine(
            "postgresql+psycopg://",
            creator=self._pooled_connection,
            poolclass=QueuePool,
            pool_size=2,
            max_overflow=6,
            isolation_level="AUTOCOMMIT",
        )
        # A server restart must not cost the next edit; found without a round trip.
        event.listen(engine, "checkout", _discard_if_dropped)
        return engine

    def _pooled_connection(self) -> psycopg.Connection[Any]:
        """A connection for the pool, waiting for locks as long as this store waits (set once
        here, so that a write does not pay a round trip for it)."""
        conn = self.connect(autocommit=True)
        try:
            conn.execute(f"SET lock_timeout = {int(self.busy_timeout_ms)}")
        except Exception:
            conn.close()
            raise
        return conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One consistent snapshot for every statement of the block."""
        with self.translate_errors(), self.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
            yield conn

    def _after_write_begin(self, conn: Connection) -> None:
        wait = conn.get_execution_options().get(WAIT_OPTION)
        timeout = ""
        if wait is not None and wait != self.busy_timeout_ms:
            timeout = f"SET LOCAL lock_timeout = {int(wait)}; "
        # Writers queue here, so each appends to the chain's head as it then is. (A statement
        # of its own: one that also read the head would read it as it was before the wait.)
        conn.exec_driver_sql(f"BEGIN; {timeout}SELECT pg_advisory_xact_lock({CHAIN_LOCK})")

    def translate(self, exc: BaseException) -> CrosscheckError | None:
        import psycopg

        orig = exc if isinstance(exc, psycopg.Error) else getattr(exc, "orig", None)
        if not isinstance(orig, psycopg.Error):
            return None
        return server_error(self.location, orig, self._url, self._password, self.busy_timeout_ms)

    def watcher(self) -> Watcher:
        return ListenWatcher(self)

    def check_database(self) -> list[str]:
        from sqlalchemy import text

        with self.read() as conn:
            present: dict[str, str] = dict(
                conn.execute(
                    text(
                        "SELECT tgname, tgenabled FROM pg_trigger "
                        "WHERE tgrelid = to_regclass('audit_events') AND NOT tgisinternal"
                    )
                ).all()
            )
        problems = []
        missing = [name for name in GUARD_TRIGGERS if name not in present]
        if missing:
            problems.append("audit triggers missing: " + ", ".join(missing))
        # 'D' is disabled; the others (origin, always, replica) all fire for our sessions.
        disabled = [name for name in GUARD_TRIGGERS if present.get(name) == "D"]
        if disabled:
            problems.append("audit triggers disabled: " + ", ".join(disabled))
        return problems


def _discard_if_dropped(driver_conn: Any, record: Any, proxy: Any) -> None:
    """Pool checkout: a connection the server has closed while it sat in the pool (a restart,
    ``pg_terminate_backend``) has its farewell waiting on the socket; such a connection is
    replaced instead of failing the next statement."""
    import select

    from psycopg import pq
    from sqlalchemy.exc import DisconnectionError

    conn = driver_conn
    try:
        if conn.closed or conn.broken:
            raise DisconnectionError("closed")
        if select.select([conn.fileno()], [], [], 0)[0]:
            conn.pgconn.consume_input()
            if conn.pgconn.status != pq.ConnStatus.OK:
                raise DisconnectionError("dropped by the server")
    except DisconnectionError:
        raise
    except Exception as exc:  # reading the socket failed: it is gone
        raise DisconnectionError(str(exc)) from exc


def server_error(
    location: str,
    exc: BaseException,
    url: str,
    password: str | None,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> CrosscheckError:
    import psycopg
    from psycopg import errors as pg

    text = _clean(str(exc), url, password)
    if isinstance(exc, pg.LockNotAvailable | pg.QueryCanceled) and "lock" in text:
        return ProjectBusy(
            f"{location}: another reviewer's write held the project "
            f"(waited {busy_timeout_ms / 1000:g} s); try again"
        )
    if "audit events are append-only" in text:
        return CrosscheckError(f"{location}: audit events are append-only; nothing was changed")
    if "no password supplied" in text or "password is required" in text:
        return PasswordNeeded(
            location, "needs a password (none was found in PGPASSWORD or the password file)"
        )
    if "password authentication failed" in text:
        return ProjectOpenError(location, "the server refused the password or the user name")
    if "does not exist" in text and "database" in text:
        return ProjectOpenError(location, f"no such database ({text})")
    if isinstance(exc, pg.InsufficientPrivilege):
        return ReadOnlyProjectError(
            f"{location}: your database role may not do this ({text}); nothing was changed"
        )
    if "invalid" in text and ("value" in text or "option" in text or "URI" in text):
        return ProjectOpenError(location, f"is not a usable server address ({text})")
    if "SSL" in text or "certificate" in text:
        return StoreUnavailable(f"{location}: secure connection failed ({text})")
    if isinstance(exc, psycopg.OperationalError | pg.AdminShutdown | pg.ConnectionFailure):
        return StoreUnavailable(
            f"{location}: cannot reach the server ({text}); nothing was changed"
        )
    return CrosscheckError(f"{location}: database error: {text}")


class ListenWatcher(Watcher):
    """LISTEN on a connection of its own; each committed audit event arrives as a notification.

    A poll never blocks: it reads what the socket already holds. A connection the server
    dropped (restart, ``pg_terminate_backend``, a network gone) is reported as StoreUnavailable
    at the poll that finds it; the next poll connects again. Over TCP, keepalives make a
    silently vanished network show up within about half a minute.
    """

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._conn: psycopg.Connection[Any] | None = None
        self._lost = False  # the connection dropped: what came meanwhile was not heard

    def poll(self) -> bool:
        return self.wait(0)

    def wait(self, timeout: float) -> bool:
        """Like poll, but waits up to ``timeout`` seconds for a commit to be announced."""
        import psycopg

        try:
            if self._conn is None:
                self._conn = self._store.connect(autocommit=True, keepalives=True)
                self._conn.execute(f"LISTEN {CHANNEL}")
                lost, self._lost = self._lost, False
                return lost
            return self._read(self._conn, timeout)
        except (psycopg.Error, OSError) as exc:
            self.close()
            self._lost = True
            if isinstance(exc, OSError):
                exc = psycopg.OperationalError(str(exc))
            raise self._store.translate(exc) or exc from None

    @staticmethod
    def _read(conn: psycopg.Connection[Any], timeout: float) -> bool:
        import select

        import psycopg
        from psycopg import pq

        changed = False
        wait = timeout
        # The socket is readable on a notification, and also when the server has gone (an
        # error message, then the end of the stream): reading is what finds that out.
        while select.select([conn.fileno()], [], [], wait)[0]:
            conn.pgconn.consume_input()
            while conn.pgconn.notifies() is not None:
                changed = True
            if conn.pgconn.status != pq.ConnStatus.OK:
                raise psycopg.OperationalError("the connection to the server was lost")
            if changed:
                break
            wait = 0
        return changed

    def close(self) -> None:
        if self._conn is not None:
            # A broken connection may not close cleanly; it is gone anyway.
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


# --- opening and creating -------------------------------------------------------------------


def _probe(store: PostgresStore) -> tuple[str | None, bool, bool]:
    """(schema revision or None, whether other tables exist, whether the role may write)."""
    conn = store.connect(autocommit=True)
    try:
        version = conn.info.server_version
        if version < OLDEST_SERVER:
            raise ProjectOpenError(
                store.location,
                f"runs PostgreSQL {version // 10000}, and Crosscheck needs "
                f"{OLDEST_SERVER // 10000} or newer",
            )
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        ]
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
        others = bool(set(tables) - _own_tables())
        writable = True
        if "audit_events" in tables:
            row = conn.execute("SELECT has_table_privilege('audit_events', 'INSERT')").fetchone()
            writable = bool(row and row[0])
        return revision, others, writable
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise store.translate(exc) or exc from None
        raise
    finally:
        conn.close()


def _own_tables() -> set[str]:
    """Every table a project has (those of older schemas are a subset)."""
    from desktop.core.store.schema import Base

    return {"alembic_version", *Base.metadata.tables}


def holds_project(url: str, *, password: str | None = None) -> bool:
    """Whether the database already holds a Crosscheck project (it need not be current)."""
    store = PostgresStore(url, password=password)
    revision, _others, _writable = _probe(store)
    return revision is not None


def open_postgres(
    url: str,
    *,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    password: str | None = None,
) -> PostgresStore:
    store = PostgresStore(url, password=password, busy_timeout_ms=busy_timeout_ms)
    revision, _others, writable = _probe(store)
    if revision is None:
        raise ProjectOpenError(
            store.location, "holds no Crosscheck project (create one with `crosscheck new URL`)"
        )
    from desktop.core.store import migrate

    revisions = [HEAD_REVISION] if revision == HEAD_REVISION else migrate.known_revisions()
    if revision not in revisions:
        raise ProjectOpenError(
            store.location,
            f"was written by a newer version of Crosscheck (schema {revision!r} is unknown)",
        )
    if read_only:
        store.read_only_reason = "opened read-only on request"
    elif not writable:
        store.read_only_reason = "your database role may only read it"
    try:
        if revision != revisions[-1]:
            if store.read_only_reason:
                raise ProjectOpenError(
                    store.location,
                    f"uses an older schema and must be upgraded, but {store.read_only_reason}",
                )
            upgrade_schema(store)
            store.messages.append(
                f"Upgraded from schema {revision} to {revisions[-1]} in one transaction "
                "(keep the server's own backups: no copy is made on a server)."
            )
        if store.read_only_reason:
            store.messages.append(f"Opened read-only: {store.read_only_reason}.")
    except BaseException:
        store.close()
        raise
    return store


def upgrade_schema(store: PostgresStore, target: str = "head") -> None:
    """Migrate in one transaction, holding the writers' lock (DDL is transactional here too)."""
    from desktop.core.store import migrate

    with store.write() as conn:
        migrate.run_migrations(conn, target)


@contextmanager
def create_postgres(
    url: str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    password: str | None = None,
) -> Iterator[PostgresStore]:
    """A new project in an empty database. If the block fails, what was made is removed."""
    store = PostgresStore(url, password=password, busy_timeout_ms=busy_timeout_ms)
    revision, others, _writable = _probe(store)
    if revision is not None:
        raise ProjectOpenError(store.location, "already holds a Crosscheck project")
    if others:
        raise ProjectOpenError(
            store.location,
            "already holds other tables; give an empty database (CREATE DATABASE name)",
        )
    try:
        upgrade_schema(store)
        yield store
    except BaseException:
        _drop_everything(store)
        raise
    finally:
        store.close()


def _drop_everything(store: PostgresStore) -> None:
    from desktop.core.store.schema import Base

    tables = ", ".join(["alembic_version", *Base.metadata.tables])
    try:
        conn = store.connect(autocommit=True)
    except CrosscheckError:
        return
    try:
        conn.execute(f"DROP TABLE IF EXISTS {tables} CASCADE")
        conn.execute("DROP FUNCTION IF EXISTS crosscheck_refuse_change(), crosscheck_announce()")
    finally:
        conn.close()
