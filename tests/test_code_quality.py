"""Lint and the architecture contract run with the tests, so a breach fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing() -> None:
    result = run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_never_imports_qt() -> None:
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports Qt KEPT" in result.stdout
    assert "Only the SQLite backend touches sqlite3 KEPT" in result.stdout
    assert "Exports read, never write KEPT" in result.stdout
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("where", "line", "contract"),
    [
        ("core", "import PySide6.QtCore", "The core never imports Qt"),
        ("core/exports", "import desktop.core.operations", "Exports read, never write"),
        ("core", "import sqlite3", "Only the SQLite backend touches sqlite3"),
        ("ui", "import sqlite3", "Only the SQLite backend touches sqlite3"),
        ("core", "import desktop.ui.models", "Layers"),
    ],
)
def test_contracts_catch_a_breach(where: str, line: str, contract: str) -> None:
    """The contracts are live: a module breaking one makes the run fail, naming it."""
    offender = ROOT / "desktop" / where / "_contract_probe.py"
    offender.write_text(f"{line}  # noqa: F401\n", encoding="utf-8")
    try:
        result = run(str(BIN / "lint-imports"), "--no-cache")
    finally:
        offender.unlink()
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if " BROKEN" in ln]
    assert any(ln.startswith(contract) for ln in broken), result.stdout


def test_core_type_checks() -> None:
    result = run(str(BIN / "mypy"), "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr
