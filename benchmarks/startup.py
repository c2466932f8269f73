"""Startup benchmark: the quick commands against a bare interpreter.

Run: python benchmarks/startup.py [--runs 15] [--python PYTHON]

Starts each of these as a fresh process, --runs times, round robin so that a
busy moment of the machine hits them all alike, after one warm-up run each:
  * ``python -c pass`` (the reference),
  * ``python -c "import hamstring_analyzer"``,
  * ``python -m hamstring_analyzer --help``,
  * ``python -m hamstring_analyzer symptoms list LOG`` on a small log,
  * ``python -m hamstring_analyzer symptoms add LOG ...`` on the same log,
and prints one table of median wall-clock and CPU (user + system) times, with
their ratio to the bare interpreter. The processes start in a temporary
folder with their own bytecode cache there (PYTHONPYCACHEPREFIX), so that,
as for an installed package, nothing is compiled after the warm-up, even
where PYTHONDONTWRITEBYTECODE is set, and the checkout gets no .pyc files. Target (issue 12): at most 3x the bare
interpreter's wall-clock time; the exit status is 1 when a command misses it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 3.0  #: at most this many times a bare interpreter's wall-clock time

LOG = """date,severity,side,location,kind,when,note
2026-03-02,4,right,upper near the sit bone,pain,sitting,desk day
2026-03-04,2,both,,tightness,after run,
2026-03-07,1,left,mid thigh,fatigue,next day,long run
"""


def commands(python: str, log: Path) -> list[tuple[str, list[str]]]:
    cli = [python, "-m", "hamstring_analyzer"]
    return [
        ("python -c pass", [python, "-c", "pass"]),
        ("import hamstring_analyzer", [python, "-c", "import hamstring_analyzer"]),
        ("hamstring-analyzer --help", cli + ["--help"]),
        ("hamstring-analyzer symptoms list", cli + ["symptoms", "list", str(log)]),
        ("hamstring-analyzer symptoms add", cli + ["symptoms", "add", str(log), "--date", "2026-03-09", "--severity", "3"]),
    ]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: list[str], cwd: str, env: dict) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``argv``; fails loudly when the command does."""
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    wall = time.perf_counter() - t0
    cpu = children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr.decode(errors='replace')}")
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command; the median is shown")
    parser.add_argument("--python", default=sys.executable, help="the interpreter with hamstring-analyzer installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "symptoms.csv"
        log.write_text(LOG, encoding="utf-8")
        todo = commands(args.python, log)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for _, argv in todo:  # warm-up: disk cache, .pyc files
            run_once(argv, tmp, env)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in todo}
        for _ in range(args.runs):
            for name, argv in todo:
                times[name].append(run_once(argv, tmp, env))
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
    bare = todo[0][0]
    print(f"{args.python}, median of {args.runs} runs each, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':<36}{'wall ms':>9}{'cpu ms':>9}{'x bare':>8}{'x bare cpu':>12}{'target':>9}{'':>6}")
    failed = False
    for name, _ in todo:
        ratio, cpu_ratio = wall[name] / wall[bare], cpu[name] / cpu[bare] if cpu[bare] else float("nan")
        if name == bare:
            target, verdict = "-", ""
        else:
            target, verdict = f"<={TARGET:g}x", "PASS" if ratio <= TARGET else "FAIL"
            failed |= ratio > TARGET
        print(f"{name:<36}{wall[name] * 1000:>9.1f}{cpu[name] * 1000:>9.1f}{ratio:>8.2f}{cpu_ratio:>12.2f}{target:>9}{verdict:>6}")
    print(f"target: every command at most {TARGET:g}x the bare interpreter's wall-clock time")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
