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
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from twisted.python.failure import Failure

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


class DiscoverySpider(SourceSpider):
    """Runs each query against a search endpoint; subclasses build the URLs and read the answers."""

    # A search answer is new at every run; validators from a previous run would only hide it.
    conditional = False

    def __init__(self, source: dict[str, Any], queries: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.queries = list(queries if queries is not None else source.get("queries") or [])
        self.pending: deque[tuple[str, str]] = deque()  # (query, search URL) not yet requested

    def search_urls(self, query: str) -> list[str]:
        raise NotImplementedError

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
            yield self.invalid_answer(response, str(exc))
            entries = None
        if entries is not None:
            yield self.listing_item(response)
            query = response.meta.get("query")
            for listed in entries:
                yield from self.follow(listed, query)
        yield from self.next_search()

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
            query, url = self.pending.popleft()
            yield PageItem(
                source=self.name, url=url, outcome="failed", listed_by="start", reason=kind,
                detail=f"not tried: {host} was unreachable ({kind}) for an earlier search", entry=True,
                fetched_at=now_iso(), query=query,
            )

    def next_search(self) -> Iterator[Request]:
        """The next search request: one at a time, so an unreachable engine is found out once."""
        if self.pending:
            query, url = self.pending.popleft()
            yield Request(
                url, callback=self.parse_search, errback=self.on_search_error,
                meta={"entry": True, "listed_by": "start", "query": query}, dont_filter=True,
            )

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
                urls = self.search_urls(query)
            except QueryError as exc:
                yield PageItem(
                    source=self.name, url=self.source["url"], outcome="failed", listed_by="start",
                    reason="invalid-query", detail=str(exc)[:500], entry=True, fetched_at=now_iso(), query=query,
                )
                continue
            self.pending.extend((query, url) for url in urls)
        for request in self.next_search():
            yield request

    def invalid_answer(self, response: Response, detail: str) -> PageItem:
        return PageItem(
            source=self.name, url=response.url, outcome="failed", listed_by="start", status=response.status,
            reason="invalid-search-answer", detail=detail[:500], entry=True, fetched_at=now_iso(),
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
