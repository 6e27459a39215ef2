"""Fetching web pages from a local server: redirects, failures, limits. No other address is
ever contacted: every server here listens on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from desktop.core import fetch
from desktop.core.errors import ImportCancelled, ImportFailed

PAGES = Path(__file__).parent / "pages"
HTML = "text/html; charset=utf-8"


def page(name: str = "wordpress-news.html") -> bytes:
    return (PAGES / name).read_bytes()


def failure(url: str, **options: object) -> str:
    with pytest.raises(ImportFailed) as caught:
        fetch.fetch(url, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_page_is_fetched_with_its_bytes_and_how(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/story").respond_with_data(page(), content_type=HTML)
    url = httpserver.url_for("/story")
    fetched = fetch.fetch(url)
    assert fetched.body == page()
    assert (fetched.url, fetched.final_url, fetched.status) == (url, url, 200)
    assert (fetched.content_type, fetched.charset, fetched.redirects) == ("text/html", "utf-8", ())
    assert fetched.is_html and len(fetched.sha256) == 64
    assert fetched.fetched_at.tzinfo is not None
    (request, _), *_ = httpserver.log
    assert request.headers["User-Agent"].startswith("Crosscheck/")


def test_redirects_are_followed_and_recorded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/moved"}
    )
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/story")}
    )
    httpserver.expect_request("/story").respond_with_data(page(), content_type=HTML)
    fetched = fetch.fetch(httpserver.url_for("/old"))
    assert fetched.final_url == httpserver.url_for("/story")
    assert [(r.url, r.status) for r in fetched.redirects] == [
        (httpserver.url_for("/old"), 301),
        (httpserver.url_for("/moved"), 302),
    ]
    assert fetched.body == page()


def test_redirect_limits(httpserver: HTTPServer) -> None:
    for hop in range(8):
        httpserver.expect_request(f"/hop{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/hop{hop + 1}"}
        )
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    httpserver.expect_request("/nowhere").respond_with_data("", status=301)
    httpserver.expect_request("/to-file").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    url = httpserver.url_for
    assert failure(url("/hop0")) == f"{url('/hop0')}: redirects more than 5 times"
    assert failure(url("/loop")) == f"{url('/loop')}: redirects in a loop (via {url('/loop')})"
    assert failure(url("/nowhere")) == f"{url('/nowhere')}: redirects (301) without saying where"
    assert failure(url("/to-file")) == (
        f"{url('/to-file')}: redirects to file:///etc/passwd, which is a file: address; "
        "only http:// and https:// pages can be fetched"
    )


def test_http_errors_name_the_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/broken").respond_with_data("no", status=500)
    assert failure(httpserver.url_for("/gone")).endswith(": the server answered 404 Not Found")
    assert failure(httpserver.url_for("/broken")).endswith(
        ": the server answered 500 Internal Server Error"
    )


def test_what_is_not_a_page_is_refused_before_its_body_is_read(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/logo.png").respond_with_data(
        b"\x89PNG" * 10, content_type="image/png"
    )
    assert failure(httpserver.url_for("/logo.png")).endswith(
        ": is not a web page, PDF or text (the server sent image/png)"
    )


def test_pdf_and_plain_text_are_accepted(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.pdf").respond_with_data(
        b"%PDF-1.7 x", content_type="application/pdf"
    )
    httpserver.expect_request("/a.txt").respond_with_data("Plain", content_type="text/plain")
    httpserver.expect_request("/untyped").respond_with_data(b"%PDF-1.4 y", content_type="")
    assert fetch.fetch(httpserver.url_for("/a.pdf")).content_type == "application/pdf"
    assert fetch.fetch(httpserver.url_for("/a.txt")).body == b"Plain"
    # No Content-Type at all: the bytes say what it is.
    assert fetch.fetch(httpserver.url_for("/untyped")).content_type == "application/pdf"


def _fifty_megabytes() -> Iterator[bytes]:
    chunk = b"<p>" + b"x" * (1024 * 1024 - 3)
    for _ in range(50):
        yield chunk


def test_a_50_mb_body_is_refused_after_10_mb(httpserver: HTTPServer) -> None:
    sent: list[int] = []

    def endless(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for chunk in _fifty_megabytes():
                sent.append(len(chunk))
                yield chunk

        return Response(body(), content_type=HTML)  # streamed: no Content-Length

    httpserver.expect_request("/big").respond_with_handler(endless)
    read: list[int] = []
    message = failure(httpserver.url_for("/big"), progress=lambda done, total: read.append(done))
    assert message.endswith(": is larger than the 10 MB limit")
    assert max(read) <= fetch.MAX_BODY_BYTES
    # The reader hung up: the server did not get to send the 50 MB.
    assert sum(sent) < 50 * 1024 * 1024


def test_a_declared_50_mb_body_is_refused_before_reading(httpserver: HTTPServer) -> None:
    def declared(request: Request) -> Response:
        response = Response(_fifty_megabytes(), content_type=HTML)
        response.headers["Content-Length"] = str(50 * 1024 * 1024)
        return response

    httpserver.expect_request("/big").respond_with_handler(declared)
    read: list[int] = []
    message = failure(httpserver.url_for("/big"), progress=lambda done, total: read.append(done))
    assert message.endswith(": is larger than the 10 MB limit (52,428,800 bytes)")
    assert read == []


def test_a_compressed_page_is_inflated_and_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(page()), content_type=HTML, headers={"Content-Encoding": "gzip"}
    )
    bomb = gzip.compress(b"<p>" + b" " * (30 * 1024 * 1024))
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type=HTML, headers={"Content-Encoding": "gzip"}
    )
    assert fetch.fetch(httpserver.url_for("/gz")).body == page()
    assert len(bomb) < 100_000
    assert failure(httpserver.url_for("/bomb")).endswith(": is larger than the 10 MB limit")


def test_a_slow_server_times_out(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(page(), content_type=HTML)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    message = failure(httpserver.url_for("/slow"), read_timeout=0.3)
    assert message.endswith(": 127.0.0.1 stopped answering (no data within the time limit)")
    assert time.monotonic() - started < 1.4


def test_a_trickling_server_meets_the_total_limit(httpserver: HTTPServer) -> None:
    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(40):
                time.sleep(0.05)
                yield b"<p>more</p>" * 1000

        return Response(body(), content_type=HTML)

    httpserver.expect_request("/trickle").respond_with_handler(trickle)
    message = failure(httpserver.url_for("/trickle"), total_timeout=0.5)
    assert message.endswith(": took longer than 0.5 s to download")


def test_an_unreachable_host(httpserver: HTTPServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there now.
    message = failure(f"http://127.0.0.1:{port}/story")
    assert (
        message
        == f"http://127.0.0.1:{port}/story: could not connect to 127.0.0.1: connection refused"
    )


def test_an_unknown_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name lookup fails as it does for a host that does not exist (no resolver is asked)."""

    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    assert failure("https://news.example.invalid/story") == (
        "https://news.example.invalid/story: the host news.example.invalid was not found"
    )


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[HTTPServer, trustme.CA]]:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/story").respond_with_data(page(), content_type=HTML)
    server.start()
    try:
        yield server, authority
    finally:
        server.clear()
        server.stop()


def test_tls_with_an_untrusted_certificate_fails(tls_server: tuple[HTTPServer, trustme.CA]) -> None:
    server, authority = tls_server
    url = server.url_for("/story")
    assert url.startswith("https://127.0.0.1:")
    assert failure(url) == (
        f"{url}: the secure connection to 127.0.0.1 failed: its certificate is "
        "unable to get local issuer certificate"
    )
    # The same server is fine for a reader who trusts its authority.
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    assert fetch.fetch(url, verify=trusted).body == page()


def test_tls_spoken_to_a_plain_server_fails(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/story").respond_with_data(page(), content_type=HTML)
    url = httpserver.url_for("/story").replace("http://", "https://")
    assert failure(url).startswith(f"{url}: the secure connection to 127.0.0.1 failed (TLS: ")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "file:///etc/passwd",
            "is a file: address; only http:// and https:// pages can be fetched",
        ),
        (
            "javascript:alert(1)",
            "is a javascript: address; only http:// and https:// pages can be fetched",
        ),
        (
            "ftp://example.org/a",
            "is a ftp: address; only http:// and https:// pages can be fetched",
        ),
        (
            "www.example.org/a",
            "is not a web address; only http:// and https:// pages can be fetched",
        ),
        ("http:///path", "has no host name"),
        (
            "https://user:secret@example.org/",
            "contains a user name or password; remove them from the URL",
        ),
        ("http://example.org:99999/", "has an invalid port"),
        ("http://example.org/a b", "contains spaces or control characters"),
    ],
)
def test_addresses_that_are_not_fetched(url: str, reason: str) -> None:
    assert failure(url) == f"{url}: {reason}"


def test_a_url_too_long_is_refused_without_a_connection(httpserver: HTTPServer) -> None:
    url = httpserver.url_for("/" + "a" * 3000)
    message = failure(url)
    assert message.endswith(": is longer than 2,048 characters")
    assert len(message) < 300  # the URL is cut in the message
    assert httpserver.log == []


def test_cancel_stops_a_download(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"<p>x</p>" * 500_000, content_type=HTML)
    with pytest.raises(ImportCancelled):
        fetch.fetch(httpserver.url_for("/big"), cancelled=lambda: True)
