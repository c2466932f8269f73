"""One runner at scale (issue 29): analysis against reading, and ``report --all`` per week.

Run: python benchmarks/scale_runner.py [--runs 3000] [--report-runs 1000] [--workers 1]

Builds (or reuses) the synthetic exports of benchmarks/ingest.py in
benchmarks/.data/ (one-hour-ish FIT runs, a second per sample), fills a
temporary store once (a cold ingest, not timed), then times whole commands
as child processes, their CPU time read with ``resource.getrusage(RUSAGE_CHILDREN)``
(each command and the workers it waited for):

  * ``ingest`` on the warm store (reading: every file's summary from the store),
  * ``analyze`` on the warm store (reading, then the runs table, weeks, rules and plan),
  * ``report --all`` on ``--report-runs`` runs (every week's PNG, phone picture (SVG) and page).

Targets (issue 29): analyze at most 2x the warm ingest of the same export;
``report --all`` at most 0.06 s of CPU per week. Prints one table; ratios are
of CPU seconds measured in this one run, so a busy machine shifts them little.
`benchmarks/scale.py` calls `measure` together with the cohort's part.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ingest import build  # noqa: E402  (the exports of the ingest benchmark)

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
#: analyze warm / ingest warm, CPU (issue 29).
TARGET_ANALYZE_RATIO = 2.0
#: ``report --all`` CPU seconds per week (issue 29).
TARGET_REPORT_S_PER_WEEK = 0.06


def _adopt_descendants() -> None:
    """Become a subreaper: a command's fork server and its workers outlive the command's own wait, and are reaped here."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap() -> None:
    """Wait for every descendant left (adopted orphans): their CPU time then counts in RUSAGE_CHILDREN."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_command(args: list[str], store: Path, workers: int) -> tuple[float, float, bytes]:
    """(CPU seconds, wall seconds, stdout) of ``hamstring-analyzer ARGS`` on ``store``, as a child process."""
    cmd = [sys.executable, "-m", "hamstring_analyzer", *args, "-q", "--cache-dir", str(store), "--workers", str(workers)]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    c0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env)
    _reap()  # the report's drawing workers are the fork server's children, not the command's
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    return cpu, wall, done.stdout


def measure(runs: int = 3000, report_runs: int = 1000, workers: int = 1) -> dict:
    """The numbers of the table: warm ingest and analyze on ``runs``, ``report --all`` per week on ``report_runs``."""
    _adopt_descendants()
    out: dict = {"runs": runs, "report_runs": report_runs, "load": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = build(runs)
        store = tmp / "store"
        run_command(["ingest", str(folder), "--json", str(tmp / "cold.json")], store, max(workers, 2))  # fill the store
        out["ingest_cpu"], out["ingest_wall"], _ = run_command(["ingest", str(folder), "--json", str(tmp / "ingest.json")], store, workers)
        out["analyze_cpu"], out["analyze_wall"], _ = run_command(["analyze", str(folder), "--json", str(tmp / "analyze.json")], store, workers)
        out["flags"] = len(json.loads((tmp / "analyze.json").read_text())["flags"])
        out["analyze_ratio"] = out["analyze_cpu"] / out["ingest_cpu"]
        folder = build(report_runs)
        run_command(["ingest", str(folder), "--json", str(tmp / "cold-report.json")], store, max(workers, 2))
        pages = tmp / "pages"
        out["report_cpu"], out["report_wall"], _ = run_command(["report", str(folder), "--all", "--out", str(pages)], store, workers)
        out["weeks"] = len(list(pages.glob("week-*.html")))
        out["report_s_per_week"] = out["report_cpu"] / max(out["weeks"], 1)
        # one week's report: the start, reading and analysis every report pays once, and one week drawn
        out["one_cpu"], out["one_wall"], _ = run_command(["report", str(folder), "--out", str(tmp / "one")], store, workers)
        out["marginal_s_per_week"] = (out["report_cpu"] - out["one_cpu"]) / max(out["weeks"] - 1, 1)
    return out


def table(m: dict) -> str:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    rows = [
        ("what", "CPU s", "wall s", "target", ""),
        (f"ingest, warm store, {m['runs']:,} runs", f"{m['ingest_cpu']:.2f}", f"{m['ingest_wall']:.2f}", "", ""),
        (f"analyze, warm store, {m['runs']:,} runs ({m['flags']} flags)", f"{m['analyze_cpu']:.2f}", f"{m['analyze_wall']:.2f}", "", ""),
        ("analyze / ingest", f"{m['analyze_ratio']:.2f}x", "", f"<= {TARGET_ANALYZE_RATIO:g}x",
         verdict(m["analyze_ratio"] <= TARGET_ANALYZE_RATIO)),
        (f"report --all, {m['report_runs']:,} runs, {m['weeks']} weeks", f"{m['report_cpu']:.2f}", f"{m['report_wall']:.2f}", "", ""),
        ("report --all per week", f"{m['report_s_per_week']:.3f}", "", f"<= {TARGET_REPORT_S_PER_WEEK:g}",
         verdict(m["report_s_per_week"] <= TARGET_REPORT_S_PER_WEEK)),
        ("report of one week (start, reading, analysis)", f"{m['one_cpu']:.2f}", f"{m['one_wall']:.2f}", "", ""),
        ("each further week (picture, phone picture, page)", f"{m['marginal_s_per_week']:.3f}", "", "", ""),
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    load = ", ".join(f"{x:.1f}" for x in m["load"])
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:], f"(load average before: {load}; CPU of each command and its workers)"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3000, help="runs of the analyze/ingest export")
    ap.add_argument("--report-runs", type=int, default=1000, help="runs of the report --all export")
    ap.add_argument("--workers", type=int, default=1, help="worker processes of the timed commands")
    args = ap.parse_args()
    print(table(measure(args.runs, args.report_runs, args.workers)))


if __name__ == "__main__":
    main()
