"""Capture every command's JSON over the sample and real data, to check a refactor changed nothing.

    python -m tests.same_output capture OUT_DIR     # writes OUT_DIR/<case>.json
    python -m tests.same_output compare A_DIR B_DIR # byte-compares two captures

The cases: analyze, ingest and plan on ``sample_runs/``, ``../shared/real_runs``
and each runner of ``../shared/real_histories``; team and cohort over a root of
those athletes. Then the cases where days can go wrong (`_day_cases`): two
synthetic runners whose runs lie in Europe/London and America/Santiago across
their clock changes (with runs near midnight and a symptom log), analysed as
they are, with ``--since/--until`` mid-week and with Sunday weeks. The cohort's Parquet tables are written as JSON (records, sorted
columns) so that they compare as bytes too. Not a test (pytest does not collect
it): a refactor runs it before and after, and says the result in its note.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SHARED = HERE.parent / "shared"
ZONE = "Asia/Shanghai"


def _athletes() -> dict[str, tuple[Path, list[str]]]:
    cases = {"sample": (HERE / "sample_runs", [])}
    if (SHARED / "real_runs").is_dir():
        cases["real_runs"] = (SHARED / "real_runs", [])
    for runner in sorted((SHARED / "real_histories").glob("*/files")):
        cases[runner.parent.name] = (runner, ["--timezone", ZONE])
    return cases


#: The runners of `_day_cases`: a zone with clock changes, and where they run (the files' zone comes from the coordinates).
DAY_RUNNERS = {"london": ("Europe/London", (51.4545, -2.5879)), "santiago": ("America/Santiago", (-33.45, -70.66))}
#: The symptom log of both day runners: entries beside the clock changes of either zone.
DAY_SYMPTOMS = """date,severity,side,location,kind,when,note
2026-03-28,3,right,mid thigh,tightness,after run,before the spring change
2026-04-05,4,right,mid thigh,pain,next day,the day Santiago's clocks go back
2026-09-06,3,left,upper near the sit bone,tightness,during run,a midnight Santiago skips
2026-10-25,5,right,mid thigh,pain,after run,the day London's clocks go back
"""


def _day_runner(folder: Path, zone: str, origin: tuple[float, float]) -> Path:
    """Write 42 weeks of GPX runs from 2 Feb 2026 in ``zone``: easy days, a long Sunday, a jump now and then, some near midnight."""
    from hamstring_analyzer.synthetic import easy_run, write_gpx

    folder.mkdir(parents=True, exist_ok=True)
    monday = dt.date(2026, 2, 2)
    for week in range(42):
        grow = 1.6 if week % 9 == 5 else 1.0  # a sudden week, for the load rules
        for weekday, km, hour in ((1, 7, 7), (3, 8, 23), (5, 6, 0), (6, 12 + week % 6, 9)):
            d = monday + dt.timedelta(weeks=week, days=weekday)
            start = dt.datetime(d.year, d.month, d.day, hour, 30 if hour in (0, 23) else 0)
            plan = easy_run(start, km * grow, zone=zone, origin=origin, seed=week * 7 + weekday, sample_every_s=10,
                            pace_s_per_km=300 if weekday == 3 else 340)  # fmt: skip
            (folder / f"{d.isoformat()}-{hour:02d}.gpx.gz").write_bytes(gzip.compress(write_gpx(plan), mtime=0))
    return folder


def _day_cases(tmp: Path) -> dict[str, list[str]]:
    """The commands of the day cases, by file name: zones with clock changes, mid-week periods, Sunday weeks."""
    sunday = tmp / "sunday.toml"
    sunday.write_text('week_start = "sunday"\n')
    symptoms = tmp / "symptoms.csv"
    symptoms.write_text(DAY_SYMPTOMS)
    cases = {}
    for name, (zone, origin) in DAY_RUNNERS.items():
        path = str(_day_runner(tmp / name, zone, origin))
        base = [path, "--json", "-", "--timezone", zone]
        with_log = [*base, "--symptoms", str(symptoms)]
        cases[f"day-analyze-{name}.json"] = ["analyze", *with_log]
        cases[f"day-analyze-{name}-period.json"] = ["analyze", *with_log, "--since", "2026-03-25", "--until", "2026-10-28"]
        cases[f"day-analyze-{name}-sunday.json"] = ["analyze", *with_log, "--config", str(sunday)]
        cases[f"day-plan-{name}.json"] = ["plan", *base, "--until", "2026-10-28"]
        cases[f"day-plan-{name}-sunday.json"] = ["plan", *base, "--until", "2026-09-06", "--config", str(sunday)]
    sample = [str(HERE / "sample_runs"), "--json", "-", "--symptoms", str(HERE / "sample_runs" / "symptoms.csv")]
    cases["day-analyze-sample-period.json"] = ["analyze", *sample, "--since", "2026-06-10", "--until", "2026-08-20"]
    cases["day-analyze-sample-sunday.json"] = ["analyze", *sample, "--config", str(sunday)]
    return cases


def _cli(args: list[str], cache: Path) -> bytes:
    cmd = [sys.executable, "-m", "hamstring_analyzer", *args, "-q", "--cache-dir", str(cache)]
    done = subprocess.run(cmd, capture_output=True, env={**os.environ, "MPLBACKEND": "Agg"})
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    return done.stdout


def capture(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        for name, (path, extra) in _athletes().items():
            for command in ("ingest", "analyze", "plan"):
                t = time.perf_counter()
                (out / f"{command}-{name}.json").write_bytes(_cli([command, str(path), "--json", "-", *extra], cache))
                print(f"{command:8} {name:12} {time.perf_counter() - t:6.1f} s", flush=True)
        root = Path(tmp) / "team"
        root.mkdir()
        for name, (path, _) in _athletes().items():
            (root / name).symlink_to(path, target_is_directory=True)
        t = time.perf_counter()
        team = _cli(["team", str(root), "--out", str(Path(tmp) / "team-out"), "--json", "-", "--week", "2024-06-10",
                     "--timezone", ZONE], cache)  # fmt: skip
        (out / "team.json").write_bytes(team)
        print(f"team     {time.perf_counter() - t:6.1f} s", flush=True)
        t = time.perf_counter()
        from hamstring_analyzer.cohort import cohort_tables, run_cohort

        run_cohort(root, Path(tmp) / "cohort", timezone=ZONE, plain=True)
        for table, frame in cohort_tables(Path(tmp) / "cohort").items():
            frame = frame.reindex(sorted(frame.columns), axis=1)
            if len(frame.columns):
                frame = frame.sort_values([c for c in ("athlete", "id", "week", "date", "start_utc") if c in frame], kind="stable")
            text = frame.to_json(orient="records", date_format="iso", default_handler=str)
            (out / f"cohort-{table}.json").write_text(json.dumps(json.loads(text), indent=1, sort_keys=True))
        print(f"cohort   {time.perf_counter() - t:6.1f} s", flush=True)
        for name, args in _day_cases(Path(tmp)).items():
            t = time.perf_counter()
            (out / name).write_bytes(_cli(args, cache))
            print(f"{name:34} {time.perf_counter() - t:6.1f} s", flush=True)


def _content(path: Path):
    """A command's JSON as bytes; a cohort table as its sorted records (a table's row order is no contract)."""
    if path.name.startswith("cohort-"):
        return sorted(json.dumps(r, sort_keys=True) for r in json.loads(path.read_text()))
    return path.read_bytes()


def compare(a: Path, b: Path) -> int:
    names = sorted({p.name for p in a.glob("*.json")} | {p.name for p in b.glob("*.json")})
    bad = 0
    for name in names:
        pa, pb = a / name, b / name
        same = pa.exists() and pb.exists() and _content(pa) == _content(pb)
        size = pa.stat().st_size if pa.exists() else 0
        print(f"{'same' if same else 'DIFFERENT':9} {name:32} {size:>10,} bytes")
        bad += not same
    print(f"{len(names) - bad} of {len(names)} files identical (the cohort tables as sets of rows)")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "capture":
        capture(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        raise SystemExit(__doc__)
