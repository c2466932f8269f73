"""A daily log of many athletes as a cohort: partitions of whole athletes, each analysed on arrays.

`cohort.run_cohort` cuts the log into partition files
(`readers.daily_log_parts.cut_daily_log`: streamed, rows hashed by athlete,
so memory follows the partition, never the file) and runs
`analyse_log_part` once per partition, in a Dask worker or a local process.
A partition task:

1. reads its rows and checks them as the whole-file reader does
   (`readers.daily_log.frame_daily_log`: garbage rows are reported by line
   and reason);
2. analyses its athletes together on arrays (`cohort_rules`): the runs,
   the weeks and the summary rules' flags, the same as ``analyze`` gives
   each athlete alone;
3. sends the athletes that path does not take (`cohort_rules.eligible`,
   `cohort_rules.config_covered`) through the per-athlete path
   (`cohort_tasks.analyse_rows`: their own ``OUT/partitions/<athlete>/
   daily_log.csv`` and run store), and reports an athlete whose rows are all
   zero (no running day) in the athletes table;
4. writes its part of each cohort table (``OUT/<table>/part-NNNNN.parquet``).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_write_bytes
from .cohort_rules import EPOCH, SOURCE, Partition, build, config_covered, eligible, find_flags, mark_unfinished
from .cohort_tasks import SUMMARY_RULES, TABLES, analyse_rows, write_table
from .config import config_from_dict
from .dates import day_iso
from .readers.daily_log import athlete_csv, frame_daily_log
from .readers.daily_log_parts import cut_daily_log, estimate_rows, partition_count, read_partition
from .rules import RULES
from .safetext import escape_formula
from .team import Athlete, athlete_folder

#: What the athletes table says of an athlete whose every row is a rest day.
NO_RUNNING_DAY = "no running day: every row of this athlete in the daily log has zero distance"


def cut_logs(files: list[Path], work: Path, partition_rows: int, counts: dict, problems: list) -> list[list[tuple[str, str]]]:
    """Each daily log cut into partitions of whole athletes under ``work`` (streamed); the pieces of each partition.

    Adds the rows read and the partitions to ``counts``, the rows left out while cutting to ``problems``.
    """
    n_parts = partition_count(sum(estimate_rows(f) for f in files), partition_rows)
    shutil.rmtree(work, ignore_errors=True)
    pieces: dict[int, list] = {}
    for k, f in enumerate(files):
        cut = cut_daily_log(f, work / f"{k:03d}", n_parts)
        counts["rows"] += cut.rows
        problems += [dict(p, file=str(f)) for p in cut.problems]
        for path in cut.files:
            pieces.setdefault(int(path.stem.split("-")[1]), []).append((str(path), str(f)))
    counts["partitions"] = len(pieces)
    return [pieces[j] for j in sorted(pieces)]


def write_problems(out: Path, problems: list[dict]) -> None:
    """The daily log's rows left out, by file and line, in ``OUT/problems.csv`` (athlete ids quoted so no spreadsheet runs them)."""
    problems.sort(key=lambda p: (p.get("file") or "", p["line"]))
    (out / "problems.csv").unlink(missing_ok=True)
    if problems:
        cells = [{k: escape_formula(v) if isinstance(v, str) else v for k, v in p.items()} for p in problems]  # ids are not formulas
        pd.DataFrame(cells, columns=["line", "athlete", "reason", "file"]).to_csv(out / "problems.csv", index=False)


def read_log_part(pieces: list[tuple[str, str]]):
    """The running days, attributes, problems and rest-only athletes of one partition read from each log file's piece."""
    days, attrs, problems, rest_only = [], [], [], set()
    for file, source in pieces:
        log = frame_daily_log(read_partition(file), source)
        days.append(log.days)
        if len(log.attributes.columns):
            attrs.append(log.attributes)
        problems += [dict(p, file=source) for p in log.problems]
        rest_only |= set(log.rest_only)
    frame = pd.concat(days, ignore_index=True).sort_values(["athlete", "date", "line"], kind="stable").reset_index(drop=True)
    rest_only -= set(frame["athlete"])
    attributes = pd.concat(attrs).groupby(level=0, sort=True).first() if attrs else None
    return frame, attributes, problems, sorted(rest_only)


def analyse_log_part(pieces: list[tuple[str, str]], out_dir: str, part: int, store_root: str, today: dt.date,
                     timezone: str | None = None, athlete_logs: bool = False) -> dict:  # fmt: skip
    """Analyse one partition of a daily log (``pieces``: its file from each log, with the log's name) and write its table parts.

    Returns ``{"athletes": [summary row...], "schemas": {table: schema}, "parsed": n, "problems": [...], "days": n,
    "arrays": athletes on arrays, "one_by_one": athletes analysed alone}``.
    """
    import pyarrow as pa

    out = Path(out_dir)
    days, attributes, problems, rest_only = read_log_part(pieces)
    attrs = _attribute_rows(attributes)
    config = config_from_dict({})  # a daily log's athlete has no roster: the defaults, as `team.Athlete.config` gives
    ok = eligible(days) if config_covered(config) is None and len(days) else np.zeros(len(days), dtype=bool)
    tables: dict[str, list] = {t: [] for t in TABLES}
    rows = []
    fast = days[ok].reset_index(drop=True)
    if len(fast):
        p = build(fast, config)
        flags = find_flags(p, config)
        complete, week_days = mark_unfinished(p, today)
        tables["runs"].append(runs_table(p))
        tables["weeks"].append(weeks_table(p, complete, week_days))
        records = [{"athlete": p.names[a], **flag_record(f)} for a in sorted(flags) for f in flags[a]]
        if records:
            tables["flags"].append(pa.Table.from_pylist(records))
        not_applicable = [r for r in RULES if r not in SUMMARY_RULES]
        for a, name in enumerate(p.names):
            row = {"athlete": name, "runs": int(p.count[a]), "weeks": int(p.nweeks[a]), "alert": 0, "warning": 0, "info": 0, "error": None,
                   "rules_not_applicable": not_applicable, "files_parsed_at_analysis": 0}  # fmt: skip
            for f in flags.get(a, []):
                row[f.severity] += 1
            rows.append(row)
        if athlete_logs:
            _write_logs(out, fast)
    slow = days[~ok]
    parsed = 0
    if len(slow):
        folders = _write_logs(out, slow)
        batch = [(Athlete(name=name, path=folder), str(Path(store_root) / athlete_folder(name)), None) for name, folder in folders]
        found, parsed = analyse_rows(batch, timezone)
        for table in ("runs", "weeks", "flags"):
            if found[table]:
                tables[table].append(pa.Table.from_pylist(found[table]))
        rows += found["athletes"]
    for name in rest_only:
        rows.append({"athlete": name, "runs": 0, "weeks": 0, "alert": 0, "warning": 0, "info": 0, "error": NO_RUNNING_DAY,
                     "rules_not_applicable": [], "files_parsed_at_analysis": 0})  # fmt: skip
    for row in rows:
        row.update({k: v for k, v in attrs.get(row["athlete"], {}).items() if k not in row})
    if rows:
        tables["athletes"].append(pa.Table.from_pylist(rows))
    schemas = {}
    for table, parts in tables.items():
        if parts:
            arrow = pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]
            write_table(out / table / f"part-{part:05d}.parquet", arrow)
            schemas[table] = arrow.schema
    return {"athletes": rows, "schemas": schemas, "parsed": parsed, "problems": problems, "days": len(days),
            "arrays": int(fast["athlete"].nunique()), "one_by_one": int(slow["athlete"].nunique())}  # fmt: skip


def flag_record(f) -> dict:
    """`rules.Flag.to_dict`, without its deep copy of each flag's facts (which it then drops): a third of the time at scale."""
    d = {k.name: getattr(f, k.name) for k in fields(f) if k.name != "facts"}
    d["week_start"] = day_iso(f.week_start)
    d["date"] = day_iso(f.date)
    d["value"] = None if not math.isfinite(f.value) else round(float(f.value), 3)
    d["threshold"] = round(float(f.threshold), 3)
    return d


def _attribute_rows(attributes) -> dict:
    if attributes is None or not len(attributes.columns):
        return {}
    cells = attributes.astype(object).where(attributes.notna(), None)
    return {str(k): {str(c): (None if v is None else str(v)) for c, v in row.items()} for k, row in cells.to_dict("index").items()}


def _write_logs(out: Path, days: pd.DataFrame) -> list[tuple[str, Path]]:
    """Each athlete's running days as ``out/partitions/<athlete>/daily_log.csv`` (rewritten only when changed); (name, folder) each."""
    parts = out / "partitions"
    found = []
    for name, rows in days.groupby("athlete", sort=True):
        folder = parts / athlete_folder(str(name))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "daily_log.csv"
        data = athlete_csv(rows)
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            atomic_write_bytes(path, data)
        found.append((str(name), folder))
    return found


def _rounded(values: np.ndarray, digits: int):
    """``numbers.json_number`` of each value (Python's rounding; None when not finite), as an Arrow array.

    numpy rounds ``x * 10**digits`` to an integer and divides: the same double as
    Python's correctly rounded decimal, except where the product lands within a
    hair of a half; those few are rounded by Python.
    """
    import pyarrow as pa

    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        scaled = values * 10.0**digits
        out = np.rint(scaled) / 10.0**digits if digits else np.rint(values)
        near = finite & (np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-9 * np.maximum(1.0, np.abs(scaled)))
    for i in np.flatnonzero(near):
        out[i] = round(float(values[i]), digits) if digits else round(float(values[i]))
    if digits == 0:
        return pa.array(np.where(finite, out, 0).astype("int64"), mask=~finite)
    return pa.array(np.where(finite, out, 0.0), mask=~finite, type=pa.float64())


def _iso(day_numbers: np.ndarray) -> np.ndarray:
    return np.datetime_as_string((day_numbers - EPOCH).astype("datetime64[D]"), unit="D")


def runs_table(p: Partition):
    """The runs table's rows (``run_summary`` of each daily-log run, as the analyze JSON's ``runs``), athlete after athlete."""
    import pyarrow as pa

    n = len(p.day)
    k = np.arange(n) - np.repeat(p.start, p.count)
    ids = pd.Series(k).astype(str).radd(SOURCE + "#").where(k > 0, SOURCE)
    start = pd.Series(_iso(p.day)).add("T12:00:00+00:00")
    dur = _rounded(p.dur, 1)
    moving = _rounded(np.where(np.isnan(p.dur), 0.0, p.dur), 1)  # no duration: the ingest counts no moving time
    const = {"format": "daily_log", "sport": "running", "device": "daily log", "distance_source": "records", "source": SOURCE}
    columns = {
        "athlete": pa.array(np.repeat(np.array(p.names, dtype=object), p.count), type=pa.string()),
        "id": pa.array(ids, type=pa.string()), "source": None, "format": None, "start_utc": pa.array(start, type=pa.string()),
        "start_local": pa.array(start, type=pa.string()), "sport": None, "sub_sport": pa.nulls(n), "device": None,
        "distance_m": _rounded(p.dist, 1), "elapsed_s": dur, "moving_s": moving, "elevation_gain_m": pa.nulls(n),
        "cadence_spm": pa.nulls(n), "avg_heart_rate_bpm": pa.nulls(n), "has_gps": pa.array(np.zeros(n, dtype=bool)),
        "partial": pa.array(np.zeros(n, dtype=bool)), "distance_source": None, "recorded_distance_m": _rounded(p.dist, 1),
        "gps_jumps_removed_m": pa.array(np.zeros(n)), "cut_s": pa.array(np.zeros(n)), "running_share": pa.nulls(n),
        "suspect": pa.array(np.zeros(n, dtype=bool)), "suspect_reason": pa.nulls(n),
        "sources": pa.array([["daily_log"]] * n, type=pa.list_(pa.string())),
        "files": pa.array([[SOURCE]] * n, type=pa.list_(pa.string())), "parts": pa.array(np.ones(n, dtype="int64")),
        "has_samples": pa.array(np.zeros(n, dtype=bool)), "rpe": pa.nulls(n), "commute": pa.nulls(n), "name": pa.nulls(n),
    }  # fmt: skip
    for key, value in const.items():
        columns[key] = pa.array(np.full(n, value, dtype=object), type=pa.string())
    return pa.table(columns)


def weeks_table(p: Partition, complete: np.ndarray, week_days: np.ndarray):
    """The weeks table's rows (`analysis.Analysis.weeks_records`), athlete after athlete."""
    import pyarrow as pa

    w = p.weeks
    n = len(w["start"])
    columns = {"athlete": pa.array(np.repeat(np.array(p.names, dtype=object), p.nweeks), type=pa.string()),
               "week_start": pa.array(_iso(w["start"]), type=pa.string())}  # fmt: skip
    for key in ("distance_m", "moving_s", "runs", "change_pct", "fast_m", "speedwork_share", "longest_run_m", "cadence_spm", "acwr", "load",
                "monotony", "strain", "complete", "days"):  # fmt: skip
        if key in ("speedwork_share", "cadence_spm"):
            columns[key] = pa.nulls(n)  # no samples: no fast share, no cadence
        elif key == "complete":
            columns[key] = pa.array(complete)
        elif key == "days":
            columns[key] = pa.array(week_days.astype("int64"))
        elif key == "runs":
            columns[key] = pa.array(w["runs"].astype("int64"))
        else:
            columns[key] = _rounded(np.asarray(w[key], dtype="float64"), 3)
    return pa.table(columns)
