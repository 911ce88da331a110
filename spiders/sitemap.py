"""XML sitemaps: urlset, sitemap index (followed), Google News sitemaps; gzip accepted.

In a backfill (a date window given) an index's children are read only where they
can hold the window: by their `lastmod`, else by the date in their name (monthly
`sitemap-2025-09.xml`, daily `2025/09/17.xml`); the URLs inside only where their
`lastmod` or `news:publication_date` falls in the window (undated ones are kept).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import re
from datetime import date
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip

from spiders.base import SourceSpider
from spiders.items import PageItem
from rassegna.archives.windows import Window, listed_day
from spiders.listings import Listed, NotAListing, parse_sitemap

MAX_INDEX_DEPTH = 2  # an index of indexes is legal; deeper nesting is a loop or a trap

# A year and a month, and maybe a day, in a child sitemap's name: 2025-09, 2025/09/17, 202509.
_NAME_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)[-_/]?(0[1-9]|1[0-2])(?:[-_/]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


def name_span(url: str) -> tuple[date, date] | None:
    """The days a child sitemap's name says it covers: a month, or one day; None if it names none."""
    found = _NAME_DATE.findall(urlsplit(url).path)
    if not found:
        return None
    year, month, day = (int(v) if v else None for v in found[-1])
    if day:
        one = date(year, month, day)  # type: ignore[arg-type]
        return one, one
    first = date(year, month, 1)  # type: ignore[arg-type]
    last = date(year + (month == 12), month % 12 + 1, 1)  # type: ignore[operator]
    return first, date.fromordinal(last.toordinal() - 1)


def child_may_hold(listed: Listed, window: Window) -> bool:
    """Whether an index child can list articles of the window.

    Its lastmod is when it last changed: one last changed before the window began
    holds nothing from it. Its name's month or day, when it has one, must overlap.
    """
    span = name_span(listed.url)
    if span is not None:
        return window.overlaps(*span)
    changed = listed_day(listed.date)
    return changed is None or changed >= window.since


def url_in_window(listed: Listed, window: Window) -> bool:
    day = listed_day(listed.date)
    return day is None or window.holds(day) is True


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
                if self.window is not None and not child_may_hold(listed, self.window):
                    self.crawler.stats.inc_value("rassegna/sitemaps_outside_window")
                    continue
                if listed.url not in self.seen:
                    self.seen.add(listed.url)
                    yield Request(
                        listed.url, callback=self.parse_entry, errback=self.on_error,
                        meta={"listed_by": "sitemap", "index_depth": depth},
                    )
            return
        for listed in entries:
            if self.window is not None and not url_in_window(listed, self.window):
                continue
            request = self.page_request(listed, "sitemap")
            if request is not None:
                yield request
