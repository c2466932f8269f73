"""Count the parser and report workers among this process's children, as the benchmarks' CPU and memory figures need.

Our worker processes come from a fork server (`hamstring_analyzer.workers`):
they are its children, not ours, so ``resource.RUSAGE_CHILDREN`` (and
``os.times()``'s children fields) would leave them out. `reap_workers` stops
the fork server once the work is done: waiting for it adds its children's
usage to ours, and as a subreaper this process also collects any worker the
server left unreaped when it stopped.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def reap_workers() -> None:
    """Stop this process's fork server and reap what it leaves (call it before reading the children's usage)."""
    from multiprocessing import forkserver

    server = forkserver._forkserver  # the standard library's one server per process
    if getattr(server, "_forkserver_pid", None) is None:
        return
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    server._stop()  # closes its lifeline and waits for it
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:  # only live children are left (e.g. the resource tracker)
            return
