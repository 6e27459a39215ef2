"""Several reviewers on one shared project file: concurrent writers, a held lock, the cost of
watching for changes.

Run: ``QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_sharing.py [--ops N]``

1. Two windows (two processes, each tagging through its runner) and two command-line writers
   (two processes calling the CLI's ``annotate``), N operations each, on one file: no operation
   lost or duplicated, the audit chain verifies, and each window shows every annotation within
   2 s of the last write, without reopening.
2. Another process holds the write lock for 8 s while the reviewer tags a span: the window's
   event loop never stalls more than 100 ms (a 10 ms timer records its tick gaps).
3. An idle window watching for changes (polling once a second, plus its presence heartbeat):
   under 1 % of one core above the same loop run without a window, measured in the same run
   (the loop alone costs some: on a virtual machine each wake-up from sleep is dear).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CONVERGE_S = 2.0
MAX_GAP_MS = 100.0
MAX_CPU = 0.01
HOLD_S = 8.0


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def _spans(slot: int, ops: int, lengths: dict[str, int]) -> list[tuple[str, int]]:
    """(article, start) of one writer's operations: every writer's spans are its own."""
    out = []
    articles = sorted(lengths)
    i = 0
    while len(out) < ops:
        article = articles[i % len(articles)]
        start = (i // len(articles)) * 4 + slot
        if start + 1 < lengths[article]:
            out.append((article, start))
        i += 1
    return out


# --- child processes -----------------------------------------------------------------------


def window_child(path: Path, slot: int, ops: int, lengths: dict[str, int], done_file: Path) -> None:
    """A window that tags ``ops`` spans through its runner, then waits until its table lists
    the count written to ``done_file`` and prints when."""
    from PySide6.QtWidgets import QApplication

    from desktop import app as desktop_app
    from desktop.core.model import Verdict

    os.environ["CROSSCHECK_REVIEWER"] = f"Window {slot}"
    QApplication.instance() or QApplication([])
    window = desktop_app.open_window(path)
    for article, start in _spans(slot, ops, lengths):
        assert window.editing is not None
        window.editing.tag(article, start, start + 1, Verdict.UNVERIFIED)
    window.runner.wait(600_000)
    expected = None
    while True:
        QApplication.processEvents()
        if expected is None and done_file.exists():
            expected = int(done_file.read_text())
        if expected is not None and window.annotation_panel.model.rowCount() >= expected:
            print(json.dumps({"converged_at": time.time()}), flush=True)
            break
        time.sleep(0.01)
    window.close()


def cli_child(path: Path, slot: int, ops: int, lengths: dict[str, int]) -> None:
    from desktop.cli import main

    for article, start in _spans(slot, ops, lengths):
        code = main([
            "annotate", str(path), article, "--start", str(start), "--end", str(start + 1),
            "--verdict", "disputed", "--reviewer", f"Desk {slot}",
        ])  # fmt: skip
        assert code == 0


def held_lock_child(path: Path) -> None:
    """The window's side of the held-lock case: tag while the lock is held; report gaps."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop import app as desktop_app
    from desktop.core.model import Verdict

    os.environ["CROSSCHECK_REVIEWER"] = "Reviewer"
    QApplication.instance() or QApplication([])
    window = desktop_app.open_window(path)
    window.project.busy_timeout_ms = 30_000  # type: ignore[union-attr]
    window.project.close()  # type: ignore[union-attr]
    article = window.panes.panes()[0].article_id()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    for _ in range(50):  # settle first paint and presence
        QApplication.processEvents()
        time.sleep(0.01)
    print("ready", flush=True)
    sys.stdin.readline()  # the lock is held now
    timer.start()
    started = time.perf_counter()
    window.editing.tag(article, 5, 9, Verdict.SUPPORTED)  # type: ignore[union-attr]
    waited = ""
    while window.runner.busy:
        QApplication.processEvents()
        message = window.statusBar().currentMessage()
        if "waiting" in message:
            waited = message
        time.sleep(0.002)
    finished = time.perf_counter()
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    print(
        json.dumps(
            {
                "max_gap_ms": max(gaps) * 1000 if gaps else None,
                "ticks": len(ticks),
                "tag_took_s": finished - started,
                "said": waited,
            }
        ),
        flush=True,
    )
    window.close()


def idle_child(path: Path | None, seconds: float) -> None:
    """The loop an idle application runs, with a window on ``path``, or with none."""
    from PySide6.QtWidgets import QApplication

    from desktop import app as desktop_app

    os.environ["CROSSCHECK_REVIEWER"] = "Idle Reviewer"
    QApplication.instance() or QApplication([])
    window = desktop_app.open_window(path) if path is not None else None
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # first paint, first presence beat, first feed read
        QApplication.processEvents()
        time.sleep(0.01)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.monotonic()
    deadline = wall0 + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.05)  # an idle event loop sleeps too; this bounds how often we look
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    used = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print(json.dumps({"cpu_share": used / (time.monotonic() - wall0)}), flush=True)
    if window is not None:
        window.close()


# --- the parent ------------------------------------------------------------------------------


def _article_lengths(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT id, text_length FROM articles").fetchall())
    finally:
        conn.close()


def _make_project(folder: Path) -> Path:
    from tests.conftest import make_project

    path = folder / "shared.crosscheck"
    make_project(path)
    return path


def bench_writers(folder: Path, ops: int) -> bool:
    path = _make_project(folder)
    lengths = _article_lengths(path)
    env = _env(folder)
    done_file = folder / "expected"
    me = [sys.executable, __file__]
    children = [
        subprocess.Popen(
            [
                *me,
                "--role",
                "window",
                "--path",
                str(path),
                "--slot",
                str(slot),
                "--ops",
                str(ops),
                "--done-file",
                str(done_file),
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for slot in (0, 1)
    ]
    writers = [
        subprocess.Popen(
            [*me, "--role", "cli", "--path", str(path), "--slot", str(slot), "--ops", str(ops)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for slot in (2, 3)
    ]
    started = time.time()
    for writer in writers:
        assert writer.wait(timeout=1800) == 0
    # The windows' own writes: they finish on their runners; the count settles when all did.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    expected = 4 * ops
    deadline = time.time() + 1800
    while time.time() < deadline:
        count = conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
        if count >= expected:
            break
        time.sleep(0.05)
    last_write = time.time()
    conn.close()
    # Renamed into place, so a window never reads it half written.
    partial = done_file.with_suffix(".partial")
    partial.write_text(str(expected))
    partial.replace(done_file)
    converged = []
    for child in children:
        out, _ = child.communicate(timeout=600)
        converged.append(json.loads(out.strip().splitlines()[-1])["converged_at"] - last_write)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT article_id, start, count(*) FROM annotations GROUP BY 1, 2"
    ).fetchall()
    total = conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
    conn.close()
    duplicated = sum(1 for _a, _s, n in rows if n > 1)
    wanted = {
        (article, start) for slot in range(4) for article, start in _spans(slot, ops, lengths)
    }
    lost = len(wanted - {(a, s) for a, s, _n in rows})
    from desktop.core.store import open_store
    from desktop.core.verify import verify_project

    with open_store(path, read_only=True) as store:
        report = verify_project(store)
    took = time.time() - started
    print(
        f"writers: 2 windows + 2 CLI x {ops} ops = {total} annotations in {took:.1f} s; "
        f"lost {lost}, duplicated {duplicated}; chain {'verifies' if report.ok else 'BROKEN'} "
        f"({report.chain.events} events)"
    )
    worst = max(converged)
    print(
        f"windows showed every annotation {', '.join(f'{c:.2f} s' for c in converged)} after "
        f"the last write (target <= {CONVERGE_S} s)"
    )
    return lost == 0 and duplicated == 0 and report.ok and worst <= CONVERGE_S


def bench_held_lock(folder: Path) -> bool:
    path = _make_project(folder / "held")
    env = _env(folder)
    child = subprocess.Popen(
        [sys.executable, __file__, "--role", "held", "--path", str(path)],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "ready"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    child.stdin.write("go\n")
    child.stdin.flush()
    time.sleep(HOLD_S)
    other.execute("COMMIT")
    other.close()
    out, _ = child.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    print(
        f"held lock {HOLD_S:.0f} s: the tag took {result['tag_took_s']:.1f} s; the event loop's "
        f"longest stall {result['max_gap_ms']:.0f} ms over {result['ticks']} ticks "
        f"(target <= {MAX_GAP_MS:.0f} ms); status said: {result['said']!r}"
    )
    return bool(result["max_gap_ms"] is not None and result["max_gap_ms"] <= MAX_GAP_MS)


def _idle_share(folder: Path, seconds: float, path: Path | None) -> float:
    command = [sys.executable, __file__, "--role", "idle", "--seconds", str(seconds)]
    if path is not None:
        command += ["--path", str(path)]
    out = subprocess.run(
        command, env=_env(folder), capture_output=True, text=True, timeout=600
    ).stdout
    return float(json.loads(out.strip().splitlines()[-1])["cpu_share"])


def bench_idle(folder: Path, seconds: float) -> bool:
    path = _make_project(folder / "idle")
    bare = _idle_share(folder, seconds, None)
    share = _idle_share(folder, seconds, path)
    print(f"idle window watching for changes: {share * 100:.2f} % of one core over "
          f"{seconds:.0f} s; the same loop without a window {bare * 100:.2f} %; the window adds "
          f"{(share - bare) * 100:.2f} % (target < {MAX_CPU * 100:.0f} %)")  # fmt: skip
    return bool(share - bare < MAX_CPU)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--role", default="")
    parser.add_argument("--path", type=Path)
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--done-file", type=Path)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--only", choices=("writers", "held", "idle"), help="run one part")
    args = parser.parse_args()
    if args.role == "window":
        window_child(args.path, args.slot, args.ops, _article_lengths(args.path), args.done_file)
        return 0
    if args.role == "cli":
        cli_child(args.path, args.slot, args.ops, _article_lengths(args.path))
        return 0
    if args.role == "held":
        held_lock_child(args.path)
        return 0
    if args.role == "idle":
        idle_child(args.path, args.seconds)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-sharing-"))
    for sub in ("held", "idle"):
        (folder / sub).mkdir()
    parts = {
        "writers": lambda: bench_writers(folder, args.ops),
        "held": lambda: bench_held_lock(folder),
        "idle": lambda: bench_idle(folder, args.idle_seconds),
    }
    results = [run() for name, run in parts.items() if args.only in (None, name)]
    print("ok" if all(results) else "MISSED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
