"""Web archives by URL prefix: the Wayback Machine's CDX API and Common Crawl's URL index.

Listing goes through cdx-toolkit, the field's client for both, one index page at a
time, so a backfill can record each page done and resume after the last one. Its
HTTP goes through `requests`; every request it makes is first checked by the
private-address guard (rassegna.netguard), and its own per-host pacing (one request
at a time, a minimum interval, backoff on 429/5xx) is kept, the interval configurable
per source. The captures themselves are fetched by the crawl (spiders/web_archive.py),
through Scrapy's guard and politeness like every page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests

from rassegna.archives.windows import Window
from rassegna.netguard import check_url

WAYBACK_CONTENT = "https://web.archive.org/web"
# More index pages than this for one prefix and window is a runaway answer, not an outlet's month.
MAX_PAGES = 2000
COMMONCRAWL_CONTENT = "https://data.commoncrawl.org"


class ArchiveError(RuntimeError):
    """An archive's index could not be read (unreachable, refused, or not an index answer)."""


@dataclass(frozen=True)
class Capture:
    """One archived copy of a URL: where the live page was, when it was captured, and how to read the copy."""

    url: str
    timestamp: str  # CDX form, 14 digits UTC
    status: str | None = None
    mime: str | None = None
    filename: str | None = None  # Common Crawl: the WARC file, read by byte range
    offset: int | None = None
    length: int | None = None

    @property
    def captured_at(self) -> str:
        return datetime.strptime(self.timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(
            tzinfo=timezone.utc).isoformat()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _GuardedRequests:
    """Stands in for the `requests` module inside cdx-toolkit: the guard first, then requests itself."""

    exceptions = requests.exceptions

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        check_url(url, self.allow_private)  # raises BlockedAddress
        return requests.get(url, **kwargs)


@contextmanager
def _guarded(allow_private: bool, hosts: list[str], interval: float | None) -> Iterator[None]:
    from cdx_toolkit import myrequests

    original = myrequests.requests
    myrequests.requests = _GuardedRequests(allow_private)  # type: ignore[assignment]
    for host in hosts:
        if interval is not None:
            myrequests.retry_info[host] = {"next_fetch": 0, "minimum_interval": interval}
    try:
        yield
    finally:
        myrequests.requests = original


def _fetcher(source: dict[str, Any]) -> Any:
    import cdx_toolkit

    if source["archive"] == "wayback":
        return cdx_toolkit.CDXFetcher(source=source["url"], wb=source.get("content_url") or WAYBACK_CONTENT)
    return cdx_toolkit.CDXFetcher(source="cc", cc_mirror=source["url"],
                                  warc_download_prefix=source.get("content_url") or COMMONCRAWL_CONTENT)


def _capture(raw: Any) -> Capture | None:
    data = dict(raw.data if hasattr(raw, "data") else raw)
    url, timestamp = data.get("url"), str(data.get("timestamp") or "")
    if not url or not timestamp.isdigit():
        return None
    if "://" not in url:
        url = "http://" + url
    number = lambda key: int(data[key]) if str(data.get(key) or "").isdigit() else None  # noqa: E731
    return Capture(url=url, timestamp=timestamp, status=data.get("status"), mime=data.get("mime"),
                   filename=data.get("filename"), offset=number("offset"), length=number("length"))


def index_pages(
    source: dict[str, Any], window: Window, allow_private: bool, skip: set[tuple[str, int]] | frozenset = frozenset(),
) -> Iterator[tuple[str, int, list[Capture]]]:
    """(index endpoint, page number, captures) for the source's prefix in the window, page by page.

    Pages in `skip` (done by an earlier backfill) are not asked again. Raises ArchiveError
    when the index cannot be read at all.
    """
    from rassegna.netguard import BlockedAddress

    hosts = [urlsplit(source["url"]).hostname or ""]
    params: dict[str, Any] = {
        "url": source["url_prefix"], "output": "json", "matchType": "prefix",
        "from_ts": window.start_utc().strftime("%Y%m%d%H%M%S"), "to": window.end_utc().strftime("%Y%m%d%H%M%S"),
        # Only pages that were there when captured; one row per URL where the archive can collapse.
        "filter": ["status:200"],
    }
    low, high = params["from_ts"], params["to"]
    try:
        with _guarded(allow_private, hosts, source.get("request_interval")):
            fetcher = _fetcher(source)
            if source["archive"] == "wayback":
                params["collapse"] = "urlkey"
                params["filter"] = ["statuscode:200"]
            index_list = fetcher.customize_index_list(params)
            for number, endpoint in enumerate(index_list):
                hosts.append(urlsplit(endpoint).hostname or "")
                for page in range(MAX_PAGES):
                    if (endpoint, page) in skip:
                        continue
                    status, objs = fetcher.get_for_iter(number, page, params=params, index_list=index_list)
                    if status != "ok":
                        break  # past the index's last page: an empty answer (Wayback) or a 400 (pywb)
                    # The Wayback Machine filters after paging: a page may be empty with more after it.
                    # Common Crawl's index answers a crawl without captures with a 404 on every page.
                    # Kept to the window here too: cdx-toolkit widens Common Crawl's `to` to the end
                    # of its month (pad_timestamp_up rewrites the day of a full timestamp).
                    captures = [c for c in (_capture(o) for o in objs) if c is not None and low <= c.timestamp <= high]
                    yield endpoint, page, captures
                    if not objs and source["archive"] == "commoncrawl":
                        break
    except (BlockedAddress, requests.exceptions.RequestException, ValueError, RuntimeError) as exc:
        raise ArchiveError(f"{source['name']}: {type(exc).__name__}: {exc}"[:500]) from None
