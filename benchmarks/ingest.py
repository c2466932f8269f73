"""Ingest benchmark: 1,000 runs, cold and warm, against plain fitparse.

Run: python benchmarks/ingest.py [--runs 1000] [--workers N]

Builds (or reuses) an export of one-hour-ish FIT runs in benchmarks/.data/,
then measures, in this one process and one after the other:
  * plain fitparse decoding every record of every file (the reference),
  * a cold ingest (empty cache, all cores),
  * a warm ingest (everything cached),
  * the analysis of the warm export (per-run metrics, weeks, flags) and one weekly report,
and prints one table. Peak memory is the largest resident size of this
process and its worker processes (ru_maxrss).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"


def build(n: int) -> Path:
    from hamstring_analyzer.synthetic import RunPlan, Segment, write_fit

    folder = DATA / f"export-{n}"
    if folder.exists() and len(list(folder.glob("*.fit"))) == n:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = dt.datetime(2020, 1, 1, 7, 0)
    for i in range(n):
        minutes = 40 + (i * 7) % 50  # 40-89 minutes, 1 s recording like a modern watch
        plan = RunPlan(start + dt.timedelta(days=i * 1.3), [Segment(minutes * 60, 3.0 + (i % 5) * 0.1, 172 + i % 8)], seed=i, sample_every_s=1)
        (folder / f"run-{i:04d}.fit").write_bytes(write_fit(plan))
    return folder


def fitparse_all(folder: Path) -> tuple[float, int]:
    import fitparse

    t0 = time.perf_counter()
    n = 0
    for path in sorted(folder.glob("*.fit")):
        for message in fitparse.FitFile(io.BytesIO(path.read_bytes())).get_messages("record"):
            message.get_values()
            n += 1
    return time.perf_counter() - t0, n


def peak_mb() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(me, kids) / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--fitparse-sample", type=int, default=100, help="files fitparse decodes; its time is scaled to all files")
    args = parser.parse_args()
    from hamstring_analyzer.export import load_runs

    folder = build(args.runs)
    size_mb = sum(p.stat().st_size for p in folder.glob("*.fit")) / 2**20
    sample = DATA / "fitparse-sample"
    shutil.rmtree(sample, ignore_errors=True)
    sample.mkdir()
    files = sorted(folder.glob("*.fit"))
    step = max(1, len(files) // args.fitparse_sample)
    chosen = files[::step][: args.fitparse_sample]
    for p in chosen:
        shutil.copy(p, sample / p.name)
    slow_s, slow_records = fitparse_all(sample)
    chosen_mb = sum(p.stat().st_size for p in chosen) / 2**20
    fitparse_total = slow_s * size_mb / chosen_mb  # fitparse time grows with bytes decoded
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        cold = load_runs(folder, cache_dir=cache, workers=args.workers)
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = load_runs(folder, cache_dir=cache, workers=args.workers)
        warm_s = time.perf_counter() - t0
    assert len(cold.runs) == len(warm.runs) == args.runs, (len(cold.runs), len(warm.runs))
    assert warm.parsed == 0
    from hamstring_analyzer.analysis import analyze
    from hamstring_analyzer.report import week_png

    t0 = time.perf_counter()
    result = analyze(warm)
    analyze_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    week_png(result, max(result.weeks.index))
    report_s = time.perf_counter() - t0
    rows = [
        ("fitparse, every record (scaled from %d files)" % len(chosen), fitparse_total, 1.0),
        ("ingest, cold (empty cache)", cold_s, fitparse_total / cold_s),
        ("ingest, warm (all cached)", warm_s, fitparse_total / warm_s),
        (f"analyze the warm export ({len(result.flags)} flags)", analyze_s, fitparse_total / analyze_s),
        ("one weekly report picture", report_s, float("nan")),
    ]
    print(f"{args.runs} runs, {size_mb:.0f} MiB of FIT, {sum(len(r.records) for r in warm.runs):,} records")
    print(f"{'what':<48}{'seconds':>9}{'runs/s':>9}{'x fitparse':>12}")
    for name, secs, ratio in rows:
        runs_per_s = f"{args.runs / secs:>9.0f}" if "picture" not in name else f"{'-':>9}"
        print(f"{name:<48}{secs:>9.2f}{runs_per_s}{ratio:>12.1f}")
    print(f"peak memory (largest process): {peak_mb():.0f} MB")
    print("targets: cold >= 20x fitparse, warm < 2 s, peak < 1 GB")


if __name__ == "__main__":
    sys.exit(main())
