"""XML sitemaps: urlset, sitemap index (followed), Google News sitemaps; gzip accepted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip

from spiders.base import SourceSpider
from spiders.items import PageItem
from spiders.listings import NotAListing, parse_sitemap

MAX_INDEX_DEPTH = 2  # an index of indexes is legal; deeper nesting is a loop or a trap


class SitemapSpider(SourceSpider):
    kind = "sitemap"

    def parse_entry(self, response: Response) -> Iterator[Any]:
        body = response.body
        try:
            if body[:2] == b"\x1f\x8b":
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            kind, entries = parse_sitemap(body, response.url)
        except (NotAListing, OSError, ValueError) as exc:
            yield PageItem(
                source=self.name, url=response.url, outcome="failed", listed_by="start",
                status=response.status, reason="invalid-sitemap", detail=str(exc)[:500],
                entry=bool(response.meta.get("entry")),
            )
            return
        yield self.listing_item(response)
        if kind == "sitemapindex":
            depth = response.meta.get("index_depth", 0) + 1
            if depth > MAX_INDEX_DEPTH:
                return
            for listed in entries:
                if listed.url not in self.seen:
                    self.seen.add(listed.url)
                    yield Request(
                        listed.url, callback=self.parse_entry, errback=self.on_error,
                        meta={"listed_by": "sitemap", "index_depth": depth},
                    )
            return
        for listed in entries:
            request = self.page_request(listed, "sitemap")
            if request is not None:
                yield request
