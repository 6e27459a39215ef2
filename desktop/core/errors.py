"""Errors a user can meet. Each carries a one-line message fit to show as-is."""

from __future__ import annotations

import os


def shown(value: object) -> str:
    """A file name or text the user gave, as it goes into a message.

    Plain text is shown as it is; anything with a control or other invisible character (a
    newline, an escape sequence, a bidirectional override) or surrounding spaces is quoted
    and escaped the way Python writes strings, so a message stays one honest line.
    """
    text = os.fsdecode(value) if isinstance(value, os.PathLike | bytes) else str(value)
    if text and text.isprintable() and text == text.strip():
        return text
    return repr(text)


def one_line(message: str) -> str:
    """Escape whatever would break a message over lines or hide part of it."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


class CrosscheckError(Exception):
    """Base of every error meant for the user: its message is complete and one line."""

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(one_line(str(message)), *args)


class ProjectOpenError(CrosscheckError):
    """A project file could not be opened; the file was left untouched."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{shown(path)}: {reason}")
        self.path = path
        self.reason = reason


class ReadOnlyProjectError(CrosscheckError):
    """A write was attempted on a project opened read-only."""


class ImportFailed(CrosscheckError):
    """An article file could not be imported; nothing was imported."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{shown(path)}: {reason}")
        self.path = path
        self.reason = reason


class NotFound(CrosscheckError):
    """An article or annotation named by the user does not exist."""


class InvalidInput(CrosscheckError):
    """A value given by the user is out of range or malformed."""


class ImportCancelled(CrosscheckError):
    """The user stopped an import; nothing was imported."""


class NoTextFound(ImportFailed):
    """The source was read but holds no text to import (a scan, a page of navigation only)."""


class ProjectBusy(CrosscheckError):
    """Another program held the project's write lock for longer than we could wait."""


class StoreUnavailable(CrosscheckError):
    """The project cannot be reached right now: its file went away, or its server did."""


class Conflict(CrosscheckError):
    """Someone else changed an annotation after this reviewer last saw it; nothing was changed.

    ``theirs`` is the annotation as it is now (None if it no longer exists); ``expected`` the
    version the reviewer saw.
    """

    def __init__(self, message: str, *, entity_id: str, expected: int, theirs: object) -> None:
        super().__init__(message)
        self.entity_id = entity_id
        self.expected = expected
        self.theirs = theirs
