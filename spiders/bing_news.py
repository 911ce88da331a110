"""Bing News RSS search; its click links carry the publisher's URL in their `url` parameter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rassegna.archives.windows import BING_INTERVALS, Window, bing_interval
from spiders.discovery import OutOfReach, RssSearchSpider, is_http
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
    # Bing pages its answers (`first=`): a full page means there may be another.
    pages = True
    result_cap = 10

    def search_params(self, query: str) -> list[dict[str, str]]:
        return [{"q": query, "format": "rss", "setlang": "it-IT"}]

    def windowed(self, params: dict[str, str], window: Window, hours: tuple[int, int] = (0, 24)) -> dict[str, str]:
        interval = bing_interval(window, self.today)
        if interval is None:
            longest = BING_INTERVALS[-1][0]
            raise OutOfReach(f"does not reach the window {window}: Bing News filters by age only, at most the"
                             f" last {longest} days before {self.today.isoformat()}")
        return {**params, "qft": f'interval="{interval}"'}

    def paged(self, params: dict[str, str], offset: int) -> dict[str, str]:
        return {**params, "first": str(offset + 1)}

    def follow(self, listed: Listed, query: str | None) -> Iterator[Any]:
        yield from super().follow(replace(listed, url=bing_target(listed.url)), query)
