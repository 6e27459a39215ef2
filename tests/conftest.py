"""Shared fixtures. Qt runs offscreen; no test touches the user's real settings or data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core import demo, operations
from desktop.core.store import Store, create_store, open_store

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
    with create_store(path) as project:
        operations.record_project_created(project, name=path.stem, reviewer=reviewer)
        if with_demo:
            demo.add_demo_articles(project, reviewer=reviewer)
    return path


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A fresh demo project file (five seed articles, no annotations)."""
    return make_project(tmp_path / "demo.crosscheck")


@pytest.fixture
def demo_project(demo_path: Path) -> Iterator[Store]:
    project = open_store(demo_path)
    yield project
    project.close()
