"""The backfill: find the articles of a past date window through every channel that reaches it.

The period is cut into windows (`window_days` each). Window after window, the
sources that reach the past (searches with date windows, sitemaps) are crawled
for that window alone, and what they list goes through the monitor's own path:
fetch, extract, match, store (flows/monitor.py's tasks). Each window is a run of
its own (kind 'backfill') taken under the writer lock and released after it, so
a scheduled monitor run waits for one window at most, never for the whole
backfill. A (source, window) whose searches all answered is recorded done in
the warehouse (`backfill_progress`): a backfill killed mid-way resumes with the
first window not done, and a repeat of a finished backfill fetches nothing.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows.monitor import (
    DEFAULT_DB, RunSummary, _crawl_dir, _progress, _store, close_run, failure_recorded, new_run_id,
    prepare_crawl, publish_analysts_copy, record_sources,
)
from flows.stages import extracted_batches, finish_crawl, read_config, retry_unless, start_crawl
from rassegna.archives.cdx import ArchiveError, index_pages
from rassegna.archives.windows import Window, is_finished, parse_day, slices, source_key
from rassegna.config import DEFAULT_SOURCES, DEFAULT_WATCHLIST, Source, SourcesConfig, Watchlist
from rassegna.funnel import Funnel
from rassegna.pipeline import worker_pool
from spiders.crawl import ARCHIVE_CAPTURES, discovery_plan
from spiders.output import read_outcomes
from warehouse import load
from warehouse.db import DatabaseBusy, connect, is_local_path
from warehouse.lock import writer_lock

# Searches that failed for a reason waiting cannot cure: the window is done without them,
# and they are recorded as its gaps. Any other failed search (a timeout, a 503, GDELT's
# rate limit outlasting its retries) leaves the window to be asked again.
LASTING_GAPS = frozenset({
    "out-of-reach", "invalid-query", "no-queries", "gdelt-invalid-start-date", "gdelt-invalid-end-date",
    "gdelt-bad-parentheses", "gdelt-phrase-too-short", "gdelt-keyword-too-short", "gdelt-illegal-character",
    "gdelt-query-length",
})
# Failures that asking again may cure (reasons as spiders/base.py `failure_kind` and spiders/gdelt.py name them):
# a window with pages or searches failed for one of these is left for next time, never recorded done.
TRANSIENT_FAILURES = frozenset({
    "timeout", "dns", "connection-refused", "connection-error", "connection-lost", "truncated",
    "gdelt-rate-limited", "http-408", "http-425", "http-429",
})


# A source whose every request failed for one of these reasons in this many windows in a row
# is not asked for the rest of the backfill: an engine that is down, or a name that does not
# resolve (offline), would otherwise cost a crawl per window. Its windows are left for next time.
UNREACHABLE = frozenset({"dns", "connection-refused"})
UNREACHABLE_WINDOWS = 2


def is_transient(reason: str) -> bool:
    """A failure worth asking again: a network error, a rate limit, a 5xx, or an exception not yet classified."""
    return reason in TRANSIENT_FAILURES or reason.startswith(("http-5", "error-"))


@dataclass
class BackfillSummary:
    backfill_id: str
    status: str
    db: str
    since: str
    until: str
    windows: int = 0
    units_total: int = 0  # (source, window) pairs asked for
    units_done_before: int = 0  # recorded done by an earlier backfill: not fetched again
    units_done_now: int = 0
    units_left: list[dict[str, Any]] = field(default_factory=list)  # not done: asked again next time
    pages_fetched: int = 0
    articles_new: int = 0
    mentions_new: int = 0
    runs: list[str] = field(default_factory=list)
    sources_not_reaching: list[str] = field(default_factory=list)  # feeds and sites: they show only today
    gaps: list[dict[str, Any]] = field(default_factory=list)  # (source, window, reason, count) recorded as such
    # source -> windows in a row in which it could not be reached at all, and the reasons
    unreachable: dict[str, dict[str, Any]] = field(default_factory=dict)
    weeks: list[dict[str, Any]] = field(default_factory=list)
    analysts_db: str | None = None


def new_backfill_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-bf") + uuid.uuid4().hex[:6]


@task(name="open-backfill", retries=3, retry_delay_seconds=2, retry_condition_fn=retry_unless(DatabaseBusy),
      cache_policy=NO_CACHE)
def open_backfill(db: str, backfill_id: str, period: Window, sources_file: Path, keys: dict[str, str],
                  wait_s: float) -> set[tuple[str, date, date]]:
    """Record the backfill; answer the (source, since, until) windows done already."""
    with connect(db, wait_s=wait_s) as con:
        load.start_backfill(con, backfill_id, period.since, period.until, str(sources_file))
        return load.windows_done(con, keys)


@task(name="open-window-run", retries=3, retry_delay_seconds=2, retry_condition_fn=retry_unless(DatabaseBusy),
      cache_policy=NO_CACHE)
def open_window_run(db: str, run_id: str, backfill_id: str, window: Window, sources_file: Path,
                    watchlist_file: Path, watchlist: Watchlist, sources: int, wait_s: float) -> None:
    with connect(db, wait_s=wait_s) as con:
        load.mark_interrupted_runs(con, run_id)
        load.start_run(con, run_id, str(flow_run.id or "") or None, str(sources_file), str(watchlist_file),
                       watchlist, sources, kind="backfill", window=(window.since, window.until),
                       backfill_id=backfill_id)


@task(name="list-archive-captures", retries=2, retry_delay_seconds=[5, 30], cache_policy=NO_CACHE)
def list_archive_captures(db: str, source: Source, key: str, window: Window, allow_private: bool) -> str | None:
    """Read the archive's index for the source's prefix and window, recording page after page;
    an error text if the index could not be read (the window is then asked again next time)."""
    with connect(db, migrated=True) as con:
        done = load.archive_pages_done(con, source.name, key, window.since, window.until)
    try:
        for endpoint, page, captures in index_pages(source.model_dump(), window, allow_private, done):
            in_window = [c.as_dict() | {"captured_at": c.captured_at} for c in captures]
            with connect(db, migrated=True) as con:
                load.record_archive_page(con, source.name, key, window.since, window.until, endpoint, page,
                                         in_window)
    except ArchiveError as exc:
        get_run_logger().warning("%s", exc)
        return str(exc)
    return None


@task(name="write-archive-captures", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_archive_captures(db: str, names: list[str], window: Window, out_dir: Path) -> int:
    """The captures the crawl is to fetch, beside the known URLs (read by spiders/web_archive.py)."""
    with connect(db, migrated=True) as con:
        rows = load.archive_captures(con, names, window.since, window.until)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ARCHIVE_CAPTURES).write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return len(rows)


@task(name="record-windows-done", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def record_windows_done(db: str, rows: list[dict[str, Any]]) -> None:
    with connect(db, migrated=True) as con:
        load.record_windows_done(con, rows)


@task(name="close-backfill", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def close_backfill(db: str, summary: BackfillSummary) -> list[dict[str, Any]]:
    with connect(db, migrated=True) as con:
        load.finish_backfill(con, summary.backfill_id, summary.status)
        return load.backfill_weeks(con, summary.backfill_id)


@task(name="publish-backfill-artifacts", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_backfill_artifacts(summary: BackfillSummary) -> None:
    """The backfill in Prefect's UI: a Markdown summary, and a table per source (channel) and week."""
    lines = [
        f"# Backfill {summary.backfill_id}: {summary.status}",
        f"Window {summary.since} to {summary.until}, in {summary.windows} windows.",
        f"- source windows: {summary.units_total} (done before: {summary.units_done_before},"
        f" done now: {summary.units_done_now}, left for next time: {len(summary.units_left)})",
        f"- pages fetched {summary.pages_fetched}, new articles {summary.articles_new},"
        f" new mentions {summary.mentions_new}",
    ]
    if summary.sources_not_reaching:
        lines.append(f"- not asked (they show only today): {', '.join(summary.sources_not_reaching)}")
    for gap in summary.gaps:
        lines.append(f"- gap: {gap['source']} {gap['since']}..{gap['until']}: {gap['reason']} ×{gap['count']}")
    create_markdown_artifact(markdown="\n".join(lines), key="backfill-summary", description="What this backfill did")
    rows = [{**row, "week": str(row["week"]) if row["week"] else "undated"} for row in summary.weeks]
    create_table_artifact(table=rows or [{"source": "", "week": "nothing stored"}], key="backfill-weeks",
                          description="Per source (channel) and week of publication: listed, stored, mentions")


def reaching_sources(sources: SourcesConfig) -> tuple[list[Source], list[str]]:
    """Sources a backfill can ask for a window, and the names of those it cannot."""
    reaching = [s for s in sources.enabled_sources if s.reaches_the_past]
    return reaching, [s.name for s in sources.enabled_sources if not s.reaches_the_past]


@flow(name="backfill", log_prints=False)
def backfill(
    since: str,
    until: str | None = None,
    sources_file: Path = DEFAULT_SOURCES,
    watchlist_file: Path = DEFAULT_WATCHLIST,
    db: str = DEFAULT_DB,
    window_days: int = 7,
    workers: int = 2,
    batch_size: int = 400,
    crawl_timeout_s: float = 3 * 3600,
    lock_timeout_s: float = 600,
    db_wait_s: float = 60,
    crawl_root: str | None = None,
    today: str | None = None,
) -> BackfillSummary:
    """Find and store the articles published from `since` to `until` (YYYY-MM-DD, both included;
    `until` defaults to today) through every enabled source that reaches the past.

    The period is asked for `window_days` at a time; each window is one run under the
    writer lock. `today` stands in for the current day (tests; Bing's relative windows).
    """
    logger = get_run_logger()
    current = parse_day(today, "today") if today else datetime.now(timezone.utc).date()
    period = Window(parse_day(since, "since"), parse_day(until, "until") if until else current)
    sources, watchlist = read_config(sources_file, watchlist_file)
    reaching, not_reaching = reaching_sources(sources)
    plan = discovery_plan(sources, watchlist)
    keys = {s.name: source_key(s.model_dump(), plan.get(s.name)) for s in reaching}
    windows = slices(period, window_days)
    summary = BackfillSummary(backfill_id=new_backfill_id(), status="running", db=db, since=period.since.isoformat(),
                              until=period.until.isoformat(), windows=len(windows),
                              units_total=len(windows) * len(reaching), sources_not_reaching=not_reaching)
    if not_reaching:
        logger.info("not asked (feeds and site crawls show only today): %s", ", ".join(not_reaching))
    with writer_lock(db, timeout=lock_timeout_s, on_wait=logger.warning):
        done = open_backfill(db, summary.backfill_id, period, sources_file, keys, db_wait_s)
    finished = 0
    try:
        for window in windows:
            pending = [s for s in reaching if (s.name, window.since, window.until) not in done]
            summary.units_done_before += len(reaching) - len(pending)
            pending = _still_reachable(summary, pending, window, logger)
            if pending:
                logger.info("window %s: %d sources", window, len(pending),
                            **_progress("backfill", finished, len(windows)))
                # One window, one run, one hold of the lock: a scheduled run waits one window at most.
                with writer_lock(db, timeout=lock_timeout_s, on_wait=logger.warning):
                    _window(db, summary, sources, watchlist, pending, window, current, keys, sources_file,
                            watchlist_file, workers, batch_size, crawl_timeout_s, db_wait_s, crawl_root, logger)
            finished += 1
            logger.info("window %s done", window, **_progress("backfill", finished, len(windows)))
        summary.status = "incomplete" if summary.units_left else "completed-with-gaps" if summary.gaps else "completed"
    except BaseException:
        summary.status = "failed"
        raise
    finally:
        with writer_lock(db, timeout=lock_timeout_s, on_wait=logger.warning):
            summary.weeks = close_backfill(db, summary)
            if summary.status != "failed" and is_local_path(db):
                summary.analysts_db = publish_analysts_copy(db)
    publish_backfill_artifacts(summary)
    logger.info("backfill %s %s: %d windows, %d pages, %d new articles, %d new mentions",
                summary.backfill_id, summary.status, len(windows), summary.pages_fetched, summary.articles_new,
                summary.mentions_new, **_progress("done", len(windows), len(windows)))
    return summary


def _window(
    db: str, summary: BackfillSummary, sources: SourcesConfig, watchlist: Watchlist, pending: list[Source],
    window: Window, today: date, keys: dict[str, str], sources_file: Path, watchlist_file: Path, workers: int,
    batch_size: int, crawl_timeout_s: float, db_wait_s: float, crawl_root: str | None, logger: Any,
) -> None:
    """One window of the backfill, as one run: the monitor's crawl → extract → match → store."""
    run_id = new_run_id()
    summary.runs.append(run_id)
    run = RunSummary(run_id=run_id, status="running", db=db)
    names = [s.name for s in pending]
    asked = sources.model_copy(update={"sources": pending})
    open_window_run(db, run_id, summary.backfill_id, window, sources_file, watchlist_file, watchlist, len(pending),
                    db_wait_s)
    crawl_dir = _crawl_dir(db, run_id, crawl_root)
    shutil.rmtree(crawl_dir.parent, ignore_errors=True)  # holding the lock: other crawl folders are dead runs'
    crawl = None
    try:
        with failure_recorded(db, run, logger):
            prepare_crawl(db, crawl_dir)
            archives = [s for s in pending if s.kind == "web_archive"]
            archive_errors = {s.name: error for s in archives
                              if (error := list_archive_captures(db, s, keys[s.name], window,
                                                                 sources.allow_private_networks))}
            if archives:
                write_archive_captures(db, [s.name for s in archives], window, crawl_dir)
            funnel = Funnel()
            crawl = start_crawl(sources_file, crawl_dir, crawl_timeout_s, watchlist_file, only=names, window=window,
                                today=today.isoformat())
            with worker_pool(watchlist, workers) as pool:
                for batch in extracted_batches(crawl, pool, batch_size):
                    _store(db, run_id, watchlist, batch, funnel, run, logger)
            crawl_error = finish_crawl(crawl)
            tallies = read_outcomes(crawl_dir)
            run.sources = funnel.outcomes(asked, tallies, crawl_error=crawl_error)
            # No validators: a backfill asks sitemaps unconditionally, and must not teach the monitor otherwise.
            record_sources(db, run_id, run.sources, [crawl_dir], funnel.skipped_pages, {})
            done = _windows_done(summary, run, tallies, window, today, keys, archive_errors, crawl_error)
            record_windows_done(db, done)
            # A source that cannot reach the window (its gaps are recorded) is no failure of this run.
            finished = {row["source"] for row in done}
            run.status = "completed-with-failures" if any(s["source"] not in finished for s in run.failed_sources) \
                else "completed"
            close_run(db, run)
    finally:
        if crawl is not None:
            crawl.stop()
        shutil.rmtree(crawl_dir, ignore_errors=True)
    summary.pages_fetched += run.pages_fetched
    summary.articles_new += run.articles_new
    summary.mentions_new += run.mentions_new


def _still_reachable(summary: BackfillSummary, pending: list[Source], window: Window, logger: Any) -> list[Source]:
    """The pending sources minus those unreachable in the last windows, whose unit is left for next time."""
    asked = []
    for source in pending:
        down = summary.unreachable.get(source.name)
        if down is None or down["windows"] < UNREACHABLE_WINDOWS:
            asked.append(source)
            continue
        if not down["said"]:
            logger.warning("%s not asked for the rest of this backfill: unreachable in %d windows in a row (%s)",
                           source.name, down["windows"], down["reasons"])
            down["said"] = True
        summary.units_left.append({
            "source": source.name, "since": window.since.isoformat(), "until": window.until.isoformat(),
            "why": f"not asked: unreachable in {down['windows']} windows in a row before ({down['reasons']})"})
    return asked


def _count_unreachable(summary: BackfillSummary, name: str, tally: dict[str, Any]) -> None:
    """Count a window in which none of the source's entry requests answered, for a reason of
    UNREACHABLE only; any answer (even an empty one) ends the count."""
    reasons = {**(tally.get("entry_failures") or {}), **{r: n for r, n in (tally.get("failed") or {}).items() if n}}
    if not tally.get("entry_error") or not reasons or not set(reasons) <= UNREACHABLE:
        summary.unreachable.pop(name, None)
        return
    down = summary.unreachable.setdefault(name, {"windows": 0, "reasons": "", "said": False})
    down["windows"] += 1
    down["reasons"] = ", ".join(f"{r} ×{n}" for r, n in sorted(reasons.items()))


def _windows_done(summary: BackfillSummary, run: RunSummary, tallies: dict[str, dict[str, Any]], window: Window,
                  today: date, keys: dict[str, str], archive_errors: dict[str, str],
                  crawl_error: str | None = None) -> list[dict[str, Any]]:
    """The sources of this window that are done with it; the others are listed in `summary.units_left`.

    `crawl_error` is set when the crawl did not end cleanly (a timeout, a crash): a stopped crawl still
    writes each source's tally, but the searches and pages still queued are in no count, so none of its
    sources is done with the window."""
    rows = []
    for outcome in run.sources:
        name = outcome["source"]
        failures = (tallies.get(name) or {}).get("entry_failures") or {}
        passing = {reason: n for reason, n in failures.items() if reason not in LASTING_GAPS}
        lasting = {reason: n for reason, n in failures.items() if reason in LASTING_GAPS}
        if (tallies.get(name) or {}).get("windows_capped"):
            # Halved down to the smallest window (a day; an hour for GDELT) and still full: a gap to show.
            lasting["capped-at-smallest-window"] = tallies[name]["windows_capped"]
        for reason, count in lasting.items():
            summary.gaps.append({"source": name, "since": window.since.isoformat(), "until": window.until.isoformat(),
                                 "reason": reason, "count": count})
        tally = tallies.get(name) or {}
        _count_unreachable(summary, name, tally)
        transient = {reason: n for reason, n in (tally.get("failed") or {}).items() if n and is_transient(reason)}
        finish_reason = tally.get("finish_reason")
        why_not = None
        if name in archive_errors:
            why_not = f"the archive's index could not be read: {archive_errors[name]}"
        elif crawl_error:
            why_not = f"the crawl did not finish: {crawl_error}"
        elif name not in tallies:
            why_not = outcome.get("error") or "the crawl ended before this source finished"
        elif finish_reason and finish_reason != "finished":
            why_not = f"the crawl of this source was stopped ({finish_reason})"
        elif passing:
            why_not = "searches failed: " + ", ".join(f"{r} ×{n}" for r, n in sorted(passing.items()))
        elif transient:
            why_not = "pages failed: " + ", ".join(f"{r} ×{n}" for r, n in sorted(transient.items()))
        elif tally.get("capped"):
            # Pages dropped by `crawl.max_pages_per_source` are left for next time rather than recorded as a gap:
            # the next pass skips the articles stored by this one (known URLs are not counted against the cap),
            # so each pass gets further, unless the cap is spent on pages that are no articles (fetched again each
            # pass). A window left for this reason again and again needs a higher cap; the `why` says so.
            why_not = (f"{tally['capped']} pages over crawl.max_pages_per_source were not fetched "
                       "(asked again; raise the cap if this repeats)")
        elif tally.get("errors"):
            why_not = f"the crawler met {tally['errors']} errors (see the crawl log)"
        elif outcome["status"] == "failed" and (outcome.get("error") or "").split(":", 1)[0] not in LASTING_GAPS:
            # A lasting gap excuses only the failure it is: every search out of reach (recorded above as a gap,
            # the window done, else it would be asked forever). Any other failure leaves the window for next time.
            why_not = outcome.get("error") or "failed"
        elif not is_finished(window, today):
            why_not = "the window is still open (it ends today or later)"
        if why_not:
            summary.units_left.append({"source": name, "since": window.since.isoformat(),
                                       "until": window.until.isoformat(), "why": why_not})
            continue
        summary.units_done_now += 1
        rows.append({"source": name, "source_key": keys[name], "since": window.since, "until": window.until,
                     "run_id": run.run_id, "backfill_id": summary.backfill_id, "listed": outcome["listed"],
                     "articles_new": outcome["articles_new"], "mentions_new": outcome["mentions_new"],
                     "gaps": lasting})
    return rows
