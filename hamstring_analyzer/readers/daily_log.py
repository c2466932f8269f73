"""Daily training logs: one row per athlete and day (distance and duration), CSV or Parquet.

The shape of public cohort data, such as the running log of Afonseca et al.
2022 (PeerJ 10:e13192; 36,412 athletes, files like ``run_ww_2019_d.csv`` /
``.parquet``)::

    ,datetime,athlete,distance,duration,gender,age_group,country,major
    0,2019-01-01,0,0.0,0.0,F,18 - 34,United States,CHICAGO 2019
    1,2019-01-02,0,10.3,56.4,F,18 - 34,United States,CHICAGO 2019

Columns are found by name, never by position, and their units are explicit:

========== ============================================ =======================
meaning    header spellings (case and spaces ignored)   unit
========== ============================================ =======================
athlete    athlete, athlete_id, runner, runner_id,      (an id, kept as text)
           user, user_id
date       datetime, date, day, timestamp, start_date   a day (a time of day
                                                        is dropped)
distance   distance, distance_km, km, distance (km)     km
           distance_m, metres, meters, distance (m)     m
           distance_mi, miles, distance (mi)            mile
duration   duration, duration_min, minutes, duration    min
           (min)
           duration_s, seconds, duration (s)            s
           duration_h, hours, duration (h)              h
========== ============================================ =======================

A duration may also be written ``h:mm:ss`` or ``mm:ss``. Other columns
(gender, age group, country, majors...) are kept as the athlete's attributes.

A row is one day of running, read as one run without samples, on that
local day (at noon, so no zone moves it to another day). A row of zero
distance is a day without running. Rows that cannot be read (no date, a
negative or impossible distance, faster than the 5,000 m world record) are
left out and reported with their line and reason, never guessed at.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from ..activity import Activity
from ..errors import NotAnActivityError, ParseError, unexpected_problem
from .files import gunzip, open_regular
from .summary_only import (
    MAX_INDEX_BYTES, MAX_INDEX_ROWS, MAX_SUMMARY_DISTANCE_M, csv_rows, index_text, list_lines, raise_field_limit, summary_activity,
)  # fmt: skip

#: Header spellings by meaning (lower case, spaces and underscores squeezed), with the unit they mean.
ATHLETE_NAMES = ("athlete", "athleteid", "runner", "runnerid", "user", "userid")
DATE_NAMES = ("datetime", "date", "day", "timestamp", "startdate")
DISTANCE_UNITS = {
    "distance": 1000.0, "distancekm": 1000.0, "km": 1000.0, "distance(km)": 1000.0, "kilometres": 1000.0, "kilometers": 1000.0,
    "distancem": 1.0, "metres": 1.0, "meters": 1.0, "distance(m)": 1.0,
    "distancemi": 1609.344, "miles": 1609.344, "distance(mi)": 1609.344, "distancemiles": 1609.344,
}  # fmt: skip
DURATION_UNITS = {
    "duration": 60.0, "durationmin": 60.0, "minutes": 60.0, "duration(min)": 60.0, "durationminutes": 60.0,
    "durations": 1.0, "seconds": 1.0, "duration(s)": 1.0, "durationseconds": 1.0,
    "durationh": 3600.0, "hours": 3600.0, "duration(h)": 3600.0, "durationhours": 3600.0,
}  # fmt: skip
#: Faster than the 5,000 m world record over a whole day's running is a typing or unit error [m/s].
MAX_DAY_SPEED_MPS = 6.7
#: A day's running longer than this is not a day's running [s].
MAX_DAY_DURATION_S = 24 * 3600.0
#: At most this many problem rows are listed by line; the rest are counted.
MAX_LISTED_PROBLEMS = 20


@dataclass
class DailyLog:
    """A daily log read: each athlete's running days, and the rows left out.

    Attributes
    ----------
    days : DataFrame
        One row per running day: ``athlete`` (text), ``date`` (datetime.date),
        ``distance_m``, ``duration_s`` (NaN when the log gives none), ``line``
        (the row's line in the file, header = 1), sorted by athlete, date, line.
    attributes : DataFrame
        One row per athlete (indexed by ``athlete``): the other columns' first value.
    problems : list of dict
        ``{"line", "athlete", "reason"}`` for rows left out.
    rest_days : int
        Rows of zero distance (days without running).
    units : dict
        What each column was read as: ``{"distance": "distance (km)", "duration": "duration (min)"}``.
    rest_only : list of str
        Athletes with readable rows, every one of zero distance (no running day).
    """

    days: pd.DataFrame
    attributes: pd.DataFrame
    problems: list[dict] = field(default_factory=list)
    rest_days: int = 0
    units: dict = field(default_factory=dict)
    rest_only: list = field(default_factory=list)

    @property
    def athletes(self) -> list[str]:
        return list(dict.fromkeys(self.days["athlete"]))


def _squeeze(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name).strip().lower().lstrip("\ufeff"))


def athlete_ids(values: pd.Series) -> pd.Series:
    """The athlete ids as text, trimmed; ``7.0`` (a float column) is athlete ``7``. The partitions hash the same ids."""
    return values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)


def unique_names(header: list[str]) -> list[str]:
    """The header's names, trimmed; a name written twice keeps the first meaning, the second becomes ``name.2``."""
    names: list[str] = []
    for h in header:
        h, n = h.strip(), 2
        base = h
        while h in names:
            h, n = f"{base}.{n}", n + 1
        names.append(h)
    return names


def find_columns(header: list[str]) -> dict:
    """The positions of athlete, date, distance and duration in ``header``, and their units.

    Returns ``{"athlete": i|None, "date": i, "distance": (i, metres per unit), "duration": (i, s per unit)|None}``.

    Raises
    ------
    ValueError
        No date or no distance column (the message names the spellings looked for).
    """
    squeezed = [_squeeze(h) for h in header]
    found: dict = {"athlete": None, "date": None, "distance": None, "duration": None}
    for i, s in enumerate(squeezed):
        if found["athlete"] is None and s in ATHLETE_NAMES:
            found["athlete"] = i
        elif found["date"] is None and s in DATE_NAMES:
            found["date"] = i
        elif found["distance"] is None and s in DISTANCE_UNITS:
            found["distance"] = (i, DISTANCE_UNITS[s])
        elif found["duration"] is None and s in DURATION_UNITS:
            found["duration"] = (i, DURATION_UNITS[s])
    if found["date"] is None:
        raise ValueError(f"no date column (looked for: {', '.join(DATE_NAMES)})")
    if found["distance"] is None:
        raise ValueError("no distance column (looked for: distance [km], distance_km, distance_m, distance_mi, km, metres, miles)")
    return found


def looks_like_daily_log(head: bytes) -> bool:
    """True for the first bytes of a CSV whose header names a date and a distance (and no activity type)."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    if "," not in first:
        return False
    cells = [c.strip().strip('"') for c in first.split(",")]
    if any(_squeeze(c) in ("activitytype", "activityid", "type") for c in cells):
        return False  # an activity list (Strava's), not a daily log
    try:
        find_columns(cells)
    except ValueError:
        return False
    return True


def _duration_seconds(values: pd.Series, per_unit: float) -> pd.Series:
    """Durations as numbers in the column's unit, or ``h:mm:ss`` / ``mm:ss`` text, in seconds (NaN when unreadable)."""
    numeric = pd.to_numeric(values, errors="coerce") * per_unit
    text = values.astype("string").str.strip()
    clock = text.str.fullmatch(r"\d{1,3}:\d{2}(:\d{2})?", na=False)
    if clock.any():
        parts = text[clock].str.split(":")
        seconds = parts.map(lambda p: sum(int(x) * 60**k for k, x in enumerate(reversed(p))))
        numeric = numeric.astype("float64")
        numeric[clock] = seconds.astype("float64")
    return numeric.astype("float64")


def _dates(values: pd.Series) -> pd.Series:
    """Each value's day (NaT when it is not a date): ISO dates or date-times, with or without a time zone."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = values.astype("string").str.strip().str.slice(0, 10)
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    ok = parsed.notna() & (parsed.dt.year >= 1990) & (parsed.dt.year <= 2100)
    return parsed.where(ok).dt.normalize()


def frame_daily_log(frame: pd.DataFrame, source: str, first_line: int = 2, problems: list[dict] | None = None) -> DailyLog:
    """A `DailyLog` from a table with the log's own header (as CSV or Parquet gives it).

    Raises
    ------
    ParseError
        No date or distance column.
    """
    if LINE in frame.columns:
        line = pd.Series(frame[LINE].to_numpy(), index=frame.index)
        frame = frame.drop(columns=[LINE])
    else:
        line = pd.Series(range(first_line, first_line + len(frame)), index=frame.index)
    header = [str(c) for c in frame.columns]
    try:
        cols = find_columns(header)
    except ValueError as exc:
        raise ParseError(source, f"not a daily training log: {exc}") from None
    names = frame.columns
    athlete = athlete_ids(frame[names[cols["athlete"]]]) if cols["athlete"] is not None else pd.Series("1", index=frame.index, dtype="string")
    date = _dates(frame[names[cols["date"]]])
    d_col, per_m = cols["distance"]
    distance = pd.to_numeric(frame[names[d_col]], errors="coerce") * per_m
    if cols["duration"] is not None:
        t_col, per_s = cols["duration"]
        duration = _duration_seconds(frame[names[t_col]], per_s)
    else:
        duration = pd.Series(float("nan"), index=frame.index)
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    distance = distance.astype("float64")
    speed = distance / duration.where(duration > 0)

    def mark(mask, text):
        nonlocal reason
        reason = reason.mask(mask.fillna(False).astype(bool) & reason.isna(), text)

    mark(athlete.isna() | (athlete == ""), "no athlete")
    mark(date.isna(), "no readable date (YYYY-MM-DD, 1990 to 2100)")
    mark(distance.isna() | ~distance.map(lambda v: math.isfinite(v) if isinstance(v, float) else False), "no readable distance")
    mark(distance < 0, "negative distance")
    mark(distance > MAX_SUMMARY_DISTANCE_M, f"distance above {MAX_SUMMARY_DISTANCE_M / 1000:.0f} km in a day")
    mark((duration < 0) | (duration > MAX_DAY_DURATION_S) | ~duration.map(lambda v: not (isinstance(v, float) and math.isinf(v))), "duration negative or longer than a day")
    mark(speed > MAX_DAY_SPEED_MPS, "faster than the 5,000 m world record over the whole day (a unit or typing error?)")
    bad = reason.notna()
    rest = ~bad & (distance == 0)
    problems = sorted(list(problems or []) + [
        {"line": int(ln), "athlete": None if pd.isna(a) else str(a), "reason": str(r)}
        for ln, a, r in zip(line[bad], athlete[bad], reason[bad])
    ], key=lambda p: p["line"])  # fmt: skip
    keep = ~bad & ~rest
    days = pd.DataFrame(
        {
            "athlete": athlete[keep].astype(str).to_numpy(),
            "date": date[keep].dt.date.to_numpy(),
            "distance_m": distance[keep].to_numpy(dtype="float64"),
            "duration_s": duration[keep].where(duration[keep] > 0).to_numpy(dtype="float64"),
            "line": line[keep].to_numpy(),
        }
    )
    days = days.sort_values(["athlete", "date", "line"], kind="stable").reset_index(drop=True)
    used = {cols["date"], d_col} | ({cols["athlete"]} if cols["athlete"] is not None else set()) | ({cols["duration"][0]} if cols["duration"] else set())
    other = [names[i] for i in range(len(names)) if i not in used and not str(names[i]).startswith("Unnamed") and str(names[i]).strip() not in ("", "index")]
    attrs = frame.loc[~bad, other].assign(athlete=athlete[~bad].astype(str)).groupby("athlete", sort=True).first() if other else pd.DataFrame(index=pd.Index(sorted(set(days["athlete"])), name="athlete"))
    unit_name = {1000.0: "km", 1.0: "m", 1609.344: "mi", 60.0: "min", 3600.0: "h"}
    units = {"distance": f"{header[d_col]} [{unit_name[per_m]}]"}
    if cols["duration"] is not None:
        units["duration"] = f"{header[cols['duration'][0]]} [{unit_name.get(cols['duration'][1], 's')}]"
    rest_only = sorted(set(athlete[rest].astype(str).unique()) - set(days["athlete"].unique()))
    return DailyLog(days=days, attributes=attrs.astype("string") if len(attrs.columns) else attrs, problems=problems, rest_days=int(rest.sum()),
                    units=units, rest_only=rest_only)  # fmt: skip


#: The column holding each row's line in the file, when the reader knows it.
LINE = "\0line"


def _csv_frame(data: bytes, source: str) -> tuple[pd.DataFrame, list[dict]]:
    """The CSV's rows as text cells, each with its line in the file; rows of the wrong width are problems, not dropped."""
    import csv

    text = index_text(data, source, "the daily log")
    lines = list_lines(text)
    raise_field_limit()
    header = next(csv.reader(lines[:1]), None) if lines else None
    if header is None:
        raise ParseError(source, "file is empty")
    rows, where, problems = [], [], []
    # Row by row: a huge cell or a quote left open costs its own row, never the rows after it.
    for line, row, reason in csv_rows(lines, 1, len(header)):
        if reason is not None:
            problems.append({"line": line, "athlete": None, "reason": reason})
            continue
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append({"line": line, "athlete": None, "reason": f"{len(row)} cells where the header has {len(header)}"})
            continue
        rows.append([c.strip() or None for c in row])
        where.append(line)
    names = unique_names(header)
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame[LINE] = where
    return frame, problems


def read_daily_log_table(path, source: str | None = None) -> DailyLog:
    """Read a daily log file (``.csv``, ``.csv.gz`` or ``.parquet``) of one athlete or many.

    Raises
    ------
    ParseError
        Unreadable, not a table, or without a date or distance column.
    """
    import os

    source = source or os.fspath(path)
    name = os.fspath(path).lower()
    if name.endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        try:
            frame = pq.read_table(path).to_pandas()
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a damaged file
            raise ParseError(source, f"not a readable Parquet file ({unexpected_problem(exc, 'in the Parquet reader')})") from None
        return frame_daily_log(frame, source)
    try:
        with open_regular(path) as fh:
            data = fh.read()
    except OSError as exc:
        raise ParseError(source, f"cannot be read ({exc.strerror or exc})") from None
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, source, limit=16 * MAX_INDEX_BYTES)
    if not data.strip():
        raise ParseError(source, "file is empty")
    frame, problems = _csv_frame(data, source)
    return frame_daily_log(frame, source, problems=problems)


def day_activity(day, source: str, index: int) -> Activity:
    """One running day as a run without samples, at noon of that day (local time = UTC, so the day stays the day)."""
    start = pd.Timestamp(day.date) + pd.Timedelta(hours=12)
    duration = day.duration_s if isinstance(day.duration_s, float) and math.isfinite(day.duration_s) else None
    return summary_activity(
        source=source,
        fmt="daily_log",
        start_utc=start.tz_localize("UTC"),
        elapsed_s=duration,
        moving_s=duration,
        distance_m=day.distance_m,
        sport="running",
        device="daily log",
        utc_offset_s=0,
        session_index=index,
    )


def read_daily_log(data: bytes, source: str) -> list[Activity]:
    """One athlete's daily log (``daily_log*.csv``) as runs without samples.

    Rows left out are named in a warning on the first run (line and reason).

    Raises
    ------
    ParseError
        Not a daily log, larger than `summary_only.MAX_INDEX_BYTES`, more than one
        athlete (use the ``cohort`` command, which splits a log by athlete), or no running day.
    """
    if len(data) > MAX_INDEX_BYTES:
        raise ParseError(source, f"the daily log is larger than {MAX_INDEX_BYTES // 2**20} MiB; refused (split it with the cohort command)")
    if not data.strip():
        raise ParseError(source, "file is empty")
    frame, problems = _csv_frame(data, source)
    log = frame_daily_log(frame, source, problems=problems)
    athletes = log.athletes
    if len(athletes) > 1:
        raise ParseError(source, f"a daily log of {len(athletes)} athletes; read it with the cohort command, which splits it by athlete")
    if len(log.days) > MAX_INDEX_ROWS:
        raise ParseError(source, f"more than {MAX_INDEX_ROWS} running days; refused")
    if log.days.empty:
        if log.problems:
            raise ParseError(source, f"none of its rows can be read ({problems_text(log.problems)})")
        raise NotAnActivityError(source, "the daily log holds no running day")
    runs = [day_activity(d, source, i) for i, d in enumerate(log.days.itertuples())]
    if log.problems:
        runs[0].warnings.append(f"{len(log.problems)} rows of the daily log were left out: {problems_text(log.problems)}")
    return runs


def problems_text(problems: list[dict], limit: int = 3) -> str:
    """``"line 5: no readable date; line 9: negative distance; and 4 more"``."""
    shown = "; ".join(f"line {p['line']}: {p['reason']}" for p in problems[:limit])
    return shown + (f"; and {len(problems) - limit} more" if len(problems) > limit else "")


def athlete_csv(days: pd.DataFrame) -> bytes:
    """One athlete's running days as a daily log file (``date,distance_km,duration_min``), the same bytes for the same days."""
    out = io.StringIO()
    out.write("date,distance_m,duration_s\n")
    for d in days.itertuples():
        dur = "" if not (isinstance(d.duration_s, float) and math.isfinite(d.duration_s)) else repr(float(d.duration_s))
        out.write(f"{d.date.isoformat()},{float(d.distance_m)!r},{dur}\n")
    return out.getvalue().encode()
