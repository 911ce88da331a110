"""Helpers for tests that drive a real `prefect server` through Prefect's CLI and REST API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
PREFECT = str(BIN / "prefect")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(home: Path, port: int) -> dict[str, str]:
    """This environment without the caller's Prefect settings, pointed at a server on `port`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        # Workers and served deployments look for scheduled runs every second, not every ten.
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    })
    return env


def wait_healthy(env: dict[str, str], process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{env['PREFECT_API_URL']}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("prefect server did not start: " + log.read_text()[-2000:])
        time.sleep(0.5)


def prefect_cli(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    done = subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def started_run_id(output: str) -> str:
    """The flow run id that `prefect deployment run` printed."""
    return next(line.split()[-1] for line in output.splitlines() if "UUID" in line)


def api(env: dict[str, str], path: str, body: dict[str, Any] | None = None) -> Any:
    """GET (or POST `body` as JSON) on the server's REST API."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{env['PREFECT_API_URL']}{path}", data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def flow_runs_of(env: dict[str, str], flow_name: str) -> list[dict[str, Any]]:
    return api(env, "/flow_runs/filter", {"flows": {"name": {"any_": [flow_name]}}})


def wait_final(env: dict[str, str], flow_run_id: str, timeout: float) -> dict[str, Any]:
    """The flow run once its state is final (completed, failed, crashed, cancelled)."""
    deadline = time.monotonic() + timeout
    while True:
        run = api(env, f"/flow_runs/{flow_run_id}")
        if run["state"] and run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        if time.monotonic() > deadline:
            raise TimeoutError(f"flow run {flow_run_id} still {run['state']} after {timeout:.0f} s")
        time.sleep(1)


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A long-running Prefect process (worker, serve) with its output in `log`, in its own session."""
    with log.open("wb") as out:
        return subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """Ctrl-C, as an operator would; the kill is only for a process that ignores it."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    return process.returncode
