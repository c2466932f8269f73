"""Worker processes never inherit a lock a thread held at the moment they started.

A worker forked from a process with threads copies their locks, held or not,
without the threads that would release them: it then waits forever. The
test suite hung that way once (Arrow's thread pool); so can a runner's ingest.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from hamstring_analyzer import workers
from hamstring_analyzer.ingest.pool import parse_all
from hamstring_analyzer.store import RunStore
from hamstring_analyzer.synthetic import easy_run, write_fit

from . import standins

REPO = Path(__file__).resolve().parents[1]


def test_workers_are_never_forked_from_the_analysing_process():
    assert workers.context().get_start_method() in ("forkserver", "spawn")


def test_a_lock_held_by_a_thread_here_is_free_in_every_worker(tmp_path, monkeypatch):
    """The hazard itself: a thread holds a lock while the pool starts; with fork, every worker would find it held."""
    held = threading.Lock()
    held.acquire()  # held by this thread for the whole test, as a library's thread may hold its own
    monkeypatch.setattr(standins, "HELD", held)
    store = RunStore(tmp_path / "store")
    store.readonly = True
    pending = [(i, f"{i:040x}", f"run{i}.fit", b"x" * 10, None) for i in range(8)]
    try:
        got = {i: result for i, _, result in parse_all(iter(pending), 2, store, 2, parse=standins.lock_state)}
    finally:
        held.release()
    assert got == {i: ("skipped", "free") for i in range(8)}


ARROW_BUSY = textwrap.dedent('''
    import datetime as dt, io, os, sys, threading
    from pathlib import Path
    import numpy as np, pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
    from hamstring_analyzer.ingest import load_runs

    def busy(stop):  # Arrow's thread pool and allocator at work the whole time
        table = pa.table({"a": np.random.default_rng(0).random(500_000)})
        while not stop.is_set():
            pc.sort_indices(table["a"])
            buf = io.BytesIO()
            pq.write_table(table, buf)
            pq.read_table(io.BytesIO(buf.getvalue()))

    if __name__ == "__main__":
        stop = threading.Event()
        threads = [threading.Thread(target=busy, args=(stop,), daemon=True) for _ in range(2)]
        for thread in threads:
            thread.start()
        for i in range(int(sys.argv[2])):
            export = load_runs(sys.argv[1], workers=2, use_cache=False)
            assert len(export.runs) == 4 and not export.errors, export.errors
        stop.set()
        for thread in threads:  # a daemon thread still inside Arrow when the interpreter exits aborts it
            thread.join()
        print("done", flush=True)
        # pyarrow 26 itself aborts at interpreter exit now and then after this work, even done in the main
        # thread alone ("terminate called without an active exception": 6 of 70 runs under load, 0 of 35
        # leaving by os._exit); what is tested here ended with "done"
        os._exit(0)
''')


def test_ingests_with_arrow_threads_busy_never_hang(tmp_path):
    """Many ingests with workers while Arrow's threads work, under a timeout: a hang fails instead of hanging CI."""
    export = tmp_path / "export"
    export.mkdir()
    for day in range(1, 5):
        (export / f"run{day}.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, day, 7), 3, seed=day)))
    script = tmp_path / "busy.py"
    script.write_text(ARROW_BUSY)
    proc = subprocess.run([sys.executable, str(script), str(export), "12"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["done"]


def test_a_script_without_the_main_guard_gets_one_clear_line(tmp_path):
    """Workers import the main script again; one that starts the analysis when imported is told what to change."""
    export = tmp_path / "export"
    export.mkdir()
    (export / "run.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, 1, 7), 3, seed=1)))
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f'''
        from hamstring_analyzer.errors import HamstringAnalyzerError
        from hamstring_analyzer.ingest import load_runs
        try:
            load_runs({str(export)!r}, workers=1, use_cache=False)
        except HamstringAnalyzerError as exc:
            print(exc)
    '''))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == workers.UNGUARDED_MAIN_MESSAGE
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("n_workers", [1, 2])
def test_map_in_workers_gives_each_result_and_survives_a_dead_worker(n_workers):
    """One worker: the items queued behind the killer die with it; each is tried again alone and comes through."""
    from .standins import square_or_die

    items = [3, -1, 4, 5]
    calls = []
    got = dict(workers.map_in_workers(square_or_die, items, n_workers, retries=1, progress=lambda done, total: calls.append((done, total))))
    assert got == {0: 9, 1: workers.WORKER_DIED, 2: 16, 3: 25}
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_map_in_workers_raises_what_the_function_raised():
    from .standins import square_or_die

    with pytest.raises(ValueError, match="minus two"):
        dict(workers.map_in_workers(square_or_die, [2, -2], 1))


SECOND_WORKER_LATE = """
from hamstring_analyzer import workers
from tests.standins import SlowSecondStartContext, square_or_die
context = workers.context()
workers.context = lambda: SlowSecondStartContext(context)
got = dict(workers.map_in_workers(square_or_die, [-1, 3], 2, retries=1))
print(sorted((i, "died" if result is workers.WORKER_DIED else result) for i, result in got.items()))
"""


def test_a_worker_dying_while_another_starts_never_hangs_the_pool():
    """The first worker dies while the second is still being started: the broken pool's executor
    never terminates that one (it does not know it yet), and without `close_pool` killing it, the
    shutdown, or the interpreter's exit, waited for it for ever (caught as a hang of the whole suite)."""
    proc = subprocess.run([sys.executable, "-c", SECOND_WORKER_LATE], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[(0, 'died'), (1, 9)]"


LINGERING_PARSER = """
import sys, time
import hamstring_analyzer.ingest.pool as pool
from hamstring_analyzer.store import RunStore
from tests.standins import lingers
pool.ALONE_EXIT_S = 1
store = RunStore(sys.argv[1])
store.readonly = True
t0 = time.monotonic()
print(pool.parse_alone("run.fit", b"x", "0" * 40, store, parse=lingers))
print(time.monotonic() - t0)
"""


def test_a_single_use_parser_that_sends_its_result_but_never_exits_is_killed(tmp_path):
    """Its file's result is already in hand: `parse_alone` waits `ALONE_EXIT_S` for the exit, not for ever."""
    proc = subprocess.run([sys.executable, "-c", LINGERING_PARSER, str(tmp_path / "store")], capture_output=True, text=True,
                          timeout=60, cwd=REPO)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    result, seconds = proc.stdout.splitlines()
    assert result == "('skipped', 'read run.fit')"
    assert 1 <= float(seconds) < 30  # waited its second for the exit, then killed it: not the thread's hour
