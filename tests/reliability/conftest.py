"""Helpers for the fault tests: run the monitor in a child process that a test can kill."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).parent / "kill_driver.py"
ROOT = Path(__file__).parent.parent.parent


@pytest.fixture(scope="session")
def prefect_env(prefect_harness) -> dict[str, str]:
    """Environment for child processes: they report to the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ)
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_driver(env: dict[str, str], stage: str, sources: Path, watchlist: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRIVER), stage, str(sources), str(watchlist), str(db)],
        env=env, capture_output=True, text=True, timeout=300,
    )
