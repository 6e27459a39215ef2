"""Shared fixtures. Qt runs offscreen; no test touches the user's real settings or data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core import demo, operations
from desktop.core.storage import Project, new_project_file, open_project

REVIEWER = "Test Reviewer"


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


def make_project(path: Path, *, with_demo: bool = True, reviewer: str = REVIEWER) -> Path:
    with new_project_file(path) as project:
        operations.record_project_created(project, name=path.stem, reviewer=reviewer)
        if with_demo:
            demo.add_demo_articles(project, reviewer=reviewer)
    return path


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A fresh demo project file (five seed articles, no annotations)."""
    return make_project(tmp_path / "demo.crosscheck")


@pytest.fixture
def demo_project(demo_path: Path) -> Iterator[Project]:
    project = open_project(demo_path)
    yield project
    project.close()


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
