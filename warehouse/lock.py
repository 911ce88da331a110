"""One writer at a time: an advisory lock file beside the database.

DuckDB itself allows one read-write process per file; two overlapping runs
would otherwise race for it and the loser would fail halfway. The lock makes
the second run wait (bounded) and then fail with a message naming the holder.
The OS releases it when the holder dies, so a killed run never leaves it behind.

A service database (MotherDuck's "md:...") has no file to put the lock beside:
its lock lives in the machine's temporary folder (`rassegna-locks/`), which
keeps runs on one machine apart. Runs started on different machines are kept
apart by Prefect instead: the monitor deployment's concurrency limit of 1.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.db import is_local_path, service_slug


class LockTimeout(RuntimeError):
    """Another process kept the writer lock for longer than we were willing to wait."""


def lock_path(database: str | Path) -> Path:
    if is_local_path(database):
        return Path(f"{database}.lock")
    return Path(tempfile.gettempdir()) / "rassegna-locks" / f"{service_slug(database)}.lock"


@contextmanager
def writer_lock(database: str | Path, timeout: float = 600.0, poll: float = 0.5, on_wait=None) -> Iterator[None]:
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"{database}: another run holds the writer lock ({path}, held by {holder}); "
                        f"gave up after {timeout:.0f} s"
                    ) from None
                if on_wait and not told:
                    on_wait(f"{database}: waiting for the run that holds {path} ({holder})")
                    told = True
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
