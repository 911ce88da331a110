"""DNS resolution that refuses private addresses: the address checked is the one connected to.

Checking a hostname in a middleware and letting Scrapy resolve it again later
leaves a window for DNS rebinding (public answer for the check, 127.0.0.1 for
the connection). Filtering inside the resolver closes it, and the lookup runs
in Twisted's thread pool instead of blocking the reactor.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred

from rassegna.netguard import BlockedAddress, is_public


class GuardedResolver(CachingThreadedResolver):
    allow_private = False
    # Twisted reports any failed resolution as "no results"; this remembers which
    # names were refused so the failure is recorded as blocked, not as a DNS error.
    refused: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool("RASSEGNA_ALLOW_PRIVATE_NETWORKS")
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        deferred = super().getHostByName(name, timeout)
        if not self.allow_private:
            deferred.addCallback(self._refuse_private, name)
        return deferred

    @classmethod
    def _refuse_private(cls, address: str, name: str) -> str:
        if not is_public(ipaddress.ip_address(address)):
            reason = f"{name} resolves to non-public address {address}"
            cls.refused[name] = reason
            raise BlockedAddress(reason)
        return address
