"""Prefect's temporary server: a first start on a cold machine succeeds, and the server never outlives its run.

The CLI runs for real, as `rassegna run`, with a fresh PREFECT_HOME and no
PREFECT_API_URL. A slow start is made real with a `sitecustomize` on PYTHONPATH
that holds the server's own process back before it imports anything (it acts only
in a process Prefect marks as its temporary server: PREFECT__SERVER_EPHEMERAL=1).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from prefect_helpers import free_port

ROOT = Path(__file__).parent.parent
CLI = str(Path(sys.executable).parent / "rassegna")

SITECUSTOMIZE = """
import os, time
if os.environ.get("PREFECT__SERVER_EPHEMERAL") == "1":
    with open(os.environ["TEST_SERVER_LOG"], "a") as log:
        log.write(f"server process {os.getpid()}\\n")
    if os.environ.get("TEST_SERVER_EXIT"):
        os._exit(int(os.environ["TEST_SERVER_EXIT"]))
    time.sleep(float(os.environ.get("TEST_SERVER_DELAY_S", "0")))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """One PREFECT_HOME for this file's runs: fresh for the first (the cold start under test), then
    warm, so the kill test does not pay a second cold start (~15-25 s here)."""
    return tmp_path_factory.mktemp("prefect") / "home"


def _env(tmp_path: Path, home: Path, **extra: str) -> dict[str, str]:
    """This environment without the caller's Prefect settings, PREFECT_HOME `home`, the slowing sitecustomize."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "PYTHONPATH": str(hooks), "TEST_SERVER_LOG": str(tmp_path / "server.log"),
                **extra})
    return env


def _sources(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "allow_private_networks: true\n"
        "crawl: {timeout: 20, retries: 0}\n"
        f"sources:\n  - {{name: locale, kind: feed, url: 'http://127.0.0.1:{port}/feed.xml'}}\n", "utf-8")
    return path


def _processes_of(home: Path) -> list[psutil.Process]:
    """Every live process started with this PREFECT_HOME: the CLI, its server, its crawl."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("PREFECT_HOME") == str(home) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            continue
    return found


def _wait_gone(home: Path, timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := _processes_of(home)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_a_first_run_with_a_fresh_prefect_home_and_a_slow_server_start_succeeds(tmp_path, home):
    # The operator's timeout (2 s) is shorter than this server's start (held back 3 s, then
    # a new database to create): Prefect alone fails here with "Timed out while attempting
    # to connect to ephemeral Prefect API server".
    # With Prefect's debug lines shown (-v), which name a flow run's heartbeat context when one starts.
    env = _env(tmp_path, home, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="2", TEST_SERVER_DELAY_S="3",
               PREFECT_LOGGING_LEVEL="DEBUG")
    assert not home.exists()
    done = subprocess.run([CLI, "run", "-v", "--sources", str(_sources(tmp_path, free_port())), "--db",
                           str(tmp_path / "r.duckdb")], env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # A one-shot run sends no heartbeats: its server ends with it, and Prefect's heartbeat
    # thread held each finishing run up to a second.
    assert "Beginning flow run" in done.stdout + done.stderr
    assert "heartbeat" not in (done.stdout + done.stderr).lower()
    assert "server process" in (tmp_path / "server.log").read_text()  # the server was held back
    said = " ".join(done.stderr.split())
    assert "Prefect's temporary server has not answered in 2 s" in said and "waiting up to 60 s more" in said
    assert "completed-with-failures" in done.stdout  # the run went on: its one source refused the connection
    assert home.is_dir()
    assert not _wait_gone(home, 10)  # and the server went with the run


def test_a_sigkilled_run_leaves_no_prefect_server_behind(tmp_path, home):
    # A source that accepts connections and never answers keeps the crawl busy.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        args = ["run", "--sources", str(_sources(tmp_path, silent.getsockname()[1])), "--db", str(tmp_path / "r.duckdb")]
        with _running(args, _env(tmp_path, home), home) as cli:
            deadline = time.monotonic() + 120
            children: list[psutil.Process] = []
            while time.monotonic() < deadline and cli.poll() is None:
                children = psutil.Process(cli.pid).children(recursive=True)
                if any("spiders.crawl" in " ".join(c.cmdline()) for c in children if c.is_running()):
                    break  # mid-run: the flow is crawling
                time.sleep(0.2)
            else:
                pytest.fail(f"the run never reached its crawl (exit code {cli.poll()})")
            servers = [c for c in children if "uvicorn" in " ".join(c.cmdline())]
            assert servers, [c.cmdline() for c in children]
            _sigkill_leaves_nothing(cli, home)


def test_serve_without_a_server_schedules_its_runs_and_leaves_nothing_when_killed(tmp_path, home):
    # `serve` without PREFECT_API_URL holds its deployments on a temporary server for
    # days: that server must run the scheduler (Prefect's own temporary server runs
    # none, so the cron would never fire), and a SIGKILL (an OOM kill, a host's stop)
    # must not leave it running.
    env = _env(tmp_path, home, PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2")
    args = ["serve", "--sources", str(_sources(tmp_path, 9)), "--db", str(tmp_path / "r.duckdb"), "--cron", "0 3 * * *"]
    with _running(args, env, home) as cli:
        deadline = time.monotonic() + 120
        scheduled: list[dict] = []
        while time.monotonic() < deadline and cli.poll() is None and not scheduled:
            time.sleep(0.5)
            servers = [c for c in psutil.Process(cli.pid).children(recursive=True)
                       if c.is_running() and "uvicorn" in " ".join(c.cmdline())]
            if servers:
                command = servers[0].cmdline()
                scheduled = _scheduled_runs(command[command.index("--port") + 1])
        assert scheduled, f"no scheduled run appeared (serve's exit code {cli.poll()})"
        assert all(run["deployment_id"] and run["expected_start_time"] for run in scheduled), scheduled
        _sigkill_leaves_nothing(cli, home)


@contextmanager
def _running(args: list[str], env: dict[str, str], home: Path) -> Iterator[subprocess.Popen]:
    """The CLI started with `args`; whatever the test does, nothing of it is left running after."""
    cli = subprocess.Popen([CLI, *args], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield cli
    finally:
        if cli.poll() is None:
            cli.kill()
        for process in _processes_of(home):
            process.kill()


def _sigkill_leaves_nothing(cli: subprocess.Popen, home: Path) -> None:
    cli.send_signal(signal.SIGKILL)
    assert cli.wait(timeout=10) == -signal.SIGKILL
    left = _wait_gone(home, 10)
    assert not left, [p.cmdline() for p in left]


def _scheduled_runs(port: str) -> list[dict]:
    scheduled = {"limit": 5, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/flow_runs/filter", data=json.dumps(scheduled).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)
    except (OSError, ValueError):
        return []  # not answering yet


def test_a_server_that_cannot_start_is_retried_once_then_named_with_what_to_do(tmp_path, monkeypatch):
    from rassegna.lifecycle.prefect_server import RunBoundServer, ServerStartFailed

    for key, value in _env(tmp_path, tmp_path / "prefect-home", TEST_SERVER_EXIT="1").items():
        monkeypatch.setenv(key, value)
    said: list[str] = []
    server = RunBoundServer(port=free_port())
    with pytest.raises(ServerStartFailed) as failed:
        server.start(timeout=30, say=said.append)
    assert said == ["Prefect's temporary server exited with code 1 before answering; starting it again."]
    assert (tmp_path / "server.log").read_text().count("server process") == 2
    message = str(failed.value)
    assert "exited with code 1" in message
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in message and "PREFECT_API_URL" in message
    assert not server.running and server.server_process is None


@pytest.mark.parametrize(("operator", "expected"), [(None, "120"), ("7", "7")])
def test_the_cli_gives_a_first_start_two_minutes_unless_the_operator_said_otherwise(operator, expected):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}
    if operator:
        env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = operator
    code = ("import flows; from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as t;"
            " print(t.value())")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == expected, done.stderr[-2000:]
