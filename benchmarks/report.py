"""Report benchmark: ``report --all`` (a PNG and an HTML page per week) on 1,000 runs.

Run: python benchmarks/report.py [--runs 1000] [--workers N] [--symptoms]

Builds (or reuses) the synthetic export of benchmarks/ingest.py in
benchmarks/.data/, ingests it once into a temporary cache (then reads it warm),
analyses it once, and times `write_all_reports` into an empty temporary folder
with 1 worker and with all cores (or ``--workers``). Prints wall and CPU time
per week (CPU counts this process and its finished worker processes), the
machine load before each run (os.getloadavg), and PASS/FAIL against the
target of 0.12 s of wall time per week. "cores used" (CPU / wall) shows how much
of the machine the run got: when other processes (or other login sessions, which
Linux's autogroup scheduling shares the cores between) are busy, more workers do
not get more cores.
"""

from __future__ import annotations

import argparse
import inspect
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workers_usage import reap_workers  # noqa: E402

TARGET_S_PER_WEEK = 0.12


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_all_reports(result, workers: int) -> tuple[float, float, tuple[float, float, float], int]:
    """Wall and CPU seconds of one ``--all`` into an empty folder, the load before it, and the files written."""
    from hamstring_analyzer.report import write_all_reports

    takes_workers = "workers" in inspect.signature(write_all_reports).parameters  # the code before issue 12 had none
    with tempfile.TemporaryDirectory() as out:
        load = os.getloadavg()
        c0, t0 = cpu_seconds(), time.perf_counter()
        if takes_workers:
            write_all_reports(result, out, workers=workers)
        else:
            write_all_reports(result, out)
        wall = time.perf_counter() - t0
        reap_workers()  # the fork server's workers count among this process's children
        cpu = cpu_seconds() - c0
        files = len(os.listdir(out))
    return wall, cpu, load, files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="the parallel run's workers (default: all cores)")
    parser.add_argument("--symptoms", action="store_true", help="add a synthetic symptom log (a line every 9 days)")
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    from ingest import build  # benchmarks/ingest.py: the same synthetic export

    from hamstring_analyzer.analysis import analyze
    from hamstring_analyzer.ingest import load_runs

    folder = build(args.runs)
    cache = tempfile.mkdtemp(prefix="report-bench-cache-")  # kept to the end: runs may read their samples from it
    try:
        load_runs(folder, cache_dir=cache)  # cold: fills the cache
        t0 = time.perf_counter()
        export = load_runs(folder, cache_dir=cache)  # warm
        warm_s = time.perf_counter() - t0
        symptoms = None
        if args.symptoms:
            import datetime as dt

            from hamstring_analyzer.symptoms import SymptomEntry

            first = min(a.start_local.date() for a in export.runs)
            last = max(a.start_local.date() for a in export.runs)
            symptoms = [SymptomEntry(first + dt.timedelta(days=d), 1 + d % 7, kind="tightness") for d in range(0, (last - first).days, 9)]
        t0 = time.perf_counter()
        result = analyze(export, symptoms=symptoms)
        analyze_s = time.perf_counter() - t0
        weeks = len(result.weeks)
        cores = os.cpu_count() or 1
        parallel = args.workers or cores
        rows = []
        for workers in dict.fromkeys([1, parallel]):
            wall, cpu, load, files = time_all_reports(result, workers)
            assert files == 2 * weeks + 1, (files, weeks)
            rows.append((workers, wall, cpu, load))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    print(f"{args.runs} runs, {weeks} weeks, {len(result.flags)} flags; warm ingest {warm_s:.2f} s, analysis {analyze_s:.2f} s (once, not timed below)")
    print(f"machine: {cores} cores; load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    head = (
        f"{'report --all':<14}{'wall s':>8}{'s/week':>8}{'CPU s/week':>11}{'cores used':>11}"
        f"{'load 1/5/15 min before':>24}{'target s/week':>15}{'':>6}"
    )
    print(head)
    print("-" * len(head))
    busy = False
    for workers, wall, cpu, load in rows:
        per = wall / weeks
        verdict = "PASS" if per <= TARGET_S_PER_WEEK else "FAIL"
        name = f"{workers} worker{'s' if workers != 1 else ''}"
        loads = " ".join(f"{x:.2f}" for x in load)
        used = cpu / wall  # below the workers' count when other processes share the cores
        busy |= used < 0.8 * min(workers, cores)
        print(f"{name:<14}{wall:>8.2f}{per:>8.3f}{cpu / weeks:>11.3f}{used:>11.2f}{loads:>24}{TARGET_S_PER_WEEK:>15.2f}{verdict:>6}")
    if busy:
        print(
            "note: fewer cores were ours than workers ran (cores used = CPU / wall): other processes shared the\n"
            "machine, so wall time here is not the reports' alone. CPU s/week / workers is the wall time to expect\n"
            "with the cores to ourselves."
        )

if __name__ == "__main__":
    sys.exit(main())
