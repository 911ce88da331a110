"""`python -m rassegna.lifecycle MODULE ARGS...`: run MODULE as `python -m MODULE ARGS...`
would, ending when the process that started it dies (even by SIGKILL).

The parent's pid comes in RASSEGNA_PARENT_PID, set by the parent itself: read here,
getppid() would already name init if the parent died while this interpreter started.
"""

import os
import runpy
import sys

from rassegna.lifecycle import exit_with_parent

if len(sys.argv) < 2:
    raise SystemExit("usage: python -m rassegna.lifecycle MODULE [ARGS...]")
exit_with_parent(parent=int(os.environ.get("RASSEGNA_PARENT_PID") or os.getppid()))
module, sys.argv = sys.argv[1], sys.argv[1:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
