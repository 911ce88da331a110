"""Scan Common Crawl News for the watchlist: one Dask task per WARC file, one writer.

The story: list the files of the window; record the run and which files are still to
read (a file done by any scan is never read again); scan those files on a Dask cluster
(a local one by default, or an existing scheduler's); store each file's results, with
its state, as soon as it is done; publish what the scan found.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.utilities.annotations import quote
from prefect_dask import DaskTaskRunner

from flows.monitor import DEFAULT_DB, DEFAULT_WATCHLIST, new_run_id
from flows.stages import retry_unless
from rassegna.archives.ccnews import DEFAULT_ARCHIVE_URL, Listing, WarcFile, list_files
from rassegna.archives.scan import FileScan, ScanFilters, scan_file, worker_config
from rassegna.config import DEFAULT_SOURCES, Watchlist, load_sources, load_watchlist
from rassegna.netguard import BlockedAddress
from warehouse import load
from warehouse.db import DatabaseBusy, connect
from warehouse.lock import writer_lock

LOCK_TIMEOUT_S = 600.0


@dataclass
class ArchiveSummary:
    run_id: str
    status: str
    files_total: int  # in the window
    files_done_before: int  # done by earlier scans: not read again
    files_scanned: int  # read and stored by this scan
    files_failed: list[str] = field(default_factory=list)
    missing_months: list[str] = field(default_factory=list)
    records: int = 0
    candidates: int = 0
    mentions: int = 0
    articles_new: int = 0
    mentions_new: int = 0
    bytes_read: int = 0
    seconds: float = 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def _progress(done: int, total: int) -> dict[str, Any]:
    """Log-record extras the CLI's progress display reads (see rassegna.cli)."""
    return {"extra": {"rassegna_progress": {"stage": "archive", "done": done, "total": total}}}


def api_url_for_workers() -> str | None:
    """The Prefect API the Dask workers must report their task runs to, when they cannot know it.

    Without PREFECT_API_URL the flow runs on a temporary server that only this process
    knows; workers left to themselves would each try to start one of their own (and time
    out). Its address is handed to them. With PREFECT_API_URL set, None: they use it.
    """
    if PREFECT_API_URL.value():
        return None
    with get_client(sync_client=True) as client:
        return str(client.api_url)


def dask_runner(cluster: str | None, workers: int) -> DaskTaskRunner:
    """An existing scheduler's address, or a local cluster of `workers` single-threaded processes
    (extraction holds the GIL: parallelism means processes)."""
    if cluster:
        return DaskTaskRunner(address=cluster)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None, "config": worker_config()})


@task(name="read-config", cache_policy=NO_CACHE)
def read_config(sources_file: Path, watchlist_file: Path) -> tuple[bool, Watchlist]:
    """The watchlist, and whether private addresses may be reached (only tests and mirrors on
    the operator's own network need it: `allow_private_networks` in the sources file)."""
    return load_sources(sources_file).allow_private_networks, load_watchlist(watchlist_file)


# An address the guard refuses stays refused: no retry waits for it.
@task(name="list-warc-files", retries=3, retry_delay_seconds=5, retry_condition_fn=retry_unless(BlockedAddress),
      cache_policy=NO_CACHE)
def list_warc_files(archive_url: str, since: date, until: date, allow_private: bool) -> Listing:
    return list_files(archive_url, since, until, allow_private)


@task(name="open-archive-run", retries=3, retry_delay_seconds=2, retry_condition_fn=retry_unless(DatabaseBusy),
      cache_policy=NO_CACHE)
def open_archive_run(db: str, run_id: str, archive_url: str, watchlist_file: Path, watchlist: Watchlist,
                     files: list[WarcFile], lock_timeout_s: float) -> list[str]:
    with writer_lock(db, timeout=lock_timeout_s), connect(db) as con:
        return load.start_archive_run(con, run_id, str(flow_run.id or "") or None, archive_url, str(watchlist_file),
                                      watchlist, [(f.path, f.started_at) for f in files])


# Retries redo the whole file: its results are stored only once it is read to the end.
@task(name="scan-warc-file", retries=2, retry_delay_seconds=10, retry_condition_fn=retry_unless(BlockedAddress),
      cache_policy=NO_CACHE, persist_result=False)
def scan_warc_file(archive_url: str, warc: WarcFile, watchlist: Watchlist, filters: ScanFilters,
                   allow_private: bool) -> FileScan:
    return scan_file(archive_url, warc, watchlist, filters, allow_private)


@task(name="store-warc-file", retries=3, retry_delay_seconds=2, retry_condition_fn=retry_unless(DatabaseBusy),
      cache_policy=NO_CACHE, persist_result=False)
def store_warc_file(db: str, run_id: str, watchlist_version: str, scan: FileScan, lock_timeout_s: float) -> load.BatchResult:
    # The writer lock is taken per file, not for the scan: a monitoring run can store its
    # articles between two files of a scan that lasts hours.
    with writer_lock(db, timeout=lock_timeout_s), connect(db, migrated=True) as con:
        return load.store_archive_file(con, run_id, watchlist_version, scan)


@task(name="finish-archive-run", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def finish_archive_run(db: str, summary: ArchiveSummary, lock_timeout_s: float, error: str | None = None) -> None:
    counts = {"pages_fetched": summary.records, "articles_extracted": summary.candidates,
              "articles_new": summary.articles_new, "mentions_new": summary.mentions_new,
              "sources_failed": len(summary.files_failed)}
    with writer_lock(db, timeout=lock_timeout_s), connect(db, migrated=True) as con:
        load.finish_run(con, summary.run_id, summary.status, counts, error)


@task(name="publish-archive-artifact", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_archive_artifact(summary: ArchiveSummary, since: date, until: date, archive_url: str) -> None:
    failed = "".join(f"\n- `{path}`" for path in summary.files_failed) or " none"
    missing = ", ".join(summary.missing_months) or "none"
    create_markdown_artifact(
        key="archive-scan",
        description="What this archive scan read and found",
        markdown=(
            f"# Archive scan {summary.run_id}: {summary.status}\n\n"
            f"{archive_url}, CC-NEWS files of {since} to {until} (months without a listing: {missing})\n\n"
            "| files in the window | done before | scanned now | records | candidates | mentions | new articles"
            " | new mentions | compressed MB | records/s |\n|---|---|---|---|---|---|---|---|---|---|\n"
            f"| {summary.files_total} | {summary.files_done_before} | {summary.files_scanned} | {summary.records}"
            f" | {summary.candidates} | {summary.mentions} | {summary.articles_new} | {summary.mentions_new}"
            f" | {summary.bytes_read / 1e6:.1f} | {summary.records_per_s:.0f} |\n\n"
            f"Files that failed (still pending: the next scan reads them):{failed}\n"
        ),
    )


# Parameters are the parent's own objects: validating would turn dataclasses into tuples.
@flow(name="archive-scan-files", validate_parameters=False)
def scan_files(files: list[WarcFile], archive_url: str, watchlist: Watchlist, filters: ScanFilters,
               allow_private: bool, db: str, summary: ArchiveSummary, lock_timeout_s: float) -> ArchiveSummary:
    """Scan the files on this flow's Dask task runner; store each as it completes."""
    logger = get_run_logger()
    started = time.monotonic()
    total = summary.files_done_before + len(files)
    progress = create_progress_artifact(progress=0.0, key="archive-scan-progress",
                                        description="Files of the window done")
    # No quote() here: through prefect-dask it reaches the task as a bare tuple.
    futures = {scan_warc_file.submit(archive_url, f, watchlist, filters, allow_private): f for f in files}
    for future in as_completed(list(futures)):
        warc = futures[future]
        try:
            scan = future.result()
        except Exception as exc:  # noqa: BLE001 (recorded: the file stays pending and the run says so)
            summary.files_failed.append(warc.path)
            logger.error("%s failed, left pending for the next scan: %s: %s", warc.path, type(exc).__name__, exc)
            continue
        stored = store_warc_file(db, summary.run_id, watchlist.version, quote(scan), lock_timeout_s)
        summary.files_scanned += 1
        summary.records += scan.records
        summary.candidates += scan.candidates
        summary.mentions += scan.mentions
        summary.articles_new += stored.articles_new
        summary.mentions_new += stored.mentions_new
        summary.bytes_read += scan.bytes_read
        summary.seconds = time.monotonic() - started
        done = summary.files_done_before + summary.files_scanned
        # Records in the window are known only once read: estimated from the files read so far.
        estimate = round(summary.records / summary.files_scanned * len(files)) if files else 0
        logger.info(
            "files %d/%d, records %d of ~%d, candidates %d, mentions %d, %.0f records/s (%s)",
            done, total, summary.records, estimate, summary.candidates, summary.mentions, summary.records_per_s,
            warc.name, **_progress(done, total),
        )
        update_progress_artifact(progress, progress=100.0 * done / max(total, 1))
    return summary


@flow(name="archive-scan")
def archive_scan(
    since: date | None = None,
    until: date | None = None,
    days: int = 2,
    archive_url: str = DEFAULT_ARCHIVE_URL,
    cluster: str | None = None,
    workers: int = 2,
    watchlist_file: Path = DEFAULT_WATCHLIST,
    sources_file: Path = DEFAULT_SOURCES,
    db: str = DEFAULT_DB,
    languages: list[str] | None = None,
    keep_domains: list[str] | None = None,
    drop_domains: list[str] | None = None,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
) -> ArchiveSummary:
    """Scan CC-NEWS files captured from `since` to `until` for the watchlist's entities.

    Without dates (a scheduled run): the `days` days up to yesterday (UTC). Overlapping
    windows cost nothing: files already done are not read again.

    `cluster`: a Dask scheduler address (tcp://host:8786); none starts a local cluster of
    `workers` processes. `languages` defaults to Italian and English (an empty list: all).
    """
    logger = get_run_logger()
    until = until or datetime.now(timezone.utc).date() - timedelta(days=1)
    since = since or until - timedelta(days=days - 1)
    allow_private_networks, watchlist = read_config(sources_file, watchlist_file)
    filters = ScanFilters(
        languages=tuple(("it", "en") if languages is None else languages),
        keep_domains=tuple(d.lower() for d in keep_domains or ()),
        drop_domains=tuple(d.lower() for d in drop_domains or ()),
    )
    listing = list_warc_files(archive_url, since, until, allow_private_networks)
    run_id = new_run_id()
    pending = set(open_archive_run(db, run_id, archive_url, watchlist_file, watchlist, listing.files, lock_timeout_s))
    to_scan = [f for f in listing.files if f.path in pending]
    summary = ArchiveSummary(run_id, "running", len(listing.files), len(listing.files) - len(to_scan), 0,
                             missing_months=listing.missing_months)
    logger.info("%d CC-NEWS files from %s to %s: %d done before, %d to scan on %s", len(listing.files), since, until,
                summary.files_done_before, len(to_scan), cluster or f"a local Dask cluster of {workers} workers",
                **_progress(summary.files_done_before, len(listing.files)))
    try:
        if to_scan:
            api_url = api_url_for_workers()
            # Task runs submitted under this setting carry it to the workers (prefect-dask
            # sends the settings with each task).
            with temporary_settings(updates={PREFECT_API_URL: api_url}) if api_url else nullcontext():
                summary = scan_files.with_options(task_runner=dask_runner(cluster, workers))(
                    to_scan, archive_url, watchlist, filters, allow_private_networks, db, summary, lock_timeout_s)
    except BaseException as exc:
        summary.status = "failed"
        finish_archive_run(db, summary, lock_timeout_s, f"{type(exc).__name__}: {exc}")
        raise
    summary.status = "completed-with-failures" if summary.files_failed else "completed"
    finish_archive_run(db, summary, lock_timeout_s)
    publish_archive_artifact(summary, since, until, archive_url)
    return summary
