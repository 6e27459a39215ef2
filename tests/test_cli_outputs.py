"""Where the command line writes: never through a link it was not asked to follow, into (not
over) pipes and devices, never over anything when creating; every error one line."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop import cli
from tests.conftest import REVIEWER

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, ""), err
    assert err.startswith("crosscheck: error: ") and err.count("\n") == 1, err
    return err[len("crosscheck: error: ") : -1]


def tree(folder: Path) -> dict[str, object]:
    """Every entry of a folder: a link's target, a file's bytes, a FIFO as 'fifo'."""
    found: dict[str, object] = {}
    for entry in sorted(folder.iterdir()):
        mode = entry.lstat().st_mode
        if stat.S_ISLNK(mode):
            found[entry.name] = ("link", os.readlink(entry))
        elif stat.S_ISFIFO(mode):
            found[entry.name] = "fifo"
        elif stat.S_ISREG(mode):
            found[entry.name] = entry.read_bytes()
        else:
            found[entry.name] = stat.S_IFMT(mode)
    return found


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me", encoding="utf-8")
    return folder


# --- export onto links -----------------------------------------------------------------------


def test_export_refuses_a_symlink(demo_path: Path, out_dir: Path, capsys) -> None:
    link = out_dir / "verdicts.csv"
    link.symlink_to(out_dir / "precious.txt")
    before = tree(out_dir)
    assert one_error(capsys, "export", demo_path, "-o", link) == (
        f"cannot write {link}: it is a symbolic link to {out_dir / 'precious.txt'}; nothing was "
        "written (--follow-symlinks writes to its target)"
    )
    assert tree(out_dir) == before


def test_export_follows_a_symlink_when_asked(demo_path: Path, out_dir: Path, capsys) -> None:
    link = out_dir / "verdicts.csv"
    link.symlink_to("precious.txt")
    code, out, err = run(capsys, "export", demo_path, "-o", link, "--follow-symlinks")
    assert (code, err) == (0, "")
    assert out == f"Exported 0 annotations to {out_dir / 'precious.txt'}\n"
    assert os.readlink(link) == "precious.txt"  # the link stays a link
    assert (out_dir / "precious.txt").read_text(encoding="utf-8").startswith("annotation_id,")


def test_export_onto_a_dangling_link(demo_path: Path, out_dir: Path, capsys) -> None:
    link = out_dir / "log.csv"
    link.symlink_to("elsewhere.csv")
    assert "is a symbolic link to elsewhere.csv" in one_error(
        capsys, "export", demo_path, "-f", "audit-csv", "-o", link
    )
    assert not (out_dir / "elsewhere.csv").exists()
    code, _out, err = run(
        capsys, "export", demo_path, "-f", "audit-csv", "-o", link, "--follow-symlinks"
    )
    assert code == 0, err
    assert (out_dir / "elsewhere.csv").read_text(encoding="utf-8").startswith("seq,")
    assert (out_dir / "elsewhere.csv.sha256").is_file()
    assert link.is_symlink()


def test_export_onto_a_link_loop(demo_path: Path, out_dir: Path, capsys) -> None:
    loop = out_dir / "loop.csv"
    loop.symlink_to("loop.csv")
    for extra in ((), ("--follow-symlinks",)):
        assert one_error(capsys, "export", demo_path, "-o", loop, *extra) == (
            f"cannot write {loop}: it is a symbolic link that loops back on itself"
        )
    assert os.readlink(loop) == "loop.csv"


def test_audit_csv_refuses_a_sidecar_that_is_a_link(demo_path: Path, out_dir: Path, capsys) -> None:
    (out_dir / "log.csv.sha256").symlink_to("precious.txt")
    before = tree(out_dir)
    message = one_error(capsys, "export", demo_path, "-f", "audit-csv", "-o", out_dir / "log.csv")
    assert message.startswith(f"cannot write {out_dir / 'log.csv.sha256'}: it is a symbolic link")
    assert tree(out_dir) == before


# --- export into pipes and devices -----------------------------------------------------------


def test_export_writes_into_a_fifo(demo_path: Path, out_dir: Path, capsys) -> None:
    fifo = out_dir / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, out, err = run(capsys, "export", demo_path, "-f", "audit-csv", "-o", fifo)
    reader.join(timeout=20)
    assert code == 0, err
    assert out == ""  # the report goes to standard error: the data may be going to a terminal
    assert err.startswith(f"Exported 7 events to {fifo}; head ")
    assert received[0].startswith(b"seq,at,reviewer,action")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in out_dir.iterdir()) == ["pipe", "precious.txt"]  # no sidecar


def test_export_writes_into_a_device(demo_path: Path, out_dir: Path, capsys) -> None:
    device = out_dir / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("making a device node needs privileges")
    link = out_dir / "to-null"
    link.symlink_to(device)
    for target in (device, link):
        code, _out, err = run(capsys, "export", demo_path, "-f", "audit-jsonl", "-o", target)
        assert code == 0, err
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert link.is_symlink()


def test_export_to_dev_stdout_in_a_pipe(demo_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "export", str(demo_path), "-f", "audit-jsonl",
         "-o", "/dev/stdout"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith('{"summary": {"events": 7')
    assert done.stderr.startswith("Exported 7 events to /dev/stdout; head ")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_export_refuses_a_socket(demo_path: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert one_error(capsys, "export", demo_path, "-o", path) == (
            f"cannot write {path}: it is a socket"
        )
    finally:
        server.close()


# --- new never replaces anything ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["to a file", "dangling", "loop"])
def test_new_refuses_any_symlink(out_dir: Path, capsys, kind: str) -> None:
    link = out_dir / "p.crosscheck"
    link.symlink_to({"to a file": "precious.txt", "dangling": "gone", "loop": "p.crosscheck"}[kind])
    before = tree(out_dir)
    assert one_error(capsys, "new", link, "--reviewer", REVIEWER) == (
        f"{link}: is a symbolic link; choose another name"
    )
    assert tree(out_dir) == before


def test_keygen_never_replaces_anything(out_dir: Path, capsys) -> None:
    (out_dir / "dangling").symlink_to("nowhere")
    before = tree(out_dir)
    assert one_error(capsys, "keygen", out_dir / "precious.txt") == (
        f"cannot create {out_dir / 'precious.txt'}: it already exists; nothing was replaced"
    )
    assert one_error(capsys, "keygen", out_dir / "dangling") == (
        f"cannot create {out_dir / 'dangling'}: it is a symbolic link; nothing was replaced"
    )
    assert tree(out_dir) == before


# --- errors stay one line ------------------------------------------------------------------


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    folder = tmp_path / "odd\nfolder"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "{odd}/p.crosscheck"],
        ["articles", "{odd}/p.crosscheck"],
        ["new", "{odd}/missing/p.crosscheck", "--reviewer", REVIEWER],
        ["import", "{demo}", "{odd}/story\x1b[31m.txt", "--reviewer", REVIEWER],
        ["export", "{demo}", "-o", "{odd}/missing/out.csv"],
        ["verify", "{demo}", "--against", "{odd}/log.jsonl"],
        ["verify", "{demo}", "--trusted-key", "{odd}/key.pub"],
        ["verify", "{odd}/log.jsonl"],
        ["sign", "{demo}", "--key", "{odd}/key", "--reviewer", REVIEWER],
        ["keygen", "{odd}/missing/key"],
        ["annotate", "{demo}", "no\nsuch article", "--quote", "x", "--verdict", "disputed",
         "--reviewer", REVIEWER],
    ],
)  # fmt: skip
def test_a_newline_in_a_name_keeps_the_error_one_line(
    demo_path: Path, odd_names: Path, capsys, argv: list[str]
) -> None:
    filled = [a.format(odd=odd_names, demo=demo_path) for a in argv]
    message = one_error(capsys, *filled)
    assert "\n" not in message and "\x1b" not in message
    assert "\\n" in message or "\\x1b" in message, message
