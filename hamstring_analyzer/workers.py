"""Worker processes that never inherit a lock held by a thread: how every pool of ours starts.

Forking a process that has threads copies their locks but not the threads
that would release them. Arrow's thread pool, matplotlib's font cache,
pytest's faulthandler, any library's background thread may hold a lock at
the moment of the fork; the child then waits on it forever (a futex, 0% CPU)
and its parent waits for the child. So no pool of ours forks the process that
runs the analysis. Workers come from a *fork server*: a small process started
once, before any of our threads exist in it, that imports what workers need
(`PRELOAD`) and forks a fresh worker for each request. Where there is no fork
server (Windows), workers are spawned (a new interpreter each).

What a worker runs must therefore be importable by name (a module-level
function), and a worker sees the modules as they are on disk, not as the
parent changed them at run time: code that wants a worker to run something
else passes it as an argument (see `hamstring_analyzer.ingest.load_runs`'s
``parse``).

A script that calls the library at its top level must keep that call under
``if __name__ == "__main__":`` (the rule for every Python program whose workers
are not forked: on macOS and Windows always, on Linux from Python 3.14): a
new worker imports the main script again, and would start the analysis again.
Such a worker ends at once with `EXIT_UNGUARDED_MAIN`, and the ingest says
what to change in one line instead of failing on every file.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, Sequence

#: Imported once in the fork server, so each worker starts with them loaded:
#: the readers and the store's Parquet writer (what an ingest's workers need;
#: numpy and pandas come with them). Report and team workers import their
#: plotting modules themselves, once each.
PRELOAD = (
    "pyarrow.parquet",
    "hamstring_analyzer.ingest",
    "hamstring_analyzer.readers.fit",
    "hamstring_analyzer.readers.gpx",
    "hamstring_analyzer.readers.tcx",
    "hamstring_analyzer.store.schema",
)

#: The exit code of a worker that was about to start the analysis again while importing
#: the runner's main script (see the module docstring).
EXIT_UNGUARDED_MAIN = 86
UNGUARDED_MAIN_MESSAGE = ("worker processes import your main script again, and it starts the analysis when "
                          "imported: put the call under `if __name__ == \"__main__\":`")  # fmt: skip

_lock = threading.Lock()
_context = None


def context() -> multiprocessing.context.BaseContext:
    """The start method every pool and single-use process of ours uses (fork server, else spawn)."""
    global _context
    if getattr(multiprocessing.process.current_process(), "_inheriting", False):
        os._exit(EXIT_UNGUARDED_MAIN)  # a worker importing an unguarded main script: see the module docstring
    with _lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(list(PRELOAD))
            else:
                ctx = multiprocessing.get_context("spawn")
            _context = ctx
        return _context


#: What `map_in_workers` gives for an item whose worker process died (killed, out of memory) after its retries.
WORKER_DIED = object()


def map_in_workers(fn: Callable, items: Sequence, workers: int, *, initializer: Callable | None = None, initargs: tuple = (),
                   retries: int = 0, progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, object]]:  # fmt: skip
    """``(index, fn(item))`` for each of ``items``, as each finishes, computed in a pool of worker processes.

    The one pool loop of the team and the reports (the ingest has its own, for
    its byte budget and its suspect files). A worker that dies takes every
    item in flight with it: each of those is tried again alone, in a pool of
    its own (so an innocent item is not taken down twice), up to ``retries``
    times, then given as `WORKER_DIED`. An exception raised by ``fn`` is
    raised here, and the items not yet started are not started.
    ``progress(done, total)`` is called after each item.
    """
    tries, done = [0] * len(items), 0
    rounds = [list(range(len(items)))]
    while rounds:
        batch = rounds.pop(0)
        pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(batch))), mp_context=context(), initializer=initializer,
                                   initargs=initargs)  # fmt: skip
        try:
            running = {pool.submit(fn, items[i]): i for i in batch}
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    i = running.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        if tries[i] < retries:
                            tries[i] += 1
                            rounds.append([i])
                            continue
                        result = WORKER_DIED
                    done += 1
                    if progress:
                        progress(done, len(items))
                    yield i, result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
