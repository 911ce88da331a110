"""Child processes die with the run that started them.

A run killed with SIGKILL cannot clean up after itself: its crawl would go on
fetching for nobody and its extraction workers would wait forever on a queue
no one writes to. Each child therefore watches its parent and exits when it is
gone. (Linux's PR_SET_PDEATHSIG is not used: it fires when the parent *thread*
ends, and Prefect starts children from worker threads.)

`python -m rassegna.lifecycle MODULE ARGS...` runs a module this way (see
__main__.py); prefect_server.py runs Prefect's temporary server with it.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(poll_s: float = 1.0, parent: int | None = None) -> None:
    """Call in the child: a daemon thread ends this process once its parent has died.

    `parent`: the pid the parent handed down, for a parent that may die before the
    child gets here (the child would otherwise take its new parent for the old one).
    """
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(1)  # the parent is gone: nobody will read what we would write

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
