"""Files go to parser workers a few per task: the crash, memory and progress guarantees hold as with one per task.

The stand-in parser goes to the workers as an argument: they start fresh from
the fork server and import it by name (`tests.standins`).
"""

from __future__ import annotations

import datetime as dt
import signal
from concurrent.futures import ProcessPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hamstring_analyzer.ingest.pool as ex
from hamstring_analyzer import workers
from hamstring_analyzer.ingest import FAILED, load_runs
from hamstring_analyzer.ingest.pool import parse_all
from hamstring_analyzer.ingest.wording import crash_reason
from hamstring_analyzer.store import RunStore
from hamstring_analyzer.synthetic import easy_run, write_fit

from ..standins import stand_in

from ..conftest import examples


def items(labels, size=100):
    return [(i, f"{i:040x}", label, b"x" * size, None) for i, label in enumerate(labels)]


def expected(label, size=100):
    if "segv" in label:
        return (FAILED, crash_reason(-signal.SIGSEGV))
    if "raises" in label:
        return (FAILED, "could not be read: the computer ran out of memory")
    return ("skipped", f"read {label} ({size} bytes)")


@pytest.fixture
def store(tmp_path):
    s = RunStore(tmp_path / "store")
    s.readonly = True  # results come back as the parser gave them
    return s


def run(pending, store, workers=1, batch_files=4):
    out = {}
    for i, key, result in parse_all(pending, workers, store, batch_files, parse=stand_in):
        assert i not in out, f"file {i} came back twice"
        out[i] = result
    return out


def test_a_crash_in_a_batch_costs_only_its_file(store):
    """The crasher's batch-mates and the files in flight with it are read again alone, the rest by a new pool."""
    labels = [f"run{i}.fit" for i in range(11)]
    labels[2], labels[5] = "raises.fit", "segv.gpx"
    got = run(items(labels), store)
    assert got == {i: expected(label) for i, label in enumerate(labels)}


@settings(max_examples=examples(6), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["ok", "ok", "ok", "raises", "segv"]), min_size=1, max_size=14)
       .filter(lambda kinds: kinds.count("segv") <= 2),
       st.integers(1, 5), st.integers(1, 2))
def test_every_file_comes_back_once_with_its_own_result(store, kinds, batch_files, workers):
    labels = [f"{kind}-{i}.fit" for i, kind in enumerate(kinds)]
    assert run(items(labels), store, workers, batch_files) == {i: expected(label) for i, label in enumerate(labels)}


def _outstanding(pending_items, store, **kw):
    """The most files taken from the pending ones and not yet come back, at any time."""
    taken = done = most = 0

    def source():
        nonlocal taken, most
        for item in pending_items:
            taken += 1
            most = max(most, taken - done)
            yield item

    for _ in parse_all(source(), kw.get("workers", 1), store, kw.get("batch_files", 4), parse=stand_in):
        done += 1
    assert done == len(pending_items)
    return most


def test_files_in_flight_stay_bounded(store, monkeypatch):
    assert _outstanding(items([f"run{i}.fit" for i in range(30)]), store) <= ex.WINDOW_PER_WORKER * 4
    monkeypatch.setattr(ex, "MAX_INFLIGHT_BYTES", 250)  # two and a half files: at most three in flight
    assert _outstanding(items([f"run{i}.fit" for i in range(30)]), store) <= 3
    monkeypatch.setattr(ex, "MAX_INFLIGHT_BYTES", 1)  # always at least one in flight, never more here
    assert _outstanding(items([f"run{i}.fit" for i in range(12)]), store) == 1


class CountingPool(ProcessPoolExecutor):
    """The pool, noting how many files each task takes."""

    batches: list[int] = []

    def submit(self, fn, *args, **kwargs):
        CountingPool.batches.append(len(args[1]))
        return super().submit(fn, *args, **kwargs)


def test_tasks_hold_a_few_files_and_a_big_file_closes_its_task(store, monkeypatch):
    monkeypatch.setattr(workers, "ProcessPoolExecutor", CountingPool)  # the pools of `workers.start_pool`
    monkeypatch.setattr(CountingPool, "batches", [])
    monkeypatch.setattr(ex, "BATCH_BYTES", 250)
    pending = items([f"run{i}.fit" for i in range(9)])
    pending[4] = (4, pending[4][1], "run4.fit", b"x" * 1000, None)
    got = run(pending, store, batch_files=8)
    assert got == {i: expected(f"run{i}.fit", 1000 if i == 4 else 100) for i in range(9)}
    assert CountingPool.batches == [3, 2, 3, 1]  # files are added while the task holds under 250 bytes
    CountingPool.batches = []
    assert run(items([f"run{i}.fit" for i in range(9)]), store, batch_files=4) and CountingPool.batches == [3, 3, 3]
    CountingPool.batches = []
    monkeypatch.setattr(ex, "BATCH_BYTES", 10_000)
    assert run(items([f"run{i}.fit" for i in range(9)]), store, batch_files=4) and CountingPool.batches == [4, 4, 1]


def test_progress_counts_every_file_of_a_batched_ingest(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for day in range(1, 13):
        (folder / f"run{day:02d}.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, day, 7, 0), 3, seed=day)))
    calls = []
    export = load_runs(folder, workers=1, cache_dir=tmp_path / "cache", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 12) for n in range(1, 13)]
    assert len(export.runs) == 12 and export.errors == []
