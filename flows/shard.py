"""Sharded runs: a monitor run's sources crawled and extracted by several flow runs on a work pool.

Hundreds of sources outgrow one process; Prefect already schedules flow runs
across the workers of a pool, so a shard is just a flow run of the
`monitor-shard` deployment. The parent run (flows/monitor.py) writes the known
URLs once into a folder every worker can reach, starts one shard per batch of
sources, and stores each shard's results as it finishes: it alone writes the
warehouse, shards only write files (rassegna/shards.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.stages import extracted_batches, finish_crawl, read_config, retry_unless, start_crawl
from rassegna.pipeline import worker_pool
from rassegna.shards import write_batch, write_done


@flow(name="monitor-shard", log_prints=False)
def monitor_shard(
    sources_file: Path,
    watchlist_file: Path,
    only: list[str],
    out_dir: str,
    inputs_dir: str | None = None,
    workers: int = 2,
    batch_size: int = 400,
    crawl_timeout_s: float = 3 * 3600,
) -> dict[str, Any]:
    """Crawl, extract and match the sources named in `only`; leave the results in `out_dir`.

    `out_dir` is a folder the parent run created (beside the database, or on a
    volume shared by every worker); `inputs_dir` holds the known URLs and feed
    validators the parent wrote once for all shards (default: `out_dir`).
    The warehouse is never opened here.
    """
    logger = get_run_logger()
    out = Path(out_dir)
    if not out.is_dir():
        raise FileNotFoundError(
            f"out_dir {out_dir}: no such folder on {socket.gethostname()}; shards must see the parent's folder"
            " (a volume shared by every worker, mounted at the same path)"
        )
    sources, watchlist = read_config(sources_file, watchlist_file)
    unknown = sorted(set(only) - {s.name for s in sources.enabled_sources})
    if unknown or not only:
        raise ValueError(f"{sources_file}: `only` must name enabled sources; unknown: {', '.join(unknown) or '(none given)'}")
    logger.info("shard crawling %d sources: %s", len(only), ", ".join(only))
    crawl = start_crawl(sources_file, out, crawl_timeout_s, watchlist_file, only, Path(inputs_dir) if inputs_dir else None)
    pages = 0
    try:
        with worker_pool(watchlist, workers) as pool:
            for number, batch in enumerate(extracted_batches(crawl, pool, batch_size), start=1):
                write_batch(out, number, batch)
                pages += len(batch)
        crawl_error = finish_crawl(crawl)
    finally:
        crawl.stop()
    # Where it ran, so an operator (and the sharding test) can tell shards apart.
    report = {"sources": only, "pages": pages, "crawl_error": crawl_error,
              "host": socket.gethostname(), "pid": os.getpid(), "parent_pid": os.getppid()}
    write_done(out, report)
    return report


@dataclass
class Shard:
    name: str
    sources: list[str]
    out_dir: Path
    flow_run_id: UUID | None = None


class ShardDeploymentMissing(RuntimeError):
    """Sharding asked for, but nothing can run the shards."""


@task(name="start-shard", retries=2, retry_delay_seconds=5, retry_condition_fn=retry_unless(ShardDeploymentMissing),
      cache_policy=NO_CACHE)
def start_shard(deployment: str, shard: Shard, parameters: dict[str, Any], idempotency_key: str) -> UUID:
    """Create the shard's flow run on the pool and return at once; the key keeps a retry from starting two."""
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    try:
        run = run_deployment(deployment, parameters=parameters, timeout=0, flow_run_name=shard.name,
                             idempotency_key=idempotency_key, as_subflow=True)
    except ObjectNotFound:
        raise ShardDeploymentMissing(
            f"shard deployment {deployment!r} is not on this Prefect server: deploy it (`prefect deploy --all`"
            " from prefect.yaml) or serve it (`rassegna serve`), and start workers on its pool"
        ) from None
    return run.id


def finished_shards(shards: list[Shard], timeout_s: float, poll_s: float = 2.0) -> Iterator[tuple[Shard, str | None]]:
    """Each shard as its flow run ends, with None if it completed or the reason it did not.

    Shards still running at the deadline, or when the caller stops early (its own
    run failed), are cancelled: nobody would store their results.
    """
    from prefect.client.orchestration import get_client

    pending = {s.flow_run_id: s for s in shards}
    errors: dict[Any, int] = {}
    deadline = time.monotonic() + timeout_s
    with get_client(sync_client=True) as client:
        try:
            while pending:
                for run_id, shard in list(pending.items()):
                    run = read_flow_run_patiently(client, run_id, errors, poll_s)
                    if run is None or run.state is None or not run.state.is_final():
                        continue
                    del pending[run_id]
                    if run.state.is_completed():
                        yield shard, None
                    else:
                        message = (run.state.message or "").strip()
                        yield shard, f"shard-failed: flow run {run.name} ended {run.state.name}: {message}"[:500]
                if pending and time.monotonic() >= deadline:
                    stuck = list(pending.values())
                    for shard in stuck:
                        del pending[shard.flow_run_id]
                        _cancel(client, shard.flow_run_id)
                        yield shard, (f"shard-timeout: flow run {shard.name} did not finish within {timeout_s:.0f} s"
                                      " (is a worker serving the shard deployment's pool?)")
                elif pending:
                    time.sleep(poll_s)
        finally:
            for run_id in pending:
                _cancel(client, run_id)


# Consecutive failed reads of one shard's state before the wait gives up: a Prefect server
# restarting or a network blip must not throw away hours of running shards.
POLL_ERRORS_TOLERATED = 30


def read_flow_run_patiently(client: Any, run_id: Any, errors: dict[Any, int], poll_s: float,
                            tolerated: int = POLL_ERRORS_TOLERATED) -> Any:
    """The shard's flow run, or None when the API did not answer this time (counted in `errors`)."""
    from httpx import HTTPError

    try:
        run = client.read_flow_run(run_id)
    except (HTTPError, OSError) as exc:
        errors[run_id] = errors.get(run_id, 0) + 1
        if errors[run_id] > tolerated:
            raise RuntimeError(f"Prefect's API failed {tolerated} times in a row while waiting"
                               f" for shard flow run {run_id}: {exc}") from exc
        time.sleep(poll_s)
        return None
    errors.pop(run_id, None)
    return run


def _cancel(client: Any, flow_run_id: UUID | None) -> None:
    from prefect.states import Cancelling

    with contextlib.suppress(Exception):  # best effort: the run may have ended meanwhile
        client.set_flow_run_state(flow_run_id, Cancelling(message="its monitor run stopped waiting"), force=True)
