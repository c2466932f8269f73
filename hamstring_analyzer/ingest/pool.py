"""The ingest's worker pool: files parsed in processes, a crash costing only its own file.

A parser can crash the process it runs in, not just raise: a deeply nested
GPX makes the XML parser overflow its stack (signal 11), a native decoder can
abort, the kernel can kill a process that runs out of memory. So files are
always parsed in worker processes, never in the process that owns the run,
even for one worker or one file (a worker from the fork server costs a few
milliseconds; see `hamstring_analyzer.workers`):

* A `ProcessPoolExecutor` parses the files, a few per task (`BATCH_FILES`:
  each task costs pickling, the pipe and the executor's threads), a bounded
  window of tasks in flight, and a bounded number of bytes (`MAX_INFLIGHT_BYTES`).
* When a worker dies, the pool is broken and every file of every task in
  flight fails with `BrokenProcessPool`, the innocent ones included. Those
  files are then parsed again one at a time, each in a fresh single-use
  process (`parse_alone`): the innocent ones are read normally, and the one
  that really crashes is reported as an error with the reason its process
  died ("the parser crashed on this file (signal 11: segmentation fault);
  skipped"). Then a new pool is made for the files not yet started.
* Only what the parser itself concluded is stored (``ok``, ``skipped``, or
  ``error`` for a file it refused). A worker failure (`parse.FAILED`: a
  crash, a kill, an exception the parser let through) is never stored, so the
  file is tried again next run (an upgraded parser may read it) and an
  innocent file can never be stored as unreadable.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures.process import BrokenProcessPool

from ..errors import HamstringAnalyzerError
from ..readers import Opener
from ..store import RunStore
from ..workers import EXIT_UNGUARDED_MAIN, UNGUARDED_MAIN_MESSAGE, close_pool, start_pool, wait_for_some
from ..workers import context as worker_context
from .parse import FAILED, failure, parse_into_store
from .wording import crash_reason

#: Tasks in flight per worker: enough to keep workers busy, few enough that a crash
#: makes only a handful of files suspects to retry alone.
WINDOW_PER_WORKER = 2
#: Files per task at most. A task of one file costs about 1 ms of CPU (pickling, the
#: pipe, the executor's threads, both sides), 5% of parsing a one-hour run; a few files
#: per task share it. Few enough that a crash makes at most ``2 x BATCH_FILES`` suspects
#: per worker, and that progress still moves every few files.
BATCH_FILES = 4
#: A task stops taking files once it holds this many bytes (a big file goes nearly alone).
BATCH_BYTES = 2 * 1024 * 1024
#: Bytes of files sent to parser workers and not yet parsed: bounds the ingest's memory
#: whatever the number of workers (at least one file is always in flight).
MAX_INFLIGHT_BYTES = 256 * 1024 * 1024
#: Seconds a single-use parser process has to exit once its result is read (then it is killed:
#: its file's result is already here, and a process that never exits would hold the ingest).
ALONE_EXIT_S = 30


def _worker_batch(store: RunStore, items: list, parse=None) -> list:
    """The body of one pool task: `parse.parse_into_store` on each of a few files, their results in order.

    An exception a parser lets through costs its own file (a worker failure,
    never stored), as when each file was a task of its own.
    """
    results = []
    for _, key, label, data, hint in items:
        try:
            results.append(parse_into_store(label, data, key, store, hint, parse))
        except Exception as exc:  # noqa: BLE001 - reported as this file's failure
            results.append(failure(exc))
    return results




def _alone_target(conn, label: str, data, key: str, store: RunStore, hint=None, parse=None) -> None:
    """The body of a single-use parser process: parse, store, send the result back, exit."""
    try:
        result = parse_into_store(label, data, key, store, hint, parse)
    except BaseException as exc:  # noqa: BLE001 - reported, not raised, in a child
        result = failure(exc)
    try:
        conn.send(result)
    except BaseException as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
        conn.send(failure(exc))
    conn.close()


def parse_alone(label: str, data, key: str, store: RunStore, hint=None, parse=None):
    """Parse one file in a fresh process of its own; a crash there is this file's alone."""
    ctx = worker_context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_alone_target, args=(sender, label, data, key, store, hint, parse), daemon=True)
    proc.start()
    sender.close()
    try:
        result = receiver.recv()  # read before join: a big result would fill the pipe
    except (EOFError, OSError):  # the process died before it sent anything
        result = None
    finally:
        receiver.close()
    proc.join(ALONE_EXIT_S)
    if proc.exitcode is None:  # sent its result (or closed its end) but does not exit: a thread of the parser's, stuck
        proc.kill()
        proc.join()
    if result is None and proc.exitcode == EXIT_UNGUARDED_MAIN:
        raise HamstringAnalyzerError(UNGUARDED_MAIN_MESSAGE)
    return result if result is not None else (FAILED, crash_reason(proc.exitcode))



def parse_all(pending, n_workers: int, store: RunStore, batch_files: int = 1, parse=None):
    """Yield (index, key, result) for each pending file, parsed in worker processes.

    Always in processes, even one file with one worker: whether a file crashes
    its parser cannot be known before it is parsed. Files go to the workers a
    few at a time (up to ``batch_files`` per task, see `BATCH_FILES`), their
    results coming back together. A worker death breaks the pool; the files
    that were in flight are then parsed one at a time in single-use processes
    (`parse_alone`), and a new pool takes the rest. See the module docstring.
    ``parse`` replaces `parse.parse_bytes` in the workers (importable by name).
    """
    source = iter(pending)  # read lazily: only files about to be sent are in memory
    queue: deque = deque()  # files taken from ``source`` and not yet sent (after a broken pool)
    exhausted = False
    batch_files = max(1, batch_files)

    def next_item():
        nonlocal exhausted
        if queue:
            return queue.popleft()
        if not exhausted:
            item = next(source, None)
            if item is not None:
                return item
            exhausted = True
        return None

    while True:
        first = next_item()
        if first is None:
            break
        queue.appendleft(first)
        suspects = []
        workers = max(1, n_workers)
        window = workers * WINDOW_PER_WORKER  # bounded: never all files' bytes in flight at once
        pool = start_pool(workers)
        broken = False
        try:
            running: dict = {}  # future -> the files of its task
            inflight = 0
            while True:
                while not broken and len(running) < window:
                    batch, size = [], 0
                    while len(batch) < batch_files and size < BATCH_BYTES:
                        if (running or batch) and inflight + size >= MAX_INFLIGHT_BYTES:
                            break  # at least one file is always in flight, never more bytes than this
                        item = next_item()
                        if item is None:
                            break
                        streamed = isinstance(item[3], Opener)  # a streamed file (gigabytes, minutes) goes alone
                        if batch and streamed:
                            queue.appendleft(item)
                            break
                        batch.append(item)
                        size += len(item[3])
                        if streamed:
                            break
                    if not batch:
                        break
                    try:
                        running[pool.submit(_worker_batch, store, batch, parse)] = (batch, size)
                        inflight += size
                    except BrokenProcessPool:
                        queue.extendleft(reversed(batch))
                        broken = True
                if not running:
                    break
                finished = wait_for_some(pool, running)
                for fut in finished:
                    batch, size = running.pop(fut)
                    inflight -= size
                    try:
                        results = fut.result()
                    except BrokenProcessPool:  # some worker died: these files may be innocent
                        broken = True
                        suspects.extend(batch)
                        continue
                    except Exception:  # the task's results could not come back (one would not pickle): each file alone
                        suspects.extend(batch)
                        continue
                    for item, result in zip(batch, results):
                        yield item[0], item[1], result
                    del results
                del batch, finished
        finally:
            close_pool(pool, broken)
        for i, key, label, data, hint in sorted(suspects, key=lambda item: item[0]):
            yield i, key, parse_alone(label, data, key, store, hint, parse)

