"""What every backend of a project store provides.

A Store is an open project. Every read and every write goes through its SQLAlchemy Core
connections: ``read()`` is one consistent read transaction, ``write()`` one write transaction
that holds whatever the backend needs so that concurrent writers never fork the audit chain.
What is particular to a database lives in its backend module (``store.sqlite``,
``store.postgres``), which may also offer faster private paths for a few heavy reads.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from desktop.core.errors import CrosscheckError, ReadOnlyProjectError, shown

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from desktop.core.records import AnnotationFilter
    from desktop.core.replay import ReplayReport

DEFAULT_BUSY_TIMEOUT_MS = 5_000
# Execution options read by the backends when a transaction begins.
WRITE_OPTION = "crosscheck_write"
WAIT_OPTION = "crosscheck_wait_ms"


class Watcher(abc.ABC):
    """Tells cheaply whether anyone (this process included) committed since the last poll."""

    @abc.abstractmethod
    def poll(self) -> bool:
        """True when something was committed since the previous poll. Raises a
        CrosscheckError when the project cannot be reached (file gone, server down)."""

    def wait(self, timeout: float) -> bool:
        """Like poll, but waits up to ``timeout`` seconds for a commit (for a thread that
        waits for changes; a backend that is told of commits wakes at once)."""
        import time

        deadline = time.monotonic() + timeout
        while not self.poll():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(0.05, left))
        return True

    @abc.abstractmethod
    def close(self) -> None: ...


@dataclass(frozen=True)
class CsvSpec:
    """What the verdicts CSV holds, for a backend's fast path."""

    header: tuple[str, ...]
    filter: AnnotationFilter
    spreadsheet_safe: bool


class Store(abc.ABC):
    """An open project. ``location`` names it in messages: a path, or a URL without password."""

    kind: str = ""
    # What check_database checks, in the words of verify's summary.
    database_checks: str = "the database's own checks done"

    def __init__(
        self,
        location: str,
        *,
        read_only_reason: str | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        self.location = location
        self.read_only_reason = read_only_reason
        self.busy_timeout_ms = busy_timeout_ms
        self.messages: list[str] = []  # what opening did, for the user
        self.backup_path: Path | None = None
        self._engine: Engine | None = None

    # --- identity -------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The project file, for a backend that keeps the project in one."""
        return None

    @property
    def display_name(self) -> str:
        """A short name for titles and lists."""
        return self.location

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def __str__(self) -> str:
        return self.location

    # --- connections ----------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    @abc.abstractmethod
    def _make_engine(self) -> Engine: ...

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One consistent read transaction; nothing done in it is committed."""
        with self.translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, *, wait_ms: int | None = None) -> Iterator[Connection]:
        """One write transaction, committed when the block ends without an error.

        The backend takes its write lock when the transaction begins, so writers queue instead
        of failing halfway; ``wait_ms`` overrides how long to wait for it.
        """
        self.refuse_if_read_only()
        options: dict[str, Any] = {WRITE_OPTION: True}
        if wait_ms is not None:
            options[WAIT_OPTION] = wait_ms
        with self.translate_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(**options)
            with conn.begin():
                self._after_write_begin(conn)
                yield conn

    def _after_write_begin(self, conn: Connection) -> None:  # noqa: B027 - optional hook
        """Backend hook run first in every write transaction."""

    def refuse_if_read_only(self) -> None:
        if self.read_only_reason:
            raise ReadOnlyProjectError(
                f"{shown(self.location)} is open read-only ({self.read_only_reason}); "
                "nothing was changed"
            )

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn database errors raised inside the block into one-line CrosscheckErrors."""
        try:
            yield
        except CrosscheckError:
            raise
        except Exception as exc:
            error = self.translate(exc)
            if error is None:
                raise
            raise error from exc

    @abc.abstractmethod
    def translate(self, exc: BaseException) -> CrosscheckError | None:
        """The user's message for a database error, or None when ``exc`` is not one."""

    # --- what only a backend knows ---------------------------------------------------------

    @abc.abstractmethod
    def watcher(self) -> Watcher:
        """A new watcher of commits to this project."""

    @abc.abstractmethod
    def check_database(self) -> list[str]:
        """The database's own consistency checks and the audit table's guards; problems found."""

    def write_verdicts_csv(self, out: BinaryIO, spec: CsvSpec, progress: Any) -> int | None:
        """A faster private path for the verdicts CSV, or None to use the portable one."""
        return None

    def chain_payload_chunks(self, size: int) -> Iterator[Any] | None:
        """A faster private path for checking the audit chain, or None to use the portable one."""
        return None

    def replay_log(self, carried: Mapping[str, int]) -> ReplayReport | None:
        """A faster private path for comparing every row with the audit log
        (``core.replay``; ``carried``: the events merged in from copies), or None to use the
        portable one (``store.replay``)."""
        return None

    # --- closing --------------------------------------------------------------------------

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
