"""Errors a user can meet. Each carries a one-line message fit to show as-is."""

from __future__ import annotations


class CrosscheckError(Exception):
    """Base of every error meant for the user: its message is complete and one line."""


class ProjectOpenError(CrosscheckError):
    """A project file could not be opened; the file was left untouched."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ReadOnlyProjectError(CrosscheckError):
    """A write was attempted on a project opened read-only."""


class ImportFailed(CrosscheckError):
    """An article file could not be imported; nothing was imported."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
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
