"""Starting the window from the command line: mistyped commands, new file names, Qt's own
options, and a clear refusal when the machine lacks a display or Qt's system libraries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli, gui_check
from desktop.ui import demo_project
from tests.conftest import REVIEWER
from tests.test_cli import run, run_usage

ROOT = Path(__file__).resolve().parents[1]


def _env_without_display(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")
    }
    return {**env, "CROSSCHECK_REVIEWER": REVIEWER, **extra}


# --- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("anotate", "annotate"), ("dmeo", "demo"), ("articels", "articles"), ("verfy", "verify")],
)
def test_a_mistyped_command_gets_a_suggestion(
    capsys: pytest.CaptureFixture[str], typed: str, suggestion: str
) -> None:
    err = run_usage(capsys, typed, "x.crosscheck")
    assert err.splitlines()[-1] == (
        f"crosscheck: error: unknown command {typed!r}; did you mean {suggestion}?"
    )


def test_an_unknown_word_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    err = run_usage(capsys, "frobnicate")
    assert err.splitlines()[-1].startswith(
        "crosscheck: error: unknown command 'frobnicate' (commands: new, import, articles,"
    )


def test_new_adds_the_extension_and_says_what_it_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CROSSCHECK_REVIEWER", REVIEWER)
    assert run(capsys, "new", "Report") == (0, "Created Report.crosscheck with 0 article(s).\n", "")
    assert run(capsys, "new", "Other.CROSSCHECK")[1] == (
        "Created Other.CROSSCHECK with 0 article(s).\n"
    )
    assert run(capsys, "new", "notes.db")[1] == "Created notes.db.crosscheck with 0 article(s).\n"
    assert sorted(os.listdir(tmp_path)) == [
        "Other.CROSSCHECK",
        "Report.crosscheck",
        "notes.db.crosscheck",
    ]
    # The project is named as typed, without the extension.
    code, out, _ = run(capsys, "export", "Report.crosscheck", "--format", "audit-jsonl")
    assert '\\"name\\":\\"Report\\"' in out
    (tmp_path / "folder").mkdir()
    code, out, err = run(capsys, "new", "folder")
    assert (code, err) == (
        1,
        "crosscheck: error: folder is a folder; give the new project a file name\n",
    )
    code, out, err = run(capsys, "new", ".crosscheck")
    assert err == "crosscheck: error: .crosscheck: give the project a name before .crosscheck\n"


def test_qt_options_are_split_from_ours() -> None:
    split = gui_check.split_qt_arguments
    assert split(["open", "p.crosscheck", "-style", "fusion"]) == (
        ["open", "p.crosscheck"],
        ["-style", "fusion"],
    )
    assert split(["-platform", "offscreen"]) == ([], ["-platform", "offscreen"])
    assert split(["demo", "-style=fusion", "--reverse"]) == (
        ["demo"],
        ["-style", "fusion", "-reverse"],
    )
    assert split(["open", "-style"]) == (["open", "-style"], [])  # the value is missing


def _app_probe(tmp_path: Path) -> Path:
    """A script running the real command line, whose window only reports what Qt got."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\n"
        "from desktop import app, cli\n"
        "def report(argv, qt_args=()):\n"
        "    qt = app.application(qt_args)\n"
        "    qt.setStyleSheet('')  # the style under the application's style sheet\n"
        "    print(qt.style().name(), qt.platformName(), qt.layoutDirection().name, argv)\n"
        "    return 0\n"
        "app.main = report\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    return script


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-platform", "offscreen", "-style", "windows"], "windows offscreen LeftToRight []"),
        (["open", "X.crosscheck", "--platform=offscreen", "-reverse"], "offscreen RightToLeft"),
        (["demo", "-style=windows", "-platform", "offscreen"], "windows offscreen"),
    ],
)
def test_qt_options_reach_qt(tmp_path: Path, argv: list[str], expected: str) -> None:
    home = tmp_path / "home"
    env = _env_without_display(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, str(_app_probe(tmp_path)), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    if argv[0] == "open":
        assert done.stdout.strip().endswith("['X.crosscheck']")


def test_other_commands_do_not_take_qt_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = run_usage(capsys, "articles", tmp_path / "p.crosscheck", "-style", "fusion")
    assert "unrecognized arguments: -style fusion" in err


def test_the_window_opens_offscreen_without_a_display(demo_path: Path) -> None:
    """`-platform offscreen` is honoured by the check and by Qt: no display is needed."""
    env = _env_without_display(CROSSCHECK_EXIT_AFTER_PAINT="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "open", str(demo_path), "-platform", "offscreen"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


# --- no display, missing libraries ---------------------------------------------------------


def test_without_a_display_the_window_is_refused_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = _env_without_display(
        HOME=str(home), XDG_DATA_HOME=str(home / "data"), PYTHONPATH=str(ROOT)
    )
    for argv in (["demo"], [], ["open", "x.crosscheck"]):
        done = subprocess.run(
            [sys.executable, "-m", "desktop", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, (argv, done.stderr)  # not a signal, no core dump
        assert done.stdout == ""
        assert done.stderr == (
            "crosscheck: error: no display to open the window on (DISPLAY is not set); "
            "start Crosscheck from a desktop session, or use its commands (crosscheck --help)\n"
        )
    assert not (home / "data").exists()  # not even the demo was made


def test_platforms_and_displays() -> None:
    platforms = gui_check.requested_platforms
    assert platforms([], {}) == ["xcb"]
    assert platforms([], {"XDG_SESSION_TYPE": "wayland"}) == ["wayland", "xcb"]
    assert platforms([], {"QT_QPA_PLATFORM": "offscreen"}) == ["offscreen"]
    assert platforms(["-platform", "minimal"], {"QT_QPA_PLATFORM": "xcb"}) == ["minimal"]
    assert platforms(["-platform=xcb:nograb;wayland"], {}) == ["xcb", "wayland"]
    problem = gui_check.startup_problem
    assert problem([], {"QT_QPA_PLATFORM": "offscreen"}) is None
    assert problem(["-platform", "offscreen"], {}) is None
    assert "WAYLAND_DISPLAY is not set" in str(problem([], {"QT_QPA_PLATFORM": "wayland"}))
    assert "WAYLAND_DISPLAY or DISPLAY is not set" in str(
        problem([], {"XDG_SESSION_TYPE": "wayland"})
    )


REAL_DLOPEN = gui_check._dlopen


def _missing(*names: str, because: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A loader that cannot find ``names`` (or, loading a key of ``because``, its value)."""
    real = REAL_DLOPEN

    def dlopen(name: str, mode: int) -> object:
        lacking = (because or {}).get(name, name if name in names else None)
        if lacking is not None:
            raise OSError(f"{lacking}: cannot open shared object file: No such file or directory")
        return real(name, mode)

    return dlopen


def test_missing_xcb_libraries_are_named_with_the_apt_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a fresh machine without libxcb-icccm4 and libxcb-keysyms1 gets from `demo`."""
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.setattr(gui_check, "_dlopen", _missing("libxcb-icccm.so.4", "libxcb-keysyms.so.1"))

    assert cli.main(["demo"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "crosscheck: error: the window cannot start: Qt's xcb platform needs the system "
        "libraries libxcb-icccm.so.4, libxcb-keysyms.so.1; on Debian or Ubuntu install with: "
        "sudo apt install libxcb-icccm4 libxcb-keysyms1\n"
    )
    assert not demo_project.demo_path().exists()
    # A library that is there but lacks one of its own is reported by what is missing.
    monkeypatch.setattr(
        gui_check, "_dlopen", _missing(because={"libxcb-icccm.so.4": "libxcb-util.so.1"})
    )
    assert cli.main([]) == 1
    assert capsys.readouterr().err.endswith(
        "library libxcb-util.so.1; on Debian or Ubuntu install with: "
        "sudo apt install libxcb-util1\n"
    )


def test_the_real_loader_is_asked(tmp_path: Path) -> None:
    """A copy of Qt's xcb plugin that names a library no machine has: the ELF header is read
    and the dynamic loader really fails on it."""
    qt = gui_check.qt_directory()
    assert qt is not None
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    needed = gui_check.elf_needed(plugin)
    assert "libxcb-icccm.so.4" in needed and "libQt6XcbQpa.so.6" in needed
    fake = tmp_path / "Qt"
    (fake / "plugins" / "platforms").mkdir(parents=True)
    (fake / "lib").symlink_to(qt / "lib")
    data = plugin.read_bytes()
    assert data.count(b"\0libxcb-icccm.so.4\0") == 1
    copy = fake / "plugins" / "platforms" / "libqxcb.so"
    copy.write_bytes(data.replace(b"\0libxcb-icccm.so.4\0", b"\0libxcb-icqqq.so.4\0"))
    assert "libxcb-icqqq.so.4" in gui_check.elf_needed(copy)
    assert gui_check.missing_libraries([copy]) == ["libxcb-icqqq.so.4"]
    assert gui_check.missing_libraries([plugin]) == []  # this machine has everything
