"""Constructed runs tables for the rule tests: a row per run, steady weeks, the flags of one rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from hamstring_analyzer.config import Config, config_from_dict
from hamstring_analyzer.rules import find_flags
from hamstring_analyzer.metrics.profile import PROFILE_COLUMNS
from hamstring_analyzer.metrics.weekly import weekly_summary

MON = dt.date(2026, 3, 2)  # a Monday


def run(day: int, km: float, **kw) -> dict:
    """A row of a runs table: ``day`` counts from Monday 2 March 2026."""
    d = MON + dt.timedelta(days=day)
    row = {c: np.nan for c in PROFILE_COLUMNS}
    row.update(
        id=f"run-{day}", source=f"run-{day}.fit", local_date=d, week_start=d - dt.timedelta(days=d.weekday()),
        distance_m=km * 1000, moving_s=km * 330, climb_m=km * 12, climb_per_km=12.0, indoor=False,
        sub_sport="generic", cadence_spm=178.0, speed_mps=3.03, speed_reliable=True,
        late_drop_pace_corrected=True, has_intervals=False, fast_m=0.0, fast_by="pace",
    )  # fmt: skip
    row.update(kw)
    if "climb_per_km" in kw:
        row["climb_m"] = kw["climb_per_km"] * km
    return row


def flags_for(rows, config: Config | None = None, rule: str | None = None):
    table = pd.DataFrame(rows)
    weeks = weekly_summary(table, (config or Config()).acwr.method)
    flags = find_flags(table, weeks, config)
    return [f for f in flags if rule is None or f.rule == rule]


def steady_weeks(n: int, km: float = 30.0, first_day: int = 0, **kw) -> list[dict]:
    """``n`` weeks of four runs (Tue, Thu, Fri, Sun) adding up to ``km`` each."""
    rows = []
    for w in range(n):
        for d, share in ((1, 0.2), (3, 0.25), (4, 0.2), (6, 0.35)):
            rows.append(run(first_day + 7 * w + d, km * share, **kw))
    return rows


FLAG_FIELDS = ["rule", "severity", "week_start", "date", "run_id", "value", "threshold", "unit", "message", "doubtful", "doubt", "id", "episode"]


ROLLING = config_from_dict({"acwr": {"method": "rolling"}})
#: The coupled ratio, raised as flags (a weekly column only by default).
ACWR_ON = config_from_dict({"acwr": {"method": "rolling", "flag": True}})


def sunday_spike() -> list[dict]:
    """Four steady 20 km weeks (Tue, Thu, Fri, Sun), then a 25 km Sunday (day 34): 38 of 98 km in 7 days."""
    rows = steady_weeks(4, 20.0) + [run(29, 4.0), run(31, 5.0), run(32, 4.0), run(34, 25.0)]
    return rows + [run(38, 4.0), run(39, 4.0)]  # a light week after, no run on Monday (day 35)


def spike_flags(rows, config=None):
    return flags_for(rows, config, rule="single_run_spike")
