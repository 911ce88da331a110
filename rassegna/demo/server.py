"""Serve a folder of static news outlets on 127.0.0.1, one port per outlet.

Each sub-folder of the root is one outlet. Real outlets live on separate
hosts, each with its own robots.txt; separate ports give the same shape on one
loopback address, so the `site` spider's same-host rule and per-domain
politeness behave as they would on the internet.

Files may contain ``{{BASE}}`` (this outlet's base URL, no trailing slash) and
``{{BASE:other}}`` (another outlet's); they are replaced as bytes, so pages
stored in windows-1252 stay byte-exact. A sidecar ``NAME.headers`` JSON file
sets response headers for ``NAME`` (e.g. a Content-Type with or without a
charset); ``NAME.status`` holds a status code to answer with instead of 200.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

_PLACEHOLDER = re.compile(rb"\{\{BASE(?::([A-Za-z0-9_.-]+))?\}\}")

# Text types are served without a charset unless a sidecar says otherwise:
# many Italian sites do exactly that, and decoding must cope.
_DEFAULT_TYPES = {
    ".html": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}


@dataclass
class DemoSites:
    """Running outlets: name -> base URL."""

    bases: dict[str, str] = field(default_factory=dict)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def url(self, outlet: str, path: str = "/") -> str:
        return self.bases[outlet] + (path if path.startswith("/") else "/" + path)


def _handler_for(root: Path, sites: DemoSites, delay: float = 0.0) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "RassegnaDemo/1.0"
        # Keep-alive, as real news sites do; every response carries Content-Length.
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            # Test and demo output stays readable; the crawler records every fetch.
            return

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(send_body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._serve(send_body=True)

        def _serve(self, send_body: bool) -> None:
            if delay:
                time.sleep(delay)  # a slow site, for tests that must catch a crawl in the act
            rel = unquote(urlsplit(self.path).path).lstrip("/")
            target = (root / rel).resolve()
            if target.is_dir():
                target = target / "index.html"
            if root.resolve() not in target.parents or not target.is_file():
                self._send(404, b"not found", {"Content-Type": "text/plain"}, send_body)
                return
            body = _PLACEHOLDER.sub(self._base_for, target.read_bytes())
            headers = {
                "Content-Type": _DEFAULT_TYPES.get(target.suffix)
                or mimetypes.guess_type(target.name)[0]
                or "application/octet-stream"
            }
            sidecar = target.with_name(target.name + ".headers")
            if sidecar.is_file():
                headers.update(json.loads(sidecar.read_text("utf-8")))
            status_file = target.with_name(target.name + ".status")
            status = int(status_file.read_text().strip()) if status_file.is_file() else 200
            # Validators, as real servers send them, so conditional requests can be exercised.
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers.setdefault("ETag", etag)
            headers.setdefault("Last-Modified", formatdate(target.stat().st_mtime, usegmt=True))
            if status == 200 and self.headers.get("If-None-Match") == headers["ETag"]:
                self._send(304, b"", {"ETag": headers["ETag"]}, send_body=False)
                return
            self._send(status, body, headers, send_body)

        def _base_for(self, match: re.Match[bytes]) -> bytes:
            name = match.group(1)
            if name is None:
                host, port = self.server.server_address[:2]
                return f"http://{host}:{port}".encode()
            return sites.bases[name.decode()].encode()

        def _send(self, status: int, body: bytes, headers: dict[str, str], send_body: bool) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


def start_sites(root: Path, host: str = "127.0.0.1", delay: float = 0.0, first_port: int = 0) -> DemoSites:
    """Start one HTTP server per outlet folder under ``root``.

    Ports are chosen by the OS, or `first_port`, `first_port + 1`... so that URLs, and
    with them the articles' identity, stay the same from one demo run to the next.
    """
    sites = DemoSites()
    outlets = sorted(p for p in Path(root).iterdir() if p.is_dir())
    if not outlets:
        raise FileNotFoundError(f"{root}: no outlet folders to serve")
    for index, outlet in enumerate(outlets):
        port = first_port + index if first_port else 0
        try:
            server = ThreadingHTTPServer((host, port), _handler_for(outlet, sites, delay))
        except OSError as exc:
            stop_sites(sites)
            raise OSError(f"cannot serve {outlet.name} on {host}:{port}: {exc.strerror}") from None
        server.daemon_threads = True
        sites.servers.append(server)
        sites.bases[outlet.name] = f"http://{host}:{server.server_address[1]}"
    for server in sites.servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return sites


def stop_sites(sites: DemoSites) -> None:
    for server in sites.servers:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(root: Path, delay: float = 0.0, first_port: int = 0) -> Iterator[DemoSites]:
    sites = start_sites(root, delay=delay, first_port=first_port)
    try:
        yield sites
    finally:
        stop_sites(sites)


def main() -> None:
    """`python -m rassegna.demo.server ROOT`: serve until killed; prints the bases as JSON first."""
    import sys

    sites = start_sites(Path(sys.argv[1]))
    print(json.dumps(sites.bases), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop_sites(sites)


if __name__ == "__main__":
    main()
