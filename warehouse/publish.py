"""The analysts' copy: a read-only snapshot published beside the run's database after each run.

DuckDB lets one process write a file, and a reader that keeps the file open
(a DuckDB shell, a notebook, a BI tool) would block the next scheduled run.
So the flow writes its own file and, at the end of every run, publishes a copy
for analysts: written to a temporary file in the same folder, then renamed
over the previous copy in one step. An analyst with the old copy open keeps
reading the old snapshot; the next open sees the new one. The writer never
opens the copy, so no reader can block it.

A service database (MotherDuck) has no copy: the service serves many readers
beside its writer, so analysts connect to it directly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from warehouse.db import is_local_path

SUFFIX = ".analysts.duckdb"


def published_path(database: str | Path) -> Path:
    """data/rassegna.duckdb -> data/rassegna.analysts.duckdb (same folder)."""
    path = Path(database)
    return path.with_name(path.name.removesuffix(".duckdb") + SUFFIX)


def publish(database: str | Path) -> Path:
    """Checkpoint the run's database and atomically replace the analysts' copy with it."""
    if not is_local_path(database):
        raise ValueError(f"{database}: a service database has no analysts' copy; analysts connect to it directly")
    source = Path(database)
    with duckdb.connect(str(source)) as con:
        # Fold the write-ahead log into the file, so the copied bytes are the whole database.
        con.execute("CHECKPOINT")
    target = published_path(source)
    fd, tmp = tempfile.mkstemp(prefix=".publishing-", suffix=SUFFIX, dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
