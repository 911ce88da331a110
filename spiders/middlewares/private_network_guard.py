"""Refuse non-http(s) URLs and IP-literal hosts in loopback, private, link-local or multicast ranges.

Runs before every other downloader middleware, so robots.txt requests and
every redirect hop (RedirectMiddleware re-schedules the new request, which
passes through here again) are checked too. Hostnames are checked where they
are resolved, by spiders/resolver.py, so the address checked is the one used.
"""

from __future__ import annotations

from functools import lru_cache

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from rassegna.netguard import BlockedAddress, check_url


class BlockedRequest(IgnoreRequest):
    """The request's URL is not one the crawler may fetch."""


class PrivateNetworkGuardMiddleware:
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        # A crawl asks about the same few hosts thousands of times.
        self._check_host = lru_cache(maxsize=4096)(self._check)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkGuardMiddleware:
        return cls(crawler.settings.getbool("RASSEGNA_ALLOW_PRIVATE_NETWORKS"))

    def _check(self, scheme_host: str) -> str | None:
        try:
            check_url(scheme_host, self.allow_private, resolve_names=False)
        except BlockedAddress as exc:
            return str(exc)
        return None

    def process_request(self, request: Request) -> None:
        scheme, _, rest = request.url.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0]
        reason = self._check_host(f"{scheme.lower()}://{host}")
        if reason:
            raise BlockedRequest(f"blocked: {reason} ({request.url})")
