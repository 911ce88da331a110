"""The scheduled deployment, for real: `prefect server`, a process work pool, `prefect deploy` from
prefect.yaml, a worker, and a triggered run that stores rows."""

from __future__ import annotations

import duckdb

from conftest import WATCHLIST, write_sources
from prefect_helpers import api, prefect_cli, started_run_id


def test_deploy_from_prefect_yaml_and_run_through_a_worker(server, sites, tmp_path):
    env = server
    prefect_cli(env, "work-pool", "create", "rassegna-pool", "--type", "process")
    prefect_cli(env, "--no-prompt", "deploy", "--all")
    db = tmp_path / "deployed.duckdb"
    sources = write_sources(sites, tmp_path)
    started = prefect_cli(
        env, "deployment", "run", "monitor/monitor-every-6h",
        "--param", f"sources_file={sources}", "--param", f"watchlist_file={WATCHLIST}", "--param", f"db={db}",
    )
    run_id = started_run_id(started)
    prefect_cli(env, "worker", "start", "--pool", "rassegna-pool", "--run-once", timeout=300)

    flow_run = api(env, f"/flow_runs/{run_id}")
    assert flow_run["state"]["type"] == "COMPLETED", flow_run["state"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
