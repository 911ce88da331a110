"""Query-driven discovery: news search engines list the articles, publishers serve them.

One entry request per search (per language too, for GDELT); the source fails only
when none of them answered (see spiders.pipelines.write_jsonl). Each article the
engine lists goes through `page_request` under its publisher's URL, so known
articles are not fetched again and the page cap holds, whatever engine found them.
Pages carry the search that found them in `query` and are listed by "search".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from scrapy.http import FormRequest, Request, Response, TextResponse
from twisted.python.failure import Failure

from rassegna.config import GDELT_LANGUAGES
from rassegna.queries import QueryError, gdelt_queries
from spiders.base import SourceSpider, failure_kind, now_iso
from spiders.items import PageItem
from spiders.listings import Listed, NotAListing, parse_feed

REDIRECTS = [301, 302, 303, 307, 308]


def _is_http(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).hostname)  # type: ignore[arg-type]


class DiscoverySpider(SourceSpider):
    """Runs each query against a search endpoint; subclasses build the URLs and read the answers."""

    # A search answer is new at every run; validators from a previous run would only hide it.
    conditional = False

    def __init__(self, source: dict[str, Any], queries: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.queries = list(queries if queries is not None else source.get("queries") or [])

    def search_urls(self, query: str) -> list[str]:
        raise NotImplementedError

    def parse_search(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

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

    def feed_entries(self, response: Response) -> list[Listed] | PageItem:
        """Items of an RSS answer, or the failed entry that says why there are none."""
        try:
            return parse_feed(response.body, response.url)
        except NotAListing as exc:
            return self.invalid_answer(response, f"not an RSS answer: {exc}")


# --- Google News ------------------------------------------------------------------

_ARTICLE_ID = re.compile(r"/(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]+)")
_GOOGLE_HOST = re.compile(r"(^|\.)google\.[a-z]{2,3}(\.[a-z]{2})?$")


def _protobuf_strings(data: bytes) -> Iterator[bytes]:
    """Length-delimited fields of a protobuf message, top level only; stops at anything malformed."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while pos < len(data) and shift < 64:
            byte = data[pos]
            value |= (byte & 0x7F) << shift
            pos += 1
            if not byte & 0x80:
                return value, pos
            shift += 7
        raise ValueError("truncated varint")

    pos = 0
    try:
        while pos < len(data):
            key, pos = varint(pos)
            wire = key & 7
            if wire == 0:
                _, pos = varint(pos)
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            elif wire == 2:
                length, pos = varint(pos)
                if pos + length > len(data):
                    return
                yield data[pos : pos + length]
                pos += length
            else:
                return
    except ValueError:
        return


def article_id(link: str) -> str | None:
    match = _ARTICLE_ID.search(urlsplit(link).path)
    return match.group(1) if match else None


def embedded_url(link: str) -> str | None:
    """The publisher URL an old-style Google News id carries in clear, if it is one.

    Old ids are URL-safe base64 of a small protobuf whose string field is the URL;
    newer ids hold an opaque token there ("AU_yqL...") that only Google can map.
    """
    token = article_id(link)
    if not token:
        return None
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    for value in _protobuf_strings(data):
        if value.startswith((b"http://", b"https://")):
            try:
                url = value.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _is_http(url):
                return url
    return None


def garturlreq(token: str, timestamp: int, signature: str) -> str:
    """The `f.req` form value asking batchexecute to map a new-style id to its URL.

    The locale block is what Google's own article page sends; only the id, the
    timestamp and the signature (both from the page's data-n-a-* attributes) vary.
    """
    locale = [["X", "X", ["X", "X"], None, None, 1, 1, "IT:it", None, 1, None, None, None, None, None, 0, 1],
              "X", "X", 1, [1, 1, 1], 1, 1, None, 0, 0, None, 0]
    inner = json.dumps(["garturlreq", locale, token, timestamp, signature], separators=(",", ":"))
    return json.dumps([[["Fbv4je", inner, None, "generic"]]], separators=(",", ":"))


def batchexecute_url(text: str) -> str | None:
    """The URL in a batchexecute answer: `)]}'` then JSON, whole or in length-prefixed chunks."""
    body = text[4:] if text.startswith(")]}'") else text
    candidates = [body.strip(), *(line for line in body.splitlines() if line.lstrip().startswith("["))]
    for candidate in candidates:
        try:
            envelope = json.loads(candidate)
        except ValueError:
            continue
        for entry in envelope if isinstance(envelope, list) else ():
            if not (isinstance(entry, list) and len(entry) > 2 and entry[0] == "wrb.fr" and isinstance(entry[2], str)):
                continue
            try:
                payload = json.loads(entry[2])
            except ValueError:
                continue
            if isinstance(payload, list) and len(payload) > 1 and payload[0] == "garturlres" and _is_http(payload[1]):
                return payload[1]
    return None


class GoogleNewsSpider(DiscoverySpider):
    kind = "google_news"

    def __init__(self, source: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.endpoint = urlsplit(source["url"]).netloc.lower()
        self.links_seen: set[str] = set()

    def search_urls(self, query: str) -> list[str]:
        params = {"q": query, "hl": "it", "gl": "IT", "ceid": "IT:it"}
        return [f"{self.source['url']}?{urlencode(params, quote_via=quote, safe=':')}"]

    def is_google(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.netloc.lower() == self.endpoint or bool(_GOOGLE_HOST.search(parts.hostname or ""))

    def parse_search(self, response: Response) -> Iterator[Any]:
        entries = self.feed_entries(response)
        if isinstance(entries, PageItem):
            yield entries
            return
        yield self.listing_item(response)
        query = response.meta.get("query")
        for listed in entries:
            if self.is_google(listed.url) and article_id(listed.url):
                yield from self.resolve(listed, query)
            else:
                request = self.discovered(listed, query)
                if request is not None:
                    yield request

    def resolve(self, listed: Listed, query: str | None) -> Iterator[Any]:
        if listed.url in self.links_seen:
            return
        self.links_seen.add(listed.url)
        url = embedded_url(listed.url)
        if url:
            request = self.discovered(Listed(url, listed.date, listed.title), query)
            if request is not None:
                yield request
            return
        if self.pages_requested >= self.max_pages:
            # Resolving costs requests to Google: none for an article that would be capped anyway.
            self.crawler.stats.inc_value("rassegna/listed")
            self.crawler.stats.inc_value("rassegna/capped")
            return
        yield Request(
            listed.url, callback=self.parse_link, errback=self.link_failed, dont_filter=True,
            meta={"dont_redirect": True, "handle_httpstatus_list": REDIRECTS, "listed": listed, "query": query},
        )

    def parse_link(self, response: Response) -> Iterator[Any]:
        listed: Listed = response.meta["listed"]
        query = response.meta.get("query")
        if response.status in REDIRECTS:
            location = response.headers.get(b"Location", b"").decode("latin-1")
            target = response.urljoin(location) if location else ""
            if _is_http(target) and not self.is_google(target):
                yield from self._found(target, listed, query)
            else:
                yield self.unresolved(listed, query, f"redirected to {target or 'nowhere'}")
            return
        node = response.xpath("//*[@data-n-a-sg and @data-n-a-ts]") if isinstance(response, TextResponse) else []
        if not node:
            yield self.unresolved(listed, query, "the article page has no data-n-a-sg/data-n-a-ts signature")
            return
        signature = node[0].attrib["data-n-a-sg"]
        try:
            timestamp = int(node[0].attrib["data-n-a-ts"])
        except ValueError:
            yield self.unresolved(listed, query, "data-n-a-ts is not a number")
            return
        token = node[0].attrib.get("data-n-a-id") or article_id(listed.url) or ""
        parts = urlsplit(response.url)
        yield FormRequest(
            f"{parts.scheme}://{parts.netloc}/_/DotsSplashUi/data/batchexecute",
            formdata={"f.req": garturlreq(token, timestamp, signature)},
            callback=self.parse_batchexecute, errback=self.link_failed, dont_filter=True,
            meta={"listed": listed, "query": query},
        )

    def parse_batchexecute(self, response: Response) -> Iterator[Any]:
        listed: Listed = response.meta["listed"]
        query = response.meta.get("query")
        url = batchexecute_url(response.text) if isinstance(response, TextResponse) else None
        if url and not self.is_google(url):
            yield from self._found(url, listed, query)
        else:
            yield self.unresolved(listed, query, "batchexecute answered without a publisher URL")

    def _found(self, url: str, listed: Listed, query: str | None) -> Iterator[Request]:
        request = self.discovered(Listed(url, listed.date, listed.title), query)
        if request is not None:
            yield request

    def link_failed(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]
        kind, detail, _ = failure_kind(failure)
        yield self.unresolved(request.meta["listed"], request.meta.get("query"), f"{kind}: {detail}")

    def unresolved(self, listed: Listed, query: str | None, detail: str) -> PageItem:
        # Recorded, never dropped: an article Google would not name is a gap the run must show.
        self.crawler.stats.inc_value("rassegna/listed")
        return PageItem(
            source=self.name, url=listed.url, outcome="skipped", listed_by="search", reason="unresolved-redirect",
            detail=detail[:500], listed_date=listed.date, listed_title=listed.title, fetched_at=now_iso(), query=query,
        )


# --- Bing News --------------------------------------------------------------------


def bing_target(link: str) -> str:
    """The publisher URL behind a Bing click-tracking link; other links as they are."""
    parts = urlsplit(link)
    if parts.path.lower().endswith("/apiclick.aspx"):
        target = parse_qs(parts.query).get("url", [""])[0]
        if _is_http(target):
            return target
    return link


class BingNewsSpider(DiscoverySpider):
    kind = "bing_news"

    def search_urls(self, query: str) -> list[str]:
        params = {"q": query, "format": "rss", "setlang": "it-IT"}
        return [f"{self.source['url']}?{urlencode(params, quote_via=quote)}"]

    def parse_search(self, response: Response) -> Iterator[Any]:
        entries = self.feed_entries(response)
        if isinstance(entries, PageItem):
            yield entries
            return
        yield self.listing_item(response)
        for listed in entries:
            request = self.discovered(Listed(bing_target(listed.url), listed.date, listed.title), response.meta.get("query"))
            if request is not None:
                yield request


# --- GDELT ------------------------------------------------------------------------


def gdelt_date(value: Any) -> str | None:
    """GDELT's seendate (20250917T093000Z) in ISO form; None if it is not one."""
    try:
        return datetime.strptime(str(value), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return None


class GdeltSpider(DiscoverySpider):
    """GDELT DOC 2.0, artlist mode. Its endpoint is one slot, one request at a time (spiders.crawl)."""

    kind = "gdelt"

    def search_urls(self, query: str) -> list[str]:
        urls = []
        for text in gdelt_queries(query):
            for language in self.source.get("languages") or GDELT_LANGUAGES:
                params = {"query": f"{text} sourcelang:{language}", "mode": "artlist", "format": "json",
                          "maxrecords": "250", "sort": "datedesc"}
                urls.append(f"{self.source['url']}?{urlencode(params, quote_via=quote)}")
        return urls

    def parse_search(self, response: Response) -> Iterator[Any]:
        # Errors come back as plain text with status 200 ("The specified phrase is too short.").
        try:
            answer = json.loads(response.body)
        except ValueError:
            text = response.body[:300].decode("utf-8", "replace").strip()
            yield self.invalid_answer(response, f"not JSON: {text}")
            return
        articles = answer.get("articles", []) if isinstance(answer, dict) else None
        if not isinstance(articles, list):
            yield self.invalid_answer(response, "JSON without an articles list")
            return
        yield self.listing_item(response)
        for article in articles:
            if not isinstance(article, dict) or not _is_http(article.get("url")):
                continue
            title = article.get("title") if isinstance(article.get("title"), str) else None
            listed = Listed(article["url"], gdelt_date(article.get("seendate")), title)
            request = self.discovered(listed, response.meta.get("query"))
            if request is not None:
                yield request
