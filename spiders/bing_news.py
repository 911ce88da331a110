"""Bing News RSS search; its click links carry the publisher's URL in their `url` parameter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from spiders.discovery import RssSearchSpider, is_http
from spiders.listings import Listed


def bing_target(link: str) -> str:
    """The publisher URL behind a Bing click-tracking link; other links as they are."""
    parts = urlsplit(link)
    if parts.path.lower().endswith("/apiclick.aspx"):
        target = parse_qs(parts.query).get("url", [""])[0]
        if is_http(target):
            return target
    return link


class BingNewsSpider(RssSearchSpider):
    kind = "bing_news"

    def search_urls(self, query: str) -> list[str]:
        params = {"q": query, "format": "rss", "setlang": "it-IT"}
        return [f"{self.source['url']}?{urlencode(params, quote_via=quote)}"]

    def follow(self, listed: Listed, query: str | None) -> Iterator[Any]:
        yield from super().follow(Listed(bing_target(listed.url), listed.date, listed.title), query)
