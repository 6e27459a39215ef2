"""Value types shared by every layer. No I/O here."""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from desktop.core.errors import InvalidInput


class Verdict(enum.StrEnum):
    """A reviewer's judgement on a span of text. Values are stored and exported as-is."""

    SUPPORTED = "supported"
    DISPUTED = "disputed"
    UNVERIFIED = "unverified"

    @classmethod
    def parse(cls, value: str) -> Verdict:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(v.value for v in cls)
            raise InvalidInput(f"unknown verdict {value!r} (choose {choices})") from None


MAX_NOTE_CHARS = 100_000
MAX_URL_CHARS = 2_048
MAX_REVIEWER_CHARS = 200


def check_reviewer_name(name: str | None) -> str:
    """The name trimmed; a clear error for an empty, overlong or control-character name."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise InvalidInput("no reviewer given: pass --reviewer NAME or set CROSSCHECK_REVIEWER")
    if len(cleaned) > MAX_REVIEWER_CHARS:
        raise InvalidInput(f"reviewer name is longer than {MAX_REVIEWER_CHARS} characters")
    if any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInput("reviewer name contains control characters")
    return cleaned


@dataclass(frozen=True)
class Source:
    """A piece of evidence: an http(s) URL, an optional title and, once saved, the id of the
    copy of its page kept in the project (``fetched_pages``)."""

    url: str
    title: str = ""
    copy: str = ""

    def to_json(self) -> dict[str, str]:
        out = {"url": self.url, "title": self.title}
        if self.copy:
            out["copy"] = self.copy
        return out

    @classmethod
    def parse(cls, url: str, title: str = "", copy: str = "") -> Source:
        """Check a URL the user typed; refuse anything a browser could not open as a web page."""
        url = url.strip()
        if not url:
            raise InvalidInput("an evidence link cannot be empty")
        if len(url) > MAX_URL_CHARS:
            raise InvalidInput(f"evidence link is longer than {MAX_URL_CHARS} characters")
        if any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
            raise InvalidInput(f"evidence link {url!r} contains spaces or control characters")
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise InvalidInput(
                f"evidence link {url!r} is not a web address (it must start with http:// or https://)"
            )
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise InvalidInput(f"evidence link {url!r} has an invalid port") from None
        return cls(url=url, title=title.strip(), copy=copy.strip())


def sources_from_json(items: list[dict[str, str]] | None) -> tuple[Source, ...]:
    return tuple(
        Source(url=i["url"], title=i.get("title", ""), copy=i.get("copy", "")) for i in items or ()
    )


_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day, and no more precisely than that.

    Pages often give only "March 2024"; storing 2024-03-01 would claim a day nobody gave.
    Written as ISO 8601 with reduced precision: ``2024``, ``2024-03`` or ``2024-03-12``.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # Raises ValueError for a day or month that does not exist.
        date(self.year, self.month or 1, self.day or 1)

    @property
    def precision(self) -> str:
        """ "day", "month" or "year"."""
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    def isoformat(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def first_day(self) -> date:
        """The earliest day it can mean, which is what a date column stores."""
        return date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @classmethod
    def from_stored(cls, value: date, precision: str | None) -> PartialDate:
        """Rebuild from a date column and its precision column (None meaning to the day)."""
        if precision == "year":
            return cls(value.year)
        if precision == "month":
            return cls(value.year, value.month)
        return cls.from_date(value)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ValueError for anything else."""
        match = _PARTIAL_DATE.fullmatch(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not written YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        return cls(year, month, day)


def new_id() -> str:
    """Every entity gets a random UUID so copies of a project can later be merged by id."""
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a trailing Z, microsecond precision, fixed width (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_note(note: str) -> str:
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"note is longer than {MAX_NOTE_CHARS:,} characters")
    if "\x00" in note:
        raise InvalidInput("note contains a NUL character")
    return note
