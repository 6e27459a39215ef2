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


def open_store(
    target: Target, *, read_only: bool = False, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Store:
    """Open a project (upgrading an older schema after a backup). Raises a CrosscheckError
    with a one-line reason; the project is then unchanged."""
    from desktop.core.store.sqlite import open_sqlite

    return open_sqlite(target, read_only=read_only, busy_timeout_ms=busy_timeout_ms)


@contextmanager
def create_store(
    target: Target, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Iterator[Store]:
    """A new, empty project at the current schema; it exists at ``target`` only if the block
    finishes, and nothing that exists is ever replaced."""
    from desktop.core.store.sqlite import create_sqlite

    with create_sqlite(target, busy_timeout_ms=busy_timeout_ms) as store:
        yield store


__all__ = ["DEFAULT_BUSY_TIMEOUT_MS", "Store", "Watcher", "create_store", "open_store"]
