"""Generated cohorts: many varied athletes with planted events, the same for the same seed.

For the team and cohort commands' tests, and `benchmarks/cohort.py`:

* `athlete_days` plans one athlete's running days: a base volume (20-80 km a
  week), 3-6 runs a week with a long run, and planted events at known weeks
  (a weekly jump of 40-60%, a single run twice the month's longest, a break of
  12-35 days followed by a full-volume return), each athlete's own mix.
* `write_daily_log_cohort` writes them as one daily log of the public data
  set's shape (``datetime, athlete, distance [km], duration [min], gender,
  age_group, country, major``; a row for every day, rest days as zeros), CSV or
  Parquet.
* `write_folder_cohort` writes them as athlete folders of FIT files (as a
  coach's team root), with a ``roster.toml`` when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .synthetic import easy_run, write_fit

COUNTRIES = ("United States", "Germany", "United Kingdom", "Brazil", "Spain", "Japan", "France", "Kenya")
AGE_GROUPS = ("18 - 34", "35 - 54", "55 +")
MAJORS = ("CHICAGO 2019", "BERLIN 2019", "LONDON 2019", "NEW YORK 2019", "BOSTON 2019", "TOKYO 2019")


@dataclass
class PlannedAthlete:
    """One generated athlete: their running days and the events planted in them."""

    athlete: str
    days: list[tuple[dt.date, float, float]]  # (day, km, minutes)
    events: list[tuple[str, dt.date]] = field(default_factory=list)  # (what, the day it starts)
    gender: str = "F"
    age_group: str = "18 - 34"
    country: str = "United States"
    major: str = "CHICAGO 2019"


def athlete_days(index: int, start: dt.date, weeks: int, seed: int = 0) -> PlannedAthlete:
    """One athlete's ``weeks`` of running from ``start`` (a Monday), with planted events.

    The same ``(index, seed)`` always gives the same athlete.
    """
    rng = np.random.default_rng([seed, index])
    base_km = float(rng.uniform(20, 80))
    runs_a_week = int(rng.integers(3, 7))
    pace_min_per_km = float(rng.uniform(4.3, 6.8))
    events: list[tuple[str, dt.date]] = []
    # Events at fixed points of the history, each athlete its own mix (a history shorter than 10 weeks gets none).
    plans = {}
    if weeks >= 10:
        if rng.random() < 0.6:
            plans[int(rng.integers(4, weeks - 2))] = "weekly_jump"
        if rng.random() < 0.5:
            plans[int(rng.integers(weeks // 3, weeks - 2))] = "layoff"
        if rng.random() < 0.5:
            plans.setdefault(int(rng.integers(5, weeks - 1)), "long_run_spike")
    days: list[tuple[dt.date, float, float]] = []
    skip_until: dt.date | None = None
    for w in range(weeks):
        monday = start + dt.timedelta(days=7 * w)
        volume = base_km * float(rng.uniform(0.9, 1.08))
        event = plans.get(w)
        if event == "weekly_jump":
            volume *= float(rng.uniform(1.4, 1.6))
            events.append((event, monday))
        if event == "layoff":
            off = int(rng.integers(12, 36))
            skip_until = monday + dt.timedelta(days=off)
            events.append((event, monday))
        weekdays = sorted(rng.choice(7, size=runs_a_week, replace=False).tolist())
        shares = rng.uniform(0.7, 1.0, size=runs_a_week)
        shares[-1] *= 1.8  # the week's long run, at its end
        shares /= shares.sum()
        for wd, share in zip(weekdays, shares):
            day = monday + dt.timedelta(days=wd)
            if skip_until is not None and day < skip_until:
                continue
            km = volume * float(share)
            if event == "long_run_spike" and wd == weekdays[-1]:
                km *= 2.2
                events.append((event, day))
            minutes = km * pace_min_per_km * float(rng.uniform(0.95, 1.05))
            days.append((day, round(km, 2), round(minutes, 1)))
    return PlannedAthlete(
        athlete=str(index), days=days, events=events,
        gender="F" if rng.random() < 0.4 else "M", age_group=str(rng.choice(AGE_GROUPS)),
        country=str(rng.choice(COUNTRIES)), major=str(rng.choice(MAJORS)),
    )  # fmt: skip


def cohort_athletes(n: int, weeks: int = 52, start: dt.date = dt.date(2019, 1, 7), seed: int = 0) -> list[PlannedAthlete]:
    return [athlete_days(i, start, weeks, seed) for i in range(n)]


def write_daily_log_cohort(path: str | Path, athletes: list[PlannedAthlete], *, every_day: bool = True) -> Path:
    """The athletes as one daily log of the public data set's shape (``.csv`` or ``.parquet`` by the name).

    With ``every_day`` each athlete has a row for every day of the span, rest days as zeros (as that data set has).
    """
    import pandas as pd

    rows = []
    for a in athletes:
        if not a.days:
            continue
        by_day = {d: (km, mins) for d, km, mins in a.days}
        first, last = min(by_day), max(by_day)
        span = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)] if every_day else sorted(by_day)
        for d in span:
            km, mins = by_day.get(d, (0.0, 0.0))
            rows.append((d.isoformat(), int(a.athlete) if a.athlete.isdigit() else a.athlete, km, mins, a.gender, a.age_group, a.country, a.major))
    frame = pd.DataFrame(rows, columns=["datetime", "athlete", "distance", "duration", "gender", "age_group", "country", "major"])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame["datetime"] = pd.to_datetime(frame["datetime"])
        frame.to_parquet(path)
    else:
        frame.to_csv(path)  # with the unnamed index column first, as the public files have
    return path


def write_folder_cohort(root: str | Path, athletes: list[PlannedAthlete], *, sample_every_s: int = 10, zone: str = "Europe/London") -> Path:
    """Each athlete as a folder of FIT files (one per running day, a sample every ``sample_every_s`` seconds)."""
    root = Path(root)
    for a in athletes:
        folder = root / f"athlete-{a.athlete}"
        folder.mkdir(parents=True, exist_ok=True)
        for k, (day, km, minutes) in enumerate(a.days):
            pace = minutes * 60.0 / km
            plan = easy_run(dt.datetime.combine(day, dt.time(7, 30)), km, pace_s_per_km=pace, cadence=172 + (k % 9),
                            seed=k, zone=zone, sample_every_s=sample_every_s)  # fmt: skip
            (folder / f"{day.isoformat()}-run.fit").write_bytes(write_fit(plan))
    return root


# ---------------------------------------------------------------- large logs ---


def write_large_daily_log(path: str | Path, n: int, *, weeks: int = 52, start: dt.date = dt.date(2019, 1, 7), seed: int = 0,
                          chunk: int = 500) -> tuple[Path, int]:  # fmt: skip
    """`write_daily_log_cohort` for a cohort too large to hold: the same athletes (`athlete_days`), streamed ``chunk`` at a time.

    A CSV of the public data set's columns (the unnamed index first, a row
    for every day, rest days as zeros), written with pyarrow's CSV writer (text
    cells quoted). Memory follows ``chunk``, never ``n``. Returns the path and the rows written.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    writer = None
    try:
        for lo in range(0, n, chunk):
            parts = []
            for i in range(lo, min(n, lo + chunk)):
                a = athlete_days(i, start, weeks, seed)
                if not a.days:
                    continue
                day = np.array([d for d, _, _ in a.days], dtype="datetime64[D]")
                span = np.arange(day.min(), day.max() + np.timedelta64(1, "D"))
                km = np.zeros(len(span))
                mins = np.zeros(len(span))
                at = (day - span[0]).astype("int64")
                km[at] = [k for _, k, _ in a.days]
                mins[at] = [m for _, _, m in a.days]
                parts.append((span, np.full(len(span), i), km, mins, a))
            if not parts:
                continue
            count = sum(len(p[0]) for p in parts)
            table = pa.table({
                "": pa.array(np.arange(rows, rows + count)),
                "datetime": pa.array(np.datetime_as_string(np.concatenate([p[0] for p in parts]), unit="D")),
                "athlete": pa.array(np.concatenate([p[1] for p in parts])),
                "distance": pa.array(np.concatenate([p[2] for p in parts])),
                "duration": pa.array(np.concatenate([p[3] for p in parts])),
                **{col: pa.array(np.concatenate([np.full(len(p[0]), getattr(p[4], col), dtype=object) for p in parts]), type=pa.string())
                   for col in ("gender", "age_group", "country", "major")},
            })  # fmt: skip
            if writer is None:
                writer = pcsv.CSVWriter(str(path), table.schema)
            writer.write_table(table)
            rows += count
    finally:
        if writer is not None:
            writer.close()
    return path, rows
