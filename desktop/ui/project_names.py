"""How the window names a project and where its dialogs start, for a file or a server."""

from __future__ import annotations

from pathlib import Path

from desktop.core.store import Store


def project_label(project: Store) -> str:
    """The file's name, or the server database's name."""
    return project.path.name if project.path is not None else project.display_name


def project_folder(project: Store | None) -> Path:
    """Where file dialogs start: beside the project file, else the home folder."""
    if project is not None and project.path is not None:
        return project.path.parent
    return Path.home()


def project_key(project: Store) -> str:
    """What settings remember the project by: its file's path, or its URL without password."""
    return str(project.path) if project.path is not None else project.location
