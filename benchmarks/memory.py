"""Memory benchmark (issue 27): peak resident size of an ingest of one hostile file beside a normal run.

Run: python benchmarks/memory.py [--big-mb 100]

Each case is a folder holding one normal 5 km FIT run and one file past a
budget, ingested by `load_runs` in a fresh process with two workers; the
peak is the largest resident size of that process and of its parser
workers (each notes its own), so one case never inherits another's memory.
Cases:
  * a normal run alone (the floor: Python, pandas, the store),
  * a plain GPX of --big-mb MB (refused unread: larger than any activity file),
  * a plain GPX just under the size budget whose points are past the points
    budget (refused while it streams),
  * the GPX with the most points the budgets accept (the points budget, one a second),
  * the largest GPX they accept (just under the size budget, with heart rate),
  * a .gpx.gz inflating to 113 MiB (refused by the ratio test as it inflates).
Files are written to a temporary folder a point at a time; nothing big is
held by this script, which matters: on Linux a child's peak (``ru_maxrss``)
starts at its parent's peak, kept across ``exec``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: Run in a fresh process: ingest the folder, print what was read and the peak RSS [KiB] of it and its workers.
INGEST = """
import json, os, resource, sys
from hamstring_analyzer.ingest import load_runs
from tests.standins import peak_noting
os.environ["HAMSTRING_TEST_PEAK_FILE"] = peaks = sys.argv[2]
e = load_runs(sys.argv[1], use_cache=False, workers=2, parse=peak_noting)
workers = [int(line) for line in open(peaks)]
print(json.dumps({"runs": [r.source for r in e.runs], "errors": e.errors,
                  "main_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "worker_kib": max(workers, default=0)}))
"""


def _case(root: Path, name: str, build) -> dict:
    from hamstring_analyzer.synthetic import easy_run, write_fit

    folder = root / name
    folder.mkdir()
    (folder / "normal.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, 2, 7, 0), 5)))
    what = build(folder) if build else ""
    peaks = root / f"{name}-peaks.txt"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", INGEST, str(folder), str(peaks)], capture_output=True, text=True, cwd=REPO, timeout=1800)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    found = json.loads(proc.stdout)
    found.update(name=name, what=what, seconds=time.perf_counter() - t0)
    for f in folder.iterdir():
        f.unlink()  # free the disk before the next case
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mb", type=int, default=100, help="size of the plain GPX past the size budget [MB]")
    args = parser.parse_args()
    from hamstring_analyzer.readers.files import MAX_FILE_BYTES
    from hamstring_analyzer.readers.track import MAX_TRACK_POINTS
    from hamstring_analyzer.synthetic_budgets import gzip_bomb_gpx, write_big_gpx

    def big(folder: Path) -> str:
        n = write_big_gpx(folder / "big.gpx", args.big_mb * 10**6)
        return f"{args.big_mb} MB, {n:,} points"

    def under_size(folder: Path) -> str:
        n = write_big_gpx(folder / "under.gpx", MAX_FILE_BYTES - 2**20, hr=False)
        return f"{(MAX_FILE_BYTES - 2**20) / 2**20:.0f} MiB, {n:,} points"

    def longest(folder: Path) -> str:
        n = write_big_gpx(folder / "longest.gpx", points=MAX_TRACK_POINTS, hr=False)
        return f"{(folder / 'longest.gpx').stat().st_size / 2**20:.0f} MiB, {n:,} points at 1 Hz"

    def largest(folder: Path) -> str:
        n = write_big_gpx(folder / "largest.gpx", MAX_FILE_BYTES - 2**20, hr=True)
        return f"{(folder / 'largest.gpx').stat().st_size / 2**20:.0f} MiB, {n:,} points at 1 Hz"

    def bomb(folder: Path) -> str:
        data = gzip_bomb_gpx(113 * 2**20)
        (folder / "bomb.gpx.gz").write_bytes(data)
        return f"{len(data) / 1024:.0f} KiB inflating to 113 MiB"

    cases = [("normal run", None), (f"plain GPX {args.big_mb} MB", big), ("GPX under the size budget", under_size),
             ("most points accepted", longest), ("largest GPX accepted", largest), ("gzip bomb", bomb)]  # fmt: skip
    print(f"{'case':<28}{'file':<36}{'peak MiB':>9}{'worker':>8}{'s':>6}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in cases:
            r = _case(Path(tmp), name.replace(" ", "-"), build)
            peak = max(r["main_kib"], r["worker_kib"]) / 1024
            outcome = "; ".join(f"{e['source']}: {e['error']}" for e in r["errors"]) or f"{len(r['runs'])} runs read"
            print(f"{name:<28}{r['what']:<36}{peak:>9.0f}{r['worker_kib'] / 1024:>8.0f}{r['seconds']:>6.0f}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
