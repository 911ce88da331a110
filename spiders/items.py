"""The one item every spider yields: what happened to one URL."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    source: str
    url: str  # as listed or requested
    outcome: str  # 'page' (HTML fetched) | 'listing' (feed, sitemap) | 'skipped' (by rule) | 'failed' (by error)
    listed_by: str  # channel that listed it: 'feed', 'sitemap', 'crawl', 'start', 'search'
    final_url: str | None = None  # after redirects
    status: int | None = None
    content_type: str | None = None
    body: bytes | None = None  # raw bytes; the decode pipeline turns them into `html`
    html: str | None = None
    encoding: str | None = None
    listed_date: str | None = None  # date the feed or sitemap gave, as written
    listed_title: str | None = None
    seen_date: str | None = None
    archive_url: str | None = None  # the body came from this archived copy (the live page was gone or walled)
    archived_at: str | None = None  # when that copy was captured  # when a search engine saw the URL (GDELT's seendate), not the page's date
    reason: str | None = None  # kind of skip or failure: robots, non-html, too-large, http-404, timeout...
    detail: str | None = None
    entry: bool = False  # the source's own URL (feed, sitemap, start page): its failure fails the source
    fetched_at: str = field(default="")
    query: str | None = None  # discovery sources: the search that found it (neutral form, see rassegna.queries)
