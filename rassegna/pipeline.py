"""The compute between fetching and storing: page -> article -> mentions.

Plain functions over plain data, so tests and `rassegna inspect` call them
directly and the flow can fan them out over worker processes. Extraction is
CPU-bound (lxml and trafilatura hold the GIL), so parallelism means processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from rassegna.config import Watchlist
from rassegna.extraction.article import Article, NotAnArticle, extract_article
from rassegna.lifecycle import exit_with_parent
from rassegna.matching.matcher import Candidate, Matcher
from rassegna.matching.relevance import Relevance, programme_relevance
from rassegna.stories import fingerprint


@dataclass
class Processed:
    """One fetched page after extraction: an article with candidates, or the reason it is none."""

    source: str
    url: str  # as fetched, after redirects
    listed_by: str
    fetched_at: str
    listed_date: str | None = None
    seen_date: str | None = None  # when a search engine saw the URL (GDELT): a weak date signal
    archive_url: str | None = None  # read from this archived copy, the live page being gone or walled
    archived_at: str | None = None
    listed_url: str | None = None  # as the feed, sitemap or link gave it, before redirects
    encoding: str | None = None
    article: Article | None = None
    candidates: list[Candidate] = field(default_factory=list)
    relevance: list[Relevance] = field(default_factory=list)
    fingerprint: tuple[int, ...] | None = None  # near-duplicate signature of the text (rassegna.stories)
    skip_reason: str | None = None  # 'consent-wall', 'paywall', or 'not-article: <why>'
    skip_detail: str | None = None  # what gave a skipped page away

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Site crawls reach home and section pages; feeds and sitemaps list articles only.
_CRAWLED = ("crawl", "start")


def process_page(page: dict[str, Any], matcher: Matcher) -> Processed:
    """Extract and match one page record as written by the crawl (`spiders.items.PageItem`)."""
    url = page.get("final_url") or page["url"]
    result = Processed(
        source=page["source"],
        url=url,
        listed_by=page.get("listed_by", ""),
        fetched_at=page.get("fetched_at", ""),
        listed_date=page.get("listed_date"),
        seen_date=page.get("seen_date"),
        archive_url=page.get("archive_url"),
        archived_at=page.get("archived_at"),
        listed_url=page["url"],
        encoding=page.get("encoding"),
    )
    try:
        article = extract_article(
            page["html"], url, require_article_markup=result.listed_by in _CRAWLED, listed_date=result.listed_date,
            # An archived copy is read as of its capture: "3 ore fa" counts back from then.
            seen_date=result.seen_date, fetched_at=_fetch_time(result.archived_at or result.fetched_at),
        )
    except NotAnArticle as exc:
        # Walls get a reason of their own, so the funnel tells a source behind a consent
        # wall or a paywall from one that publishes nothing.
        result.skip_reason = exc.reason if exc.reason != "not-article" else f"not-article: {exc}"
        result.skip_detail = str(exc)
        return result
    except Exception as exc:  # noqa: BLE001
        # A page that breaks the extractor (a bug of ours or of a library, on hostile HTML)
        # must cost that page, not the batch: it is recorded with the error as a skip.
        result.skip_reason = f"extract-error: {type(exc).__name__}: {str(exc)[:300]}"
        result.skip_detail = result.skip_reason
        return result
    result.article = article
    result.candidates, result.relevance = match_article(matcher, article.title, article.text)
    if covers_an_entity(result.candidates):
        # Stories exist to count coverage once: only articles that mention a watched entity
        # are fingerprinted (2 ms each); the others are their own story. A rematch
        # fingerprints the articles it finds new mentions in.
        result.fingerprint = fingerprint(article.text)
    return result


def _fetch_time(value: str) -> datetime | None:
    """The crawl's ISO fetch time, as the reference of relative bylines ("2 ore fa")."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def covers_an_entity(candidates: list[Candidate]) -> bool:
    return any(c.accepted for c in candidates)


def match_article(matcher: Matcher, title: str, text: str) -> tuple[list[Candidate], list[Relevance]]:
    """Mentions of one article and how strongly it covers each programme (also used by rematch)."""
    candidates = matcher.match(text, title)
    return candidates, programme_relevance(matcher, title, text, candidates)


_worker_matcher: Matcher | None = None


def _init_worker(watchlist: Watchlist, parent: int) -> None:
    global _worker_matcher
    exit_with_parent(parent=parent)
    _worker_matcher = Matcher(watchlist)


def _matcher_in_worker() -> Matcher:
    if _worker_matcher is None:
        raise RuntimeError("worker process started without a watchlist")
    return _worker_matcher


def _process_in_worker(page: dict[str, Any]) -> Processed:
    return process_page(page, _matcher_in_worker())


def _rematch_in_worker(item: tuple[str, str, str]) -> tuple[str, list[Candidate], list[Relevance]]:
    article_id, title, text = item
    return (article_id, *match_article(_matcher_in_worker(), title, text))


def rematch_texts(items: Iterable[tuple[str, str, str]], pool: Executor) -> list[tuple[str, list[Candidate], list[Relevance]]]:
    """Match stored (article_id, title, text) triples in the pool, in order."""
    return list(pool.map(_rematch_in_worker, items, chunksize=16))


def worker_pool(watchlist: Watchlist, workers: int) -> Executor:
    """Processes that each build the matcher once. 'spawn': the parent may hold threads
    (Prefect's), and forking a threaded process can inherit a held lock."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        # The parent's pid, not getppid() in the worker: a run killed while its workers
        # were still importing would leave them watching their new parent, init.
        initargs=(watchlist, os.getpid()),
    )


# Pages sent to a worker at a time: fewer round trips than one by one, and a batch still
# spreads over every worker.
PAGES_PER_CHUNK = 16


def process_pages(pages: Iterable[dict[str, Any]], pool: Executor) -> list[Processed]:
    """Process crawled page records in the pool, in order."""
    return list(pool.map(_process_in_worker, pages, chunksize=PAGES_PER_CHUNK))


def batched(items: Iterable[Any], size: int, first: int | None = None) -> Iterator[tuple[Any, ...]]:
    """itertools.batched (which arrives only in Python 3.12), or, with `first`, batches that
    start at `first` items and double up to `size`: the first is ready soon, the later ones
    are as large as asked."""
    iterator = iter(items)
    step = min(first or size, size)
    while batch := tuple(islice(iterator, step)):
        yield batch
        step = min(step * 2, size)
