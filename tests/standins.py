"""Stand-in parsers for the worker-pool tests, in a module of their own.

Workers start fresh from the fork server (`hamstring_analyzer.workers`), so a
stand-in reaches them as an argument (``parse=``) and they import it by name:
it must live in a small importable module, not be patched onto ours.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

#: The start method of `hamstring_analyzer.workers.context` (not called here: workers import this module).
_START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def stand_in(label, data, hint=None):
    """Parses nothing: "segv" files kill their process, "raises" ones raise, others are "read"."""
    if "segv" in label:
        os.kill(os.getpid(), signal.SIGSEGV)
    if "raises" in label:
        raise MemoryError("test")
    return ("skipped", f"read {label} ({len(data)} bytes)")


def crashes_on_crash(label, data, hint=None, **settings):
    """The real parser, except that files named "crash" die as a parser's segmentation fault does (signal 11).

    The GPX that really crashed the parser (a point's extensions nested
    200,000 deep) is refused since the GPX reader streams; this keeps the
    crash it caused, so the pool's handling of a crash stays tested.
    """
    from hamstring_analyzer.ingest import parse_bytes

    if "crash" in label:
        os.kill(os.getpid(), signal.SIGSEGV)
    return parse_bytes(label, data, hint, **settings) if hint is not None else parse_bytes(label, data, **settings)


def killer(label, data):
    """The real parser, except for files named to die: out of memory (SIGKILL), an abrupt exit, an exception."""
    from hamstring_analyzer.ingest import parse_bytes

    if "killed" in label:
        os.kill(os.getpid(), signal.SIGKILL)  # what the kernel does to a process out of memory
    if "exits" in label:
        os._exit(139)
    if "raises" in label:
        raise MemoryError("test")
    return parse_bytes(label, data)


#: Held by a thread of the test process while workers start (see `lock_state`).
HELD = None


def lock_state(label, data, hint=None):
    """Whether this worker can take `HELD`: a worker forked while a thread held it never could."""
    import threading

    lock = HELD if HELD is not None else threading.Lock()
    free = lock.acquire(timeout=2)
    if free:
        lock.release()
    return ("skipped", "free" if free else "held by a thread of the parent")


def peak_kib() -> int:
    """This process's own peak RSS [KiB]: ``VmHWM``, not ``ru_maxrss``.

    Linux carries ``ru_maxrss`` across ``fork`` and ``exec``: a process started
    from a big pytest worker reports the worker's size as its own peak, so a
    memory test would fail or pass with whatever ran before it in that worker.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_noting(label, data, hint=None):
    """The real parser, noting this worker's peak RSS [KiB] in the file ``$HAMSTRING_TEST_PEAK_FILE``.

    Workers come from the fork server, not from the ingest's process, so the
    ingest cannot count their memory among its own children's.
    """
    from hamstring_analyzer.ingest import parse_bytes

    result = parse_bytes(label, data) if hint is None else parse_bytes(label, data, hint)
    with open(os.environ["HAMSTRING_TEST_PEAK_FILE"], "a", encoding="utf-8") as fh:
        fh.write(f"{peak_kib()}\n")
    return result


def square_or_die(n):
    """``n * n``; -1 kills its process (out of memory, as the kernel does it), -2 raises."""
    if n == -1:
        os.kill(os.getpid(), signal.SIGKILL)
    if n == -2:
        raise ValueError("minus two")
    return n * n



def lingers(label, data, hint=None):
    """Read, then leave a thread that keeps its process from exiting for an hour (as a library's stuck thread would)."""
    import threading

    threading.Thread(target=time.sleep, args=(3600,)).start()
    return ("skipped", f"read {label}")


class SlowSecondStart(multiprocessing.get_context(_START_METHOD).Process):
    """A worker process of the fork server (spawned without one) whose start hands it back a second late, the second time.

    The window in which a pool's first worker dies while the submitting
    thread is still starting another: the executor does not know the second
    one yet when it terminates the workers of its broken pool.
    """

    started = 0

    def start(self):
        super().start()
        SlowSecondStart.started += 1
        if SlowSecondStart.started == 2:
            time.sleep(1.0)


class SlowSecondStartContext:
    """The workers' context (`hamstring_analyzer.workers.context`) with `SlowSecondStart` as its processes."""

    Process = SlowSecondStart

    def __init__(self, context):
        self._context = context

    def __getattr__(self, name):
        return getattr(self._context, name)
