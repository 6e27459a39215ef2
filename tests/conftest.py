"""Shared fixtures. Qt runs offscreen; no test touches the user's real settings or data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core import demo, operations
from desktop.core.store import Store, create_store, open_store
from tests.backends import Attacker
from tests.pg import Server, start_server

Target = str | Path

REVIEWER = "Test Reviewer"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, recent files and the first-run demo go to a throwaway home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("CROSSCHECK_REVIEWER", raising=False)


def make_project(
    path: Target, *, with_demo: bool = True, reviewer: str = REVIEWER, name: str | None = None
) -> Target:
    """A project (a file, or a server database given by URL), named after its file or database
    unless ``name`` is given."""
    if name is not None:
        pass
    elif isinstance(path, Path):
        name = path.stem
    else:
        from urllib.parse import urlsplit

        name = urlsplit(str(path)).path.strip("/")
    with create_store(path) as project:
        operations.record_project_created(project, name=name, reviewer=reviewer)
        if with_demo:
            demo.add_demo_articles(project, reviewer=reviewer)
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    with start_server() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: Server) -> Iterator[str]:
    """A fresh, empty database on the test server."""
    with pg_server.database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: a test taking this runs on a project file and on a server."""
    return str(request.param)


@pytest.fixture
def new_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | Path:
    """Where a new project goes on this backend: a file's path, or an empty database's URL."""
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return tmp_path / "demo.crosscheck"


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A fresh demo project file (five seed articles, no annotations)."""
    return make_project(tmp_path / "demo.crosscheck")


@pytest.fixture
def demo_project(new_target: str | Path) -> Iterator[Store]:
    """The demo project, open, on each backend in turn."""
    project = open_store(make_project(new_target, name="demo"))
    yield project
    project.close()


@pytest.fixture
def demo_file_project(demo_path: Path) -> Iterator[Store]:
    """The demo project in a file: for what only a file has (its path, its pages, sqlite3)."""
    project = open_store(demo_path)
    yield project
    project.close()


@pytest.fixture
def attacker(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Attacker]:
    """Changes projects of this backend behind the program's back (on copies it makes)."""
    from contextlib import ExitStack

    with ExitStack() as stack:

        def new_url() -> str:
            server: Server = request.getfixturevalue("pg_server")
            return stack.enter_context(server.database())

        yield Attacker(backend, new_url if backend == "postgresql" else None, tmp_path)


@pytest.fixture
def password_url(pg_server: Server, pg_url: str) -> str:
    """The project as a role that must give its password (``s3cret-pw``)."""
    import psycopg

    from tests.pg import PASSWORD_ROLE, app_role, unavailable

    make_project(pg_url)
    url = app_role(pg_server, pg_url, PASSWORD_ROLE, "s3cret-pw")
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return url
    unavailable(f"the server lets {PASSWORD_ROLE} in without a password (see tests/pg.py)")
    return url


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Test web servers listen on the loopback address only, on a free port."""
    return ("127.0.0.1", 0)


# Figures that tests measure (extraction quality, hostile files), printed after the run.
MEASURED: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MEASURED:
        terminalreporter.section("measured")
        for line in MEASURED:
            terminalreporter.write_line(line)
