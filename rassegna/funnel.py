"""Per-source funnel of one run: listed -> fetched -> extracted -> new, with skips and failures.

It joins the crawl's tallies with what extraction and loading found, so the
run record can tell a source with no coverage from a source that could not be read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rassegna.config import SourcesConfig
from rassegna.pipeline import Processed


@dataclass
class Funnel:
    fetched: Counter[str] = field(default_factory=Counter)
    extracted: Counter[str] = field(default_factory=Counter)
    page_skips: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    articles_new: Counter[str] = field(default_factory=Counter)
    mentions_new: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    counted_urls: set[str] = field(default_factory=set)
    # Pages fetched but not stored as articles, for the run's audit trail (page_event).
    skipped_pages: list[dict[str, Any]] = field(default_factory=list)

    def add_processed(self, batch: list[Processed]) -> None:
        for p in batch:
            self.pages += 1
            self.fetched[p.source] += 1
            if p.article is not None:
                self.extracted[p.source] += 1
            else:
                # 'consent-wall' and 'paywall' are counted apart from other 'not-article: ...' pages.
                reason = (p.skip_reason or "not-article").split(":", 1)[0]
                self.page_skips[p.source][reason] += 1
                self.skipped_pages.append({"source": p.source, "url": p.url, "outcome": "skipped",
                                           "reason": reason, "detail": p.skip_detail or p.skip_reason,
                                           "at": p.fetched_at or None})

    def add_loaded(self, new_articles: dict[str, tuple[str, int]], duplicates: dict[str, int] | None = None
                   ) -> tuple[int, int]:
        """Count the articles a batch stored (url -> (source, mentions)); returns the (articles,
        mentions) newly counted. Each article counts once a run: the loader reports it again when
        a later batch holds it too (another source lists it; another shard fetched it; a batch
        retried after its first attempt committed), and only the first report is new."""
        for source, count in (duplicates or {}).items():
            # A page whose canonical article was stored already: another channel's copy.
            self.page_skips[source]["duplicate"] += count
        articles = mentions = 0
        for url, (source, found) in new_articles.items():
            if url in self.counted_urls:
                continue
            self.counted_urls.add(url)
            self.articles_new[source] += 1
            self.mentions_new[source] += found
            articles += 1
            mentions += found
        return articles, mentions

    def outcomes(
        self, config: SourcesConfig, crawl: dict[str, dict[str, Any]], crawl_error: str | None = None,
        source_errors: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """One row per enabled source. `crawl_error` explains sources without a tally;
        `source_errors` does so per source (a sharded run: each shard's crawl has its own)."""
        rows = []
        for source in config.enabled_sources:
            tally = crawl.get(source.name)
            if tally is None:
                # The crawl died before this source's tally was written: what we received is all we know.
                error = (source_errors or {}).get(source.name) or crawl_error or "crawl ended before this source finished"
                got = self.fetched[source.name]
                tally = {"listed": got, "fetched": got, "skipped": {}, "failed": {}, "entry_error": error}
            skips = Counter(tally["skipped"]) + self.page_skips[source.name]
            if tally.get("capped"):
                skips["page-limit"] += tally["capped"]
            if tally.get("known"):
                skips["known"] += tally["known"]
            if tally.get("not_modified"):
                skips["not-modified"] += 1
            error = tally.get("entry_error")
            failed = Counter(tally["failed"])
            if tally.get("errors"):
                failed["crawler-error"] += tally["errors"]
            rows.append({
                "source": source.name,
                "kind": source.kind,
                "url": source.url,
                "status": "failed" if error else "ok",
                "listed": tally["listed"],
                "fetched": tally["fetched"],
                "extracted": self.extracted[source.name],
                "articles_new": self.articles_new[source.name],
                "mentions_new": self.mentions_new[source.name],
                "skip_reasons": dict(skips),
                "fail_reasons": dict(failed),
                "error": error,
            })
        return rows
