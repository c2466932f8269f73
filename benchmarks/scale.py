"""Analysis at scale: one runner's history and a cohort, each part's table in one run.

Run: python benchmarks/scale.py [--quick]

  * `scale_runner.py`: analyze on a warm store of 3,000 runs against the warm
    ingest of the same export (target: at most 2x, CPU of whole processes),
    and ``report --all`` CPU per week on 1,000 runs (target: 0.06 s);
  * `scale_cohort.py`: cohort rows per CPU-second on a generated 2,000- and
    36,412-athlete year (the public running log's size, its columns), peak
    memory per process, and the flags compared with ``analyze`` (targets:
    20,000 rows per CPU-second, the 36,412-athlete year under 15 minutes on
    2 cores, under 1.5 GB per process).

``--quick`` runs smaller sizes (1,000 and 300 runs; a 2,000-athlete year only)
to check the benchmark itself; its numbers are not the targets'. Each part
runs as its own process, so the other's memory never counts; the exit status
is non-zero when a part fails or its flags differ from ``analyze``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, to check the benchmark runs")
    args = ap.parse_args()
    runner = ["--runs", "1000", "--report-runs", "300"] if args.quick else []
    cohort = ["--athletes", "2000"] if args.quick else []
    status = 0
    for script, extra in (("scale_runner.py", runner), ("scale_cohort.py", cohort)):
        print(f"\n== {script} {' '.join(extra)}".rstrip(), flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *extra])
    sys.exit(status)


if __name__ == "__main__":
    main()
