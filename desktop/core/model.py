"""Value types shared by every layer. No I/O here."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
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
    """A piece of evidence: an http(s) URL and an optional title."""

    url: str
    title: str = ""

    def to_json(self) -> dict[str, str]:
        return {"url": self.url, "title": self.title}

    @classmethod
    def parse(cls, url: str, title: str = "") -> Source:
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
        return cls(url=url, title=title.strip())


def sources_from_json(items: list[dict[str, str]] | None) -> tuple[Source, ...]:
    return tuple(Source(url=i["url"], title=i.get("title", "")) for i in items or ())


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
