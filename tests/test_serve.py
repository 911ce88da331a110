"""`rassegna serve` against a real Prefect server: both deployments registered with the schedule,
a triggered run executed by the serving process, rows in the warehouse, the feeds served, a clean stop."""

from __future__ import annotations

import time
import urllib.request

import duckdb
import feedparser
import pytest

from conftest import WATCHLIST, write_sources
from prefect_helpers import BIN, api, free_port, prefect_cli, start, started_run_id, stop, wait_final

CRON = "17 4 * * *"


def _deployment(env, name: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = api(env, "/deployments/filter", {"deployments": {"name": {"any_": [name]}}})
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise TimeoutError(f"deployment {name} never appeared")
        time.sleep(1)


@pytest.mark.timeout(300)
def test_serve_registers_both_deployments_and_runs_a_triggered_run(server, sites, tmp_path):
    env = server
    db = tmp_path / "served.duckdb"
    sources = write_sources(sites, tmp_path)
    log = tmp_path / "serve.log"
    feeds_port = free_port()
    serving = start([str(BIN / "rassegna"), "serve", "--sources", str(sources), "--watchlist", str(WATCHLIST),
                     "--db", str(db), "--cron", CRON, "--feeds", str(tmp_path / "feeds"),
                     "--feeds-port", str(feeds_port), "--digest-cron", "0 8 * * *"], env, log)
    try:
        monitor = _deployment(env, "monitor-every-6h")
        shard = _deployment(env, "monitor-shard")
        digest = _deployment(env, "digest-daily")
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in digest["schedules"]] == [
            ("0 8 * * *", "Europe/Rome")]
        [schedule] = monitor["schedules"]
        assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == (CRON, "Europe/Rome")
        assert schedule["active"] and not shard["schedules"]
        assert monitor["parameters"]["db"] == str(db) and monitor["parameters"]["shards"] == 1

        run_id = started_run_id(prefect_cli(env, "deployment", "run", "monitor/monitor-every-6h"))
        run = wait_final(env, run_id, timeout=180)
        assert run["state"]["type"] == "COMPLETED", (run["state"], log.read_text()[-3000:])
        # The feeds follow the warehouse: served from the run's analysts' copy.
        with urllib.request.urlopen(f"http://127.0.0.1:{feeds_port}/galdi.xml", timeout=30) as response:
            galdi = feedparser.parse(response.read())
        assert not galdi.bozo and galdi.entries and "Galdi" in galdi.entries[0].summary
    finally:
        code = stop(serving)
    assert code in (0, 130), f"serve exited {code}: {log.read_text()[-2000:]}"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
