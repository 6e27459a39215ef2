"""Lint and the architecture contract run with the tests, so a breach fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_contract_catches_a_qt_import(tmp_path: Path) -> None:
    """The contract is live: a core module importing PySide6 breaks it."""
    offender = ROOT / "desktop" / "core" / "_contract_probe.py"
    offender.write_text("import PySide6.QtCore  # noqa: F401\n", encoding="utf-8")
    try:
        result = run(str(BIN / "lint-imports"), "--no-cache")
    finally:
        offender.unlink()
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_core_type_checks() -> None:
    result = run(str(BIN / "mypy"), "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr
