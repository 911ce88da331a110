"""The crawl against a misbehaving local server: real Scrapy, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scrapy.http import Request

from reliability.http_helpers import send
from spiders.middlewares.backoff_retry import retry_after_seconds
from spiders.middlewares.private_network_guard import BlockedRequest, PrivateNetworkGuardMiddleware
from spiders.output import iter_events, read_outcomes

ARTICLE = (
    "<html lang='it'><head><title>Prova</title><meta property='og:type' content='article'></head><body>"
    "<article><p>" + "Una frase di prova per il corpo dell'articolo. " * 20 + "</p></article></body></html>"
).encode()


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, list[float]] = {}

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        Handler.hits.setdefault(self.path, []).append(time.monotonic())
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if self.path == "/feed.xml":
            items = "".join(
                f"<item><link>{base}{p}</link></item>"
                for p in ("/ok.html", "/limited.html", "/big.html", "/binary.html", "/image.png",
                          "/private/secret.html", "/missing.html", "/ok.html")
            )
            return self._send(200, f"<rss version='2.0'><channel>{items}</channel></rss>".encode(), "application/rss+xml")
        if self.path == "/ok.html":
            return self._send(200, ARTICLE, "text/html; charset=utf-8")
        if self.path == "/limited.html":
            if len(Handler.hits[self.path]) == 1:
                return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
            return self._send(200, ARTICLE, "text/html")
        if self.path == "/big.html":
            return self._send(200, b"<html>" + b"x" * 300_000 + b"</html>", "text/html")
        if self.path == "/binary.html":
            return self._send(200, b"\x00\x01\x02PNG" * 100, "text/html")
        if self.path == "/image.png":
            return self._send(200, b"\x89PNG....", "image/png")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        send(self, status, body, ctype, headers)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _crawl(tmp_path: Path, server: str, allow_private: bool) -> Path:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"allow_private_networks: {str(allow_private).lower()}\n"
        "crawl: {download_delay: 0, retries: 2, max_response_bytes: 100000, timeout: 10}\n"
        f"sources:\n  - {{name: local, kind: feed, url: '{server}/feed.xml'}}\n",
        "utf-8",
    )
    out = tmp_path / "out"
    Handler.hits.clear()  # each crawl sees a fresh server: the first /limited.html answer is a 429
    subprocess.run([sys.executable, "-m", "spiders.crawl", str(sources), str(out)], check=True, timeout=120)
    return out


def test_each_bad_response_is_recorded_with_its_kind(tmp_path, server):
    out = _crawl(tmp_path, server, allow_private=True)
    events = {e["url"].removeprefix(server): e["reason"] for e in iter_events(out)}
    assert events == {
        "/big.html": "too-large",
        "/binary.html": "binary",
        "/image.png": "non-html",
        "/private/secret.html": "robots",
        "/missing.html": "http-404",
    }
    pages = [json.loads(line) for line in (out / "local.jsonl").read_text().splitlines()]
    fetched = sorted(p["url"].removeprefix(server) for p in pages if p["outcome"] == "page")
    assert fetched == ["/limited.html", "/ok.html"]  # the duplicate feed item is fetched once
    tally = read_outcomes(out)["local"]
    assert tally["listed"] == 7 and tally["fetched"] == 2 and tally["entry_error"] is None
    assert "/private/secret.html" not in Handler.hits  # robots.txt obeyed: never requested


def test_429_is_retried_after_the_time_the_server_asked_for(tmp_path, server):
    _crawl(tmp_path, server, allow_private=True)
    first, second = Handler.hits["/limited.html"]
    assert second - first >= 0.9


def test_private_addresses_are_refused_unless_allowed(tmp_path, server):
    out = _crawl(tmp_path, server, allow_private=False)
    tally = read_outcomes(out)["local"]
    assert tally["entry_error"].startswith("blocked-address")
    assert tally["fetched"] == 0


def test_guard_checks_every_request_it_sees():
    guard = PrivateNetworkGuardMiddleware(allow_private=False)
    for url in ("http://127.0.0.1/", "http://[::1]/", "http://10.1.2.3/x", "http://[::ffff:192.168.0.1]/"):
        with pytest.raises(BlockedRequest):
            guard.process_request(Request(url))
    assert guard.process_request(Request("http://93.184.216.34/")) is None


def test_retry_after_forms():
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
    assert 0 <= retry_after_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT") <= 1  # a past date: no wait


def test_hostname_resolving_to_loopback_is_refused(tmp_path, server):
    by_name = server.replace("127.0.0.1", "localhost")
    out = _crawl(tmp_path, by_name, allow_private=False)
    tally = read_outcomes(out)["local"]
    assert tally["fetched"] == 0
    assert tally["entry_error"].startswith("blocked-address"), tally["entry_error"]
    assert not Handler.hits  # not even robots.txt reached the server
