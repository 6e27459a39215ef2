"""Screenshots of the main window on the demo project, with annotations of every verdict.

Run: ``python tests/benchmarks/make_screenshots.py [OUT_DIR]`` (default /tmp). Writes
shot-light-2.png, shot-light-4.png, shot-dark-2.png, shot-dark-4.png and, with ``--readme``,
``resources/screenshots/main-window.png`` (light, 2 panes, 1366×768: a laptop screen).
Runs offscreen in a throwaway home, so the user's settings are untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_HOME = tempfile.mkdtemp(prefix="crosscheck-shots-")
os.environ.update(
    {
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "HOME": _HOME,
        "XDG_CONFIG_HOME": f"{_HOME}/.config",
        "XDG_DATA_HOME": f"{_HOME}/.local/share",
        "CROSSCHECK_REVIEWER": "Maria Lopez",
    }
)

from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop import app as desktop_app  # noqa: E402
from desktop.core import operations  # noqa: E402
from desktop.core.anchoring import find_quote  # noqa: E402
from desktop.core.store import open_store, reads  # noqa: E402
from desktop.ui import demo_project  # noqa: E402

# (article index, quote, verdict, note, sources, reviewer)
TAGS = [
    (0, "Azerbaijan has cancelled all planned cultural events", "supported",
     "Confirmed by the Culture Ministry statement of 29 June.",
     ["https://mincom.gov.az/en/news"], "Maria Lopez"),
    (0, "over the deaths of two Azerbaijani citizens", "disputed",
     "Relatives say the men were beaten; police say one died of heart failure.", [],
     "Maria Lopez"),
    (0, "a total of nine individuals were detained", "unverified",
     "No police statement found yet.", [], "Sam Okafor"),
    (0, "an unsolved 2001 murder", "supported", "", [], "Sam Okafor"),
    (1, "Azerbaijan has suspended all planned cultural events", "supported", "", [],
     "Sam Okafor"),
    (1, "were killed during the operation", "disputed",
     "The reference version says they died; cause not established.", [], "Maria Lopez"),
    (1, "nine were detained", "unverified", "", [], "Maria Lopez"),
    (2, "Alleged Extrajudicial Killings", "disputed",
     "No court or rights body has used this word.", [], "Sam Okafor"),
    (2, "The Culture Ministry of Azerbaijan announced the decision on June 29", "supported",
     "", [], "Maria Lopez"),
]  # fmt: skip


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2e",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e20",
        QPalette.ColorRole.AlternateBase: "#26262a",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353539",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d6fb4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#353539",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.Mid: "#505055",
        QPalette.ColorRole.Midlight: "#3a3a3e",
        QPalette.ColorRole.Dark: "#1a1a1c",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):  # fmt: skip
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p


def tag_demo(path: Path) -> None:
    project = open_store(path)
    try:
        with project.read() as session:
            summaries = reads.article_summaries(session)
            texts = [reads.article_text(session, s.id) for s in summaries]
        for index, quote, verdict, note, sources, reviewer in TAGS:
            start, end = find_quote(texts[index], quote)
            operations.annotate(
                project, summaries[index].id, start, end, verdict,
                reviewer=reviewer, note=note, sources=sources,
            )  # fmt: skip
        # One overlapping span inside the supported one.
        start, end = find_quote(texts[0], "cultural events hosted alongside Russian")
        operations.annotate(project, summaries[0].id, start, end, "disputed", reviewer="Sam Okafor")
    finally:
        project.close()


def shoot(window, out: Path, panes: int) -> None:
    window.panes.set_pane_count(panes)
    articles = window.article_panel.model.summaries()
    for pane, summary in zip(window.panes.panes(), articles, strict=False):
        window.panes.show_article(pane, summary.id)
    window.resize(1366, 768)
    app = QApplication.instance()
    for _ in range(3):
        app.processEvents()
    first = window.annotation_panel.model.find(window.annotation_panel.model.annotation(0).id)
    window.annotation_panel.select_annotation(first.id)
    # The editor shows the annotation; the pane shows its highlight, not a selection over it.
    for pane in window.panes.panes():
        cursor = pane.view.textCursor()
        cursor.clearSelection()
        pane.view.setTextCursor(cursor)
    app.processEvents()
    window.grab().save(str(out))
    print(out)


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out_dir = Path(args[0]) if args else Path("/tmp")
    app = desktop_app.application()
    app.setStyle("Fusion")
    path = demo_project.create_demo(demo_project.demo_path(), "Maria Lopez")
    tag_demo(path)
    window = desktop_app.open_window(path)
    shoot(window, out_dir / "shot-light-2.png", 2)
    shoot(window, out_dir / "shot-light-4.png", 4)
    if "--readme" in sys.argv:
        target = ROOT / "resources" / "screenshots" / "main-window.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shoot(window, target, 2)
    window.close()
    app.setPalette(dark_palette())
    window = desktop_app.open_window(path)
    shoot(window, out_dir / "shot-dark-2.png", 2)
    shoot(window, out_dir / "shot-dark-4.png", 4)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
