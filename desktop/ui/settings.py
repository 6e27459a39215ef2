"""The user's settings: a typed face over one INI file in the user's config folder.

The file's path is computed when Settings is made, so a changed ``XDG_CONFIG_HOME`` (as in
tests) is honoured. Values that are lists are stored as JSON text: QSettings' own list
handling in INI files turns a one-item list into a plain string.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

REVIEWER_ENV = "CROSSCHECK_REVIEWER"
MAX_RECENT = 10


def settings_path() -> Path:
    import platformdirs

    return platformdirs.user_config_path("crosscheck") / "crosscheck.ini"


class Settings:
    """Reviewer, recent files, last project, window layout, panes and compare mode."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self._q = QSettings(str(self.path), QSettings.Format.IniFormat)

    # --- reviewer -------------------------------------------------------------------------

    @property
    def stored_reviewer(self) -> str:
        return str(self._q.value("reviewer", "") or "")

    @stored_reviewer.setter
    def stored_reviewer(self, name: str) -> None:
        self._q.setValue("reviewer", name.strip())

    @property
    def reviewer(self) -> str:
        """Who makes changes: ``CROSSCHECK_REVIEWER`` wins over the stored name; may be ''."""
        return os.environ.get(REVIEWER_ENV, "").strip() or self.stored_reviewer

    @property
    def reviewer_from_env(self) -> bool:
        return bool(os.environ.get(REVIEWER_ENV, "").strip())

    # --- files ----------------------------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """Most recent first; files that no longer exist are left out."""
        return [Path(p) for p in self.recent_projects() if not _is_url(p)]

    def recent_projects(self) -> list[str]:
        """Files (that still exist) and server projects (URLs without password), most
        recent first."""
        saved = self._json("recent_files", [])
        entries = [str(p) for p in saved] if isinstance(saved, list) else []
        return [e for e in entries if _is_url(e) or Path(e).is_file()][:MAX_RECENT]

    def add_recent(self, project: Path | str) -> None:
        """Remember a project file, or a server project by its URL, which must not hold a
        password (give ``Store.location``, which never does)."""
        entry = str(project) if _is_url(project) else str(Path(project).absolute())
        rest = [e for e in self.recent_projects() if e != entry]
        self._set_json("recent_files", [entry, *rest][:MAX_RECENT])
        self._q.setValue("last_project", entry)

    def clear_recent(self) -> None:
        self._set_json("recent_files", [])

    @property
    def last_project(self) -> Path | None:
        """The last project file (None if the last project was on a server)."""
        value = self.last_target
        return Path(value) if value and not _is_url(value) else None

    @last_project.setter
    def last_project(self, path: Path | None) -> None:
        self._q.setValue("last_project", str(path) if path else "")

    @property
    def last_target(self) -> str | None:
        """The last project: a file's path or a server URL (without password)."""
        value = str(self._q.value("last_project", "") or "")
        return value or None

    @property
    def export_folder(self) -> Path:
        """Where exports go by default: the folder last exported to if it still exists,
        else the user's Documents folder (else home)."""
        saved = str(self._q.value("export_folder", "") or "")
        if saved and Path(saved).is_dir():
            return Path(saved)
        from PySide6.QtCore import QStandardPaths

        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        if documents and Path(documents).is_dir():
            return Path(documents)
        return Path.home()

    @export_folder.setter
    def export_folder(self, folder: Path) -> None:
        self._q.setValue("export_folder", str(Path(folder).absolute()))

    # --- window ---------------------------------------------------------------------------

    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._q.setValue("window/geometry", geometry)
        self._q.setValue("window/state", state)

    def panes(self, project: Path | str) -> list[str | None] | None:
        """The article in each pane when ``project`` was last closed, or None if unknown."""
        saved = self._json("panes", {})
        if not isinstance(saved, dict) or saved.get("project") != str(project):
            return None
        articles = saved.get("articles")
        if not isinstance(articles, list) or not articles:
            return None
        return [a if isinstance(a, str) else None for a in articles]

    def save_panes(self, project: Path | str, articles: list[str | None]) -> None:
        self._set_json("panes", {"project": str(project), "articles": articles})
        self._q.setValue("pane_count", len(articles))

    @property
    def pane_count(self) -> int:
        try:
            return max(1, int(self._q.value("pane_count", 2)))
        except (TypeError, ValueError):
            return 2

    @property
    def compare_mode(self) -> bool:
        return str(self._q.value("compare_mode", "false")).lower() == "true"

    @compare_mode.setter
    def compare_mode(self, on: bool) -> None:
        self._q.setValue("compare_mode", "true" if on else "false")

    def sync(self) -> None:
        """Write to disk now (QSettings otherwise writes later, or at exit)."""
        self._q.sync()

    # --- plumbing -------------------------------------------------------------------------

    def _json(self, key: str, default: object) -> object:
        raw = self._q.value(key, "")
        if not raw:
            return default
        try:
            return json.loads(str(raw))
        except ValueError:
            return default

    def _set_json(self, key: str, value: object) -> None:
        self._q.setValue(key, json.dumps(value, ensure_ascii=False))

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._q.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def _is_url(value: object) -> bool:
    from desktop.core.store import is_server_url

    return is_server_url(str(value))
