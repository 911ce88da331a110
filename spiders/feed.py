"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: every item link is a candidate article."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from spiders.base import SourceSpider
from spiders.items import PageItem
from spiders.listings import NotAListing, parse_feed


class FeedSpider(SourceSpider):
    kind = "feed"

    def parse_entry(self, response: Response) -> Iterator[Any]:
        try:
            entries = parse_feed(response.body, response.url)
        except NotAListing as exc:
            yield PageItem(
                source=self.name, url=response.url, outcome="failed", listed_by="start",
                status=response.status, reason="invalid-feed", detail=str(exc), entry=True,
            )
            return
        yield self.listing_item(response)
        for listed in entries:
            request = self.page_request(listed, "feed")
            if request is not None:
                yield request
