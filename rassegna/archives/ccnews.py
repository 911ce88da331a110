"""Common Crawl News (CC-NEWS): which WARC files cover a window, and reading one as a stream.

CC-NEWS lists its files per month in `crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`, one path
per line, each file named after the time its capture began:
`crawl-data/CC-NEWS/2025/09/CC-NEWS-20250926101502-01234.warc.gz`. A mirror, or a test
server, that serves the same layout under another base URL works the same.

Every request, redirects included, passes the private-address guard (rassegna.netguard).
"""

from __future__ import annotations

import gzip
import http.client
import ipaddress
import re
import socket
import time
from contextlib import contextmanager
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from urllib.parse import urljoin

from rassegna.netguard import BlockedAddress, check_url, is_public

DEFAULT_ARCHIVE_URL = "https://data.commoncrawl.org/"
USER_AGENT = "Rassegna/0.1 (press monitoring; archive scan)"
_NAME_TIME = re.compile(r"CC-NEWS-(\d{14})-\d+\.warc(?:\.gz)?$")
# A stalled connection must fail the file (it is then redone), not hang the worker.
READ_TIMEOUT_S = 60.0


class ArchiveError(RuntimeError):
    """The archive answered something other than what its layout promises; the message says what."""


@dataclass(frozen=True)
class WarcFile:
    path: str  # as listed, relative to the archive's base URL
    started_at: datetime  # from the name: when the file's capture began (UTC)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def months(since: date, until: date) -> list[tuple[int, int]]:
    if until < since:
        raise ValueError(f"until ({until}) is before since ({since})")
    found, year, month = [], since.year, since.month
    while (year, month) <= (until.year, until.month):
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def listing_path(year: int, month: int) -> str:
    return f"crawl-data/CC-NEWS/{year:04d}/{month:02d}/warc.paths.gz"


def started_at(path: str) -> datetime | None:
    match = _NAME_TIME.search(path)
    return datetime.strptime(match.group(1), "%Y%m%d%H%M%S") if match else None


def files_in_window(paths: list[str], since: date, until: date) -> list[WarcFile]:
    """Files whose capture began on a day from `since` to `until`, both included, in time order.

    A file started just before midnight holds a few records of the next day; the window is
    the files' own days, which is what a scan can promise without opening them.
    """
    chosen = []
    for path in paths:
        begun = started_at(path)
        if begun is not None and since <= begun.date() <= until:
            chosen.append(WarcFile(path, begun))
    return sorted(chosen, key=lambda f: (f.started_at, f.path))


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib's signature)
        check_url(newurl, allow_private=self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _guarded_connect(allow_private: bool):  # noqa: ANN202 (socket.create_connection's shape)
    """socket.create_connection that connects only to addresses the guard accepts: the address
    checked is the address connected to (a name resolving differently a second time cannot
    slip a private address in)."""
    def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):  # noqa: ANN001
        host, port = address
        last: OSError | None = None
        for family, kind, proto, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
            if not allow_private and not is_public(ipaddress.ip_address(sockaddr[0].split("%")[0])):
                raise BlockedAddress(f"{host} resolves to non-public address {sockaddr[0]}")
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise last or OSError(f"{host}: no address to connect to")

    return create_connection


def _guarded_connection(base: type[http.client.HTTPConnection], allow_private: bool) -> type:
    """`base` (http.client's HTTP or HTTPS connection) connecting through the guard."""
    connect = _guarded_connect(allow_private)

    class Connection(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    return Connection


class _GuardedHTTP(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.connection = _guarded_connection(http.client.HTTPConnection, allow_private)

    def http_open(self, req):  # noqa: ANN001, ANN201 (urllib's signature)
        return self.do_open(self.connection, req)


class _GuardedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.connection = _guarded_connection(http.client.HTTPSConnection, allow_private)

    def https_open(self, req):  # noqa: ANN001, ANN201 (urllib's signature)
        return self.do_open(self.connection, req, context=self._context)


def open_url(url: str, allow_private: bool = False, timeout: float = READ_TIMEOUT_S) -> BinaryIO:
    """GET `url` as a stream. The address guard checks the URL, every redirect, and the
    address each connection is made to."""
    check_url(url, allow_private=allow_private)
    opener = urllib.request.build_opener(
        _GuardedRedirects(allow_private), _GuardedHTTP(allow_private), _GuardedHTTPS(allow_private))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return opener.open(request, timeout=timeout)


def read_listing(archive_url: str, year: int, month: int, allow_private: bool = False) -> list[str] | None:
    """The month's WARC paths; None when the archive has no listing for that month (HTTP 404)."""
    url = urljoin(archive_url, listing_path(year, month))
    try:
        with open_url(url, allow_private) as answer:
            data = answer.read()
    except urllib.error.HTTPError as exc:
        # Common Crawl's data host answers 404 (some mirrors 403) for a month not published yet.
        if exc.code in (403, 404):
            return None
        raise ArchiveError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    try:
        text = gzip.decompress(data).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{url}: not a gzipped list of paths ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass
class Listing:
    files: list[WarcFile]
    missing_months: list[str]  # YYYY-MM with no listing on the archive


def list_files(archive_url: str, since: date, until: date, allow_private: bool = False) -> Listing:
    files, missing = [], []
    for year, month in months(since, until):
        paths = read_listing(archive_url, year, month, allow_private)
        if paths is None:
            missing.append(f"{year:04d}-{month:02d}")
            continue
        files += files_in_window(paths, since, until)
    return Listing(files, missing)


class CountingStream:
    """A response body that counts the compressed bytes the WARC reader took from it."""

    def __init__(self, raw: BinaryIO, expected: int | None = None) -> None:
        self.raw = raw
        self.expected = expected  # Content-Length, when the server gave one
        self.bytes_read = 0
        self.started = time.monotonic()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bytes_read += len(data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        # fastwarc asks where the stream starts: an HTTP body cannot say, the count can.
        return self.bytes_read

    def close(self) -> None:
        self.raw.close()


@contextmanager
def stream_file(archive_url: str, path: str, allow_private: bool = False) -> Iterator[CountingStream]:
    """The file's body as a stream, read as it arrives: nothing is copied to disk."""
    url = urljoin(archive_url, path)
    try:
        answer = open_url(url, allow_private)
    except urllib.error.HTTPError as exc:
        raise ArchiveError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    length = answer.headers.get("Content-Length")
    stream = CountingStream(answer, int(length) if length and length.isdigit() else None)
    try:
        yield stream
    finally:
        stream.close()


def check_complete(stream: CountingStream, url: str) -> None:
    """A WARC reader meets the end of a cut-off stream as the end of the file (fastwarc drops
    the half record silently): a file shorter than announced must fail, to be read again."""
    if stream.expected is not None and stream.bytes_read != stream.expected:
        raise ArchiveError(f"{url}: read {stream.bytes_read} of {stream.expected} bytes (connection cut)")


__all__ = ["ArchiveError", "BlockedAddress", "DEFAULT_ARCHIVE_URL", "Listing", "WarcFile", "list_files",
           "stream_file", "files_in_window", "months"]
