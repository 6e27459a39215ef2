"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every void-returning call and
soon dies with ``Fatal Python error: none_dealloc``. The article view makes tens of thousands
of such calls per article, so the pinned Qt must survive them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CALLS = 20_000

SCRIPT = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtGui import QGuiApplication, QTextCharFormat, QTextCursor, QTextDocument

    app = QGuiApplication([])
    document = QTextDocument()
    document.setPlainText("word " * 2_000)
    fmt = QTextCharFormat()
    fmt.setFontUnderline(True)
    cursor = QTextCursor(document)
    before = sys.getrefcount(None)
    cursor.beginEditBlock()
    for i in range({CALLS} // 4):
        cursor.setPosition(i % 9_000)  # void
        cursor.setPosition(i % 9_000 + 3, QTextCursor.MoveMode.KeepAnchor)  # void
        cursor.mergeCharFormat(fmt)  # void
        cursor.setCharFormat(fmt)  # void
    cursor.endEditBlock()
    after = sys.getrefcount(None)
    print(before, after)
    """
)


def test_twenty_thousand_void_calls_leave_none_alone() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, f"crashed ({result.returncode}): {result.stderr[-2000:]}"
    before, after = (int(n) for n in result.stdout.split())
    # A broken binding loses one reference per call: thousands, not a handful.
    assert after >= before - 10, (before, after)
