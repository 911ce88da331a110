"""Google News RSS search; its item links are news.google.com redirects, resolved to the publisher's URL."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy.http import FormRequest, Request, Response, TextResponse
from twisted.python.failure import Failure

from spiders.base import failure_kind, now_iso
from rassegna.archives.windows import Window
from spiders.discovery import REDIRECTS, RssSearchSpider, is_http
from spiders.items import PageItem
from spiders.listings import Listed

_ARTICLE_ID = re.compile(r"/(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]+)")
_GOOGLE_HOST = re.compile(r"(^|\.)google\.[a-z]{2,3}(\.[a-z]{2})?$")

# What Google's consent page sets once a visitor accepts: without it, requests from EU
# addresses are redirected to consent.google.com (twice) instead of reaching the article page.
CONSENT_COOKIE = "SOCS=CAI; CONSENT=YES+cb"


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
            if is_http(url):
                return url
    return None


def outlet_title(listed: Listed) -> str | None:
    """The item's title without the " - Outlet" Google News appends to it."""
    title = (listed.title or "").strip()
    if listed.outlet and title.endswith(f" - {listed.outlet}"):
        title = title[: -len(listed.outlet) - 3].strip()
    return title or None


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


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
            if isinstance(payload, list) and len(payload) > 1 and payload[0] == "garturlres" and is_http(payload[1]):
                return payload[1]
    return None


class GoogleNewsSpider(RssSearchSpider):
    kind = "google_news"

    def __init__(self, source: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.endpoint = urlsplit(source["url"]).netloc.lower()
        self.links_seen: set[str] = set()

    # Google News RSS answers at most about 100 items per search.
    result_cap = 100

    def search_params(self, query: str) -> list[dict[str, str]]:
        return [{"q": query, "hl": "it", "gl": "IT", "ceid": "IT:it"}]

    def windowed(self, params: dict[str, str], window: Window, hours: tuple[int, int] = (0, 24)) -> dict[str, str]:
        # Both operators are read as strict bounds (items after the first day named, before
        # the second): asking for the day before and the day after covers the window's edges.
        after = (window.since - timedelta(days=1)).isoformat()
        before = (window.until + timedelta(days=1)).isoformat()
        return {**params, "q": f"{params['q']} after:{after} before:{before}"}

    def is_google(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.netloc.lower() == self.endpoint or bool(_GOOGLE_HOST.search(parts.hostname or ""))

    def follow(self, listed: Listed, query: str | None) -> Iterator[Any]:
        if self.is_google(listed.url) and article_id(listed.url):
            yield from self.resolve(listed, query)
        else:
            yield from super().follow(listed, query)

    def resolve(self, listed: Listed, query: str | None) -> Iterator[Any]:
        if listed.url in self.links_seen:
            return
        self.links_seen.add(listed.url)
        url = embedded_url(listed.url)
        if url:
            request = self.discovered(replace(listed, url=url), query)
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
            headers={"Cookie": CONSENT_COOKIE},
            meta={"dont_redirect": True, "handle_httpstatus_list": REDIRECTS, "listed": listed, "query": query},
        )

    def parse_link(self, response: Response) -> Iterator[Any]:
        listed: Listed = response.meta["listed"]
        query = response.meta.get("query")
        if response.status in REDIRECTS:
            location = response.headers.get(b"Location", b"").decode("latin-1")
            target = response.urljoin(location) if location else ""
            if is_http(target) and not self.is_google(target):
                yield from self._found(target, listed, query)
            else:
                # Back to Google (its consent page, from the EU): the link itself names nothing.
                yield from self.last_resort(listed, query, f"redirected to {target or 'nowhere'}")
            return
        node = response.xpath("//*[@data-n-a-sg and @data-n-a-ts]") if isinstance(response, TextResponse) else []
        if not node:
            yield from self.last_resort(listed, query, "the article page has no data-n-a-sg/data-n-a-ts signature")
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
            formdata={"f.req": garturlreq(token, timestamp, signature)}, headers={"Cookie": CONSENT_COOKIE},
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
            yield from self.last_resort(listed, query, "batchexecute answered without a publisher URL")

    def _found(self, url: str, listed: Listed, query: str | None) -> Iterator[Request]:
        request = self.discovered(replace(listed, url=url), query)
        if request is not None:
            yield request

    def link_failed(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]
        kind, detail, _ = failure_kind(failure)
        yield self.unresolved(request.meta["listed"], request.meta.get("query"), f"{kind}: {detail}")

    def last_resort(self, listed: Listed, query: str | None, detail: str) -> Iterator[Any]:
        """Google would not name the article: look for its title on the outlet the item names.

        The outlet's own search (`/?s=`, the form most news CMSs answer) is asked for the
        title; a result whose link text is that title is the article. Only then is the
        item recorded as unresolved.
        """
        title = outlet_title(listed)
        if not (listed.outlet_url and title):
            yield self.unresolved(listed, query, detail)
            return
        search = f"{listed.outlet_url.rstrip('/')}/?{urlencode({'s': title})}"
        yield Request(search, callback=self.parse_outlet_search, errback=self.link_failed, dont_filter=True,
                      meta={"listed": listed, "query": query, "why": detail})

    def parse_outlet_search(self, response: Response) -> Iterator[Any]:
        listed: Listed = response.meta["listed"]
        query, why = response.meta.get("query"), response.meta["why"]
        wanted = _words(outlet_title(listed) or "")
        links = response.xpath("//a[@href]") if isinstance(response, TextResponse) else []
        for link in links:
            if _words(" ".join(link.xpath(".//text()").getall())) == wanted:
                url = response.urljoin(link.attrib["href"])
                if is_http(url) and not self.is_google(url):
                    self.crawler.stats.inc_value("rassegna/found_by_title_search")
                    yield from self._found(url, listed, query)
                    return
        yield self.unresolved(listed, query, f"{why}; no result titled so in a search of {response.url}")

    def unresolved(self, listed: Listed, query: str | None, detail: str) -> PageItem:
        # Recorded, never dropped: an article Google would not name is a gap the run must show,
        # with the outlet Google named for it, so the operator can look for it there.
        self.crawler.stats.inc_value("rassegna/listed")
        if listed.outlet or listed.outlet_url:
            detail = f"{detail}; listed as from {listed.outlet or ''} <{listed.outlet_url or ''}>"
        return PageItem(
            source=self.name, url=listed.url, outcome="skipped", listed_by="search", reason="unresolved-redirect",
            detail=detail[:500], listed_date=listed.date, listed_title=listed.title, fetched_at=now_iso(), query=query,
        )
