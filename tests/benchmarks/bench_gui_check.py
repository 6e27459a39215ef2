"""What the start-up check (display and Qt's system libraries) costs a cold start.

Run on a real display: ``DISPLAY=:N python tests/benchmarks/bench_gui_check.py [--runs N]``

Times, as fresh subprocesses interleaved, ``crosscheck open DEMO`` to the window's first
paint (``CROSSCHECK_EXIT_AFTER_PAINT``) on the xcb platform, once as shipped and once with
the check replaced by a no-op. The check loads the libraries Qt loads a moment later, so its
own cost is mostly moved, not added. Also prints the check alone, in-process, after the
modules it needs are imported. Target: the median difference under 2% of the start-up.
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
TARGET = 0.02

RUN = """
import sys
from desktop import cli, gui_check
if sys.argv[1] == "off":
    gui_check.startup_problem = lambda *a, **k: None
sys.exit(cli.main(["open", sys.argv[2]]))
"""

ALONE = """
import time
import desktop.cli
t = time.perf_counter()
from desktop import gui_check
imported = time.perf_counter()
assert gui_check.startup_problem([]) is None
done = time.perf_counter()
print(f"{(imported - t) * 1000:.2f} {(done - imported) * 1000:.2f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        sys.exit("needs a display (DISPLAY), e.g. Xvfb :99 and DISPLAY=:99")
    home = Path(tempfile.mkdtemp(prefix="crosscheck-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        CROSSCHECK_REVIEWER="Benchmark",
        CROSSCHECK_EXIT_AFTER_PAINT="1",
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    )
    demo = home / "demo.crosscheck"
    subprocess.run(
        [sys.executable, "-m", "desktop", "new", str(demo), "--demo"], env=env, check=True
    )
    script = home / "run.py"
    script.write_text(RUN)

    def timed(mode: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, str(script), mode, str(demo)], env=env, check=True)
        return time.perf_counter() - start

    timed("on")
    timed("off")
    on, off = [], []
    for _ in range(args.runs):
        off.append(timed("off"))
        on.append(timed("on"))
    alone = [
        subprocess.run(
            [sys.executable, "-c", ALONE], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(5)
    ]
    on_m, off_m = statistics.median(on), statistics.median(off)
    share = (on_m - off_m) / off_m
    best = (min(on) - min(off)) / min(off)
    print(f"{'':27}{'median':>9}{'min':>9}   ({args.runs} runs each)")
    print(f"{'start-up with the check':27}{on_m * 1000:7.0f}ms{min(on) * 1000:7.0f}ms")
    print(f"{'start-up without the check':27}{off_m * 1000:7.0f}ms{min(off) * 1000:7.0f}ms")
    print(
        f"difference: median {share * 100:+.1f}%, min {best * 100:+.1f}% "
        f"(target < {TARGET * 100:.0f}%)"
    )
    imported = min(float(a[0]) for a in alone)
    checked = min(float(a[1]) for a in alone)
    print(f"the check alone: import {imported:.1f} ms, check {checked:.1f} ms (best of 5)")
    return 0 if min(share, best) < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
