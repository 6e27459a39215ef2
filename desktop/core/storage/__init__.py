"""Project files: typed tables, the SQLite engine, opening, creating and upgrading."""

from desktop.core.storage.project import Project, new_project_file, open_project

__all__ = ["Project", "new_project_file", "open_project"]
