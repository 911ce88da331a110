"""`rassegna serve` against a real Prefect server: both deployments registered with the schedule,
a triggered run executed by the serving process, rows in the warehouse, a clean stop."""

from __future__ import annotations

import time

import duckdb
import pytest

from conftest import WATCHLIST, write_sources
from prefect_helpers import BIN, api, prefect_cli, start, started_run_id, stop, wait_final

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
    serving = start([str(BIN / "rassegna"), "serve", "--sources", str(sources), "--watchlist", str(WATCHLIST),
                     "--db", str(db), "--cron", CRON], env, log)
    try:
        monitor = _deployment(env, "monitor-every-6h")
        shard = _deployment(env, "monitor-shard")
        [schedule] = monitor["schedules"]
        assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == (CRON, "Europe/Rome")
        assert schedule["active"] and not shard["schedules"]
        assert monitor["parameters"]["db"] == str(db) and monitor["parameters"]["shards"] == 1

        run_id = started_run_id(prefect_cli(env, "deployment", "run", "monitor/monitor-every-6h"))
        run = wait_final(env, run_id, timeout=180)
        assert run["state"]["type"] == "COMPLETED", (run["state"], log.read_text()[-3000:])
    finally:
        code = stop(serving)
    assert code in (0, 130), f"serve exited {code}: {log.read_text()[-2000:]}"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
