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


#: How often a wait on a pool's tasks has the pool's executor look at its workers again (`wait_for_some`).
RECHECK_WORKERS_S = 1.0

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
        pool = start_pool(min(workers, len(batch)), initializer=initializer, initargs=initargs)
        broken = False
        try:
            running = {}
            for k, i in enumerate(batch):
                try:
                    running[pool.submit(fn, items[i])] = i
                except BrokenProcessPool:  # a worker died while the batch was being sent: the rest never started
                    broken = True
                    rounds.append(batch[k:])
                    break
            while running:
                for fut in wait_for_some(pool, running):
                    i = running.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
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
            close_pool(pool, broken)


def start_pool(workers: int, *, initializer: Callable | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes from `context`, every one started before any task is sent.

    CPython (3.11-3.13) starts a fork server's or spawn's workers on demand,
    in ``submit()``, while the tasks already sent run. When one of those dies
    meanwhile, the worker being started can go unseen by the executor (its
    death then breaks nothing: its tasks never finish), be left out of the
    workers the executor terminates and then joins for ever, or have the pipe
    it is being handed closed under it by the executor's clean-up (it reads
    garbage; its pid overflows ``os.kill``). Each of the three was caught in
    loops of the killed-worker tests, the first two as the suite's idle
    hang. Started up front, as CPython does for fork "so that their sentinels
    are known", no worker starts while another can die.
    """
    pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context(), initializer=initializer, initargs=initargs)
    launch = getattr(pool, "_launch_processes", None)  # a CPython detail; without it, wait_for_some and close_pool still cope
    if launch is not None:
        launch()
    return pool


def wait_for_some(pool: ProcessPoolExecutor, running) -> set:
    """The futures of ``running`` that are done (at least one), the executor of ``pool`` woken every
    `RECHECK_WORKERS_S` while none is, so that it looks at its workers again.

    The executor (CPython 3.11) watches the workers it knew when it last
    woke up. It wakes for a result, a submit or a worker it knew dying; a
    worker it did not know yet (started by the submitting thread while the
    tasks already sent were running: `start_pool` avoids that where it can)
    that dies is not seen, and its tasks never finish: the caller waits for
    ever, idle. Woken, the executor counts all its workers and breaks the
    pool (each task in flight then fails with `BrokenProcessPool`, as for any
    worker death). A wake-up costs it one pass over its queues.
    """
    while True:
        finished, _ = wait(running, timeout=RECHECK_WORKERS_S, return_when=FIRST_COMPLETED)
        if finished:
            return finished
        wakeup = getattr(pool, "_executor_manager_thread_wakeup", None)  # a CPython detail, as submit() wakes it
        if wakeup is not None:
            try:
                wakeup.wakeup()
            except (OSError, ValueError):  # closed by the executor meanwhile: it is already ending
                pass


def close_pool(pool: ProcessPoolExecutor, broken: bool) -> None:
    """Shut ``pool`` down, the tasks not yet started cancelled; a broken one without waiting, its surviving workers killed.

    A broken pool's executor (CPython 3.11) terminates the workers it knows
    of, then joins every worker in its table. A worker that the submitting
    thread was still starting when another one died (see `start_pool`) is
    joined but was never terminated: it waits for a task for ever, and so do
    the executor's manager thread, ``shutdown(wait=True)`` and the
    interpreter's exit. Caught looping ``map_in_workers`` over a killed item
    with two workers (as its test does), within 40 pools: the main thread in
    ``shutdown``, the manager thread in ``terminate_broken`` joining a worker
    idle in ``call_queue.get`` (a CI run had both pytest-xdist workers idle on
    a futex for 20 minutes). A thread stuck writing a task to a dead worker's
    pipe holds a normal shutdown the same way (CPython gh-94777/gh-107219; one
    CI run of the ingest's killed-workers test hung for 180 s). The survivors
    hold nothing we need: every task in flight is tried again.
    """
    if not broken:
        pool.shutdown(wait=True, cancel_futures=True)
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):  # a CPython detail: the workers by pid
        try:
            proc.kill()
        except (OSError, ValueError):  # already gone, or closed
            pass
    pool.shutdown(wait=False, cancel_futures=True)
