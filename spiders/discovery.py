"""Query-driven discovery: news search engines list the articles, publishers serve them.

One entry request per search (per language too, for GDELT); the source fails only
when none of them answered (see spiders.pipelines.write_jsonl). Each article the
engine lists goes through `page_request` under its publisher's URL, so known
articles are not fetched again and the page cap holds, whatever engine found them.
Pages carry the search that found them in `query` and are listed by "search".

The engines' spiders: spiders/google_news.py, spiders/bing_news.py, spiders/gdelt.py.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from rassegna.archives.windows import Window
from rassegna.queries import QueryError
from spiders.base import SourceSpider, failure_kind, now_iso
from spiders.items import PageItem
from spiders.listings import Listed, NotAListing, parse_feed

REDIRECTS = [301, 302, 303, 307, 308]
# Failures of a search that say the engine cannot be reached at all (not that one search failed).
UNREACHABLE = {"dns", "connection-refused", "blocked-address"}


def is_http(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).hostname)  # type: ignore[arg-type]


class InvalidAnswer(ValueError):
    """The search endpoint answered with something that is not a search answer."""

    def __init__(self, detail: str, reason: str = "invalid-search-answer") -> None:
        super().__init__(detail)
        self.reason = reason


class OutOfReach(ValueError):
    """The engine cannot search this window at all (Bing's relative intervals, say)."""


@dataclass(frozen=True)
class Search:
    """One request to a search engine: the neutral query it serves, the engine's own
    parameters, the date window asked for (backfills) and the page (engines that page)."""

    query: str
    params: tuple[tuple[str, str], ...]
    window: Window | None = None
    offset: int = 0
    # Engines that take times (GDELT): the hours of a one-day window asked, [first, last).
    hours: tuple[int, int] = (0, 24)


class DiscoverySpider(SourceSpider):
    """Runs each query against a search endpoint; subclasses build the URLs and read the answers."""

    # A search answer is new at every run; validators from a previous run would only hide it.
    conditional = False

    # Most results the engine returns for one request: a window answered with this many
    # may have lost some, and is halved (a source's `result_cap` overrides it).
    result_cap = 100
    # Engines that page (`first=`) ask for the next page while a page comes back full.
    pages = False
    # Engines whose windows take times of day: a one-day window still full is halved by hours.
    splits_hours = False
    max_pages_per_search = 10

    def __init__(self, source: dict[str, Any], queries: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.queries = list(queries if queries is not None else source.get("queries") or [])
        self.pending: deque[Search] = deque()  # searches not yet requested
        self.result_cap = int(source.get("result_cap") or self.result_cap)

    def search_params(self, query: str) -> list[dict[str, str]]:
        """The engine's parameters for a query: one dict per request it takes."""
        raise NotImplementedError

    def windowed(self, params: dict[str, str], window: Window, hours: tuple[int, int] = (0, 24)) -> dict[str, str]:
        """The parameters asking for one date window (and, for engines that split hours, those
        hours of a one-day window); raises OutOfReach if the engine cannot."""
        raise OutOfReach(f"{self.kind} cannot search by date")

    def paged(self, params: dict[str, str], offset: int) -> dict[str, str]:
        return params

    def search_url(self, search: Search) -> str:
        params = dict(search.params)
        if search.window is not None:
            params = self.windowed(params, search.window, search.hours)
        if search.offset:
            params = self.paged(params, search.offset)
        return f"{self.source['url']}?{urlencode(params, quote_via=quote, safe=':')}"

    def search_urls(self, query: str) -> list[str]:
        return [self.search_url(Search(query, tuple(p.items()), self.window)) for p in self.search_params(query)]

    def answer_entries(self, response: Response) -> list[Listed]:
        """The articles a search answer lists; raises InvalidAnswer when it is no answer."""
        raise NotImplementedError

    def follow(self, listed: Listed, query: str | None) -> Iterator[Any]:
        """Requests for one listed article; engines whose links need unwrapping override this."""
        request = self.discovered(listed, query)
        if request is not None:
            yield request

    def parse_search(self, response: Response) -> Iterator[Any]:
        try:
            entries = self.answer_entries(response)
        except InvalidAnswer as exc:
            yield self.invalid_answer(response, str(exc), exc.reason)
            entries = None
        if entries is not None:
            yield self.listing_item(response)
            query = response.meta.get("query")
            self.more(response.meta["search"], len(entries))
            for listed in entries:
                yield from self.follow(listed, query)
        yield from self.next_search()

    def more(self, search: Search, answered: int) -> None:
        """Queue what a full answer calls for: the window's halves, or the next page.

        An answer holding the engine's cap may have been cut: each half of its window
        is asked again (down to one day), so nothing is lost to the cap.
        """
        if self.pages:
            if answered >= self.page_size and search.offset // self.page_size + 1 < self.max_pages_per_search:
                self.pending.appendleft(replace(search, offset=search.offset + answered))
            return
        if search.window is None or answered < self.result_cap:
            return
        halves = search.window.halves()
        first, last = search.hours
        if halves is None and self.splits_hours and last - first > 1:
            middle = (first + last) // 2
            self.crawler.stats.inc_value("rassegna/window_split")
            self.pending.extendleft([replace(search, hours=(middle, last)), replace(search, hours=(first, middle))])
            return
        if halves is None:
            self.crawler.stats.inc_value("rassegna/window_capped")
            return
        self.crawler.stats.inc_value("rassegna/window_split")
        for half in reversed(halves):
            self.pending.appendleft(replace(search, window=half, offset=0))

    @property
    def page_size(self) -> int:
        return self.result_cap

    def on_search_error(self, failure: Failure) -> Iterator[Any]:
        yield from self.on_error(failure)
        kind = failure_kind(failure)[0]
        if kind not in UNREACHABLE:
            yield from self.next_search()
            return
        # The engine's host does not resolve or refuses us: the other searches would each
        # wait out their retries and delay (GDELT's 5 s) to fail the same way.
        host = urlsplit(failure.request.url).hostname  # type: ignore[attr-defined]
        while self.pending:
            search = self.pending.popleft()
            yield PageItem(
                source=self.name, url=self.search_url(search), outcome="failed", listed_by="start", reason=kind,
                detail=f"not tried: {host} was unreachable ({kind}) for an earlier search", entry=True,
                fetched_at=now_iso(), query=search.query,
            )

    def next_search(self) -> Iterator[Any]:
        """The next search request: one at a time, so an unreachable engine is found out once."""
        while self.pending:
            search = self.pending.popleft()
            try:
                url = self.search_url(search)
            except OutOfReach as exc:
                # Recorded as a kind of its own: the window is beyond this engine, not a failure to retry.
                yield PageItem(
                    source=self.name, url=self.source["url"], outcome="failed", listed_by="start",
                    reason="out-of-reach", detail=str(exc)[:500], entry=True, fetched_at=now_iso(),
                    query=search.query,
                )
                continue
            yield Request(
                url, callback=self.parse_search, errback=self.on_search_error,
                meta={"entry": True, "listed_by": "start", "query": search.query, "search": search},
                dont_filter=True,
            )
            return

    async def start(self) -> AsyncIterator[Any]:
        if not self.queries:
            # A watchlist with nothing safe to search must show as a failed source, not a quiet one.
            yield PageItem(
                source=self.name, url=self.source["url"], outcome="failed", listed_by="start",
                reason="no-queries", detail="no search to run: no `queries:` and none built from the watchlist",
                entry=True, fetched_at=now_iso(),
            )
        for query in self.queries:
            try:
                requests = self.search_params(query)
            except QueryError as exc:
                yield PageItem(
                    source=self.name, url=self.source["url"], outcome="failed", listed_by="start",
                    reason="invalid-query", detail=str(exc)[:500], entry=True, fetched_at=now_iso(), query=query,
                )
                continue
            self.pending.extend(Search(query, tuple(p.items()), self.window) for p in requests)
        for request in self.next_search():
            yield request

    def invalid_answer(self, response: Response, detail: str, reason: str = "invalid-search-answer") -> PageItem:
        return PageItem(
            source=self.name, url=response.url, outcome="failed", listed_by="start", status=response.status,
            reason=reason, detail=detail[:500], entry=True, fetched_at=now_iso(),
            query=response.meta.get("query"),
        )

    def discovered(self, listed: Listed, query: str | None) -> Request | None:
        return self.page_request(listed, "search", query=query)



class RssSearchSpider(DiscoverySpider):
    """Engines that answer a search with an RSS feed."""

    def answer_entries(self, response: Response) -> list[Listed]:
        try:
            return parse_feed(response.body, response.url)
        except NotAListing as exc:
            raise InvalidAnswer(f"not an RSS answer: {exc}") from None
