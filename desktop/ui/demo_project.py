"""The bundled demo project in the user's data folder, made on first use."""

from __future__ import annotations

from pathlib import Path

from desktop.ui.settings import Settings

DEMO_FILE = "Demo.crosscheck"
DEMO_REVIEWER = "Crosscheck demo"


def demo_path() -> Path:
    """Where the first run puts the demo project (computed now, so tests can move it)."""
    import platformdirs

    return platformdirs.user_data_path("crosscheck") / DEMO_FILE


def create_demo(path: Path, reviewer: str) -> Path:
    """Make the demo project: the five seed articles, no annotations."""
    from desktop.core import demo, operations
    from desktop.core.store import create_store

    path.parent.mkdir(parents=True, exist_ok=True)
    with create_store(path) as project:
        operations.record_project_created(project, name=demo.demo_name(), reviewer=reviewer)
        demo.add_demo_articles(project, reviewer=reviewer)
    return path


def ensure_demo(settings: Settings | None = None) -> Path:
    """The demo project in the user's data folder, made if it is not there yet."""
    path = demo_path()
    if path.is_file():
        return path
    return create_demo(path, (settings or Settings()).reviewer or DEMO_REVIEWER)
