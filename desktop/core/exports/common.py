"""What every export shares: filters, options, progress with cancelling, and safe file output.

An export reads a project (read-only is enough) and writes UTF-8 bytes to a binary stream. A
file is written beside its target under a temporary name and moved into place only when
complete, so a failed or cancelled export never leaves half a file and never clobbers the old
one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from desktop.core.errors import CrosscheckError, InvalidInput, NotFound, shown
from desktop.core.model import Verdict
from desktop.core.outputs import open_stream, resolve_target, temp_name
from desktop.core.records import AnnotationFilter, AnnotationRow
from desktop.core.store import Store, reads

# progress(done, total) -> False to cancel. Called from the exporting thread every few
# thousand rows, so it must be cheap and thread-safe (emitting a Qt signal is).
Progress = Callable[[int, int], "bool | None"]

# A cell starting with one of these is read as a formula by spreadsheets (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

BATCH_ROWS = 2_000
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class ExportCancelled(CrosscheckError):
    """The user cancelled; nothing was written."""


class ExportFailed(CrosscheckError):
    """The target could not be written; the message is one line for the user."""


@dataclass(frozen=True)
class ExportOptions:
    filter: AnnotationFilter = field(default_factory=AnnotationFilter)
    # CSV formats: prefix a ' to cells a spreadsheet would run as formulas.
    spreadsheet_safe: bool = True
    # CSV formats: start with a UTF-8 byte order mark, which Excel needs to detect UTF-8.
    bom: bool = False


DEFAULT_OPTIONS = ExportOptions()


@dataclass(frozen=True)
class ExportResult:
    """What was written: ``count`` rows of the format (annotations or events)."""

    format: str
    count: int
    path: Path | None = None
    sidecar: Path | None = None
    head_hash: str | None = None


class Ticker:
    """Reports progress every batch and turns a False from the callback into ExportCancelled."""

    def __init__(self, progress: Progress | None, total: int = 0) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def add(self, rows: int) -> None:
        self.done += rows
        self.report()

    def report(self) -> None:
        if self.progress is not None and self.progress(self.done, self.total) is False:
            raise ExportCancelled("export cancelled; nothing was written")


def resolve_filter(
    project: Store,
    *,
    articles: Sequence[str] = (),
    verdicts: Sequence[str | Verdict] = (),
    reviewers: Sequence[str] = (),
    include_deleted: bool = False,
    final_only: bool = False,
    viewer: str | None = None,
) -> AnnotationFilter:
    """Turn what the user typed into a filter; unknown articles or reviewers are errors.

    The export is made from ``viewer``'s side: where blind review hides the others'
    annotations from them (or from anyone, when no viewer is given), only theirs are kept.
    """
    from desktop.core import review_state

    with project.read() as db:
        state = review_state.blind_state(db)
        hidden: tuple[str, ...] | None = None
        if state.active:
            hidden = tuple(state.hidden_articles(viewer, reads.article_order(db))) or None
        article_ids = (
            tuple(
                dict.fromkeys(
                    reads.resolve_article(db, a, include_removed=include_deleted) for a in articles
                )
            )
            if articles
            else None
        )
        names: tuple[str, ...] | None = None
        if reviewers:
            known = set(reads.reviewer_names(db))
            cleaned = [r.strip() for r in reviewers]
            for name in cleaned:
                if name not in known:
                    listing = ", ".join(sorted(known)) or "none"
                    raise NotFound(f"no reviewer named {name!r} (reviewers: {listing})")
            names = tuple(dict.fromkeys(cleaned))
    parsed = (
        tuple(dict.fromkeys(v if isinstance(v, Verdict) else Verdict.parse(v) for v in verdicts))
        if verdicts
        else None
    )
    return AnnotationFilter(
        article_ids=article_ids,
        verdicts=parsed,
        reviewers=names,
        include_deleted=include_deleted,
        final_only=final_only,
        blind_articles=hidden,
        viewer=viewer if hidden else None,
    )


def load_rows(project: Store, flt: AnnotationFilter) -> list[AnnotationRow]:
    with project.read() as conn:
        return reads.annotation_rows(conn, flt)


# --- writing files --------------------------------------------------------------------------


def safe_cell(value: str, starts: tuple[str, ...] = FORMULA_STARTS) -> str:
    """``value`` with a ' in front when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(starts) else value


def check_target(
    path: Path, *, project: Store | None = None, follow_symlinks: bool = False
) -> Path:
    """Refuse a target that cannot be written, before any work is done. Returns where to
    write: the path itself, or a symbolic link's target when following it was asked for.

    A FIFO or device is accepted as it is (it is written into); see ``core.outputs``.
    """
    resolved = resolve_target(path, follow_symlinks=follow_symlinks)
    target = resolved.path
    if resolved.stream:
        if not os.access(target, os.W_OK):
            raise InvalidInput(f"cannot write {shown(target)}: permission denied")
        return target
    if target.is_dir():
        raise InvalidInput(f"cannot write {shown(target)}: it is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(
            f"cannot write {shown(target)}: the folder {shown(folder)} does not exist"
        )
    if not _writable(folder):
        raise InvalidInput(
            f"cannot write {shown(target)}: the folder {shown(folder)} is not writable"
        )
    if target.exists() and not _writable(target):
        raise InvalidInput(f"cannot write {shown(target)}: the file is read-only")
    if project is not None and project.path is not None and _same_file(target, project.path):
        raise InvalidInput(f"cannot write {shown(target)}: that is the project file itself")
    return target


def is_stream(path: Path) -> bool:
    """True for a FIFO or device, which an export writes into instead of replacing."""
    return resolve_target(path, follow_symlinks=True).stream


def _writable(path: Path) -> bool:
    """Writable for us, and not marked read-only (which an administrator could override)."""
    any_write = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & any_write)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


class HashingWriter:
    """Passes bytes on and keeps their SHA-256, so a sidecar needs no second read."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


@contextlib.contextmanager
def staged_file(target: Path) -> Iterator[BinaryIO]:
    """A new file beside ``target`` that replaces it only if the block finishes; a FIFO or
    device is written into directly."""
    resolved = resolve_target(target, follow_symlinks=True)
    if resolved.stream:
        try:
            with open_stream(resolved) as fh:
                yield fh
        except OSError as exc:
            raise ExportFailed(f"cannot write {shown(target)}: {exc.strerror or exc}") from None
        return
    temp = temp_name(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
    except OSError as exc:
        raise ExportFailed(f"cannot write {shown(target)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportFailed(f"cannot write {shown(target)}: {exc.strerror or exc}") from None
        raise
    commit_staged(temp, target)


def commit_staged(temp: Path, target: Path) -> None:
    try:
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ExportFailed(f"cannot write {shown(target)}: {exc.strerror or exc}") from None


__all__ = [
    "BATCH_ROWS",
    "DEFAULT_OPTIONS",
    "AnnotationFilter",
    "ExportCancelled",
    "ExportFailed",
    "ExportOptions",
    "ExportResult",
    "HashingWriter",
    "Progress",
    "Ticker",
    "check_target",
    "is_stream",
    "load_rows",
    "resolve_filter",
    "safe_cell",
    "staged_file",
]
