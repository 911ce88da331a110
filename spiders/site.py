"""Whole-site crawl: from a start URL, same host only, up to max_depth link hops."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from spiders.base import SourceSpider
from spiders.listings import Listed

# Links that never lead to articles; skipping them saves requests and robots noise.
_NOT_PAGES = r"\.(?:jpe?g|png|gif|webp|svg|css|js|zip|mp[34]|avi|mov|woff2?)(?:\?|$)"


class SiteSpider(SourceSpider):
    kind = "site"
    conditional = False

    def __init__(self, source: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.netloc = urlsplit(source["url"]).netloc.lower()
        self.max_depth = int(source.get("max_depth", 1))
        self.links = LinkExtractor(
            allow=source.get("allow") or (), deny=[*(source.get("deny") or ()), _NOT_PAGES],
            deny_extensions=[],
        )
        self.seen.add(source["url"])

    def parse_entry(self, response: Response) -> Iterator[Any]:
        # Known pages are not fetched again, but the start page must be, for its links.
        # The start URL may redirect (giornale.it -> www.giornale.it): the site is where it landed.
        self.netloc = urlsplit(response.url).netloc.lower()
        yield from self.parse_page(response)

    def parse_page(self, response: Response) -> Iterator[Any]:
        item = self.page_item(response)
        yield item
        depth = response.meta.get("depth_hops", 0)
        if item.outcome != "page" or depth >= self.max_depth or not isinstance(response, TextResponse):
            return
        for link in self.links.extract_links(response):
            if urlsplit(link.url).netloc.lower() != self.netloc:
                continue
            request = self.page_request(Listed(link.url), "crawl", depth_hops=depth + 1)
            if request is not None:
                yield request


