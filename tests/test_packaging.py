"""The wheel carries migrations, seeds and resources, and works when installed (not editable)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (found,) = out.glob("crosscheck-*.whl")
    return found


def test_wheel_holds_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    seeds = sorted(p.name for p in (ROOT / "seeds").iterdir())
    for name in seeds:
        assert f"desktop/_seeds/{name}" in names
    for path in (ROOT / "migrations").rglob("*.py"):
        rel = path.relative_to(ROOT / "migrations").as_posix()
        assert f"desktop/_migrations/{rel}" in names
    assert "desktop/_resources/style.qss" in names
    assert any(n.startswith("desktop/_resources/icons/") and n.endswith(".svg") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "crosscheck = desktop.cli:main" in text
    assert "crosscheck-desktop = desktop.cli:window_main" in text


def test_installed_wheel_creates_and_verifies_demo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    # Run away from the checkout, with the installed copy first on the path.
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "CROSSCHECK_REVIEWER": "Packager",
        "CROSSCHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    work = tmp_path / "work"
    work.mkdir()

    def crosscheck(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop", *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import desktop; print(desktop.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))
    made = crosscheck("new", "x.crosscheck", "--demo")
    assert made.returncode == 0, made.stderr
    checked = crosscheck("verify", "x.crosscheck")
    assert checked.returncode == 0, checked.stderr
    assert "chain intact" in checked.stdout
    listed = crosscheck("articles", "x.crosscheck", "--json")
    assert listed.returncode == 0 and listed.stdout.count('"id"') == 5
    # Comparing loads the semantic model from its installed package, offline.
    first = json.loads(listed.stdout)[0]["id"]
    compared = crosscheck("compare", "x.crosscheck", first, "--quote", "Ziyaddin", "--json")
    assert compared.returncode == 0, compared.stderr
    assert len(json.loads(compared.stdout)["counterparts"]) == 4
