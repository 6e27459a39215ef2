"""Where the program's data lives: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``migrations``, ``seeds`` or ``resources``.

    A wheel carries them as ``desktop/_<name>``; a source checkout keeps them at the top level.
    """
    for candidate in (_PACKAGE / f"_{name}", _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the program's {name} folder is missing; reinstall Crosscheck")
