"""Cold start of ``crosscheck`` to a painted window, against a bare PySide6 window.

Run: ``python tests/benchmarks/bench_startup.py [--runs N]``

Both are fresh subprocesses timed the same way (wall time from spawn to exit), each quitting
right after its main window's first paint: ``python -m desktop`` on an existing demo project
with ``CROSSCHECK_EXIT_AFTER_PAINT=1``, and a script that shows an empty QMainWindow. Prints
the medians and their ratio; exits 1 when the ratio is above the target. Both start from
compiled bytecode, as an installed package does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = 1.5

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class QuitAfterPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1400, 860)
window.show()
watcher = QuitAfterPaint(window)
window.installEventFilter(watcher)
sys.exit(app.exec())
"""


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each (median; default 9)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="crosscheck-bench-"))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "CROSSCHECK_REVIEWER": "Benchmark",
        "CROSSCHECK_EXIT_AFTER_PAINT": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        # An installed package starts from compiled bytecode: let the untimed first run write
        # it (to a folder of its own, not the source tree), even where the shell forbids it.
        "PYTHONPYCACHEPREFIX": str(home / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bare_script = home / "bare_window.py"
    bare_script.write_text(BARE)
    app_cmd = [sys.executable, "-m", "desktop"]
    bare_cmd = [sys.executable, str(bare_script)]

    # The first run creates the demo project (and warms the file cache); not timed.
    _time(app_cmd, env)
    _time(bare_cmd, env)
    app_times, bare_times = [], []
    for _ in range(args.runs):  # interleaved, so drift in machine load hits both alike
        bare_times.append(_time(bare_cmd, env))
        app_times.append(_time(app_cmd, env))

    app_median = statistics.median(app_times)
    bare_median = statistics.median(bare_times)
    ratio = app_median / bare_median
    print(f"{'start-up to first paint':<34}{'median':>10}{'min':>10}{'max':>10}")
    for name, times in (
        ("crosscheck (demo project)", app_times),
        ("bare PySide6 window", bare_times),
    ):
        print(
            f"{name:<34}{statistics.median(times) * 1000:>8.0f}ms"
            f"{min(times) * 1000:>8.0f}ms{max(times) * 1000:>8.0f}ms"
        )
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"ratio {ratio:.2f}x (target <= {TARGET}x): {verdict}  [{args.runs} runs each]")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
