"""Analysts never block runs: each run publishes a read-only copy that readers may keep open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import WATCHLIST, write_sources
from warehouse.publish import published_path

pytestmark = pytest.mark.usefixtures("prefect_harness")

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
    " print(c.execute('SELECT count(*) FROM runs').fetchone()[0], flush=True); time.sleep(120)"
)


def test_a_run_succeeds_while_an_analyst_holds_the_published_copy(sites, tmp_path):
    from flows.monitor import monitor

    db = tmp_path / "rassegna.duckdb"
    sources = write_sources(sites, tmp_path)
    first = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db))
    copy = published_path(db)
    assert first.analysts_db == str(copy) and copy.parent == db.parent

    analyst = subprocess.Popen([sys.executable, "-c", HOLD, str(copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "1"  # the analyst sees the first run
        second = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db), db_wait_s=5)
        assert second.status == "completed"
    finally:
        analyst.kill()
        analyst.wait()
    with duckdb.connect(str(copy), read_only=True) as con:  # reopened: the new snapshot
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == first.articles_new
    # The copy is as readable by DuckDB 1.x clients as the original.
    cli = subprocess.run([str(Path(sys.executable).parent / "duckdb"), "-readonly", str(copy),
                          "-c", "SELECT count(*) FROM mentions"], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
