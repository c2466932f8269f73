"""Memory benchmark (issue 27): peak resident size of an ingest of one hostile file beside a normal run.

Run: python benchmarks/memory.py [--big-mb 100] [--only CASE ...]

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
  * a FIT of as many records as the points budget allows, and one past it
    (refused before it is decoded),
  * a .gpx.gz inflating to 113 MiB (refused by the ratio test as it inflates).
Files are written to a temporary folder a point at a time; nothing big is
held by this script (each case is built by a process of its own), which matters: on Linux a child's peak (``ru_maxrss``)
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


def _case(root: Path, case: str) -> dict:
    folder = root / case
    folder.mkdir()
    # Built in a process of its own: this one stays small, so it cannot raise the ingest's peak.
    built = subprocess.run([sys.executable, __file__, "--build", case, str(folder), "--big-mb", str(ARGS.big_mb)],
                           capture_output=True, text=True, cwd=REPO, timeout=1800)  # fmt: skip
    if built.returncode:
        raise SystemExit(built.stderr)
    peaks = root / f"{case}-peaks.txt"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", INGEST, str(folder), str(peaks)], capture_output=True, text=True, cwd=REPO, timeout=1800)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    found = json.loads(proc.stdout)
    found.update(what=built.stdout.strip(), seconds=time.perf_counter() - t0)
    for f in folder.iterdir():
        f.unlink()  # free the disk before the next case
    return found


def build(case: str, folder: Path, big_mb: int) -> str:
    """Write one case's files into ``folder`` (a normal run and the hostile file); return what the file is."""
    from hamstring_analyzer.readers.files import MAX_FILE_BYTES
    from hamstring_analyzer.readers.track import MAX_TRACK_POINTS
    from hamstring_analyzer.synthetic import easy_run, write_fit
    from hamstring_analyzer.synthetic_budgets import gzip_bomb_gpx, write_big_gpx

    (folder / "normal.fit").write_bytes(write_fit(easy_run(dt.datetime(2026, 3, 2, 7, 0), 5)))
    if case == "big":
        n = write_big_gpx(folder / "big.gpx", big_mb * 10**6)
        return f"{big_mb} MB, {n:,} points"
    if case == "under-size":
        n = write_big_gpx(folder / "under.gpx", MAX_FILE_BYTES - 2**20, hr=False)
        return f"{(MAX_FILE_BYTES - 2**20) / 2**20:.0f} MiB, {n:,} points"
    if case in ("most-points", "largest"):
        path = folder / f"{case}.gpx"
        n = (write_big_gpx(path, points=MAX_TRACK_POINTS, hr=False) if case == "most-points"
             else write_big_gpx(path, MAX_FILE_BYTES - 2**20, hr=True))  # fmt: skip
        return f"{path.stat().st_size / 2**20:.0f} MiB, {n:,} points at 1 Hz"
    if case in ("fit-most", "fit-past"):
        records = MAX_TRACK_POINTS if case == "fit-most" else 504_000
        data = write_fit(easy_run(dt.datetime(2026, 3, 3, 7, 0), records / 360, pace_s_per_km=360, sample_every_s=1))
        (folder / f"{case}.fit").write_bytes(data)
        return f"{len(data) / 2**20:.0f} MiB, {records:,} records at 1 Hz"
    if case == "bomb":
        data = gzip_bomb_gpx(113 * 2**20)
        (folder / "bomb.gpx.gz").write_bytes(data)
        return f"{len(data) / 1024:.0f} KiB inflating to 113 MiB"
    return ""


CASES = {"normal": "normal run", "big": "plain GPX (--big-mb)", "under-size": "GPX under the size budget",
         "most-points": "most GPX points accepted", "largest": "largest GPX accepted", "fit-most": "most FIT records accepted",
         "fit-past": "FIT past the points budget", "bomb": "gzip bomb"}  # fmt: skip
ARGS = None


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mb", type=int, default=100, help="size of the plain GPX past the size budget [MB]")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="these cases only")
    parser.add_argument("--build", nargs=2, metavar=("CASE", "FOLDER"), help=argparse.SUPPRESS)
    ARGS = parser.parse_args()
    if ARGS.build:
        print(build(ARGS.build[0], Path(ARGS.build[1]), ARGS.big_mb))
        return
    print(f"{'case':<28}{'file':<36}{'peak MiB':>9}{'worker':>8}{'s':>6}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for case in ARGS.only or CASES:
            r = _case(Path(tmp), case)
            peak = max(r["main_kib"], r["worker_kib"]) / 1024
            outcome = "; ".join(f"{e['source']}: {e['error']}" for e in r["errors"]) or f"{len(r['runs'])} runs read"
            print(f"{CASES[case]:<28}{r['what']:<36}{peak:>9.0f}{r['worker_kib'] / 1024:>8.0f}{r['seconds']:>6.0f}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
