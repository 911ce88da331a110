"""Run the archive-scan flow and SIGKILL this very process while it stores its second file,
inside that file's transaction (after its articles, before its captures and state).

    python archive_kill_driver.py ARCHIVE_URL CLUSTER WATCHLIST SOURCES DB

Prints "stored PATH" for the file it stored before dying. The hook wraps the real loader;
nothing in the product knows about it.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import date
from pathlib import Path


def main() -> None:
    archive_url, cluster, watchlist, sources, db = sys.argv[1:6]
    from flows.archive_scan import archive_scan
    from warehouse import load

    store, bulk_insert = load.store_archive_file, load.bulk_insert
    stored: list[str] = []

    def store_then_die(con, run_id, version, scan):
        if stored:
            def insert_then_die(con, table, *args, **kwargs):
                if table == "article_capture":
                    os.kill(os.getpid(), signal.SIGKILL)
                return bulk_insert(con, table, *args, **kwargs)

            load.bulk_insert = insert_then_die
        result = store(con, run_id, version, scan)
        stored.append(scan.path)
        print("stored", scan.path, flush=True)
        return result

    load.store_archive_file = store_then_die
    archive_scan(since=date(2025, 9, 1), until=date(2025, 9, 30), archive_url=archive_url, cluster=cluster,
                 watchlist_file=Path(watchlist), sources_file=Path(sources), db=db,
                 drop_domains=["dropped.example.it"])


if __name__ == "__main__":
    main()
