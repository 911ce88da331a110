"""The crawl -> extract stages both the monitor and its shards run: one copy of each.

The monitor streams the batches into the warehouse; a shard writes them to
files for its parent to store. Everything before that hand-over is here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from rassegna.archives.windows import Window
from rassegna.config import SourcesConfig, Watchlist, load_sources, load_watchlist
from rassegna.pipeline import PAGES_PER_CHUNK, Processed, batched, process_pages
from spiders.crawl import CrawlProcess
from spiders.output import follow_pages


def retry_unless(*final: type[BaseException]) -> Callable[[Any, Any, Any], bool]:
    """A task's retry condition: retry any error but these, which waiting cannot cure
    (a database held by someone else was already waited for; a missing deployment stays missing)."""
    def worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
        try:
            state.result()
        except final:
            return False
        except Exception:
            return True
        return True

    return worth_retrying


@task(name="read-config", cache_policy=NO_CACHE)
def read_config(sources_file: Path, watchlist_file: Path) -> tuple[SourcesConfig, Watchlist]:
    return load_sources(sources_file), load_watchlist(watchlist_file)


@task(name="start-crawl", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def start_crawl(
    sources_file: Path, out_dir: Path, budget_s: float, watchlist_file: Path | None = None,
    only: list[str] | None = None, inputs_dir: Path | None = None, window: Window | None = None,
    today: str | None = None,
) -> CrawlProcess:
    """Start the spiders in a child process (see spiders/crawl.py for why a child).

    The watchlist builds the searches of discovery sources that list no queries of their own."""
    return CrawlProcess(sources_file, out_dir, budget_s, watchlist_file, only=only, inputs_dir=inputs_dir,
                        window=window, today=today)


@task(name="finish-crawl", cache_policy=NO_CACHE)
def finish_crawl(crawl: CrawlProcess) -> str | None:
    """Wait for the crawl; an error text if it did not end cleanly (its sources are then marked failed)."""
    error = crawl.finish()
    if error:
        get_run_logger().warning("%s", error)
    return error


@task(name="extract-and-match", cache_policy=NO_CACHE)
def extract_and_match(pages: tuple[dict[str, Any], ...], pool: Any) -> list[Processed]:
    return process_pages(pages, pool)


# Pages in the first batch: a first chunk for each of two extraction workers.
FIRST_BATCH = 2 * PAGES_PER_CHUNK


def extracted_batches(crawl: CrawlProcess, pool: Any, batch_size: int) -> Iterator[list[Processed]]:
    """Processed pages in batches, as the crawl writes them: extraction overlaps fetching.

    The next batch is already extracting while the caller handles the one yielded. The
    first batch is small and the next ones double up to `batch_size`, so extraction starts
    with the crawl's first pages rather than after `batch_size` of them.
    """
    pending = None
    for pages in batched(follow_pages(crawl.out_dir, crawl.alive), batch_size, first=FIRST_BATCH):
        # quote(): Prefect would otherwise walk every page dict looking for futures.
        future = extract_and_match.submit(quote(pages), pool)
        if pending is not None:
            yield pending.result()
        pending = future
    if pending is not None:
        yield pending.result()
