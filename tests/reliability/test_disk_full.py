"""The disk fills up: the run fails with a clear error and the stored data stays intact."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import WATCHLIST, write_sources
from reliability.conftest import run_driver

pytestmark = pytest.mark.usefixtures("prefect_harness")

COUNT = "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print(c.execute('SELECT count(*) FROM article').fetchone()[0])"


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _count(db) -> int:
    return int(subprocess.run([sys.executable, "-c", COUNT, str(db)], capture_output=True, text=True, check=True).stdout)


def _fill(folder) -> None:
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


def test_a_full_disk_fails_the_run_and_keeps_what_was_stored(sites, small_disk, prefect_env, tmp_path):
    db = small_disk / "r.duckdb"
    sources = write_sources(sites, tmp_path)
    first = run_driver(prefect_env, "none", sources, WATCHLIST, db)
    assert first.returncode == 0, first.stderr[-2000:]
    stored = _count(db)
    assert stored > 0

    _fill(small_disk)
    full = run_driver(prefect_env, "none", sources, WATCHLIST, db)
    assert full.returncode != 0
    assert "No space left on device" in full.stderr or "not enough space" in full.stderr.lower(), full.stderr[-3000:]

    # The earlier warehouse still opens with every article, and works again once space is back.
    assert _count(db) == stored
    (small_disk / "filler").unlink()
    again = run_driver(prefect_env, "none", sources, WATCHLIST, db)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _count(db) == stored
