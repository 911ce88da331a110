"""Query-driven discovery: news search engines list the articles, publishers serve them.

One entry request per search (per language too, for GDELT); the source fails only
when none of them answered (see spiders.pipelines.write_jsonl). Each article the
engine lists goes through `page_request` under its publisher's URL, so known
articles are not fetched again and the page cap holds, whatever engine found them.
Pages carry the search that found them in `query` and are listed by "search".

The engines' spiders: spiders/google_news.py, spiders/bing_news.py, spiders/gdelt.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from rassegna.queries import QueryError
from spiders.base import SourceSpider, now_iso
from spiders.items import PageItem
from spiders.listings import Listed, NotAListing, parse_feed

REDIRECTS = [301, 302, 303, 307, 308]


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
            return
        yield self.listing_item(response)
        query = response.meta.get("query")
        for listed in entries:
            yield from self.follow(listed, query)

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
            for url in urls:
                yield Request(
                    url, callback=self.parse_search, errback=self.on_error,
                    meta={"entry": True, "listed_by": "start", "query": query}, dont_filter=True,
                )

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
