"""Recompute every mention over the stored article texts, after a watchlist change.

Nothing is fetched. New mentions are staged batch by batch, then swapped in
with one transaction: analysts see either the old mentions or the new ones,
never a mix, and each row records the watchlist version that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.monitor import DEFAULT_DB, DEFAULT_WATCHLIST, new_run_id
from rassegna.config import Watchlist, load_watchlist
from rassegna.pipeline import rematch_texts, worker_pool
from rassegna.stories import fingerprint
from warehouse import load
from warehouse.db import connect
from warehouse.lock import writer_lock


@dataclass
class RematchSummary:
    run_id: str
    watchlist_version: str
    articles: int
    mentions: int
    mentions_per_entity: dict[str, int]


@task(name="read-watchlist", cache_policy=NO_CACHE)
def read_watchlist(watchlist_file: Path) -> Watchlist:
    return load_watchlist(watchlist_file)


@task(name="start-rematch", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def start_rematch(db: str, run_id: str, watchlist_file: Path, watchlist: Watchlist) -> None:
    with connect(db) as con:
        load.start_rematch(con, run_id, str(watchlist_file), watchlist)


@task(name="read-articles", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_articles(db: str, after: str, limit: int) -> list[tuple[str, str, str]]:
    with connect(db, migrated=True) as con:
        return load.article_texts(con, after, limit)


@task(name="match-articles", cache_policy=NO_CACHE)
def match_articles(items: list[tuple[str, str, str]], pool: Any, watchlist_version: str, run_id: str) -> tuple[list, list]:
    candidates, relevance = [], []
    for article_id, found, strengths in rematch_texts(items, pool):
        candidates += load.candidate_tuples(article_id, found, watchlist_version, run_id)
        relevance += load.relevance_tuples(article_id, strengths, watchlist_version)
    return candidates, relevance


@task(name="stage-mentions", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def stage_mentions(db: str, article_ids: list[str], candidates: list, relevance: list) -> None:
    with connect(db, migrated=True) as con:
        load.stage_rematch(con, article_ids, candidates, relevance)


@task(name="fail-rematch", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def fail_rematch(db: str, run_id: str, error: str) -> None:
    with connect(db, migrated=True) as con:
        load.finish_run(con, run_id, "failed", {}, error)


@task(name="swap-mentions", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def swap_mentions(db: str, run_id: str, articles: int) -> dict[str, int]:
    with connect(db, migrated=True) as con:
        load.swap_rematch(con, run_id, articles)
        return load.mentions_per_entity(con, None)


@task(name="read-unfingerprinted", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_unfingerprinted(db: str, after: str, limit: int) -> list[tuple[str, str]]:
    with connect(db, migrated=True) as con:
        return load.unfingerprinted_with_mentions(con, after, limit)


@task(name="fingerprint-texts", cache_policy=NO_CACHE)
def fingerprint_texts(items: list[tuple[str, str]], pool: Any) -> list[tuple[str, tuple[int, ...] | None]]:
    return list(zip((aid for aid, _ in items), pool.map(fingerprint, (text for _, text in items), chunksize=16)))


@task(name="store-stories", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def store_stories(db: str, fingerprints: list[tuple[str, tuple[int, ...] | None]]) -> None:
    with connect(db, migrated=True) as con:
        load.fingerprint_stories(con, fingerprints)


@flow(name="rematch")
def rematch(
    watchlist_file: Path = DEFAULT_WATCHLIST,
    db: str = DEFAULT_DB,
    workers: int = 2,
    batch_size: int = 1000,
    lock_timeout_s: float = 600,
) -> RematchSummary:
    """Rematch all stored articles with `watchlist_file`; swaps the mentions in atomically."""
    logger = get_run_logger()
    watchlist = read_watchlist(watchlist_file)
    run_id = new_run_id()
    with writer_lock(db, timeout=lock_timeout_s, on_wait=logger.warning):
        start_rematch(db, run_id, watchlist_file, watchlist)
        articles, last = 0, ""
        try:
            with worker_pool(watchlist, workers) as pool:
                while batch := read_articles(db, last, batch_size):
                    # quote(): spare Prefect a walk through every text and mention row.
                    candidates, relevance = match_articles(quote(batch), pool, watchlist.version, run_id)
                    stage_mentions(db, [a for a, _, _ in batch], quote(candidates), quote(relevance))
                    articles += len(batch)
                    last = batch[-1][0]
                per_entity = swap_mentions(db, run_id, articles)
                # Articles with mentions for the first time get the fingerprint that puts them
                # in a story (the monitor fingerprints only articles that mention an entity).
                last = ""
                while items := read_unfingerprinted(db, last, batch_size):
                    store_stories(db, fingerprint_texts(quote(items), pool))
                    last = items[-1][0]
        except BaseException as exc:
            # The live mentions are untouched until the swap; record why this rematch stopped.
            fail_rematch(db, run_id, f"{type(exc).__name__}: {exc}")
            raise
    logger.info("rematched %d articles with watchlist %s", articles, watchlist.version)
    return RematchSummary(run_id, watchlist.version, articles, sum(per_entity.values()), per_entity)
