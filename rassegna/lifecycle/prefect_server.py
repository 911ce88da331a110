"""Prefect's temporary API server for a run of the CLI: time to start on a cold machine, and gone with the run.

With no PREFECT_API_URL, Prefect starts a temporary server (uvicorn in a child
process, prefect.server.api.server.SubprocessASGIServer) the first time a client
needs one. Two things in that fail an operator:

- it gives the server PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (20 s by
  default) to answer, and gives up with "Timed out while attempting to connect to
  ephemeral Prefect API server"; a first start on a cold machine (the server
  creates and migrates its database in PREFECT_HOME, every import is compiled)
  takes longer. The CLI raises that default (flows/__init__.py, unless the
  operator set it) and, if the server still has not answered, waits once more or
  starts it again, saying so;
- the server is stopped by an atexit hook only: a run killed with SIGKILL (or by
  the out-of-memory killer) leaves it running, orphaned, holding its port.
  Here it runs through `python -m rassegna.lifecycle`, which ends it when the run's
  process dies, and in a session of its own, so a Ctrl-C meant for the run does not
  cut the server off while the run records how it ended.

The CLI starts the server itself, before the flow, from its main thread, and
leaves it in the slot Prefect's own code looks in (SubprocessASGIServer() with no
port): every client, events and log worker of the process then uses this one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import prefect
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_HOME,
    PREFECT_SERVER_ALLOW_EPHEMERAL_MODE,
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    get_current_settings,
)

# The second wait is at least this long: a first start that overran a short timeout
# is usually nearly done, and a fresh start (the first one died) pays the imports again.
RETRY_MIN_S = 60


class ServerStartFailed(RuntimeError):
    """Prefect's temporary server did not answer, twice."""


class RunBoundServer(SubprocessASGIServer):
    """Prefect's temporary server, in a process that ends with this one.

    With `services` it runs every service of the server, as `prefect server start`
    does (the scheduler, late runs, cancellation clean-up, events, automations):
    Prefect's temporary server runs none, so a schedule served against it would
    never make a flow run.
    """

    services: bool = False

    def _run_uvicorn_command(self) -> subprocess.Popen[bytes]:
        # Prefect's own command and environment (SubprocessASGIServer._run_uvicorn_command,
        # Prefect 3.9), run through rassegna.lifecycle; tests/test_prefect_server.py runs it.
        args = ["--app-dir", str(prefect.__module_path__.parent), "--factory", "prefect.server.api.server:create_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            **({} if self.services else {"PREFECT__SERVER_EPHEMERAL": "1"}),
            "PREFECT__SERVER_FINAL": "1",
            **get_current_settings().to_environment_variables(exclude_unset=True),
            "RASSEGNA_PARENT_PID": str(os.getpid()),
        }
        return subprocess.Popen([sys.executable, "-m", "rassegna.lifecycle", "uvicorn", *args], env=env,
                                start_new_session=True)

    def start(self, timeout: int | None = None, say: Callable[[str], None] = print) -> None:
        if self.running:
            return
        first = timeout or PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        self.port = self.port or self.find_available_port()
        self.running = True
        self.server_process = self._run_uvicorn_command()
        if self._answers_within(first):
            return
        again = max(first, RETRY_MIN_S)
        code = self.server_process.poll()
        if code is None:
            say(f"Prefect's temporary server has not answered in {first} s (a first start on this machine creates"
                f" its database in {PREFECT_HOME.value()}); waiting up to {again} s more.")
        else:
            # Exit code 3 is uvicorn's "port taken" (another process got there first).
            say(f"Prefect's temporary server exited with code {code} before answering; starting it again.")
            self.port = self.find_available_port()
            self.server_process = self._run_uvicorn_command()
        if self._answers_within(again):
            return
        code = self.server_process.poll()
        self.stop()
        ended = f"it exited with code {code}" if code is not None else f"it was still not answering on {self.address}"
        raise ServerStartFailed(
            f"Prefect's temporary server did not start: waited {first} s, then {again} s, and {ended}. Give it more"
            " time with PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=300, or start a server once"
            " (`uv run prefect server start`) and point runs at it: PREFECT_API_URL=http://127.0.0.1:4200/api"
        )

    def _answers_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.server_process is None or self.server_process.poll() is not None:
                    return False
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        return False


@contextmanager
def temporary_server(say: Callable[[str], None] = print, *, serving: bool = False) -> Iterator[str | None]:
    """Prefect's temporary server for the flows run inside, stopped on the way out.

    Yields its API URL, or None when there is nothing to start: Prefect is pointed
    at a server (PREFECT_API_URL), must not start one, or has one running already
    (a test harness). `say` tells the operator about a slow start.

    `serving` is for `rassegna serve`: the server runs its scheduler, and its URL is
    this process's PREFECT_API_URL while inside, so that Prefect's runner treats it
    as the real server it is and the flow runs it starts as children find it.
    """
    existing = SubprocessASGIServer._instances.get(None)
    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value() or (existing and existing.running):
        yield None
        return
    # An idle plain instance in the slot would be handed back in place of ours.
    SubprocessASGIServer._instances.pop(None, None)
    server = RunBoundServer()
    server.services = serving
    try:
        server.start(say=say)
        if not serving:
            with without_heartbeats():
                yield server.api_url
        else:
            with _api_url(server.api_url):
                yield server.api_url
    finally:
        _drain_workers()
        server.stop()


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """No flow-run heartbeats while a one-shot command's own server runs.

    Heartbeats let a long-lived server tell a crashed flow run from a slow one (zombie
    detection for deployments); a server that ends with this process learns that from
    the process's end. Prefect's heartbeat thread also sleeps in one-second steps and is
    joined when the flow run finishes, which held every run up to a second at its end.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextmanager
def _api_url(url: str) -> Iterator[None]:
    from prefect.settings import temporary_settings

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


def _drain_workers() -> None:
    """Send the logs and events Prefect still holds before their server goes (as its test harness does)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    EventsWorker.drain_all(timeout=10)
