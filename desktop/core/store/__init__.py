"""The one way into a project's data: ``open_store`` and ``create_store``.

A project is one SQLite file today; every read and write goes through the ``Store`` these
return, so another backend is a new module here, not a change elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.core.store.base import DEFAULT_BUSY_TIMEOUT_MS, Store, Watcher

Target = str | os.PathLike[str]


def is_server_url(target: object) -> bool:
    """A ``postgresql://`` URL rather than a file's path."""
    return (
        isinstance(target, str)
        and target.split(":", 1)[0].lower()
        in (
            "postgresql",
            "postgres",
        )
        and "://" in target
    )


def open_store(
    target: Target,
    *,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    password: str | None = None,
) -> Store:
    """Open a project, a file or a server URL (upgrading an older schema first). Raises a
    CrosscheckError with a one-line reason; the project is then unchanged."""
    if is_server_url(target):
        from desktop.core.store.postgres import open_postgres

        return open_postgres(
            str(target), read_only=read_only, busy_timeout_ms=busy_timeout_ms, password=password
        )
    from desktop.core.store.sqlite import open_sqlite

    return open_sqlite(target, read_only=read_only, busy_timeout_ms=busy_timeout_ms)


def holds_project(target: Target, *, password: str | None = None) -> bool:
    """Whether something is at ``target`` that opening would take for a project: a file at
    the path (checked when opened), or a project in the server database."""
    if is_server_url(target):
        from desktop.core.store.postgres import holds_project as server_holds_project

        return server_holds_project(str(target), password=password)
    from pathlib import Path

    path = Path(target).expanduser()
    return path.exists() or path.is_symlink()


@contextmanager
def create_store(
    target: Target, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, password: str | None = None
) -> Iterator[Store]:
    """A new, empty project at the current schema. A file exists at ``target`` only if the
    block finishes, and nothing that exists is ever replaced; a server database must be empty,
    and is left so if the block fails."""
    if is_server_url(target):
        from desktop.core.store.postgres import create_postgres

        with create_postgres(str(target), busy_timeout_ms=busy_timeout_ms, password=password) as pg:
            yield pg
        return
    from desktop.core.store.sqlite import create_sqlite

    with create_sqlite(target, busy_timeout_ms=busy_timeout_ms) as store:
        yield store


__all__ = [
    "DEFAULT_BUSY_TIMEOUT_MS",
    "Store",
    "Watcher",
    "create_store",
    "holds_project",
    "is_server_url",
    "open_store",
]
