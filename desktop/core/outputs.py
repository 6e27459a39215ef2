"""Where output may go, decided before anything is written.

A plain file (or a new name) is written beside itself and moved into place when complete. A
FIFO, terminal or other device is written into and never replaced, even through a symbolic
link (``-o /dev/stdout``). Any other symbolic link is refused unless the user asked to follow
it; then its target is written (and the link stays). New files never replace anything, a
dangling link or a link loop included.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from desktop.core.errors import InvalidInput, shown

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class SymlinkRefused(InvalidInput):
    """The target is a symbolic link and following it was not asked for."""


@dataclass(frozen=True)
class Target:
    """Where to write: ``path`` (a link's target when following), and whether it is a stream
    (FIFO or device) to be written into rather than replaced."""

    path: Path
    stream: bool


def resolve_target(path: str | os.PathLike[str], *, follow_symlinks: bool = False) -> Target:
    """Classify an output path; refuse what must not be written through."""
    given = Path(path).expanduser().absolute()
    try:
        lmode = os.lstat(given).st_mode
    except FileNotFoundError:
        return Target(given, stream=False)
    except OSError as exc:
        raise InvalidInput(f"cannot write {shown(given)}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(lmode):
        return _through_link(given, follow_symlinks)
    return Target(given, stream=_is_stream(given, lmode))


def _through_link(link: Path, follow: bool) -> Target:
    try:
        mode: int | None = os.stat(link).st_mode
    except FileNotFoundError:
        mode = None  # dangling
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidInput(
                f"cannot write {shown(link)}: it is a symbolic link that loops back on itself"
            ) from None
        raise InvalidInput(f"cannot write {shown(link)}: {exc.strerror or exc}") from None
    if mode is not None and _is_stream(link, mode):
        # Writing into a pipe or device replaces nothing, whatever path leads to it.
        return Target(link, stream=True)
    if not follow:
        raise SymlinkRefused(
            f"cannot write {shown(link)}: it is a symbolic link to "
            f"{shown(os.readlink(link))}; nothing was written"
        )
    resolved = Path(os.path.realpath(link))
    if resolved.is_symlink():
        raise InvalidInput(f"cannot write {shown(link)}: its symbolic links do not end in a file")
    return Target(resolved, stream=False)


def _is_stream(path: Path, mode: int) -> bool:
    if stat.S_ISSOCK(mode):
        raise InvalidInput(f"cannot write {shown(path)}: it is a socket")
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


@contextmanager
def open_stream(target: Target) -> Iterator[BinaryIO]:
    """Open a FIFO or device for writing, without creating, truncating or replacing it."""
    try:
        fd = os.open(target.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InvalidInput(f"cannot write {shown(target.path)}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        # It was swapped for something else since it was checked.
        os.close(fd)
        raise InvalidInput(f"cannot write {shown(target.path)}: it changed while being opened")
    with os.fdopen(fd, "wb", buffering=1 << 16) as fh:
        yield fh
        fh.flush()


def create_new_file(path: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Write a file that must not exist yet; a link of that name is not followed."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
    except FileExistsError:
        what = "it is a symbolic link" if os.path.islink(path) else "it already exists"
        raise InvalidInput(f"cannot create {shown(path)}: {what}; nothing was replaced") from None
    except OSError as exc:
        raise InvalidInput(f"cannot create {shown(path)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def temp_name(final: Path) -> Path:
    """A hidden, unguessable name beside ``final`` for building it."""
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.part")


def place_new(temp: Path, final: Path) -> None:
    """Move a finished file to a name that must still be free; never replaces anything.

    A hard link is atomic and fails if the name is taken (a dangling link included); where
    the file system has no hard links, the name is checked and the file renamed.
    """
    try:
        os.link(temp, final, follow_symlinks=False)
    except FileExistsError:
        raise InvalidInput(f"{shown(final)} appeared meanwhile; nothing was replaced") from None
    except OSError:
        if os.path.lexists(final):
            raise InvalidInput(f"{shown(final)} appeared meanwhile; nothing was replaced") from None
        os.replace(temp, final)
        return
    temp.unlink()
