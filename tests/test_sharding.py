"""Sharded runs: sources split over monitor-shard flow runs on a work pool, one writer storing them."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb
import pytest

from conftest import WATCHLIST, write_sources
from prefect_helpers import BIN, PREFECT, api, flow_runs_of, prefect_cli, start, stop

RASSEGNA = str(BIN / "rassegna")


def _rows(db: Path, sql: str) -> set[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute(sql).fetchall())


def _run_cli(env, *args: str, timeout: float = 240) -> str:
    import subprocess

    done = subprocess.run([RASSEGNA, "run", *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"rassegna run {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.timeout(420)
def test_two_shards_on_two_workers_store_what_one_run_would(server, sites, tmp_path):
    env = server
    sources = write_sources(sites, tmp_path)
    prefect_cli(env, "work-pool", "create", "rassegna-pool", "--type", "process")
    prefect_cli(env, "--no-prompt", "deploy", "--all")
    # One flow run at a time per worker: two shards can only both run if both workers take one.
    workers = [start([PREFECT, "worker", "start", "--pool", "rassegna-pool", "--limit", "1", "--name", name],
                     env, tmp_path / f"{name}.log") for name in ("worker-a", "worker-b")]
    try:
        plain_db, sharded_db = tmp_path / "plain" / "rassegna.duckdb", tmp_path / "sharded" / "rassegna.duckdb"
        _run_cli(env, "--sources", str(sources), "--watchlist", str(WATCHLIST), "--db", str(plain_db))
        _run_cli(env, "--sources", str(sources), "--watchlist", str(WATCHLIST), "--db", str(sharded_db),
                 "--shards", "2")
    finally:
        for worker in workers:
            stop(worker)

    [(run_id, status)] = _rows(sharded_db, "SELECT run_id, status FROM runs")
    assert status == "completed"
    parents = [r for r in flow_runs_of(env, "monitor") if r["parameters"].get("shards") == 2]
    assert [p["state"]["type"] for p in parents] == ["COMPLETED"]
    shards = flow_runs_of(env, "monitor-shard")
    assert sorted(s["name"] for s in shards) == [f"{run_id}-shard-1", f"{run_id}-shard-2"]
    assert all(s["state"]["type"] == "COMPLETED" for s in shards), [s["state"] for s in shards]
    # Every source in exactly one shard.
    names = [n for s in shards for n in s["parameters"]["only"]]
    assert sorted(names) == sorted(n for (n,) in _rows(sharded_db, "SELECT source FROM source_runs"))
    # Each worker ran exactly one of the two shards: a flow run's own log lines come out of the
    # worker that started its process (both may try to submit a run; only one gets it).
    logs = [(tmp_path / f"{name}.log").read_text("utf-8", "replace") for name in ("worker-a", "worker-b")]
    ran = [{s["name"] for s in shards if f"Flow run '{s['name']}' - shard crawling" in log} for log in logs]
    assert sorted(len(r) for r in ran) == [1, 1] and ran[0] != ran[1], ran
    # The shards' flow runs hang under the parent's, so the UI shows one run with its parts.
    parent_tasks = {t["id"] for t in api(env, "/task_runs/filter",
                                         {"flow_runs": {"id": {"any_": [parents[0]["id"]]}}})}
    assert all(s["parent_task_run_id"] in parent_tasks for s in shards)

    for sql in ("SELECT url, title FROM articles",
                "SELECT a.url, m.entity_name FROM mentions m JOIN articles a USING (article_id)",
                "SELECT source, status, listed, fetched, extracted FROM source_runs",
                # Per source, an article two feeds list is new for whichever is stored first,
                # and shards end in any order: only the run's totals must agree.
                "SELECT articles_new, mentions_new, pages_fetched FROM runs",
                "SELECT url, reason FROM page_event"):
        plain = _rows(plain_db, sql)
        assert plain, f"the plain run stored nothing for {sql}"
        assert _rows(sharded_db, sql) == plain, sql
    # No shard files left behind, but the analysts' copy is published.
    assert not list((sharded_db.parent / ".rassegna-crawl").glob("*/*"))
    assert (sharded_db.parent / "rassegna.analysts.duckdb").exists()


@pytest.mark.timeout(240)
def test_a_failed_or_lost_shard_fails_its_sources_and_the_others_load(prefect_harness, sites, tmp_path):
    from flows.monitor import RunSummary, load_shard, record_sources
    from flows.shard import Shard, monitor_shard
    from rassegna.config import load_sources, load_watchlist
    from rassegna.funnel import Funnel
    from rassegna.shards import split_sources
    from spiders.output import write_crawl_inputs
    from warehouse import load
    from warehouse.db import connect

    sources_file = write_sources(sites, tmp_path)
    config, watchlist = load_sources(sources_file), load_watchlist(WATCHLIST)
    crawl_dir = tmp_path / "crawl"
    write_crawl_inputs(crawl_dir, [], {})
    batches = split_sources(config.enabled_sources, 3)
    shards = [Shard(name=f"r1-shard-{i}", sources=names, out_dir=crawl_dir / f"shard-{i}")
              for i, names in enumerate(batches, start=1)]
    for shard in shards:
        shard.out_dir.mkdir()
    # Shard 1 runs for real; shard 2's flow run crashed; shard 3 "completed" on a worker that
    # did not see the shared folder, so nothing arrived.
    monitor_shard(sources_file=sources_file, watchlist_file=WATCHLIST, only=shards[0].sources,
                  out_dir=str(shards[0].out_dir), inputs_dir=str(crawl_dir), workers=1)
    failures = [None, "shard-failed: flow run r1-shard-2 ended Crashed: worker lost", None]

    db = tmp_path / "rassegna.duckdb"
    with connect(db) as con:
        load.start_run(con, "r1", None, str(sources_file), str(WATCHLIST), watchlist, len(config.enabled_sources))
    funnel, summary = Funnel(), RunSummary(run_id="r1", status="running", db=str(db))
    tallies, errors, loaded = {}, {}, []
    for shard, failure in zip(shards, failures):
        shard_tallies, shard_errors, ok = load_shard(str(db), "r1", watchlist, shard, failure, funnel, summary,
                                                     logging.getLogger("test"))
        tallies.update(shard_tallies)
        errors.update(shard_errors)
        loaded += [shard.out_dir] if ok else []
    rows = funnel.outcomes(config, tallies, source_errors=errors)
    record_sources(str(db), "r1", rows, loaded, funnel.skipped_pages, {})

    status = {r["source"]: (r["status"], r["error"] or "") for r in rows}
    for name in shards[0].sources:
        assert status[name] == ("ok", ""), name
    for name in shards[1].sources:
        assert status[name][0] == "failed" and "Crashed: worker lost" in status[name][1], status[name]
    for name in shards[2].sources:
        assert status[name][0] == "failed" and re.search(r"shard-lost: .*left no results", status[name][1])
    stored = _rows(db, "SELECT source, status FROM source_runs")
    assert stored == {(name, s) for name, (s, _) in status.items()}
    articles = _rows(db, "SELECT DISTINCT source FROM articles")
    assert articles and {s for (s,) in articles} <= set(shards[0].sources)
    assert summary.articles_new == len(_rows(db, "SELECT url FROM articles")) > 0


@pytest.mark.timeout(240)
def test_sharding_with_no_shard_deployment_fails_the_run_saying_what_to_deploy(prefect_harness, sites, tmp_path):
    from flows.monitor import monitor
    from flows.shard import ShardDeploymentMissing

    db = tmp_path / "rassegna.duckdb"
    with pytest.raises(ShardDeploymentMissing, match="prefect deploy --all"):
        monitor(sources_file=write_sources(sites, tmp_path), watchlist_file=WATCHLIST, db=str(db), shards=2,
                shard_deployment="monitor-shard/nowhere")
    [(status, error)] = _rows(db, "SELECT status, error FROM runs")
    assert status == "failed" and "monitor-shard/nowhere" in error
    assert not list((tmp_path / ".rassegna-crawl").glob("*/*")), "the shards' folder is left behind"


def test_waiting_on_shards_survives_an_api_that_stops_answering_for_a_while(tmp_path):
    import socket
    import uuid

    import httpx

    from flows.shard import read_flow_run_patiently

    with socket.socket() as probe:  # a port with nobody behind it: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    errors: dict = {}
    run_id = uuid.uuid4()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api") as http:
        class Unreachable:
            def read_flow_run(self, flow_run_id):
                return http.get(f"/flow_runs/{flow_run_id}")

        for attempt in range(1, 4):
            assert read_flow_run_patiently(Unreachable(), run_id, errors, poll_s=0, tolerated=3) is None
            assert errors[run_id] == attempt
        with pytest.raises(RuntimeError, match="failed 3 times in a row"):
            read_flow_run_patiently(Unreachable(), run_id, errors, poll_s=0, tolerated=3)
