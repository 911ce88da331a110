"""Web archives (backfills only): the live pages of an outlet's URLs that an archive captured in
the window, and the archived copy where the live page is gone (404, 410) or walled.

The captures were listed by the flow before the crawl (rassegna/archives/cdx.py, through
cdx-toolkit) and handed over in a file; this spider only fetches. An article read from a copy
keeps its live URL; the copy's address and capture time travel with it (`archive_url`,
`archived_at`). A Wayback copy is asked in its original form (`id_`), a Common Crawl copy is
one WARC record, read by byte range.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response, TextResponse

from rassegna.archives.cdx import COMMONCRAWL_CONTENT, WAYBACK_CONTENT, Capture
from rassegna.extraction.article import NotAnArticle, extract_article
from spiders.base import SourceSpider, now_iso
from spiders.items import PageItem
from spiders.listings import Listed

GONE = [404, 410]
WALLS = ("consent-wall", "paywall")


def read_captures(path: str, source: str) -> list[Capture]:
    if not path or not Path(path).exists():
        return []
    captures = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            row.pop("captured_at", None)  # derived from the timestamp
            if row.pop("source") == source:
                captures.append(Capture(**row))
    return captures


def warc_payload(record_bytes: bytes) -> tuple[str, bytes] | None:
    """(content type, body) of the HTTP response inside one WARC record; None if it holds none."""
    from warcio.archiveiterator import ArchiveIterator

    for record in ArchiveIterator(io.BytesIO(record_bytes)):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        return record.http_headers.get_header("Content-Type") or "", record.content_stream().read()
    return None


class WebArchiveSpider(SourceSpider):
    kind = "web_archive"

    async def start(self) -> AsyncIterator[Request]:
        if self.window is None:
            return  # archives are read by backfills only: a monitoring run has nothing to ask them
        for capture in read_captures(self.settings.get("RASSEGNA_ARCHIVE_CAPTURES", ""), self.name):
            request = self.page_request(Listed(capture.url, seen_date=capture.captured_at), "archive")
            if request is not None:
                meta = {**request.meta, "capture": capture, "handle_httpstatus_list": GONE}
                yield request.replace(callback=self.parse_live, meta=meta)

    def parse_live(self, response: Response) -> Iterator[Any]:
        capture: Capture = response.meta["capture"]
        if response.status in GONE:
            yield self.archived(response, capture, f"http-{response.status}")
            return
        if isinstance(response, TextResponse) and self._walled(response):
            yield self.archived(response, capture, "walled")
            return
        yield self.page_item(response)

    def _walled(self, response: TextResponse) -> bool:
        try:
            extract_article(response.text, response.url)
        except NotAnArticle as exc:
            return exc.reason in WALLS
        except Exception:  # noqa: BLE001  (a page the extractor chokes on is the pipeline's to record)
            return False
        return False

    def archived(self, response: Response, capture: Capture, why: str) -> Request | PageItem:
        """The request for the archived copy; the live page's fate goes with it."""
        self.crawler.stats.inc_value(f"rassegna/archived_copy/{why}")
        meta = {"listed_by": "archive", "seen_date": capture.captured_at, "capture": capture,
                "live_url": capture.url, "live_status": response.status}
        content = self.source.get("content_url")
        if self.source.get("archive") == "wayback":
            url = f"{content or WAYBACK_CONTENT}/{capture.timestamp}id_/{capture.url}"
            return Request(url, callback=self.parse_archived, errback=self.on_error, meta=meta, dont_filter=True)
        if not (capture.filename and capture.offset is not None and capture.length):
            return PageItem(source=self.name, url=capture.url, outcome="failed", listed_by="archive",
                            reason=f"{why}-no-copy", detail="the index row names no WARC record",
                            fetched_at=now_iso())
        url = f"{content or COMMONCRAWL_CONTENT}/{capture.filename}"
        end = capture.offset + capture.length - 1
        return Request(url, callback=self.parse_warc, errback=self.on_error, meta=meta, dont_filter=True,
                       headers={"Range": f"bytes={capture.offset}-{end}"})

    def _item(self, response: Response, archive_url: str, content_type: str, body: bytes) -> PageItem:
        capture: Capture = response.meta["capture"]
        return PageItem(
            source=self.name, url=capture.url, final_url=capture.url, outcome="page", status=200,
            content_type=content_type, body=body, listed_by="archive", seen_date=capture.captured_at,
            archive_url=archive_url, archived_at=capture.captured_at, fetched_at=now_iso(),
        )

    def parse_archived(self, response: Response) -> Iterator[Any]:
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        yield self._item(response, response.url, content_type, response.body)

    def parse_warc(self, response: Response) -> Iterator[Any]:
        capture: Capture = response.meta["capture"]
        try:
            payload = warc_payload(response.body)
        except Exception as exc:  # noqa: BLE001  (warcio raises its own and stdlib errors on a bad record)
            payload = None
            detail = f"unreadable WARC record: {type(exc).__name__}: {exc}"
        else:
            detail = "the WARC record holds no HTTP response"
        if payload is None:
            yield PageItem(source=self.name, url=capture.url, outcome="failed", listed_by="archive",
                           reason="archive-unreadable", detail=detail[:500], fetched_at=now_iso())
            return
        content_type, body = payload
        archive_url = f"{response.url}#bytes={capture.offset}-{(capture.offset or 0) + (capture.length or 0) - 1}"
        yield self._item(response, archive_url, content_type, body)
