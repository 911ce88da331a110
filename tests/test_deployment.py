"""The scheduled deployment, for real: `prefect server`, a process work pool, `prefect deploy` from
prefect.yaml, a worker, and a triggered run that stores rows."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, WATCHLIST, write_sources

PREFECT = str(Path(sys.executable).parent / "prefect")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    })
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("prefect server did not start: " + (tmp_path / "server.log").read_text()[-2000:])
        time.sleep(0.5)
    yield env
    process.terminate()
    process.wait(timeout=30)
    log.close()


def _prefect(env, *args: str, timeout: float = 180) -> str:
    done = subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def test_deploy_from_prefect_yaml_and_run_through_a_worker(server, sites, tmp_path):
    env = server
    _prefect(env, "work-pool", "create", "rassegna-pool", "--type", "process")
    _prefect(env, "--no-prompt", "deploy", "--all")
    db = tmp_path / "deployed.duckdb"
    sources = write_sources(sites, tmp_path)
    started = _prefect(
        env, "deployment", "run", "monitor/monitor-every-6h",
        "--param", f"sources_file={sources}", "--param", f"watchlist_file={WATCHLIST}", "--param", f"db={db}",
    )
    run_id = next(line.split()[-1] for line in started.splitlines() if "UUID" in line)
    _prefect(env, "worker", "start", "--pool", "rassegna-pool", "--run-once", timeout=300)

    with urllib.request.urlopen(f"{env['PREFECT_API_URL']}/flow_runs/{run_id}", timeout=10) as answer:
        flow_run = json.load(answer)
    assert flow_run["state"]["type"] == "COMPLETED", flow_run["state"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] > 0
