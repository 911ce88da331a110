"""The monitoring run: crawl the sources, extract and match, store, report.

Tasks work at batch granularity (a few hundred pages each) so Prefect's
per-task bookkeeping stays a small share of a run. Retries sit on the I/O
tasks (the crawl, every warehouse write); parsing is deterministic and is not
retried.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from rassegna.config import DEFAULT_DB as DEFAULT_DB_PATH
from rassegna.config import (DEFAULT_SOURCES, DEFAULT_WATCHLIST, HealthSettings, SourcesConfig, Watchlist,
                             load_sources, load_watchlist)
from rassegna.funnel import Funnel
from rassegna.summary import notification_text, run_markdown
from rassegna.pipeline import Processed, batched, process_pages, worker_pool
from spiders.crawl import CrawlProcess
from spiders.output import follow_pages, iter_events, iter_listings, new_validators, read_outcomes, write_crawl_inputs
from warehouse import load
from warehouse.db import DatabaseBusy, connect, is_local_path
from warehouse.lock import writer_lock
from warehouse.publish import publish

DEFAULT_DB = str(DEFAULT_DB_PATH)


@dataclass
class RunSummary:
    run_id: str
    status: str
    db: str
    pages_fetched: int = 0
    articles_extracted: int = 0
    articles_new: int = 0
    mentions_new: int = 0
    mentions_per_entity: dict[str, int] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    interrupted_runs_closed: int = 0
    analysts_db: str | None = None  # the read-only copy published for analysts
    # Sources failing or silent for several runs in a row (thresholds: the sources file's `health`).
    flagged_sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed_sources(self) -> list[dict[str, Any]]:
        return [s for s in self.sources if s["status"] == "failed"]


def _progress(stage: str, done: int, total: int | None = None) -> dict[str, Any]:
    return {"extra": {"rassegna_progress": {"stage": stage, "done": done, "total": total}}}


@task(name="read-config", cache_policy=NO_CACHE)
def read_config(sources_file: Path, watchlist_file: Path) -> tuple[SourcesConfig, Watchlist]:
    return load_sources(sources_file), load_watchlist(watchlist_file)


def _worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
    """Transient errors are retried; a database held by someone else was already waited for."""
    try:
        state.result()
    except DatabaseBusy:
        return False
    except Exception:
        return True
    return True


@task(name="open-run", retries=3, retry_delay_seconds=2, retry_condition_fn=_worth_retrying, cache_policy=NO_CACHE)
def open_run(
    db: str, run_id: str, sources_file: Path, watchlist_file: Path, sources: SourcesConfig, watchlist: Watchlist,
    wait_s: float,
) -> int:
    with connect(db, wait_s=wait_s) as con:
        closed = load.mark_interrupted_runs(con, run_id)
        load.start_run(con, run_id, str(flow_run.id or "") or None, str(sources_file), str(watchlist_file),
                       watchlist, len(sources.enabled_sources))
    return closed


@task(name="prepare-crawl", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def prepare_crawl(db: str, out_dir: Path) -> None:
    """Tell the crawl what is stored already (never fetched again) and how feeds last answered."""
    with connect(db, migrated=True) as con:
        write_crawl_inputs(out_dir, load.known_urls(con), load.source_validators(con))


@task(name="start-crawl", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def start_crawl(sources_file: Path, out_dir: Path, budget_s: float, watchlist_file: Path | None = None) -> CrawlProcess:
    """Start the spiders in a child process (see spiders/crawl.py for why a child)."""
    return CrawlProcess(sources_file, out_dir, budget_s, watchlist_file)


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


@task(name="load-batch", retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)
def load_batch(db: str, run_id: str, watchlist_version: str, batch: list[Processed]) -> load.BatchResult:
    with connect(db, migrated=True) as con:
        return load.load_batch(con, run_id, watchlist_version, batch)


@task(name="record-sources", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def record_sources(
    db: str, run_id: str, outcomes: list[dict[str, Any]], crawl_dir: Path, skipped_pages: list[dict[str, Any]],
    validators: dict[str, dict[str, Any]],
) -> None:
    with connect(db, migrated=True) as con:
        load.record_page_events(con, run_id, [*iter_events(crawl_dir), *skipped_pages])
        load.record_discovery(con, run_id, iter_listings(crawl_dir))
        load.record_source_runs(con, run_id, outcomes)
        load.record_source_validators(con, validators)


@task(name="publish-run-artifacts", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_run_artifacts(db: str, summary: RunSummary) -> None:
    """The run's story in Prefect's UI: a Markdown summary and a table of the new mentions."""
    counts = {"pages_fetched": summary.pages_fetched, "articles_extracted": summary.articles_extracted,
              "articles_new": summary.articles_new, "mentions_new": summary.mentions_new}
    create_markdown_artifact(
        markdown=run_markdown(summary.run_id, summary.status, counts, summary.mentions_per_entity, summary.sources,
                              summary.flagged_sources),
        key="monitor-summary", description="What this monitoring run did",
    )
    with connect(db, migrated=True) as con:
        rows = load.new_mentions(con, summary.run_id)
    create_table_artifact(table=rows or [{"entity_name": "", "title": "no new mentions"}],
                          key="new-mentions", description="Mentions stored by this run, with links")


@task(name="notify-new-mentions", retries=3, retry_delay_seconds=[5, 30, 120], cache_policy=NO_CACHE)
def notify_new_mentions(block: str, db: str, summary: RunSummary) -> None:
    """Send the new mentions through a Prefect notification block ("block-type/name")."""
    from prefect.blocks.core import Block

    with connect(db, migrated=True) as con:
        mentions = load.new_mentions(con, summary.run_id)
    notifier = Block.load(block)
    notifier.notify(  # type: ignore[attr-defined]
        body=notification_text(summary.run_id, summary.mentions_per_entity, mentions),
        subject=f"Rassegna: {summary.mentions_new} new mentions",
    )


@task(name="publish-analysts-copy", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_analysts_copy(db: str) -> str:
    return str(publish(db))


@task(name="close-run", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def close_run(db: str, summary: RunSummary, error: str | None = None,
              health: HealthSettings | None = None) -> RunSummary:
    counts = {
        "sources_failed": len(summary.failed_sources),
        "pages_fetched": summary.pages_fetched,
        "articles_extracted": summary.articles_extracted,
        "articles_new": summary.articles_new,
        "mentions_new": summary.mentions_new,
    }
    with connect(db, migrated=True) as con:
        load.finish_run(con, summary.run_id, summary.status, counts, error)
        summary.mentions_per_entity = load.mentions_per_entity(con, summary.run_id)
        if health is not None:
            summary.flagged_sources = load.flagged_sources(
                con, [s["source"] for s in summary.sources], health.failing_runs, health.silent_runs
            )
    for flagged in summary.flagged_sources:
        get_run_logger().warning(
            "source %s needs attention: failed %d runs in a row, nothing new for %d runs in a row",
            flagged["source"], flagged["failing_runs_in_a_row"], flagged["silent_runs_in_a_row"],
        )
    return summary


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def _crawl_dir(db: str, run_id: str) -> Path:
    # Beside the database: same disk, and an operator finds a crawl that was interrupted.
    base = Path(db).parent if is_local_path(db) else Path(tempfile.gettempdir())
    return base / ".rassegna-crawl" / run_id


@flow(name="monitor", log_prints=False)
def monitor(
    sources_file: Path = DEFAULT_SOURCES,
    watchlist_file: Path = DEFAULT_WATCHLIST,
    db: str = DEFAULT_DB,
    workers: int = 2,
    batch_size: int = 400,
    crawl_timeout_s: float = 3 * 3600,
    lock_timeout_s: float = 600,
    db_wait_s: float = 60,
    notify_block: str | None = None,
) -> RunSummary:
    """One monitoring run over every enabled source, stored in the warehouse `db`.

    `notify_block` names a Prefect notification block ("custom-webhook/rassegna-alerts",
    "slack-webhook/press-desk"...) that is told about new mentions; off by default.
    """
    logger = get_run_logger()
    sources, watchlist = read_config(sources_file, watchlist_file)
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, status="running", db=db)
    with writer_lock(db, timeout=lock_timeout_s, on_wait=logger.warning):
        summary.interrupted_runs_closed = open_run(
            db, run_id, sources_file, watchlist_file, sources, watchlist, db_wait_s
        )
        crawl_dir = _crawl_dir(db, run_id)
        # Holding the lock, any other crawl folder belongs to a run that died: remove it.
        shutil.rmtree(crawl_dir.parent, ignore_errors=True)
        crawl: CrawlProcess | None = None
        try:
            logger.info("crawling %d sources", len(sources.enabled_sources), **_progress("crawl", 0))
            prepare_crawl(db, crawl_dir)
            crawl = start_crawl(sources_file, crawl_dir, crawl_timeout_s, watchlist_file)
            funnel = Funnel()
            with worker_pool(watchlist, workers) as pool:
                pending = None
                # Pages stream from the crawl as it writes them: extraction overlaps fetching.
                crawled = follow_pages(crawl_dir, crawl.alive)
                for pages in batched(crawled, batch_size):
                    # Extract the next batch while the previous one is written.
                    # quote(): Prefect would otherwise walk every page dict looking for futures.
                    future = extract_and_match.submit(quote(pages), pool)
                    if pending is not None:
                        _store(db, run_id, watchlist, pending.result(), funnel, summary, logger)
                    pending = future
                if pending is not None:
                    _store(db, run_id, watchlist, pending.result(), funnel, summary, logger)
            crawl_error = finish_crawl(crawl)
            tallies = read_outcomes(crawl_dir)
            summary.sources = funnel.outcomes(sources, tallies, crawl_error)
            validators = new_validators(tallies, {s.name: s.url for s in sources.enabled_sources})
            record_sources(db, run_id, summary.sources, crawl_dir, funnel.skipped_pages, validators)
            summary.status = "completed-with-failures" if summary.failed_sources else "completed"
            summary = close_run(db, summary, health=sources.health)
            publish_run_artifacts(db, summary)
            if notify_block and summary.mentions_new:
                notify_new_mentions(notify_block, db, summary)
            if is_local_path(db):
                summary.analysts_db = publish_analysts_copy(db)
        except BaseException as exc:
            summary.status = "failed"
            try:
                close_run(db, summary, error=f"{type(exc).__name__}: {exc}")
            except Exception as record_error:
                # Recording the failure failed too (a full disk, say): say so, and let the
                # original error, not this one, end the run. The next run marks it interrupted.
                logger.error("could not record the failed run %s: %s", run_id, record_error)
            raise
        finally:
            if crawl is not None:
                crawl.stop()
            shutil.rmtree(crawl_dir, ignore_errors=True)
    logger.info(
        "run %s %s: %d pages, %d new articles, %d new mentions, %d failed sources",
        run_id, summary.status, summary.pages_fetched, summary.articles_new, summary.mentions_new,
        len(summary.failed_sources), **_progress("done", summary.pages_fetched, summary.pages_fetched),
    )
    return summary


def _store(db: str, run_id: str, watchlist: Watchlist, batch: list[Processed], funnel: Funnel,
           summary: RunSummary, logger: Any) -> None:
    result = load_batch(db, run_id, watchlist.version, quote(batch))
    funnel.add_processed(batch)
    funnel.add_loaded(result.new_by_source or {}, result.duplicates_by_source)
    summary.pages_fetched = funnel.pages
    summary.articles_extracted = sum(funnel.extracted.values())
    summary.articles_new += result.articles_new
    summary.mentions_new += result.mentions_new
    logger.info("stored %d pages so far", funnel.pages, **_progress("extract", funnel.pages))
