"""Cohort at scale: daily-log rows per CPU-second on a generated 2,000-athlete year and a 36,412-athlete year.

    python benchmarks/scale_cohort.py                    # 2,000 and 36,412 athletes x 52 weeks, 2 workers
    python benchmarks/scale_cohort.py --athletes 2000    # one size only
    python benchmarks/scale_cohort.py --data DIR         # keep the generated logs in DIR (generating 36,412 takes minutes)

The logs have the public running log's columns (Afonseca et al. 2022: the
unnamed index, datetime, athlete, distance [km], duration [min], gender,
age_group, country, major; a row for every day, rest days as zeros), made
by `synthetic_cohort.write_large_daily_log`. Each size runs in a fresh
process: `run_cohort` on Dask's LocalCluster when Dask is installed (else a
local process pool), with ``--workers`` processes. CPU is the whole process
tree's (the driver, and its workers once they ended: RUSAGE_CHILDREN); peak
memory is given for the driver and for each worker (Dask reports each
worker's own; a process pool, the largest child's).

Flags are checked against ``analyze``: the first ``--check`` athletes of a
cohort are the first athletes of any cohort of the same seed, so a small log
of them is analysed athlete by athlete (each alone, its own store) and their
flags compared with the large run's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 16


def phase(args) -> None:
    """In a fresh process: one cohort run; prints one JSON line."""
    from hamstring_analyzer.cohort import run_cohort, start_client, worker_peak_rss

    client = None
    try:
        client = start_client(None, args.workers)
    except Exception:  # noqa: BLE001 - no Dask: run_cohort's own local pool
        client = None
    t = time.perf_counter()
    summary = run_cohort(args.root, args.out, client=client, workers=args.workers, partition_rows=args.partition_rows)
    wall = time.perf_counter() - t
    workers_rss = sorted(worker_peak_rss(client).values()) if client is not None else []
    if client is not None:
        cluster = client.cluster
        client.close()
        cluster.close()
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not workers_rss:
        workers_rss = [children.ru_maxrss * 1024]
    print(json.dumps({
        "rows": summary.log["rows"], "athletes": summary.athletes, "analysed": summary.analysed, "runs": summary.runs,
        "flags": summary.flags, "arrays": summary.log["arrays"], "one_by_one": summary.log["one_by_one"],
        "partitions": summary.log["partitions"], "wall_s": wall, "seconds": summary.seconds,
        "cpu_s": self_.ru_utime + self_.ru_stime + children.ru_utime + children.ru_stime,
        "driver_rss": self_.ru_maxrss * 1024, "workers_rss": workers_rss, "dask": client is not None,
    }))  # fmt: skip


def run_phase(root: Path, out: Path, workers: int, partition_rows: int) -> dict:
    cmd = [sys.executable, __file__, "--phase", "--root", str(root), "--out", str(out), "--workers", str(workers),
           "--partition-rows", str(partition_rows)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"), timeout=4 * 3600)
    if done.returncode != 0:
        raise SystemExit(f"phase failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def flags_equal(big_out: Path, n: int, tmp: Path) -> str:
    """The first ``n`` athletes' flags in ``big_out`` against ``analyze`` on each alone."""
    import pyarrow.parquet as pq

    from hamstring_analyzer.analysis import analyze_athlete
    from hamstring_analyzer.cohort import run_cohort
    from hamstring_analyzer.synthetic_cohort import write_large_daily_log

    log, _ = write_large_daily_log(tmp / "check" / "log.csv", n, seed=SEED)
    run_cohort(log, tmp / "check-out", plain=True, athlete_logs=True)
    got: dict = {}
    for row in pq.read_table(big_out / "flags").to_pylist():
        got.setdefault(row.pop("athlete"), []).append(row)

    def key(f):
        return (f["date"], f["rule"], f["run_id"] or "")

    same = n_flags = 0
    for i in range(n):
        result = analyze_athlete(tmp / "check-out" / "partitions" / str(i), workers=1, cache_dir=tmp / "check-store" / str(i))
        expected = [f.to_dict() for f in result.flags]
        n_flags += len(expected)
        same += sorted(got.get(str(i), []), key=key) == sorted(expected, key=key)
    return f"{'yes' if same == n else 'NO'} ({same}/{n} athletes, {n_flags} flags)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--athletes", default="2000,36412", help="Cohort sizes, comma-separated (default 2000,36412).")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-rows", type=int, default=250_000)
    parser.add_argument("--check", type=int, default=25, help="Athletes compared with analyze (0: none).")
    parser.add_argument("--data", help="Keep (and reuse) the generated logs here.")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args)
        return

    from hamstring_analyzer.synthetic_cohort import write_large_daily_log

    print(f"Cohort scale benchmark; machine: {os.cpu_count()} cores; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cohort-scale-") as tmp:
        tmp = Path(tmp)
        data = Path(args.data) if args.data else tmp
        for n in [int(x) for x in args.athletes.split(",")]:
            log = data / f"cohort-{n}x{args.weeks}" / "run_ww_2019_d.csv"
            if not log.exists():
                t = time.perf_counter()
                _, written = write_large_daily_log(log, n, weeks=args.weeks, seed=SEED)
                print(f"Generated {n} athletes x {args.weeks} weeks: {written:,} rows, {log.stat().st_size / 2**20:,.0f} MiB "
                      f"in {time.perf_counter() - t:.0f} s")  # fmt: skip
            r = run_phase(log, tmp / f"out-{n}", args.workers, args.partition_rows)
            check = flags_equal(tmp / f"out-{n}", min(args.check, n), tmp / f"check-{n}") if args.check else "-"
            rows.append((f"{n:,} x {args.weeks} wk", f"{r['rows']:,}", f"{r['runs']:,}", f"{sum(r['flags'].values()):,}",
                         f"{r['arrays']:,}/{r['one_by_one']:,}", str(r["partitions"]), "Dask" if r["dask"] else "pool",
                         f"{r['wall_s']:,.0f}", f"{r['cpu_s']:,.0f}", f"{r['rows'] / r['cpu_s']:,.0f}",
                         f"{r['driver_rss'] / 2**20:,.0f}", "/".join(f"{x / 2**20:,.0f}" for x in r["workers_rss"]), check))  # fmt: skip
            print(f"  {n}: phases " + ", ".join(f"{k} {v:.0f} s" for k, v in r["seconds"].items()), flush=True)
    head = ("cohort", "rows", "runs", "flags", "arrays/alone", "parts", "engine", "wall s", "CPU s", "rows/CPU-s", "driver MiB",
            "worker MiB", "flags = analyze")  # fmt: skip
    table = [head, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    print()
    for r in table:
        print("  ".join(c.rjust(widths[i]) if 0 < i < len(head) - 1 else c.ljust(widths[i]) for i, c in enumerate(r)))
    print(f"\nTargets (issue 29): >= 20,000 rows per CPU-second; the 36,412-athlete year under 15 minutes wall on 2 cores; "
          f"under 1,536 MiB per process. Load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())}.")  # fmt: skip
    if any(r[-1].startswith("NO") for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
