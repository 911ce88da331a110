"""The monitoring run: crawl the sources, extract and match, store, report.

Tasks work at batch granularity (a few hundred pages each) so Prefect's
per-task bookkeeping stays a small share of a run. Retries sit on the I/O
tasks (the crawl, every warehouse write); parsing is deterministic and is not
retried.

With `shards` > 1 the crawl and extraction run as `monitor-shard` flow runs on
a work pool (flows/shard.py); this run still does every warehouse write.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from flows.shard import Shard, finished_shards, start_shard
from flows.stages import extracted_batches, finish_crawl, read_config, retry_unless, start_crawl
from rassegna.config import DEFAULT_DB as DEFAULT_DB_PATH
from rassegna.config import DEFAULT_SOURCES, DEFAULT_WATCHLIST, HealthSettings, SourcesConfig, Watchlist
from rassegna.funnel import Funnel
from rassegna.pipeline import Processed, worker_pool
from rassegna.shards import read_batches, read_done, split_sources
from rassegna.reporting.summary import mention_rows, notification_text, run_markdown
from spiders.crawl import CrawlProcess
from spiders.output import iter_events, iter_listings, new_validators, read_outcomes, write_crawl_inputs
from warehouse import load
from warehouse.db import DatabaseBusy, connect, is_local_path, service_slug
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


@task(name="open-run", retries=3, retry_delay_seconds=2, retry_condition_fn=retry_unless(DatabaseBusy), cache_policy=NO_CACHE)
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


@task(name="load-batch", retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)
def load_batch(db: str, run_id: str, watchlist_version: str, batch: list[Processed]) -> load.BatchResult:
    with connect(db, migrated=True) as con:
        return load.load_batch(con, run_id, watchlist_version, batch)


@task(name="record-sources", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def record_sources(
    db: str, run_id: str, outcomes: list[dict[str, Any]], crawl_dirs: list[Path], skipped_pages: list[dict[str, Any]],
    validators: dict[str, dict[str, Any]],
) -> None:
    events = [event for crawl_dir in crawl_dirs for event in iter_events(crawl_dir)]
    with connect(db, migrated=True) as con:
        load.record_page_events(con, run_id, [*events, *skipped_pages])
        load.record_discovery(con, run_id, (row for crawl_dir in crawl_dirs for row in iter_listings(crawl_dir)))
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
        rows = mention_rows(load.new_mentions(con, summary.run_id))
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


@contextlib.contextmanager
def failure_recorded(db: str, summary: RunSummary, logger: Any) -> Iterator[None]:
    """Any error ends the run as failed, recorded with its reason, and is raised again."""
    try:
        yield
    except BaseException as exc:
        summary.status = "failed"
        try:
            close_run(db, summary, error=f"{type(exc).__name__}: {exc}")
        except Exception as record_error:
            # Recording the failure failed too (a full disk, say): say so, and let the
            # original error, not this one, end the run. The next run marks it interrupted.
            logger.error("could not record the failed run %s: %s", summary.run_id, record_error)
        raise


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def _crawl_dir(db: str, run_id: str, crawl_root: str | None = None) -> Path:
    """Beside the database: same disk, an operator finds a crawl that was interrupted, and
    shards on other machines see it when the database sits on a shared volume. A service
    database (md:) has no folder: `crawl_root`, or the temporary folder, one per database
    (the stale-folder sweep below must only ever reach its own database's runs)."""
    if crawl_root:
        base = Path(crawl_root) / service_slug(db)
    elif is_local_path(db):
        base = Path(db).parent
    else:
        base = Path(tempfile.gettempdir()) / "rassegna-crawl" / service_slug(db)
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
    shards: int = 1,
    shard_deployment: str = "monitor-shard/monitor-shard",
    shard_timeout_s: float = 4 * 3600,
    crawl_root: str | None = None,
) -> RunSummary:
    """One monitoring run over every enabled source, stored in the warehouse `db`.

    `notify_block` names a Prefect notification block ("custom-webhook/rassegna-alerts",
    "slack-webhook/press-desk"...) that is told about new mentions; off by default.
    `shards` > 1 splits the sources into that many `shard_deployment` flow runs on its
    work pool, each given up on after `shard_timeout_s`; their files go under
    `crawl_root` (default: beside the database), which every worker must see.
    """
    logger = get_run_logger()
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    sources, watchlist = read_config(sources_file, watchlist_file)
    sources = sources.for_monitoring()
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, status="running", db=db)
    with writer_lock(db, timeout=lock_timeout_s, on_wait=logger.warning):
        summary.interrupted_runs_closed = open_run(
            db, run_id, sources_file, watchlist_file, sources, watchlist, db_wait_s
        )
        crawl_dir = _crawl_dir(db, run_id, crawl_root)
        # Holding the lock, any other crawl folder belongs to a run that died: remove it.
        shutil.rmtree(crawl_dir.parent, ignore_errors=True)
        crawl: CrawlProcess | None = None
        try:
            with failure_recorded(db, summary, logger):
                logger.info("crawling %d sources", len(sources.enabled_sources), **_progress("crawl", 0))
                prepare_crawl(db, crawl_dir)
                funnel = Funnel()
                if shards > 1:
                    tallies, source_errors, crawl_dirs = _sharded(
                        db, run_id, sources, watchlist, sources_file, watchlist_file, crawl_dir, shards,
                        shard_deployment, shard_timeout_s, workers, batch_size, crawl_timeout_s, funnel, summary, logger,
                    )
                else:
                    crawl = start_crawl(sources_file, crawl_dir, crawl_timeout_s, watchlist_file)
                    with worker_pool(watchlist, workers) as pool:
                        # Pages stream from the crawl as it writes them; each batch is stored
                        # while the next one is extracted.
                        for batch in extracted_batches(crawl, pool, batch_size):
                            _store(db, run_id, watchlist, batch, funnel, summary, logger)
                    crawl_error = finish_crawl(crawl)
                    tallies, crawl_dirs = read_outcomes(crawl_dir), [crawl_dir]
                    source_errors = {s.name: crawl_error for s in sources.enabled_sources} if crawl_error else {}
                summary.sources = funnel.outcomes(sources, tallies, source_errors=source_errors)
                validators = new_validators(tallies, {s.name: s.url for s in sources.enabled_sources})
                record_sources(db, run_id, summary.sources, crawl_dirs, funnel.skipped_pages, validators)
                summary.status = "completed-with-failures" if summary.failed_sources else "completed"
                summary = close_run(db, summary, health=sources.health)
                publish_run_artifacts(db, summary)
                if notify_block and summary.mentions_new:
                    notify_new_mentions(notify_block, db, summary)
                if is_local_path(db):
                    summary.analysts_db = publish_analysts_copy(db)
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
    articles_new, mentions_new = funnel.add_loaded(result.new_articles, result.duplicates_by_source)
    summary.pages_fetched = funnel.pages
    summary.articles_extracted = sum(funnel.extracted.values())
    summary.articles_new += articles_new
    summary.mentions_new += mentions_new
    logger.info("stored %d pages so far", funnel.pages, **_progress("extract", funnel.pages))


def _sharded(
    db: str, run_id: str, sources: SourcesConfig, watchlist: Watchlist, sources_file: Path, watchlist_file: Path,
    crawl_dir: Path, shards: int, deployment: str, timeout_s: float, workers: int, batch_size: int,
    crawl_timeout_s: float, funnel: Funnel, summary: RunSummary, logger: Any,
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[Path]]:
    """Start one shard flow run per batch of sources, then store each shard's results as it ends."""
    started = []
    for number, names in enumerate(split_sources(sources.enabled_sources, shards), start=1):
        shard = Shard(name=f"{run_id}-shard-{number}", sources=names, out_dir=crawl_dir / f"shard-{number}")
        shard.out_dir.mkdir(parents=True)
        parameters = {"sources_file": str(sources_file), "watchlist_file": str(watchlist_file), "only": names,
                      "out_dir": str(shard.out_dir.resolve()), "inputs_dir": str(crawl_dir.resolve()),
                      "workers": workers, "batch_size": batch_size, "crawl_timeout_s": crawl_timeout_s}
        shard.flow_run_id = start_shard(deployment, shard, parameters, idempotency_key=shard.name)
        started.append(shard)
    logger.info("started %d shards of %s", len(started), deployment, **_progress("crawl", 0))
    tallies: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    loaded_dirs = []
    with contextlib.closing(finished_shards(started, timeout_s)) as finished:
        for shard, failure in finished:
            shard_tallies, shard_errors, loaded = load_shard(db, run_id, watchlist, shard, failure, funnel, summary,
                                                             logger)
            tallies.update(shard_tallies)
            errors.update(shard_errors)
            if loaded:
                loaded_dirs.append(shard.out_dir)
    return tallies, errors, loaded_dirs


def load_shard(
    db: str, run_id: str, watchlist: Watchlist, shard: Shard, failure: str | None, funnel: Funnel,
    summary: RunSummary, logger: Any,
) -> tuple[dict[str, dict[str, Any]], dict[str, str], bool]:
    """Store one ended shard's batches; return its sources' crawl tallies and errors, and whether it loaded.

    A shard that did not complete, or left no report, stores nothing and each of
    its sources is failed with the reason: a run that died halfway may have
    written batches its crawl tallies do not account for. The next run fetches
    those sources again, since nothing of theirs became known.
    """
    report = read_done(shard.out_dir)
    if failure is None and report is None:
        failure = (f"shard-lost: flow run {shard.name} completed but left no results in {shard.out_dir}"
                   " (do the workers share that folder with this run, at the same path?)")
    if failure is not None:
        logger.warning("%s; its sources (%s) are recorded as failed", failure, ", ".join(shard.sources))
        return {}, {name: failure for name in shard.sources}, False
    for batch in read_batches(shard.out_dir):
        _store(db, run_id, watchlist, batch, funnel, summary, logger)
    tallies = {name: tally for name, tally in read_outcomes(shard.out_dir).items() if name in shard.sources}
    crawl_error = report.get("crawl_error") if report else None
    return tallies, ({name: crawl_error for name in shard.sources} if crawl_error else {}), True
