"""What every source spider shares: one source per spider, pages as PageItems, errors as data.

A spider never raises on a bad page or a dead site: every URL it touches ends
as one PageItem whose `outcome` says what happened, so the run record can tell
"no coverage" from "could not look".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timezone
import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from rassegna.archives.windows import Window
from rassegna.urls import canonical_url
from spiders.items import PageItem
from spiders.resolver import GuardedResolver
from spiders.listings import Listed

HTML_TYPES = ("text/html", "application/xhtml+xml")

# Exception class name -> failure kind recorded per source. Names, not classes:
# Twisted and Scrapy raise different classes for the same event across versions.
_ERROR_KINDS = {
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadTimeoutError": "timeout",
    "DNSLookupError": "dns",
    "CannotResolveHostError": "dns",
    "ConnectionRefusedError": "connection-refused",
    "DownloadConnectionRefusedError": "connection-refused",
    "ConnectError": "connection-error",
    "ConnectionLost": "connection-lost",
    "ConnectionDone": "connection-lost",
    "ResponseFailed": "connection-lost",
    "ResponseDataLossError": "truncated",
    "ResponseNeverReceived": "connection-lost",
    "DownloadCancelledError": "too-large",
    "CancelledError": "too-large",
    "UnsupportedURLSchemeError": "bad-scheme",
    "BlockedRequest": "blocked-address",
    "BlockedAddress": "blocked-address",
}


@lru_cache(maxsize=4)
def _known_urls(path: str) -> frozenset[str]:
    """URLs of stored articles, read once per crawl process and shared by its spiders."""
    if not path or not Path(path).exists():
        return frozenset()
    return frozenset(Path(path).read_text("utf-8").split("\n")) - {""}


@lru_cache(maxsize=4)
def _validators(path: str) -> dict[str, dict[str, str | None]]:
    if not path or not Path(path).exists():
        return {}
    return json.loads(Path(path).read_text("utf-8"))


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def failure_kind(failure: Failure) -> tuple[str, str, bool]:
    """(kind, detail, is_skip): skips are rules we applied, failures are errors we met."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http-{exc.response.status}", str(exc), False
    name = type(exc).__name__
    if name == "IgnoreRequest" and "robots" in str(exc).lower():
        return "robots", str(exc), True
    if name in ("BlockedRequest", "BlockedAddress"):
        return "blocked-address", str(exc), True
    host = urlsplit(failure.request.url).hostname if hasattr(failure, "request") else None  # type: ignore[attr-defined]
    if host in GuardedResolver.refused:
        return "blocked-address", GuardedResolver.refused[host], True
    if name == "IgnoreRequest":
        message = str(exc)
        if "max redirections" in message:
            return "redirect-loop", message, False
        if "DOWNLOAD_MAXSIZE" in message:
            return "too-large", message[:500], False  # e.g. a gzip bomb, cut while decompressing
        return "ignored", message, True
    return _ERROR_KINDS.get(name, f"error-{name}"), str(exc)[:500], False


class SourceSpider(scrapy.Spider):
    """Base for the per-kind spiders; `source` is the validated config entry as a dict."""

    kind = ""

    def __init__(
        self, source: dict[str, Any], max_pages: int = 1000, window: dict[str, str] | None = None,
        today: str | None = None, **kwargs: Any,
    ) -> None:
        super().__init__(name=source["name"], **kwargs)
        self.source = source
        self.max_pages = max_pages
        # A backfill asks for the articles of one date window ("since", "until", both included);
        # `today` is the backfill's own day, so engines with relative windows are judged against it.
        self.window = Window.from_dict(window) if window else None
        self.today = date.fromisoformat(today) if today else datetime.now(timezone.utc).date()
        self.pages_requested = 0
        self.seen: set[str] = set()
        # Every URL this source listed, fetched or not, with the channel that listed it:
        # written beside the pages (see pipelines/write_jsonl.py) for the discovery table.
        self.listings: list[dict[str, str]] = []

    # Feeds and sitemaps are asked "changed since last run?"; a site's start page is not.
    conditional = True

    async def start(self) -> AsyncIterator[Request]:
        headers = {}
        last = _validators(self.settings.get("RASSEGNA_VALIDATORS", "")).get(self.name, {})
        # A backfill asks for a window of the past: "unchanged since the last run" says nothing about it.
        if self.conditional and self.window is None and last.get("url") == self.source["url"]:
            if last.get("etag"):
                headers["If-None-Match"] = last["etag"]
            if last.get("last_modified"):
                headers["If-Modified-Since"] = last["last_modified"]
        yield Request(
            self.source["url"],
            headers=headers,
            callback=self.parse_entry_if_changed,
            errback=self.on_error,
            meta={"entry": True, "listed_by": "start", "handle_httpstatus_list": [304]},
            dont_filter=True,
        )

    def parse_entry_if_changed(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        if response.status == 304:
            stats.set_value("rassegna/not_modified", 1)
            yield self.listing_item(response)
            return
        if self.conditional:
            for header, key in ((b"ETag", "etag"), (b"Last-Modified", "last_modified")):
                value = response.headers.get(header)
                if value:
                    stats.set_value(f"rassegna/{key}", value.decode("latin-1"))
        yield from self.parse_entry(response)

    def parse_entry(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    # --- pages ---------------------------------------------------------------

    def page_request(self, listed: Listed, listed_by: str, **meta: Any) -> Request | None:
        if listed.url in self.seen:
            return None
        self.seen.add(listed.url)
        # As Scrapy will request it (escaped, host lower-cased): the form stored in article_url.
        self.listings.append({"url": safe_url_string(listed.url), "channel": listed_by, "query": meta.get("query") or "",
                              "outlet": listed.outlet or ""})
        self.crawler.stats.inc_value("rassegna/listed")
        known = _known_urls(self.settings.get("RASSEGNA_KNOWN_URLS", ""))
        if known and (listed.url in known or canonical_url(listed.url) in known):
            # Stored already: an article is never downloaded twice.
            self.crawler.stats.inc_value("rassegna/known")
            return None
        if self.pages_requested >= self.max_pages:
            self.crawler.stats.inc_value("rassegna/capped")
            return None
        self.pages_requested += 1
        return Request(
            listed.url,
            callback=self.parse_page,
            errback=self.on_error,
            meta={"listed_by": listed_by, "listed_date": listed.date, "listed_title": listed.title,
                  "seen_date": listed.seen_date, **meta},
            # Duplicates are already dropped by `seen`; Scrapy's own filter would also drop a
            # redirect loop's second lap silently, and a loop must be recorded as one.
            dont_filter=True,
        )

    def parse_page(self, response: Response) -> Iterator[Any]:
        yield self.page_item(response)

    def page_item(self, response: Response) -> PageItem:
        meta = response.meta
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        base = dict(
            source=self.name,
            url=meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=response.status,
            content_type=content_type,
            listed_by=meta.get("listed_by", "crawl"),
            listed_date=meta.get("listed_date"),
            listed_title=meta.get("listed_title"),
            seen_date=meta.get("seen_date"),
            entry=bool(meta.get("entry")),
            fetched_at=now_iso(),
            query=meta.get("query"),
        )
        mime = content_type.split(";")[0].strip().lower()
        if mime not in HTML_TYPES or not isinstance(response, TextResponse):
            return PageItem(outcome="skipped", reason="non-html", detail=mime or "no content type", **base)
        if b"\x00" in response.body[:2048]:
            return PageItem(outcome="skipped", reason="binary", detail="NUL bytes in an HTML response", **base)
        return PageItem(outcome="page", body=response.body, **base)

    def listing_item(self, response: Response) -> PageItem:
        """A fetched feed or sitemap, recorded without its body."""
        return PageItem(
            source=self.name,
            url=response.url,
            outcome="listing",
            listed_by=response.meta.get("listed_by", "start"),
            status=response.status,
            entry=bool(response.meta.get("entry")),
            fetched_at=now_iso(),
            query=response.meta.get("query"),
        )

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]
        kind, detail, is_skip = failure_kind(failure)
        yield PageItem(
            source=self.name,
            url=request.meta.get("redirect_urls", [request.url])[0],
            final_url=request.url,
            outcome="skipped" if is_skip else "failed",
            listed_by=request.meta.get("listed_by", "crawl"),
            reason=kind,
            detail=detail,
            entry=bool(request.meta.get("entry")),
            fetched_at=now_iso(),
            query=request.meta.get("query"),
        )
