"""The bundled demo project: five versions of one story, from ``seeds/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.core import operations
from desktop.core.changes import ChangeSet
from desktop.core.importers import read_articles
from desktop.core.store import Store
from desktop.paths import data_dir


def seed_manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(
        (data_dir("seeds") / "manifest.json").read_text(encoding="utf-8")
    )
    return manifest


def add_demo_articles(project: Store, *, reviewer: str) -> ChangeSet:
    folder = data_dir("seeds")
    entries = seed_manifest()["articles"]
    assert isinstance(entries, list)
    articles = read_articles([Path(folder, e["file"]) for e in entries])
    metas = [
        operations.ArticleMeta(
            title=e["title"], outlet=e.get("outlet"), url=e.get("url"), published=e.get("published")
        )
        for e in entries
    ]
    return operations.import_articles(project, articles, reviewer=reviewer, meta=metas)


def demo_name() -> str:
    return str(seed_manifest()["name"])
