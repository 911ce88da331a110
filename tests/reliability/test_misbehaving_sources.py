"""Sources that misbehave: each fault is recorded per source with its kind, and the crawl goes on."""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


from reliability.http_helpers import send
from spiders.output import iter_events, iter_pages, read_outcomes

PAGE = (
    "<html lang='it'><head><title>Prova</title><meta property='og:type' content='article'></head><body>"
    "<article><p>" + "Testo di prova per una pagina che si comporta bene. " * 20 + "</p></article></body></html>"
).encode()
BOMB = gzip.compress(b"<html>" + b" " * 20_000_000 + b"</html>")
LINKS = ["/ok.html", "/flaky.html", "/r1", "/loop-a", "/slow.html", "/drip.html", "/bomb.html", "/huge.html",
         "/truncated.html", "/binary.html", "/ok.html", "relative.html", "javascript:alert(1)"]


class Handler(BaseHTTPRequestHandler):
    seen: dict[str, int] = {}

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        Handler.seen[path] = Handler.seen.get(path, 0) + 1
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/feed.xml":
            items = "".join(f"<item><link>{link}</link><pubDate>{d}</pubDate></item>" for link, d in zip(
                LINKS, ["Mon, 22 Sep 2025 10:00:00 +0200", "2025-09-22", "22/09/2025", "", "yesterday"] * 3))
            return self._send(200, f"<rss version='2.0'><channel>{items}</channel></rss>".encode(), "application/rss+xml")
        if path == "/bad-feed.xml":
            return self._send(200, b"\x00\x01 {{{ not XML at all", "application/rss+xml")
        if path == "/bad-sitemap.xml":
            return self._send(200, b"<html><body>not a sitemap</body></html>", "application/xml")
        if path in ("/ok.html", "/relative.html", "/r3-target.html"):
            return self._send(200, PAGE, "text/html; charset=utf-8")
        if path == "/flaky.html":
            if Handler.seen[path] == 1:
                return self._send(503, b"busy", "text/plain")
            return self._send(200, PAGE, "text/html")
        if path in ("/r1", "/r2", "/r3"):
            target = {"/r1": "/r2", "/r2": "/r3", "/r3": "/r3-target.html"}[path]
            return self._send(301, b"", "text/plain", {"Location": target})
        if path in ("/loop-a", "/loop-b"):
            return self._send(302, b"", "text/plain", {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
        if path == "/slow.html":
            time.sleep(4)
            return self._send(200, PAGE, "text/html")
        if path == "/drip.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(60):  # bounded: about 6 s of one byte every 0.1 s
                try:
                    self.wfile.write(b"<")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
            return
        if path == "/bomb.html":
            return self._send(200, BOMB, "text/html", {"Content-Encoding": "gzip"})
        if path == "/huge.html":
            return self._send(200, b"<html>" + b"x" * 50_000_000 + b"</html>", "text/html")
        if path == "/truncated.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "50000")
            self.end_headers()
            self.wfile.write(PAGE[:300])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if path == "/binary.html":
            return self._send(200, b"\x00\x01\x02\x03" * 500, "text/html")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        send(self, status, body, ctype, headers)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("misbehaving")
    sources = folder / "sources.yaml"
    sources.write_text(
        "allow_private_networks: true\n"
        "crawl: {download_delay: 0, retries: 1, timeout: 2, max_response_bytes: 1000000}\n"
        "sources:\n"
        f"  - {{name: mixed, kind: feed, url: '{base}/feed.xml'}}\n"
        f"  - {{name: broken-feed, kind: feed, url: '{base}/bad-feed.xml'}}\n"
        f"  - {{name: broken-sitemap, kind: sitemap, url: '{base}/bad-sitemap.xml'}}\n"
        f"  - {{name: refused, kind: feed, url: 'http://127.0.0.1:{dead}/feed.xml'}}\n",
        "utf-8",
    )
    out = folder / "out"
    subprocess.run([sys.executable, "-m", "spiders.crawl", str(sources), str(out)], check=True, timeout=180)
    httpd.shutdown()
    yield base, out


def test_each_fault_is_recorded_with_its_kind(crawl):
    base, out = crawl
    events = {e["url"].removeprefix(base): e["reason"] for e in iter_events(out) if e["source"] == "mixed"}
    assert events == {
        "/loop-a": "redirect-loop",
        "/slow.html": "timeout",
        "/drip.html": "timeout",
        "/bomb.html": "too-large",
        "/huge.html": "too-large",
        "/truncated.html": "truncated",
        "/binary.html": "binary",
    }


def test_good_pages_survive_retries_and_redirects(crawl):
    base, out = crawl
    fetched = sorted(p["final_url"].removeprefix(base) for p in iter_pages(out) if p["source"] == "mixed")
    # 503 then success; a three-hop redirect; a relative link; duplicates and javascript: links dropped.
    assert fetched == ["/flaky.html", "/ok.html", "/r3-target.html", "/relative.html"]


def test_broken_sources_fail_alone_with_their_reason(crawl):
    _, out = crawl
    tallies = read_outcomes(out)
    assert tallies["mixed"]["entry_error"] is None
    assert tallies["broken-feed"]["entry_error"].startswith("invalid-feed")
    assert tallies["broken-sitemap"]["entry_error"].startswith("invalid-sitemap")
    assert tallies["refused"]["entry_error"].startswith("connection-refused")
