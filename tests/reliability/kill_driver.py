"""Run the monitor flow and SIGKILL this very process at a chosen stage.

    python kill_driver.py STAGE SOURCES WATCHLIST DB

STAGE: crawl (a few pages into the crawl), extract (as the first batch is
extracted), write (inside the first batch's transaction, after the articles
were inserted and before the mentions are). The hooks wrap the real functions;
nothing in the product knows about them.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    stage, sources, watchlist, db = sys.argv[1:5]
    import flows.monitor as monitor_module
    import flows.stages as stages  # the crawl -> extract stages the monitor runs
    from warehouse import load

    if stage == "crawl":
        follow = stages.follow_pages

        def follow_then_die(*args, **kwargs):
            for count, page in enumerate(follow(*args, **kwargs)):
                if count == 2:
                    die()
                yield page

        stages.follow_pages = follow_then_die
    elif stage == "extract":
        def process_then_die(*args, **kwargs):
            die()

        stages.process_pages = process_then_die
    elif stage == "write":
        bulk_insert = load.bulk_insert

        def insert_then_die(con, table, *args, **kwargs):
            if table == "mention_candidate":
                die()
            return bulk_insert(con, table, *args, **kwargs)

        load.bulk_insert = insert_then_die
    elif stage != "none":
        raise SystemExit(f"unknown stage {stage!r}")
    monitor_module.monitor(sources_file=Path(sources), watchlist_file=Path(watchlist), db=db, batch_size=5)


if __name__ == "__main__":
    main()
