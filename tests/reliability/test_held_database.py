"""Another process holds the warehouse: the run waits a bounded time, then fails naming the holder."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from conftest import WATCHLIST, write_sources
from warehouse.db import DatabaseBusy, connect
from warehouse.lock import LockTimeout, lock_path

pytestmark = pytest.mark.usefixtures("prefect_harness")

HOLD_DB = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"
HOLD_LOCK = (
    "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
    " fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'pid ' + str(os.getpid()).encode());"
    " print('held', flush=True); time.sleep(60)"
)


def _hold(code: str, path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_database_held_read_write_elsewhere_fails_the_run_clearly(sites, tmp_path):
    from flows.monitor import monitor

    db = tmp_path / "r.duckdb"
    connect(db).close()
    holder = _hold(HOLD_DB, db)
    try:
        start = time.monotonic()
        with pytest.raises(DatabaseBusy) as caught:
            monitor(sources_file=write_sources(sites, tmp_path), watchlist_file=WATCHLIST, db=str(db), db_wait_s=2)
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    message = str(caught.value)
    assert str(db) in message and f"PID {holder.pid}" in message
    assert waited < 60  # bounded: the wait, not a hang
    with duckdb.connect(str(db), read_only=True) as con:  # nothing half-written
        assert con.execute("SELECT count(*) FROM run").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 0


def test_an_overlapping_run_waits_for_the_writer_lock_then_gives_up(sites, tmp_path):
    from flows.monitor import monitor

    db = tmp_path / "r.duckdb"
    holder = _hold(HOLD_LOCK, lock_path(db))
    try:
        with pytest.raises(LockTimeout) as caught:
            monitor(sources_file=write_sources(sites, tmp_path), watchlist_file=WATCHLIST, db=str(db), lock_timeout_s=1)
    finally:
        holder.kill()
        holder.wait()
    assert str(lock_path(db)) in str(caught.value) and f"pid {holder.pid}" in str(caught.value)
    assert not db.exists()  # the waiting run touched nothing
