"""Fetch one web page the way a careful reader would: http(s) only, bounded in size and time.

Every redirect is followed by hand, so each hop's address is checked (a redirect to
``file:`` or ``javascript:`` is refused like a typed one) and recorded. The body is read as a
stream and reading stops as soon as it passes the size limit, so a huge or endless page costs
at most the limit. Errors are ImportFailed naming the URL and the cause in one line.
"""

from __future__ import annotations

import hashlib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from desktop import __version__
from desktop.core.errors import ImportCancelled, ImportFailed
from desktop.core.model import MAX_URL_CHARS, utc_now

if TYPE_CHECKING:
    import httpx

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 20.0  # longest wait for the next piece of the page
TOTAL_TIMEOUT_S = 60.0  # the whole fetch, redirects included
CHUNK_BYTES = 64 * 1024

USER_AGENT = f"Crosscheck/{__version__} (fact-checking desktop application)"
# What the importers can read. Anything else is refused before its body is read.
HTML_TYPES = ("text/html", "application/xhtml+xml")
READABLE_TYPES = (*HTML_TYPES, "text/plain", "application/pdf")

# Cancel callback: returns True when the user asked to stop.
Cancelled = Callable[[], bool]
# Progress callback: (bytes read, bytes expected or None).
Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class Redirect:
    """One hop: ``url`` answered ``status`` and sent the reader on."""

    url: str
    status: int

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "status": self.status}


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: exact bytes and how they were obtained."""

    url: str  # as asked for
    final_url: str
    status: int
    content_type: str  # media type only, lower case ("text/html")
    charset: str | None  # from the Content-Type header
    body: bytes = field(repr=False)
    fetched_at: datetime
    redirects: tuple[Redirect, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES


def check_url(text: str) -> str:
    """The URL to fetch, or ImportFailed saying why it will not be fetched."""
    url = text.strip()
    shown = _shown(url)
    if not url:
        raise ImportFailed("URL", "is empty")
    if len(url) > MAX_URL_CHARS:
        raise ImportFailed(shown, f"is longer than {MAX_URL_CHARS:,} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ImportFailed(shown, "contains spaces or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"a {scheme}: address" if scheme else "not a web address"
        raise ImportFailed(shown, f"is {what}; only http:// and https:// pages can be fetched")
    if not parts.hostname:
        raise ImportFailed(shown, "has no host name")
    if parts.username is not None or parts.password is not None:
        # It would be stored in the project and in every export.
        raise ImportFailed(shown, "contains a user name or password; remove them from the URL")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ImportFailed(shown, "has an invalid port") from None
    return url


def looks_like_url(text: str) -> bool:
    """Whether a command-line argument or a dropped string is meant as a web address."""
    head = text.strip()[:12].lower()
    return head.startswith(("http://", "https://"))


def fetch(
    url: str,
    *,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_BODY_BYTES,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = READ_TIMEOUT_S,
    total_timeout: float = TOTAL_TIMEOUT_S,
    verify: ssl.SSLContext | bool = True,
    accept: tuple[str, ...] = READABLE_TYPES,
) -> FetchedPage:
    """Fetch ``url``; raise ImportFailed (or ImportCancelled) with the reason."""
    import httpx

    asked = check_url(url)
    deadline = time.monotonic() + total_timeout
    timeout = httpx.Timeout(
        connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
    )
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8",
        # Only encodings whose expansion httpx bounds chunk by chunk.
        "Accept-Encoding": "gzip, deflate",
    }
    redirects: list[Redirect] = []
    current = asked
    with httpx.Client(timeout=timeout, headers=headers, verify=verify) as client:
        while True:
            _check_cancel(cancelled)
            response = _send(client, asked, current, deadline)
            try:
                if response.is_redirect:
                    target = _redirect_target(asked, current, response)
                    redirects.append(Redirect(current, response.status_code))
                    if len(redirects) > MAX_REDIRECTS:
                        raise ImportFailed(
                            _shown(asked), f"redirects more than {MAX_REDIRECTS} times"
                        )
                    if target in (r.url for r in redirects):
                        raise ImportFailed(_shown(asked), f"redirects in a loop (via {target})")
                    current = target
                    continue
                return _read_page(
                    response,
                    asked=asked,
                    final=current,
                    redirects=tuple(redirects),
                    accept=accept,
                    max_bytes=max_bytes,
                    deadline=deadline,
                    total_timeout=total_timeout,
                    cancelled=cancelled,
                    progress=progress,
                )
            finally:
                response.close()


def _send(client: httpx.Client, asked: str, url: str, deadline: float) -> httpx.Response:
    import httpx

    if time.monotonic() > deadline:
        raise ImportFailed(_shown(asked), "took too long to answer")
    request = client.build_request("GET", url)
    try:
        return client.send(request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise ImportFailed(_shown(asked), _network_reason(exc, url)) from None


def _redirect_target(asked: str, current: str, response: httpx.Response) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise ImportFailed(
            _shown(asked), f"redirects ({response.status_code}) without saying where"
        )
    target = urljoin(current, location)
    try:
        return check_url(target)
    except ImportFailed as exc:
        raise ImportFailed(
            _shown(asked), f"redirects to {_shown(target)}, which {exc.reason}"
        ) from None


def _read_page(
    response: httpx.Response,
    *,
    asked: str,
    final: str,
    redirects: tuple[Redirect, ...],
    accept: tuple[str, ...],
    max_bytes: int,
    deadline: float,
    total_timeout: float,
    cancelled: Cancelled | None,
    progress: Progress | None,
) -> FetchedPage:
    import httpx

    shown = _shown(asked)
    status = response.status_code
    if status >= 400:
        # The standard wording; servers send theirs in any case ("NOT FOUND").
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = response.reason_phrase or ""
        raise ImportFailed(shown, f"the server answered {status} {phrase}".rstrip())
    if status != 200:
        raise ImportFailed(shown, f"the server answered {status} instead of the page")
    media, charset = _content_type(response.headers.get("content-type", ""))
    if media and media not in accept:
        raise ImportFailed(shown, f"is not a web page, PDF or text (the server sent {media})")
    declared = _declared_length(response)
    if declared is not None and declared > max_bytes:
        raise ImportFailed(
            shown, f"is larger than the {_megabytes(max_bytes)} limit ({declared:,} bytes)"
        )
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise ImportFailed(shown, f"is larger than the {_megabytes(max_bytes)} limit")
            chunks.append(chunk)
            if progress is not None:
                progress(size, declared)
            _check_cancel(cancelled)
            if time.monotonic() > deadline:
                raise ImportFailed(shown, f"took longer than {total_timeout:g} s to download")
    except httpx.HTTPError as exc:
        raise ImportFailed(shown, _network_reason(exc, final)) from None
    body = b"".join(chunks)
    if not media:
        media = _sniff(body)
        if media not in accept:
            raise ImportFailed(shown, "is not a web page, PDF or text (the server did not say)")
    return FetchedPage(
        url=asked,
        final_url=final,
        status=status,
        content_type=media,
        charset=charset,
        body=body,
        fetched_at=utc_now(),
        redirects=redirects,
    )


def _content_type(header: str) -> tuple[str, str | None]:
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _declared_length(response: httpx.Response) -> int | None:
    # With a content coding the header counts compressed bytes: the limit is on what we keep.
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None
    try:
        value = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _sniff(body: bytes) -> str:
    head = body[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "application/pdf"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")):
        return "text/html"
    return "application/octet-stream"


def _network_reason(exc: Exception, url: str) -> str:
    """One line saying what went wrong on the way to ``url``."""
    import httpx

    host = urlsplit(url).hostname or url
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = cause.verify_message or "not trusted"
            return f"the secure connection to {host} failed: its certificate is {detail}"
        if isinstance(cause, ssl.SSLError):
            return (
                f"the secure connection to {host} failed (TLS: {_one_line(cause.reason or cause)})"
            )
        cause = cause.__cause__ or cause.__context__
    text = _one_line(exc)
    lowered = text.lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect to {host} (no answer within the time limit)"
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return f"{host} stopped answering (no data within the time limit)"
    if isinstance(exc, httpx.ConnectError):
        if "ssl" in lowered or "tls" in lowered or "certificate" in lowered:
            return f"the secure connection to {host} failed ({text})"
        if (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or (
                "getaddrinfo" in lowered
                or "no address associated" in lowered
                or "temporary failure in name resolution" in lowered
            )
        ):
            return f"the host {host} was not found"
        if "refused" in lowered:
            return f"could not connect to {host}: connection refused"
        if "unreachable" in lowered:
            return f"could not reach {host}: network unreachable"
        return f"could not connect to {host} ({text})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{host} sent a broken response ({text})"
    if isinstance(exc, httpx.DecodingError):
        return f"{host} sent a page that could not be decompressed"
    return f"fetching from {host} failed ({text or type(exc).__name__})"


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled("import cancelled; nothing was imported")


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def _shown(url: str) -> str:
    """A URL as it goes into a one-line message: control characters escaped, long ones cut."""
    text = url.encode("unicode_escape").decode("ascii") if not url.isprintable() else url
    return text if len(text) <= 200 else text[:199] + "…"
