"""Write WARC files as Common Crawl writes CC-NEWS: one gzip member per record.

Used by the tests and the benchmark to build archives of pages they wrote, and by
anyone who wants to scan their own captures with `rassegna archive`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True)
class Capture:
    url: str
    body: bytes
    captured_at: str  # WARC-Date, e.g. 2025-09-26T10:00:00Z
    content_type: str = "text/html; charset=UTF-8"
    status: int = 200


def write_warc(path: Path, captures: Iterable[Capture], with_requests: bool = False) -> int:
    """Write `captures` as response records after a warcinfo record; returns the file size.

    Like Common Crawl, the body is stored decoded and the server's Content-Encoding is
    kept as X-Crawler-Content-Encoding. `with_requests` adds a request record before each
    response, as the main crawls (not CC-NEWS) do.
    """
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "rassegna tests", "format": "WARC/1.0"}))
        for capture in captures:
            if with_requests:
                request = StatusAndHeaders("GET / HTTP/1.1", [("Host", capture.url.split("/")[2])], is_http_request=True)
                writer.write_record(writer.create_warc_record(
                    capture.url, "request", http_headers=request, warc_headers_dict={"WARC-Date": capture.captured_at}))
            headers = StatusAndHeaders(
                f"{capture.status} {'OK' if capture.status == 200 else 'Other'}",
                [("Content-Type", capture.content_type), ("X-Crawler-Content-Encoding", "gzip"),
                 ("Content-Length", str(len(capture.body)))],
                protocol="HTTP/1.1",
            )
            writer.write_record(writer.create_warc_record(
                capture.url, "response", payload=BytesIO(capture.body), http_headers=headers,
                warc_headers_dict={"WARC-Date": capture.captured_at}))
    return path.stat().st_size
