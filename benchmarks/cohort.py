"""Cohort benchmark: a generated cohort through the plain single-machine path and Dask with 1 and 2 workers.

    python benchmarks/cohort.py            # 200 athletes x 1 year (daily log) and 12 athletes x 6 weeks of FIT files
    python benchmarks/cohort.py --quick    # 30 athletes x 1 year and 4 athletes x 3 weeks of FIT files

Each configuration runs in a fresh process, cold (an empty store) and then
again warm (the store already holds every file: the rerun skips decoding).
Prints, per configuration: runs/s (cold and warm), files decoded per second,
the peak resident memory of each worker process (of the one process for the
plain path), and whether the cohort's flags equal those of ``analyze`` run on
each athlete alone (yes/no, with the counts). The load average is printed
with the table: the machine may be shared.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def phase(args) -> None:
    """In a fresh process: one configuration, cold then warm; prints one JSON line."""
    import resource

    from hamstring_analyzer.cohort import run_cohort, start_client, worker_peak_rss

    out = Path(args.out)
    client = None if args.workers == 0 else start_client(None, args.workers)
    try:
        times = []
        summaries = []
        for _ in range(2):
            t = time.perf_counter()
            # athlete_logs: a daily log's athletes also as OUT/partitions/<athlete>/ (the reference analyses them alone)
            summaries.append(run_cohort(args.root, out, client=client, plain=client is None, athlete_logs=True))
            times.append(time.perf_counter() - t)
        if client is None:
            rss = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024]
        else:
            rss = sorted(worker_peak_rss(client).values())
    finally:
        if client is not None:
            cluster = client.cluster
            client.close()
            cluster.close()
    cold, warm = summaries
    print(json.dumps({
        "runs": cold.runs, "files": cold.decode["files"], "cold_s": times[0], "warm_s": times[1],
        "decode_s": cold.seconds.get("decode", 0.0), "warm_parsed": warm.decode["parsed"], "warm_hits": warm.decode["hits"],
        "rss": rss, "athletes": cold.athletes, "analysed": cold.analysed,
    }))  # fmt: skip


def reference_flags(athlete_roots: list[Path], cache: Path) -> dict[str, list]:
    """Each athlete's flags from ``analyze`` on that athlete alone (their own store), as the JSON writes them."""
    import hamstring_analyzer as ha

    out = {}
    for folder, name in athlete_roots:
        result = ha.analyze(ha.load_runs(folder, cache_dir=cache / folder.name, workers=1))
        out[name] = [f.to_dict() for f in result.flags]
    return out


def compare(out: Path, reference: dict[str, list]) -> tuple[bool, str]:
    import pyarrow.parquet as pq

    got: dict[str, list] = collections.defaultdict(list)
    for row in pq.read_table(out / "flags").to_pylist():
        got[row.pop("athlete")].append(row)

    def key(f):
        return (f["date"], f["rule"], f["run_id"] or "", f["severity"])

    equal = sum(1 for name, flags in reference.items() if sorted(got.get(name, []), key=key) == sorted(flags, key=key))
    n_flags = sum(len(v) for v in reference.values())
    ok = equal == len(reference) and set(got) <= set(reference)
    return ok, f"{'yes' if ok else 'NO'} ({equal}/{len(reference)} athletes, {n_flags} flags)"


def run_phase(root: Path, out: Path, workers: int) -> dict:
    cmd = [sys.executable, __file__, "--phase", "--root", str(root), "--out", str(out), "--workers", str(workers)]
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=7200)
    if done.returncode != 0:
        raise SystemExit(f"phase failed ({workers} workers):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="A small cohort (a minute or two).")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args)
        return

    from hamstring_analyzer.cohort import athlete_folder
    from hamstring_analyzer.synthetic_cohort import cohort_athletes, write_daily_log_cohort, write_folder_cohort

    n, weeks = (30, 52) if args.quick else (200, 52)
    n_fit, fit_weeks = (4, 3) if args.quick else (12, 6)
    load_before = uptime()
    print(f"Cohort benchmark ({'quick' if args.quick else 'full'}); machine: {os.cpu_count()} cores; {load_before}")
    with tempfile.TemporaryDirectory(prefix="cohort-bench-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        log = write_daily_log_cohort(tmp / "log" / "run_ww_2019_d.csv", cohort_athletes(n, weeks=weeks, seed=16))
        fit_root = write_folder_cohort(tmp / "fit", cohort_athletes(n_fit, weeks=fit_weeks, start=dt.date(2026, 3, 2), seed=16),
                                       sample_every_s=5)  # fmt: skip
        print(f"Generated {n} athletes x {weeks} weeks (daily log) and {n_fit} x {fit_weeks} weeks of FIT files "
              f"in {time.perf_counter() - t:.0f} s")  # fmt: skip
        rows, notes = [], []
        for layout, root, size in (("daily log", log, f"{n} x {weeks} wk"), ("FIT files", fit_root, f"{n_fit} x {fit_weeks} wk")):
            results = {}
            for label, workers in (("plain", 0), ("Dask 1 worker", 1), ("Dask 2 workers", 2)):
                out = tmp / f"out-{layout.split()[0]}-{workers}"
                results[label] = (run_phase(root, out, workers), out)
            if layout == "daily log":
                first_out = results["plain"][1]
                names = sorted(p.name for p in (first_out / "partitions").iterdir())
                roots = [(first_out / "partitions" / p, p) for p in names]
                import pandas as pd

                ids = pd.read_parquet(first_out / "athletes")["athlete"].tolist()
                by_folder = {athlete_folder(a): a for a in ids}
                roots = [(folder, by_folder[folder.name]) for folder, _ in roots]
            else:
                roots = [(p, p.name) for p in sorted(fit_root.iterdir()) if p.is_dir()]
            t = time.perf_counter()
            reference = reference_flags(roots, tmp / f"ref-{layout.split()[0]}")
            ref_s = time.perf_counter() - t
            for label, (r, out) in results.items():
                ok, text = compare(out, reference)
                rss = "/".join(f"{x / 2**20:.0f}" for x in r["rss"])
                rows.append((layout, size, label, r["runs"], r["files"], r["runs"] / r["cold_s"], r["runs"] / r["warm_s"],
                             r["files"] / r["decode_s"] if r["decode_s"] else float("nan"), rss,
                             f"{r['warm_parsed']} parsed, {r['warm_hits']} hits", text))  # fmt: skip
            notes.append(f"{layout}: the per-athlete analyze reference took {ref_s:.0f} s ({len(roots)} athletes, one process, own stores)")
        head = ("layout", "cohort", "path", "runs", "files", "runs/s cold", "runs/s warm", "files/s decode", "peak RSS MiB/worker",
                "rerun", "flags = analyze")  # fmt: skip
        table = [head] + [tuple(_cell(c) for c in row) for row in rows]
        widths = [max(len(r[i]) for r in table) for i in range(len(head))]
        print()
        for r in table:
            print("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(r)))
        print()
        for note in notes:
            print(note)
        print(f"Load before: {load_before}")
        print(f"Load after:  {uptime()}")
        bad = [r for r in rows if r[-1].startswith("NO")]
        print("PASS: cohort flags equal per-athlete analyze flags in every configuration" if not bad else "FAIL: flags differ")
        if bad:
            sys.exit(1)


def _cell(c) -> str:
    if isinstance(c, float):
        return "-" if c != c else f"{c:,.0f}"
    if c == 0 and not isinstance(c, bool):
        return "0"
    return str(c) if c != "" else ""


if __name__ == "__main__":
    main()
